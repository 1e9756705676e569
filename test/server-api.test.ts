import { after, test } from "node:test";
import { tmdbTest } from "./helpers/data.js";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { LightMyRequestResponse } from "fastify";
import { createServer } from "../src/server/app.js";
import { LIMITS } from "../src/server/limits.js";
import { DEFAULT_SIMILAR_K } from "../src/recommend/types.js";
import { DEFAULT_TITLES_K } from "../src/search/types.js";
import { runCli } from "./helpers/cli.js";
import { tempDir, tmdbGloveDb } from "./helpers/collections.js";
import { MOVIES_CSV } from "./helpers/paths.js";

/** A stand-in for the built web app, so these tests do not depend on `npm run build:web`. */
function webRoot(): string {
  const dir = tempDir("plotline-web-");
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), '<!doctype html><title>Plotline</title><script type="module" src="/assets/app-1a2b3c.js"></script>');
  writeFileSync(join(dir, "assets/app-1a2b3c.js"), `console.log(${JSON.stringify("x".repeat(4000))});`);
  return dir;
}

const MARTIAN = "tt3659388";
const MISSION_TO_MARS = "tt0183523";
const ALIEN = "tt0078748";
const ALIENS = "tt0090605";

const db = await tmdbGloveDb();
const { app } = await createServer({ db, webRoot: webRoot() });
await app.ready();
after(() => app.close());

const get = (url: string) => app.inject({ method: "GET", url });
const post = (url: string, body: unknown) => app.inject({ method: "POST", url, payload: body as Record<string, unknown> });

interface ErrorBody {
  error: { code: string; message: string; parameter?: string };
}

function assertError(res: LightMyRequestResponse, status: number, code: string, parameter?: string): ErrorBody {
  assert.equal(res.statusCode, status, `${status} expected, got ${res.statusCode}: ${res.body}`);
  assert.match(String(res.headers["content-type"]), /^application\/json/);
  const body = res.json() as ErrorBody;
  assert.equal(body.error.code, code, res.body);
  assert.equal(typeof body.error.message, "string");
  assert.ok(!/\n\s+at /.test(res.body), "no stack trace");
  if (parameter !== undefined) {
    assert.equal(body.error.parameter, parameter, res.body);
    assert.ok(body.error.message.startsWith(`${parameter}:`), `message names ${parameter}: ${body.error.message}`);
  }
  return body;
}

interface Hit {
  id: string;
  title: string;
  year: number | null;
  score: number;
  genres: string[];
  overview: string;
  posterUrl: string | null;
  rating: number | null;
  scores?: Record<string, number | null>;
  matches?: Record<string, string[]>;
}

tmdbTest("health names the collection it serves", async () => {
  const res = await get("/api/health");
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.equal(body.status, "ok");
  assert.ok(body.movies > 10_000, `movies ${body.movies}`);
  assert.match(body.embedder, /^glove/);
  assert.equal(body.dims, 100);
  assert.match(body.updatedAt, /^\d{4}-\d\d-\d\dT/);
});

