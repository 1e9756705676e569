import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, copyFileSync, openSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";
import { MOVIES_CSV } from "./helpers/paths.js";

const dir = tempDir();
const good = join(dir, "good.db");
const built = await runCli(["ingest", MOVIES_CSV, "--db", good, "--embedder", "glove"]);
assert.equal(built.code, 0, built.stderr);

/** A copy of the collection with 4 KB of random bytes written at a page boundary. */
function corrupted(name: string, seed: number): string {
  const file = join(dir, name);
  copyFileSync(good, file);
  const pages = Math.floor(statSync(file).size / 4096);
  const fd = openSync(file, "r+");
  let x = seed;
  const noise = Buffer.alloc(4096, 0).map(() => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24) & 0xff);
  writeSync(fd, noise, 0, noise.length, (1 + (seed % (pages - 1))) * 4096);
  closeSync(fd);
  return file;
}

test("check: a sound collection passes every check, exit 0", async () => {
  const r = await runCli(["check", "--db", good, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { ok: boolean; findings: { check: string; ok: boolean }[] };
  assert.equal(out.ok, true);
  assert.deepEqual(out.findings.map((f) => f.check), ["integrity", "fts", "vectors"]);
  assert.ok(out.findings.every((f) => f.ok));
});

test("4 KB of random bytes: info and check say the collection is damaged, exit 2, never a healthy info", async () => {
  let detected = 0;
  for (let seed = 1; seed <= 5; seed++) {
    const file = corrupted(`bad-${seed}.db`, seed);
    const info = await runCli(["info", "--db", file]);
    if (info.code === 0) continue; // random bytes into free space change nothing checkable
    detected++;
    assert.equal(info.code, 2, info.stderr);
    assert.match(info.stderr, /is damaged: .*run `plotline check/);
    assert.doesNotMatch(info.stderr, /unexpected error/);
    const check = await runCli(["check", "--db", file]);
    assert.equal(check.code, 2, check.stderr);
    assert.match(check.stdout, /DAMAGED/);
  }
  assert.ok(detected >= 3, `damage found in ${detected} of 5 copies`);
});

test("a zero-byte file is an empty file, not a collection that needs an upgrade", async () => {
  const file = join(dir, "empty.db");
  writeFileSync(file, "");
  for (const args of [["info"], ["search", "mars"], ["check"]]) {
    const r = await runCli([...args, "--db", file]);
    assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, /the file is empty \(0 bytes\)/);
    assert.doesNotMatch(r.stderr, /upgrade/);
  }
});

test("a truncated collection is damaged, named before SQLite reads a missing page", async () => {
  const file = join(dir, "short.db");
  copyFileSync(good, file);
  const fd = openSync(file, "r+");
  const size = statSync(file).size;
  closeSync(fd);
  writeFileSync(file, Buffer.from((await import("node:fs")).readFileSync(file).subarray(0, Math.floor(size / 2))));
  const r = await runCli(["search", "mars", "--db", file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /is damaged: the file is [\d,]+ bytes but its header says [\d,]+ \(truncated\)/);
});
