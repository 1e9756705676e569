/**
 * The Qdrant backend as a user meets it, through the real `plotline` binary: `plotline copy`
 * into Qdrant twice, an upload killed part-way and finished by running it again, and bad
 * input (an unreachable server, a wrong API key, a collection of another embedder or
 * dimension), each one line and exit 2 with nothing overwritten. The cases needing a server run
 * when `QDRANT_URL` is set (the API-key case when `PLOTLINE_TEST_QDRANT_KEYED_URL` and
 * `PLOTLINE_TEST_QDRANT_KEY` name a second server started with that key) and skip with the
 * reason otherwise; the unreachable-server case, and the headers every request carries (against
 * a stand-in server), always run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer as createHttpServer, type IncomingHttpHeaders } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Plotline } from "../src/plotline.js";
import { QdrantStore } from "../src/store/qdrant/store.js";
import { runCli } from "./helpers/cli.js";
import { tempDir, tmdbGloveDb } from "./helpers/collections.js";
import { NO_TMDB } from "./helpers/data.js";
import { BIN, MOVIES_CSV } from "./helpers/paths.js";
import { QDRANT_SKIP, QDRANT_URL, qdrantBase, qdrantCollection } from "./helpers/qdrant.js";
import { buildTinyModel } from "./helpers/tiny-onnx.js";

const dir = tempDir("plotline-qdrant-");
const KEYED_URL = process.env.PLOTLINE_TEST_QDRANT_KEYED_URL || "";
const KEY = process.env.PLOTLINE_TEST_QDRANT_KEY || "";
const KEYED_SKIP = KEYED_URL && KEY ? false : "PLOTLINE_TEST_QDRANT_KEYED_URL and PLOTLINE_TEST_QDRANT_KEY are not set (a second Qdrant started with that API key)";

/** The collection's name in a `qdrant://` location. */
const nameOf = (location: string) => new URL(location.replace(/^qdrant/, "http")).pathname.slice(1);

/** Qdrant's REST API, for what the test checks behind Plotline's back. */
async function rest<T>(path: string, body?: unknown, base = QDRANT_URL): Promise<T> {
  const r = await fetch(`${base.replace(/\/+$/, "")}${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = (await r.json()) as { result: T };
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${JSON.stringify(json)}`);
  return json.result;
}

async function pointCount(location: string): Promise<number> {
  return (await rest<{ count: number }>(`/collections/${nameOf(location)}/points/count`, { exact: true })).count;
}

/** Every point's id and payload, by id. */
async function payloads(location: string): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  let offset: unknown = null;
  do {
    const page: { points: { id: string; payload: unknown }[]; next_page_offset: unknown } = await rest(`/collections/${nameOf(location)}/points/scroll`, { limit: 1000, with_payload: true, with_vector: false, ...(offset === null ? {} : { offset }) });
    for (const p of page.points) out.set(p.id, p.payload);
    offset = page.next_page_offset ?? null;
  } while (offset !== null);
  return out;
}

/** A new SQLite collection holding the fixture (glove). */
async function fixtureDb(name: string): Promise<string> {
  const db = join(dir, `${name}.db`);
  const p = Plotline.open({ db, create: true });
  await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
  await p.close();
  return db;
}