tmdbTest("search: each mode returns cards with explanations, in the CLI's JSON shape", async () => {
  for (const mode of ["hybrid", "semantic", "keyword"]) {
    const res = await get(`/api/search?q=${encodeURIComponent("NASA tried to rescue an astronaut stranded on Mars.")}&mode=${mode}&k=5`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { query: string; parsed: { text: string; filters: object }; results: Hit[] };
    assert.equal(body.query, "NASA tried to rescue an astronaut stranded on Mars.");
    assert.equal(typeof body.parsed.text, "string");
    assert.equal(body.results.length, 5);
    const top = body.results.map((r) => r.id);
    assert.ok(top.includes(MARTIAN) || top.includes(MISSION_TO_MARS), `${mode}: a Mars rescue movie in the top 5: ${body.results.map((r) => r.title)}`);
    for (const r of body.results) {
      assert.deepEqual(Object.keys(r).slice(0, 4), ["id", "title", "year", "score"]);
      assert.ok(Array.isArray(r.genres) && typeof r.overview === "string" && "posterUrl" in r && "rating" in r, "card fields");
      assert.ok(r.scores && typeof r.scores === "object", "scores");
      assert.ok(r.matches && typeof r.matches === "object", "matches");
    }
    if (mode !== "semantic") assert.ok(Object.values(body.results[0]!.matches!).flat().length > 0, `${mode}: matched words reported`);
  }
});

tmdbTest("search and similar: the popularity prior in the explanation, prior and exclude_genre as parameters", async () => {
  const on = (await get(`/api/search?q=${encodeURIComponent("a shark attacks a beach town")}&k=5`)).json() as { results: Hit[] };
  for (const r of on.results) assert.ok(typeof r.scores!.prior === "number" && typeof r.scores!.priorWeight === "number", `${r.title}: prior and its weight explained`);
  const off = (await get(`/api/search?q=${encodeURIComponent("a shark attacks a beach town")}&mode=keyword&prior=0&k=5`)).json() as { results: Hit[] };
  for (const r of off.results) assert.equal(r.scores!.prior, undefined, "prior 0: no prior in the explanation");
  assertError(await get("/api/search?q=x&prior=-1"), 400, "invalid_parameter", "prior");
  const noHorror = (await get(`/api/search?q=${encodeURIComponent("a creature hunts the crew of a spaceship")}&exclude_genre=Horror&k=20`)).json() as { results: Hit[] };
  assert.ok(noHorror.results.length > 0 && noHorror.results.every((r) => !r.genres.includes("Horror")), "exclude_genre leaves the genre out");
  const similar = (await get(`/api/movies/${ALIEN}/similar?k=10&prior=0&series=false`)).json() as { results: Hit[] };
  assert.equal(similar.results.length, 10);
  assertError(await get(`/api/movies/${ALIEN}/similar?series=maybe`), 400, "invalid_parameter", "series");
});

tmdbTest("search: filters apply, pages do not overlap, and phrases become parsed filters", async () => {
  const filtered = (await get("/api/search?q=space%20adventure&year=1990..1999&genre=Comedy&min_rating=5&k=20")).json() as { results: Hit[] };
  assert.ok(filtered.results.length > 0);
  for (const r of filtered.results) {
    assert.ok(r.year! >= 1990 && r.year! <= 1999, `${r.title} ${r.year}`);
    assert.ok(r.genres.includes("Comedy"), `${r.title} ${r.genres}`);
    assert.ok(r.rating! >= 5);
  }
  const p1 = (await get("/api/search?q=love%20story&k=10&offset=0")).json() as { results: Hit[] };
  const p2 = (await get("/api/search?q=love%20story&k=10&offset=10")).json() as { results: Hit[] };
  const both = (await get("/api/search?q=love%20story&k=20")).json() as { results: Hit[] };
  assert.deepEqual([...p1.results, ...p2.results].map((r) => r.id), both.results.map((r) => r.id));

  const parsed = (await get(`/api/search?q=${encodeURIComponent("90s sci-fi about time travel")}`)).json() as { parsed: { text: string; filters: { yearMin?: number; yearMax?: number; genres?: string[] } }; results: Hit[] };
  assert.equal(parsed.parsed.filters.yearMin, 1990);
  assert.equal(parsed.parsed.filters.yearMax, 1999);
  assert.ok(parsed.parsed.filters.genres?.includes("Science Fiction"));
  const raw = (await get(`/api/search?q=${encodeURIComponent("90s sci-fi about time travel")}&parse=false`)).json() as { parsed: { filters: object } };
  assert.deepEqual(raw.parsed.filters, {}, "parse=false keeps the query as text");
});

tmdbTest("search: hostile input is answered, never an SQL or FTS error", async () => {
  for (const q of ['"unbalanced', "title:alien OR", "'; DROP TABLE movies; --", "🦈🏖️", "NEAR(a b", "*", "a".repeat(LIMITS.queryLength)]) {
    const res = await get(`/api/search?q=${encodeURIComponent(q)}&mode=keyword`);
    assert.ok(res.statusCode === 200 || res.statusCode === 400, `${q.slice(0, 20)}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    if (res.statusCode === 400) assertError(res, 400, "invalid_parameter", "q");
    assert.ok(!/sqlite|fts5|syntax error/i.test(res.body), res.body.slice(0, 200));
  }
  assert.equal((await get("/api/movies/tt0078748")).statusCode, 200, "the collection is intact");
});

test("search: validation names the parameter", async () => {
  assertError(await get("/api/search"), 400, "invalid_parameter", "q");
  assertError(await get("/api/search?q="), 400, "invalid_parameter", "q");
  assertError(await get(`/api/search?q=${"a".repeat(LIMITS.queryLength + 1)}`), 400, "invalid_parameter", "q");
  assertError(await get("/api/search?q=x&k=0"), 400, "invalid_parameter", "k");
  assertError(await get(`/api/search?q=x&k=${LIMITS.searchK.max + 1}`), 400, "invalid_parameter", "k");
  assertError(await get("/api/search?q=x&k=ten"), 400, "invalid_parameter", "k");
  assertError(await get("/api/search?q=x&offset=-1"), 400, "invalid_parameter", "offset");
  assertError(await get(`/api/search?q=x&offset=${LIMITS.maxOffset + 1}`), 400, "invalid_parameter", "offset");
  const mode = assertError(await get("/api/search?q=x&mode=magic"), 400, "invalid_parameter", "mode");
  assert.match(mode.error.message, /hybrid/, "lists the modes");
  assertError(await get("/api/search?q=x&alpha=1.5"), 400, "invalid_parameter", "alpha");
  assertError(await get("/api/search?q=x&fusion=max"), 400, "invalid_parameter", "fusion");
  assertError(await get("/api/search?q=x&year=nineties"), 400, "invalid_parameter", "year");
  assertError(await get("/api/search?q=x&year=1999..1990"), 400, "invalid_parameter", "year");
  assertError(await get("/api/search?q=x&min_rating=11"), 400, "invalid_parameter", "min_rating");
  assertError(await get("/api/search?q=x&genre_mode=some"), 400, "invalid_parameter", "genre_mode");
  assertError(await get(`/api/search?q=x${"&genre=Drama".repeat(LIMITS.filterValues + 1)}`), 400, "invalid_parameter", "genre");
  assertError(await get("/api/search?q=x&gnere=Drama"), 400, "invalid_parameter", "gnere");
});

tmdbTest("titles: suggestions as you type, typo tolerant, bounded", async () => {
  const res = await get("/api/titles?prefix=interstel&k=5");
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { results: Hit[] };
  assert.ok(body.results.length >= 1 && body.results.length <= 5);
  assert.equal(body.results[0]!.title, "Interstellar");
  const typo = (await get("/api/titles?prefix=interstelar")).json() as { results: Hit[] };
  assert.equal(typo.results[0]?.title, "Interstellar");
  assert.ok(((await get("/api/titles?prefix=a")).json() as { results: Hit[] }).results.length <= DEFAULT_TITLES_K, "default k");
  assertError(await get("/api/titles"), 400, "invalid_parameter", "q");
  assertError(await get(`/api/titles?q=${"a".repeat(LIMITS.prefixLength + 1)}`), 400, "invalid_parameter", "q");
  assertError(await get(`/api/titles?prefix=${"a".repeat(LIMITS.prefixLength + 1)}`), 400, "invalid_parameter", "prefix");
  assertError(await get(`/api/titles?prefix=a&k=${LIMITS.titlesK.max + 1}`), 400, "invalid_parameter", "k");
});

tmdbTest("movies: one movie by id, 404 naming the id", async () => {
  const res = await get(`/api/movies/${MARTIAN}`);
  assert.equal(res.statusCode, 200);
  const m = res.json();
  assert.equal(m.title, "The Martian");
  assert.equal(m.year, 2015);
  assert.ok(m.directors.includes("Ridley Scott"));
  assert.equal(m.rowid, undefined, "internal keys stay internal");
  assertError(await get("/api/movies/tt0000000"), 404, "not_found", "id");
  assertError(await get(`/api/movies/${"x".repeat(LIMITS.idLength + 1)}`), 414, "uri_too_long");
  assertError(await get("/api/movies/%E0%A4%A"), 400, "bad_request");
});

tmdbTest("similar: 40 by default, never the movie itself, kNN and SVM, validated", async () => {
  const res = await get(`/api/movies/${ALIEN}/similar`);
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { movie: { id: string }; method: string; results: Hit[] };
  assert.equal(body.results.length, DEFAULT_SIMILAR_K);
  assert.equal(body.movie.id, ALIEN);
  assert.ok(!body.results.some((r) => r.id === ALIEN), "self excluded");
  assert.ok(body.results.every((r) => Array.isArray(r.genres)), "card fields");
  const svm = await get(`/api/movies/${ALIEN}/similar?method=svm&k=10`);
  assert.equal(svm.statusCode, 200, svm.body);
  assert.equal((svm.json() as { method: string }).method, "svm");
  assert.equal((svm.json() as { results: Hit[] }).results.length, 10);
  const filtered = (await get(`/api/movies/${ALIEN}/similar?k=10&year=2000..`)).json() as { results: Hit[] };
  assert.ok(filtered.results.every((r) => r.year! >= 2000));
  assertError(await get(`/api/movies/${ALIEN}/similar?method=magic`), 400, "invalid_parameter", "method");
  assertError(await get(`/api/movies/${ALIEN}/similar?k=${LIMITS.similarK.max + 1}`), 400, "invalid_parameter", "k");
  assertError(await get(`/api/movies/${ALIEN}/similar?diversity=2`), 400, "invalid_parameter", "diversity");
  assertError(await get("/api/movies/tt0000000/similar"), 404, "not_found", "id");
});

tmdbTest("recommend: likes and dislikes in, examples out, unknown ones reported", async () => {
  const res = await post("/api/recommend", { like: [ALIEN, ALIENS], k: 10 });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { results: Hit[]; unknown: string[] };
  assert.equal(body.results.length, 10);
  assert.ok(!body.results.some((r) => r.id === ALIEN || r.id === ALIENS), "examples excluded");
  assert.ok(body.results.every((r) => Array.isArray(r.genres)), "card fields");
  const best = await post("/api/recommend", { like: [ALIEN], dislike: [ALIENS], strategy: "best", k: 5 });
  assert.equal(best.statusCode, 200, best.body);
  const unknown = (await post("/api/recommend", { like: [ALIEN, "tt0000000"] })).json() as { unknown: string[] };
  assert.deepEqual(unknown.unknown, ["tt0000000"]);
});

test("recommend: body validation, size limit, media type and method", async () => {
  assertError(await post("/api/recommend", { like: { id: ALIEN } }), 400, "invalid_parameter", "like");
  assertError(await post("/api/recommend", { like: [ALIEN], strategy: "mean" }), 400, "invalid_parameter", "strategy");
  assertError(await post("/api/recommend", { like: [ALIEN], k: 0 }), 400, "invalid_parameter", "k");
  assertError(await post("/api/recommend", { like: [ALIEN], likes: [ALIENS] }), 400, "invalid_parameter", "likes");
  assertError(await post("/api/recommend", { like: Array.from({ length: LIMITS.examples + 1 }, (_, i) => `tt${i}`) }), 400, "invalid_parameter", "like");
  assertError(await post("/api/recommend", { like: [ALIEN, ALIEN] }), 400, "invalid_parameter", "like");
  assertError(await post("/api/recommend", { like: [ALIEN], dislike: ["x".repeat(LIMITS.idLength + 1)] }), 400, "invalid_parameter", "dislike[0]");
  const big = await app.inject({ method: "POST", url: "/api/recommend", headers: { "content-type": "application/json" }, payload: JSON.stringify({ like: [ALIEN], pad: "x".repeat(LIMITS.bodyBytes) }) });
  assertError(big, 413, "payload_too_large");
  assertError(await app.inject({ method: "POST", url: "/api/recommend", headers: { "content-type": "application/json" }, payload: '{"like": [' }), 400, "invalid_body", "body");
  assertError(await app.inject({ method: "POST", url: "/api/recommend", headers: { "content-type": "application/json" }, payload: "" }), 400, "invalid_body", "body");
  assertError(await app.inject({ method: "POST", url: "/api/recommend", headers: { "content-type": "text/plain" }, payload: "Alien" }), 415, "unsupported_media_type");
  const wrong = await get("/api/recommend");
  assertError(wrong, 405, "method_not_allowed");
  assert.equal(wrong.headers.allow, "POST");
});

test("unknown paths and methods: JSON 404 and 405 with Allow", async () => {
  assertError(await get("/api/nope"), 404, "not_found");
  const del = await app.inject({ method: "DELETE", url: `/api/movies/${ALIEN}` });
  assertError(del, 405, "method_not_allowed");
  assert.equal(del.headers.allow, "GET, HEAD");
  assertError(await app.inject({ method: "POST", url: "/api/search?q=x" }), 405, "method_not_allowed");
  const options = await app.inject({ method: "OPTIONS", url: "/api/search" });
  assert.equal(options.statusCode, 204);
  assert.equal(options.headers.allow, "GET, HEAD");
  assert.equal((await app.inject({ method: "HEAD", url: "/api/health" })).statusCode, 200);
});

tmdbTest("genres: the collection's genres, most common first", async () => {
  const body = (await get("/api/genres")).json() as { genres: { name: string; count: number }[] };
  assert.equal(body.genres[0]!.name, "Drama");
  assert.ok(body.genres.some((g) => g.name === "Science Fiction"));
  for (let i = 1; i < body.genres.length; i++) assert.ok(body.genres[i - 1]!.count >= body.genres[i]!.count);
});

type Schema = { type?: string | string[]; enum?: unknown[]; pattern?: string; minimum?: number; maximum?: number; minLength?: number; maxLength?: number; items?: Schema; maxItems?: number };

/** Values the schema must reject, each as a query-string value (or repeated values). */
function invalidValues(s: Schema): string[][] {
  if (s.enum) return [["not-a-choice"]];
  if (s.type === "integer") return [["1.5"], ["abc"], ...(s.minimum !== undefined ? [[String(s.minimum - 1)]] : []), ...(s.maximum !== undefined ? [[String(s.maximum + 1)]] : [])];
  if (s.type === "number") return [["abc"], ...(s.minimum !== undefined ? [[String(s.minimum - 1)]] : []), ...(s.maximum !== undefined ? [[String(s.maximum + 1)]] : [])];
  if (s.type === "boolean") return [["maybe"]];
  if (s.type === "array") return [Array.from({ length: (s.maxItems ?? 0) + 1 }, () => "Drama"), ["x".repeat((s.items?.maxLength ?? 0) + 1)]];
  const out: string[][] = [];
  if (s.pattern) out.push(["@@"]);
  if (s.maxLength !== undefined) out.push(["x".repeat(s.maxLength + 1)]);
  if (s.minLength) out.push([""]);
  return out;
}

test("OpenAPI: every route is documented from its schema, and every documented parameter is validated", async () => {
  const res = await get("/openapi.json");
  assert.equal(res.statusCode, 200);
  const doc = res.json() as { openapi: string; paths: Record<string, Record<string, { parameters: { name: string; in: string; required: boolean; schema: Schema }[]; responses: Record<string, unknown>; requestBody?: unknown }>>; components: { schemas: Record<string, unknown> } };
  assert.equal(doc.openapi, "3.1.0");
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
  assert.deepEqual(ops.sort(), [
    "GET /api/genres",
    "GET /api/health",
    "GET /api/movies/{id}",
    "GET /api/movies/{id}/similar",
    "GET /api/search",
    "GET /api/titles",
    "POST /api/recommend",
  ]);
  assert.ok(doc.components.schemas.Error);
  assert.ok(doc.paths["/api/recommend"]!.post!.requestBody, "recommend documents its body");
  const search = doc.paths["/api/search"]!.get!;
  for (const name of ["q", "mode", "alpha", "fusion", "k", "offset", "year", "genre", "min_rating"]) assert.ok(search.parameters.some((p) => p.name === name), name);
  assert.equal(search.parameters.find((p) => p.name === "k")!.schema.maximum, LIMITS.searchK.max, "limits are documented");

  const base: Record<string, string> = { "/api/search": "q=alien", "/api/titles": "prefix=ali", "/api/movies/{id}/similar": "", "/api/movies/{id}": "", "/api/genres": "", "/api/health": "" };
  let checked = 0;
  for (const [path, methods] of Object.entries(doc.paths)) {
    const op = methods.get;
    if (!op) continue;
    const url = path.replace("{id}", ALIEN);
    for (const p of op.parameters.filter((x) => x.in === "query")) {
      for (const values of invalidValues(p.schema)) {
        const others = base[path]!.split("&").filter((kv) => kv && !kv.startsWith(`${p.name}=`));
        const qs = [...others, ...values.map((v) => `${p.name}=${encodeURIComponent(v)}`)].join("&");
        assertError(await get(`${url}?${qs}`), 400, "invalid_parameter", p.name);
        checked++;
      }
    }
  }
  assert.ok(checked > 40, `checked ${checked} invalid values`);
});

tmdbTest("web app: index for app routes, hashed assets cached forever, gzip, ETag, no HTML injection surface", async () => {
  for (const path of ["/", "/search?q=alien", "/movie/tt0078748", "/for-you"]) {
    const res = await get(path);
    assert.equal(res.statusCode, 200, path);
    assert.match(String(res.headers["content-type"]), /^text\/html/);
    assert.match(res.body, /<title>Plotline<\/title>/);
    assert.match(String(res.headers["content-security-policy"]), /script-src 'self'/);
    assert.equal(res.headers["cache-control"], "no-cache");
  }
  const asset = await app.inject({ method: "GET", url: "/assets/app-1a2b3c.js", headers: { "accept-encoding": "gzip, br" } });
  assert.equal(asset.statusCode, 200);
  assert.equal(asset.headers["content-encoding"], "gzip");
  assert.match(String(asset.headers["cache-control"]), /immutable/);
  assert.match(gunzipSync(asset.rawPayload).toString(), /^console\.log/);
  const again = await app.inject({ method: "GET", url: "/assets/app-1a2b3c.js", headers: { "if-none-match": String(asset.headers.etag) } });
  assert.equal(again.statusCode, 304);
  assertError(await get("/assets/missing.js"), 404, "not_found");
  assertError(await get("/../../package.json"), 404, "not_found");
  assertError(await app.inject({ method: "POST", url: "/" }), 405, "method_not_allowed");
});

test("limits at the socket: an oversized request head gets a JSON 431, a stalled request a 408", async () => {
  const { app: slow } = await createServer({ db, webRoot: null, timeouts: { requestMs: 300 } });
  const address = await slow.listen({ port: 0, host: "127.0.0.1" });
  try {
    const long = await fetch(`${address}/api/search?q=${"a".repeat(LIMITS.headerBytes + 100)}`);
    assert.equal(long.status, 431);
    assert.equal(((await long.json()) as ErrorBody).error.code, "header_too_large");

    const { port } = new URL(address);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => socket.write("GET /api/health HTTP/1.1\r\nHost: x\r\n")); // head never finished
      let data = "";
      socket.on("data", (d) => (data += d));
      socket.on("close", () => resolve(data));
      socket.on("error", reject);
      setTimeout(() => socket.destroy(new Error("no answer within 5 s")), 5000);
    });
    assert.match(reply, /^HTTP\/1\.1 408/);
    assert.match(reply, /"request_timeout"/);
  } finally {
    await slow.close();
  }
});

test("an unexpected failure is a 500 with a generic message; the details go to the server log only", async () => {
  const lines: string[] = [];
  const { app: broken, live } = await createServer({ db, webRoot: null, log: (l) => lines.push(l) });
  await live.plotline.store.close(); // the database goes away under the server
  const res = await broken.inject({ method: "GET", url: `/api/movies/${ALIEN}` });
  const body = assertError(res, 500, "internal");
  assert.doesNotMatch(body.error.message, /database|sqlite|open/i);
  assert.ok(lines.some((l) => /\n\s+at /.test(l)), "stack in the server log");
  await broken.close().catch(() => undefined);
});

tmdbTest("follows the collection while another process ingests into it", async () => {
  const dir = tempDir();
  const liveDb = join(dir, "live.db");
  const first = await runCli(["ingest", MOVIES_CSV, "--db", liveDb, "--embedder", "glove"]);
  assert.equal(first.code, 0, first.stderr);
  const { app: server } = await createServer({ db: liveDb, webRoot: null, checkEveryMs: 100 });
  try {
    const before = (await server.inject({ method: "GET", url: "/api/health" })).json() as { movies: number };
    assert.equal(before.movies, 10);

    // One new movie, in a second file, ingested by a separate process while requests arrive.
    const csv = readFileSync(MOVIES_CSV, "utf8").split("\n");
    const extra = join(dir, "extra.csv");
    writeFileSync(
      extra,
      `${csv[0]}\n99,tt9999999,1.0,0,0,The Lighthouse Keeper's Cat,Ann Example,,Jo Example,,lighthouse|cat,"A cat keeps a remote lighthouse burning through a winter of storms.",90,Family,,1/1/10,10,6.0,2010,0,0\n`,
    );
    const ingest = runCli(["ingest", extra, "--db", liveDb]);
    let served = 0;
    let done = false;
    void ingest.then(() => (done = true));
    while (!done) {
      const r = await server.inject({ method: "GET", url: "/api/search?q=lighthouse&mode=keyword" });
      assert.equal(r.statusCode, 200, r.body);
      served++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const result = await ingest;
    assert.equal(result.code, 0, result.stderr);
    assert.ok(served > 0);

    // The in-memory indexes (titles, vectors) only know the new movie once the server has
    // reopened the collection; SQLite alone (health's count, keyword search) would see it at once.
    let title: Hit | undefined;
    for (let i = 0; i < 100 && title?.id !== "tt9999999"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      title = ((await server.inject({ method: "GET", url: "/api/titles?prefix=lighthouse%20keeper" })).json() as { results: Hit[] }).results[0];
    }
    assert.equal(title?.id, "tt9999999", "the title index was rebuilt after the ingest committed");
    assert.equal(((await server.inject({ method: "GET", url: "/api/health" })).json() as { movies: number }).movies, 11);
    const found = (await server.inject({ method: "GET", url: `/api/search?q=${encodeURIComponent("a cat keeps a remote lighthouse burning through winter storms")}&mode=semantic&k=1&prior=0` })).json() as { results: Hit[] };
    assert.equal(found.results[0]?.id, "tt9999999", "the vector index was rebuilt too");
    const similar = await server.inject({ method: "GET", url: "/api/movies/tt9999999/similar?k=3" });
    assert.equal(similar.statusCode, 200, similar.body);
  } finally {
    await server.close();
  }
});
