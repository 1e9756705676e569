import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { Plotline } from "../src/plotline.js";
import { Collection } from "../src/store/sqlite/collection.js";
import { sqliteOf, tempDir } from "./helpers/collections.js";
import { BIN, MOVIES_CSV, TMDB_CSV } from "./helpers/paths.js";
import { tmdbTest } from "./helpers/data.js";

const dir = tempDir();

test("ingest stores movies with unit vectors and records the embedder", async () => {
  const db = join(dir, "a.db");
  const p = Plotline.open({ db, create: true });
  const result = await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
  assert.equal(result.total, 10);
  assert.equal(result.embedded, 10);
  assert.match(result.embedderId, /^glove-sif\/wink-sg-100d@.+\/100$/);
  const info = await p.info();
  assert.equal(info.count, 10);
  assert.equal(info.dims, 100);
  assert.ok(info.sizeBytes! > 0);
  const v = (await p.store.vectors(["tt1000001"])).get("tt1000001")!;
  assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
  await p.close();
});

test("re-ingesting unchanged movies embeds nothing (embedding cache) and upserts", async () => {
  const db = join(dir, "b.db");
  const p = Plotline.open({ db, create: true });
  await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
  const again = await p.ingest([{ file: MOVIES_CSV }]);
  assert.equal(again.embedded, 0);
  assert.equal(again.cached, 10);
  assert.equal(again.total, 10, "upsert, not duplicate");
  await p.close();
});

test("a collection refuses a different embedder, clearly", async () => {
  const db = join(dir, "c.db");
  const p = Plotline.open({ db, create: true });
  await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
  await assert.rejects(p.ingest([{ file: MOVIES_CSV }], { embedder: "minilm" }), /was built with the glove embedder/);
  await p.close();
});

test("remove deletes by id and reports unknown ids", async () => {
  const db = join(dir, "d.db");
  const p = Plotline.open({ db, create: true });
  await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
  const { removed, missing } = await p.remove(["tt1000005", "tt404"]);
  assert.deepEqual(removed, ["tt1000005"]);
  assert.deepEqual(missing, ["tt404"]);
  assert.equal(await p.movie("tt1000005"), null);
  assert.equal((await p.info()).count, 9);
  const res = await p.search("shark attacks a beach town", { k: 10 });
  assert.ok(!res.results.some((r) => r.id === "tt1000005"));
  await p.close();
});

test("a failed ingest leaves the collection as it was", async () => {
  const db = join(dir, "e.db");
  const p = Plotline.open({ db, create: true });
  await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
  await assert.rejects(p.ingest([{ file: MOVIES_CSV }, { file: join(dir, "nope.csv") }]), /nope\.csv: file not found/);
  assert.equal((await p.info()).count, 10);
  await p.close();
});

/** Runs an ingest in a child process and SIGKILLs it when stderr shows `phase`. */
function killDuring(db: string, phase: string): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "ingest", TMDB_CSV, "--db", db, "--embedder", "glove"], {
      env: { ...process.env, PLOTLINE_PROGRESS: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let killed = false;
    child.stderr.on("data", (d: Buffer) => {
      if (!killed && d.toString().includes(phase)) {
        killed = child.kill("SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("close", () => resolve({ killed }));
  });
}

for (const phase of ["reading", "embedding", "writing"]) {
  tmdbTest(`SIGKILL during ${phase} leaves the previous collection intact and queryable`, async () => {
    const base = join(dir, "base.db");
    const db = join(dir, `killed-${phase}.db`);
    if (phase === "reading") {
      const p = Plotline.open({ db: base, create: true });
      await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
      sqliteOf(p).collection.checkpoint();
      await p.close();
    }
    copyFileSync(base, db);
    const { killed } = await killDuring(db, phase);
    assert.ok(killed, `the ingest was killed during ${phase}`);
    const c = Collection.open(db);
    assert.equal(c.count(), 10, "previous contents");
    assert.equal(c.integrityCheck(), "ok");
    c.close();
    const p = Plotline.open({ db, readonly: true });
    const res = await p.search("a shark terrorizes a beach town", { k: 3 });
    assert.equal(res.results[0]!.id, "tt1000005");
    await p.close();
  });
}