/** A failure as the CLI must report it: exit 2, one line on stderr, no stack trace. */
function oneLine(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

test("an unreachable Qdrant is one line naming the server, exit 2", async () => {
  // A loopback port nothing listens on: taken from the system, then freed.
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
  for (const args of [["search", "mars", "--db", `qdrant://127.0.0.1:${port}/movies`], ["info", "--db", `qdrant://127.0.0.1:${port}/movies`]]) {
    const r = await runCli(args);
    oneLine(r, new RegExp(`cannot reach Qdrant at http://127\\.0\\.0\\.1:${port}`));
  }
});

test("every request asks for an uncompressed answer (and carries the API key)", async () => {
  // Node's fetch asks for gzip unless told otherwise, and Qdrant's gzip answers wait ~40 ms on
  // Nagle and delayed ACK (connection.ts, `requestHeaders`): a stand-in server records what the
  // official client really sends for the version check and the collection read.
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createHttpServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    res.setHeader("content-type", "application/json");
    if (req.url === "/") return res.end(JSON.stringify({ title: "qdrant - vector search engine", version: "1.16.3" }));
    res.statusCode = 404;
    res.end(JSON.stringify({ status: { error: "Not found: Collection `movies` doesn't exist!" }, time: 0 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const store = QdrantStore.open(`qdrant://:secret@127.0.0.1:${port}/movies`, { create: true });
    assert.equal(await store.manifest(), null);
    await store.close();
    assert.deepEqual(seen.map((r) => r.url), ["/", "/collections/movies"]);
    for (const r of seen) {
      assert.equal(r.headers["accept-encoding"], "identity", r.url);
      assert.equal(r.headers["api-key"], process.env.QDRANT_API_KEY || "secret", r.url);
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test("plotline copy into Qdrant twice leaves the same points and payloads; copied back, the same answers", { skip: QDRANT_SKIP }, async () => {
  const source = await fixtureDb("copy-source");
  const target = qdrantCollection();
  const first = await runCli(["copy", "--from", source, "--to", target, "--json"]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout).copied, 10);
  const before = await payloads(target);
  assert.equal(before.size, 10);

  const refused = await runCli(["copy", "--from", source, "--to", target]);
  oneLine(refused, /already holds 10 movies.*--replace/);
  const again = await runCli(["copy", "--from", source, "--to", target, "--replace", "--json"]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(await pointCount(target), 10);
  assert.deepEqual(await payloads(target), before, "the same points with the same payloads");

  const back = join(dir, "copied-back.db");
  const r = await runCli(["copy", "--from", target, "--to", back, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const a = Plotline.open({ db: source, readonly: true });
  const b = Plotline.open({ db: back, readonly: true });
  const q = Plotline.open({ db: `${target}?exact=1`, readonly: true });
  try {
    for (const mode of ["keyword", "semantic", "hybrid"] as const) {
      const want = (await a.search("astronaut stranded on mars", { mode, k: 5 })).results.map((h) => h.id);
      assert.deepEqual((await b.search("astronaut stranded on mars", { mode, k: 5 })).results.map((h) => h.id), want, `${mode}: SQLite → Qdrant → SQLite`);
      assert.deepEqual((await q.search("astronaut stranded on mars", { mode, k: 5 })).results.map((h) => h.id), want, `${mode}: Qdrant`);
    }
  } finally {
    await Promise.all([a.close(), b.close(), q.close()]);
  }
});

test("a copy into Qdrant killed part-way is finished by running it again, without resending the done batches", { skip: QDRANT_SKIP || NO_TMDB }, async () => {
  const source = await tmdbGloveDb();
  const s = Plotline.open({ db: source, readonly: true });
  const total = await s.store.count();
  await s.close();
  const target = qdrantCollection();

  const child = spawn(process.execPath, [BIN, "copy", "--from", source, "--to", target], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  // Kill it once two upload batches (of 256 points) are in and before the last one is.
  let seen = 0;
  for (let i = 0; i < 6000 && child.exitCode === null; i++) {
    seen = await pointCount(target).catch(() => 0);
    if (seen >= 512) break;
    await sleep(50);
  }
  assert.equal(child.exitCode, null, `the copy ended before it could be interrupted: ${stderr}`);
  child.kill("SIGKILL");
  await exited;
  const held = await pointCount(target);
  assert.ok(held > 0 && held < total, `interrupted part-way (${held} of ${total} points)`);

  const info = await runCli(["info", "--db", target, "--json"]);
  assert.equal(info.code, 0, info.stderr);

  const again = await runCli(["copy", "--from", source, "--to", target, "--json"]);
  assert.equal(again.code, 0, again.stderr);
  const done = /resuming the interrupted write started \S+: (\d+) of (\d+) batches were done/.exec(again.stderr);
  assert.ok(done, `a notice says where it resumed: ${again.stderr}`);
  // Two batches were seen in Qdrant, so the first one's checkpoint was saved (before the second was sent).
  assert.ok(Number(done[1]) >= 1 && Number(done[1]) < Number(done[2]), again.stderr);
  const result = JSON.parse(again.stdout);
  assert.equal(result.resumed, true);
  assert.equal(result.copied, total);
  assert.equal(await pointCount(target), total);

  // Finished: nothing pending, and the collection answers as the source does.
  const after = await runCli(["copy", "--from", source, "--to", target]);
  oneLine(after, new RegExp(`already holds ${total.toLocaleString("en-US").replace(/,/g, ",?")} movies|already holds ${total} movies`));
  const a = Plotline.open({ db: source, readonly: true });
  const q = Plotline.open({ db: `${target}?exact=1`, readonly: true });
  try {
    for (const query of ["a shark terrorises a beach town", "toy cowboy jealous of a space ranger"]) {
      assert.deepEqual((await q.search(query, { mode: "semantic", k: 10 })).results.map((h) => h.id), (await a.search(query, { mode: "semantic", k: 10 })).results.map((h) => h.id), query);
    }
  } finally {
    await Promise.all([a.close(), q.close()]);
  }
});

test("a Qdrant collection of another embedder or dimension is one line, exit 2, and is left as it was", { skip: QDRANT_SKIP }, async () => {
  const target = qdrantCollection();
  const ingest = await runCli(["ingest", MOVIES_CSV, "--db", target, "--embedder", "glove"]);
  assert.equal(ingest.code, 0, ingest.stderr);
  const before = await payloads(target);
  const models = join(dir, "models");
  const tiny = buildTinyModel(models, { hidden: 8 });
  const env = { PLOTLINE_MODELS: models, PLOTLINE_OFFLINE: "1" };

  const other = await runCli(["ingest", MOVIES_CSV, "--db", target, "--embedder", tiny.model], { env });
  oneLine(other, new RegExp(`${nameOf(target)}.*(dimensions|built with)`));
  const tinyDb = join(dir, "tiny.db");
  assert.equal((await runCli(["ingest", MOVIES_CSV, "--db", tinyDb, "--embedder", tiny.model], { env })).code, 0);
  const copy = await runCli(["copy", "--from", tinyDb, "--to", target, "--replace"], { env });
  oneLine(copy, /dimensions|built with/);
  assert.deepEqual(await payloads(target), before, "nothing overwritten");

  // A collection Plotline did not make (another dimension, no Plotline metadata) is not written to either.
  const foreign = `${qdrantBase()}/${nameOf(qdrantCollection())}`;
  await fetch(`${QDRANT_URL.replace(/\/+$/, "")}/collections/${nameOf(foreign)}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ vectors: { size: 4, distance: "Dot" } }) });
  const r = await runCli(["ingest", MOVIES_CSV, "--db", foreign, "--embedder", "glove"]);
  oneLine(r, new RegExp(nameOf(foreign)));
  assert.equal(await pointCount(foreign), 0);
});

test("a wrong Qdrant API key is one line, exit 2; the right one works", { skip: KEYED_SKIP }, async () => {
  const location = `${qdrantBase(KEYED_URL)}/${nameOf(qdrantCollection())}`;
  const wrong = await runCli(["ingest", MOVIES_CSV, "--db", location, "--embedder", "glove"], { env: { QDRANT_API_KEY: `${KEY}-wrong` } });
  oneLine(wrong, /API key/i);
  const none = await runCli(["info", "--db", location], { env: { QDRANT_API_KEY: "" } });
  oneLine(none, /API key/i);
  const right = await runCli(["ingest", MOVIES_CSV, "--db", location, "--embedder", "glove"], { env: { QDRANT_API_KEY: KEY } });
  assert.equal(right.code, 0, right.stderr);
  await fetch(`${KEYED_URL.replace(/\/+$/, "")}/collections/${nameOf(location)}`, { method: "DELETE", headers: { "api-key": KEY } });
});
