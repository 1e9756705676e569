import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Plotline } from "../src/plotline.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";
import { BIN, MOVIES_CSV } from "./helpers/paths.js";

/**
 * `plotline ingest <url>` and `-`: a local HTTP server stands in for the dataset's host, so
 * downloads (complete, cached, truncated, oversized, mismatched) are tested without a network.
 */

const dir = tempDir("plotline-sources-");
const cache = join(dir, "cache");
const env = { PLOTLINE_CACHE: cache, PLOTLINE_OFFLINE: "1" };
const csv = readFileSync(MOVIES_CSV);
const csvSha = createHash("sha256").update(csv).digest("hex");
const hits: Record<string, number> = {};

const server: Server = createServer((req, res) => {
  const path = req.url ?? "/";
  hits[path] = (hits[path] ?? 0) + 1;
  if (path === "/movies.csv" || path === "/again.csv" || path === "/checked.csv") {
    res.writeHead(200, { "content-type": "text/csv", "content-length": csv.length });
    res.end(csv);
  } else if (path === "/movies.csv.gz") {
    const gz = gzipSync(csv);
    res.writeHead(200, { "content-type": "application/gzip", "content-length": gz.length });
    res.end(gz);
  } else if (path === "/truncated.csv") {
    // Promises the whole file, sends half, then drops the connection.
    res.writeHead(200, { "content-type": "text/csv", "content-length": csv.length });
    res.write(csv.subarray(0, Math.floor(csv.length / 2)), () => res.socket?.destroy());
  } else if (path === "/chunked-big.csv") {
    // No Content-Length: the limit must be enforced on the bytes as they stream.
    res.writeHead(200, { "content-type": "text/csv" });
    res.write(csv);
    res.end(csv);
  } else {
    res.writeHead(404);
    res.end("not here");
  }
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => server.close());

const cached = (): string[] => (existsSync(join(cache, "downloads")) ? readdirSync(join(cache, "downloads"), { recursive: true }).map(String) : []);

test("ingest <url> downloads the file, says so on stderr, and ingests it as from a file", async () => {
  const db = join(dir, "url.db");
  const r = await runCli(["ingest", `${base}/movies.csv`, "--db", db, "--embedder", "glove"], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Read ${base}/movies\\.csv \\(tmdb\\)`));
  assert.match(r.stderr, new RegExp(`downloaded ${base}/movies\\.csv \\(${csv.length.toLocaleString("en-US")} bytes, sha256 ${csvSha}\\)`));
  const p = Plotline.open({ db, readonly: true });
  assert.equal((await p.info()).count, 10);
  await p.close();
});

test("a second ingest of the same URL reads the cache, without asking the server; --refresh downloads again", async () => {
  const db = join(dir, "again.db");
  const first = await runCli(["ingest", `${base}/again.csv`, "--db", db, "--embedder", "glove"], { env });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(hits["/again.csv"], 1);
  const second = await runCli(["ingest", `${base}/again.csv`, "--db", db, "--embedder", "glove"], { env });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(hits["/again.csv"], 1, "served from the cache");
  assert.match(second.stderr, /using the copy downloaded .*--refresh downloads it again/);
  const third = await runCli(["ingest", `${base}/again.csv`, "--db", db, "--embedder", "glove", "--refresh"], { env });
  assert.equal(third.code, 0, third.stderr);
  assert.equal(hits["/again.csv"], 2);
});

test("gzip over HTTP is detected from the bytes, as for files", async () => {
  const db = join(dir, "gz.db");
  const r = await runCli(["ingest", `${base}/movies.csv.gz`, "--db", db, "--embedder", "glove", "--json"], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { total: number }).total, 10);
});

test("--sha256: the right checksum ingests; a wrong one is one line, exit 2, no collection and nothing cached", async () => {
  const wrong = "0".repeat(64);
  const db = join(dir, "sha-wrong.db");
  const bad = await runCli(["ingest", `${base}/checked.csv`, "--sha256", wrong, "--db", db, "--embedder", "glove"], { env });
  assert.equal(bad.code, 2, bad.stderr);
  assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
  assert.match(bad.stderr, new RegExp(`checked\\.csv: sha256 mismatch: expected ${wrong}, got ${csvSha}`));
  assert.ok(!existsSync(db), "no collection file");
  assert.ok(!cached().some((f) => f.endsWith("checked.csv")), "not cached");

  const good = join(dir, "sha-good.db");
  const ok = await runCli(["ingest", `${base}/checked.csv`, "--sha256", csvSha.toUpperCase(), "--db", good, "--embedder", "glove"], { env });
  assert.equal(ok.code, 0, ok.stderr);

  const malformed = await runCli(["ingest", `${base}/checked.csv`, "--sha256", "abc", "--db", good], { env });
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /--sha256: expected 64 hex digits, got 'abc'/);
});

test("a truncated download fails with the byte counts, exit 2, and leaves no collection and no cached file", async () => {
  const db = join(dir, "truncated.db");
  const r = await runCli(["ingest", `${base}/truncated.csv`, "--db", db, "--embedder", "glove"], { env });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`truncated\\.csv: download truncated: got \\d+ of ${csv.length} bytes`));
  assert.ok(!existsSync(db));
  assert.ok(!cached().some((f) => f.includes("truncated.csv")), `nothing cached: ${cached().join(", ")}`);
});

test("the size limit holds with and without Content-Length; HTTP errors and bad URLs are one line", async () => {
  const db = join(dir, "limit.db");
  const declared = await runCli(["ingest", `${base}/movies.csv.gz`, "--max-bytes", "100", "--refresh", "--db", db], { env });
  assert.equal(declared.code, 2);
  assert.match(declared.stderr, /movies\.csv\.gz: download is \d+ bytes, over the limit of 100 \(--max-bytes\)/);
  const streamed = await runCli(["ingest", `${base}/chunked-big.csv`, "--max-bytes", String(csv.length + 10), "--db", db], { env });
  assert.equal(streamed.code, 2);
  assert.match(streamed.stderr, new RegExp(`chunked-big\\.csv: download exceeds the limit of ${csv.length + 10} bytes`));
  const missing = await runCli(["ingest", `${base}/nope.csv`, "--db", db], { env });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.csv: download failed: HTTP 404/);
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const refused = await runCli(["ingest", `http://127.0.0.1:${port}/movies.csv`, "--db", db], { env });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /download failed: .*ECONNREFUSED/);
  // A host that cannot be resolved (the README's URL where raw.githubusercontent.com is unreachable).
  const unresolved = await runCli(["ingest", "https://plotline-test.invalid/movies.json", "--db", db], { env });
  assert.equal(unresolved.code, 2);
  assert.match(unresolved.stderr, /^plotline: https:\/\/plotline-test\.invalid\/movies\.json: download failed: getaddrinfo \w+ plotline-test\.invalid/);
  for (const r of [declared, streamed, missing, refused, unresolved]) assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.ok(!existsSync(db));
});

test("ingest - reads stdin, and names it stdin", async () => {
  const db = join(dir, "stdin.db");
  const child = spawn(process.execPath, [BIN, "ingest", "-", "--db", db, "--embedder", "glove"], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  child.stdin.end(csv);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 0, stderr);
  assert.match(stdout, /Read stdin \(tmdb\)/);
  assert.match(stdout, /10 movies/);
});

test("a failed ingest creates no collection file: a missing file, wrong columns, a file that fails later", async () => {
  for (const [name, args, message] of [
    ["missing", [join(dir, "nope.csv")], /nope\.csv: file not found/],
    ["columns", [MOVIES_CSV, "--map", "title=Name,overview=Plot"], /movies\.csv: column 'Name' \(mapped to title\) not found/],
    ["second", [MOVIES_CSV, join(dir, "nope2.csv")], /nope2\.csv: file not found/],
    // Fails once the collection is open: the file it created is removed again.
    ["index", [MOVIES_CSV, "--index", "nonsense"], /--index: unknown index 'nonsense'/],
  ] as const) {
    const db = join(dir, `failed-${name}.db`);
    const r = await runCli(["ingest", ...args, "--db", db, "--embedder", "glove"], { env });
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.ok(!existsSync(db) && !existsSync(`${db}-wal`), `${name}: no collection file left`);
  }
});
