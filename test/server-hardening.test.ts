import { test, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { Plotline } from "../src/plotline.js";
import { createServer } from "../src/server/app.js";
import { runCli } from "./helpers/cli.js";
import { tempDir, tmdbGloveDb } from "./helpers/collections.js";

const db = await tmdbGloveDb();
const { app } = await createServer({ db, webRoot: null, heavy: false, allowedHosts: ["films.example.org"], cors: "https://app.example.org", timeouts: { requestMs: 60_000, handlerMs: 400 } });
await app.ready();
after(() => app.close());

test("the Host header is checked: loopback names and the allowed ones pass, a rebinding name gets 421", async () => {
  for (const host of ["localhost:3000", "127.0.0.1:3000", "[::1]:3000", "films.example.org", "FILMS.example.org:8080"]) {
    const r = await app.inject({ url: "/api/health", headers: { host } });
    assert.equal(r.statusCode, 200, `${host}: ${r.body}`);
  }
  const evil = await app.inject({ url: "/api/health", headers: { host: "attacker.example.com" } });
  assert.equal(evil.statusCode, 421);
  assert.equal((evil.json() as { error: { code: string } }).error.code, "host_not_allowed");
});

test("CORS headers only for the --cors origin; none without it", async () => {
  const ok = await app.inject({ url: "/api/health", headers: { origin: "https://app.example.org" } });
  assert.equal(ok.headers["access-control-allow-origin"], "https://app.example.org");
  const other = await app.inject({ url: "/api/health", headers: { origin: "https://evil.example.com" } });
  assert.equal(other.headers["access-control-allow-origin"], undefined);
  const preflight = await app.inject({ method: "OPTIONS", url: "/api/recommend", headers: { origin: "https://app.example.org", "access-control-request-method": "POST" } });
  assert.equal(preflight.statusCode, 204);
  assert.match(String(preflight.headers["access-control-allow-methods"]), /POST/);
  const plain = await createServer({ db, webRoot: null, heavy: false });
  try {
    const r = await plain.app.inject({ url: "/api/health", headers: { origin: "https://app.example.org" } });
    assert.equal(r.headers["access-control-allow-origin"], undefined);
  } finally {
    await plain.app.close();
  }
});

test("k=1e400 names the API's own limit, for every endpoint", async () => {
  for (const [url, max] of [["/api/search?q=mars&k=1e400", 100], ["/api/titles?prefix=ma&k=1e400", 50], ["/api/movies/tt3659388/similar?k=1e400", 200], ["/api/search?q=mars&k=-1e400", 100]] as const) {
    const r = await app.inject({ url });
    assert.equal(r.statusCode, 400, r.body);
    assert.match((r.json() as { error: { message: string } }).error.message, new RegExp(`^k: must be an integer from 1 to ${max}, got -?1e400$`), url);
  }
});

test("a body sent too slowly is a 408, not a 503", async () => {
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as { port: number };
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(`POST /api/recommend HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"li`);
    });
    let data = "";
    socket.on("data", (d) => (data += d));
    socket.on("close", () => resolve(data));
    socket.on("error", reject);
    setTimeout(() => socket.destroy(), 20_000);
  });
  assert.match(answer, /^HTTP\/1\.1 408 /, answer.slice(0, 200));
  assert.match(answer, /request_timeout/);
});

test("a header-only CSV writes nothing and says so; the collection's freshness does not move", async () => {
  const dir = tempDir();
  const copy = join(dir, "c.db");
  copyFileSync(db, copy);
  const before = Plotline.open({ db: copy, readonly: true });
  const stamp = await before.store.freshness();
  await before.close();
  const file = join(dir, "header.csv");
  (await import("node:fs")).writeFileSync(file, "imdb_id,original_title,overview\n");
  const r = await runCli(["ingest", file, "--db", copy]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /no movies in .*header\.csv .*the collection is unchanged/);
  assert.match(r.stdout, /Nothing written/);
  const afterOpen = Plotline.open({ db: copy, readonly: true });
  assert.equal(await afterOpen.store.freshness(), stamp);
  await afterOpen.close();
});
