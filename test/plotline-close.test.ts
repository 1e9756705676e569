/**
 * `Plotline.close` closes what this Plotline opened and nothing else: an embedder handed in
 * through `OpenOptions` stays the caller's (usable after close), one it loaded itself is closed,
 * including one whose load was still under way when close was called.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Embedder } from "../src/embed/embedder.js";
import { createEmbedder } from "../src/embed/registry.js";
import { Plotline } from "../src/plotline.js";
import { tempDir } from "./helpers/collections.js";
import { MOVIES_CSV } from "./helpers/paths.js";

const db = join(tempDir(), "close.db");
const JAWS = "a giant shark attacks a beach town";

before(async () => {
  const p = Plotline.open({ db, create: true });
  await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
  await p.close();
});

/** Counts `close` calls on an embedder, still closing it for real. */
function countCloses(embedder: Embedder): { closes: () => number } {
  let n = 0;
  const close = embedder.close.bind(embedder);
  embedder.close = async () => {
    n++;
    await close();
  };
  return { closes: () => n };
}

test("an embedder given in OpenOptions is used for queries and left open by close", async () => {
  const given = await createEmbedder("glove");
  const counter = countCloses(given);
  const p = Plotline.open({ db, readonly: true, embedder: given });
  assert.equal(await p.queryEmbedder(), given, "queries use the given embedder");
  // The prior off: Jaws' own description finds Jaws by the embedder alone.
  assert.equal((await p.search(JAWS, { mode: "semantic", k: 1, prior: 0 })).results[0]?.title, "Jaws");
  await p.close();
  assert.equal(counter.closes(), 0, "the caller's embedder is not closed");
  // Still the caller's to use: a second Plotline queries with it.
  const again = Plotline.open({ db, readonly: true, embedder: given });
  assert.equal((await again.search(JAWS, { mode: "semantic", k: 1, prior: 0 })).results[0]?.title, "Jaws");
  await again.close();
  assert.equal(counter.closes(), 0);
  await given.close();
  assert.equal(counter.closes(), 1);
});

test("an embedder this Plotline loaded is closed once by close", async () => {
  const p = Plotline.open({ db, readonly: true });
  const loaded = await p.queryEmbedder();
  assert.equal(await p.queryEmbedder(), loaded, "loaded once");
  const counter = countCloses(loaded);
  assert.equal((await p.search(JAWS, { mode: "semantic", k: 1, prior: 0 })).results[0]?.title, "Jaws");
  await p.close();
  assert.equal(counter.closes(), 1);
});

test("an embedder whose load is under way when close is called is closed when it arrives", async () => {
  // The instance does not exist yet when close is called, so closes are counted on its class.
  const proto = Object.getPrototypeOf(await createEmbedder("glove")) as Embedder;
  const close = Object.getOwnPropertyDescriptor(proto, "close")!;
  const closed = new Set<Embedder>();
  Object.defineProperty(proto, "close", {
    ...close,
    value: async function (this: Embedder) {
      closed.add(this);
      await (close.value as Embedder["close"]).call(this);
    },
  });
  try {
    const p = Plotline.open({ db, readonly: true });
    const loading = p.queryEmbedder();
    await p.close();
    assert.ok(closed.has(await loading));
  } finally {
    Object.defineProperty(proto, "close", close);
  }
});

test("close without any query loads no embedder", async () => {
  const p = Plotline.open({ db, readonly: true });
  assert.equal((await p.titles("jaw")).results[0]?.title, "Jaws", "title search needs no embedder");
  await p.close();
});

test("ingest with a given embedder leaves it open; the collection's own load is still closed", async () => {
  const given = await createEmbedder("glove");
  const counter = countCloses(given);
  const dir = tempDir();
  const p = Plotline.open({ db: join(dir, "given.db"), create: true, embedder: given });
  await p.ingest([{ file: MOVIES_CSV }]);
  assert.equal((await p.search(JAWS, { mode: "semantic", k: 1, prior: 0 })).results[0]?.title, "Jaws");
  await p.close();
  assert.equal(counter.closes(), 0);
  await given.close();
});
