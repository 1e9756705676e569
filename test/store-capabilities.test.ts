/**
 * What a backend cannot do it declares (`StoreCapabilities`), and the engine then fails with one
 * clear message naming the backend, what it lacks and what asked for it, never a silently
 * different answer. Checked over the SQLite store with capabilities taken away.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { CapabilityError, InvalidArgumentError } from "../src/errors.js";
import { Plotline } from "../src/plotline.js";
import { RecommendContext } from "../src/recommend/context.js";
import { SearchEngine } from "../src/search/engine.js";
import { toHttpError } from "../src/server/errors.js";
import type { Capability, Store } from "../src/store/store.js";
import { tempDir } from "./helpers/collections.js";
import { MOVIES_CSV } from "./helpers/paths.js";

/** The store as a backend without these capabilities would declare itself. */
function lacking(store: Store, missing: Capability[]): Store {
  const capabilities = { ...store.capabilities, ...Object.fromEntries(missing.map((c) => [c, false])) };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === "capabilities") return capabilities;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const db = join(tempDir(), "capabilities.db");

async function withEngine(missing: Capability[], fn: (engine: SearchEngine, store: Store) => Promise<void>): Promise<void> {
  const p = Plotline.open({ db, create: true });
  try {
    if ((await p.store.count()) === 0) await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
    const manifest = (await p.store.manifest())!;
    const store = lacking(p.store, missing);
    const engine = new SearchEngine({
      store,
      embedQuery: async (text) => {
        const e = await p.queryEmbedder();
        return e.finish(await e.embedQuery(text), manifest.embedderState);
      },
    });
    await fn(engine, store);
  } finally {
    await p.close();
  }
}

const capabilityError = (pattern: RegExp) => (e: Error) => e instanceof CapabilityError && pattern.test(e.message);

test("without keyword retrieval, keyword and hybrid search fail naming the backend; semantic search still works", async () => {
  await withEngine(["keyword"], async (engine) => {
    await assert.rejects(engine.search("shark", { mode: "keyword" }), capabilityError(/^the sqlite store cannot run keyword \(BM25\) queries, which keyword search needs$/));
    await assert.rejects(engine.search("shark", { mode: "hybrid" }), capabilityError(/which hybrid search needs; use --mode semantic$/));
    assert.equal((await engine.search("a giant shark attacks a beach town", { mode: "semantic", k: 1, prior: 0 })).results[0]?.title, "Jaws");
  });
});

test("without phrases, a quoted phrase fails; without a vocabulary, words are searched as typed", async () => {
  await withEngine(["phrases", "vocabulary"], async (engine) => {
    await assert.rejects(engine.search('"great white shark"', { mode: "keyword" }), capabilityError(/cannot match quoted phrases, which a query with a quoted phrase needs; search without the quotes$/));
    assert.equal((await engine.search("great white shark", { mode: "keyword" })).results[0]?.title, "Jaws");
    // "sharkk" would be corrected with the vocabulary; without it, it matches nothing.
    assert.deepEqual((await engine.search("sharkk", { mode: "keyword" })).results, []);
  });
  await withEngine([], async (engine) => {
    assert.equal((await engine.search("sharkk", { mode: "keyword" })).results[0]?.title, "Jaws", "with it, the typo is corrected");
  });
});

test("without every vector at once, recommendations fail clearly; a missing capability is a 501 over HTTP", async () => {
  await withEngine(["allVectors"], async (_engine, store) => {
    await assert.rejects(RecommendContext.build(store), capabilityError(/^the sqlite store cannot give every vector at once, which recommendations \(similar, recommend\) needs$/));
  });
  const { status, body } = toHttpError(new CapabilityError("facets", "the qdrant store cannot count facets, which /api/genres needs"));
  assert.equal(status, 501);
  assert.deepEqual(body, { error: { code: "not_supported", message: "the qdrant store cannot count facets, which /api/genres needs" } });
});

test("a native fusion the backend's hybrid query lacks fails naming the ones it offers; without nativeHybrid, the CapabilityError", async () => {
  await withEngine([], async (_engine, sqlite) => {
    // As Weaviate declares itself (rankedFusion, relativeScoreFusion), over the SQLite store.
    const offering = new Proxy(sqlite, {
      get(target, prop) {
        if (prop === "capabilities") return { ...target.capabilities, nativeHybrid: true };
        if (prop === "nativeFusions") return ["rrf", "relative"];
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const engine = new SearchEngine({ store: offering, embedQuery: async () => new Float32Array(100).fill(0.1) });
    await assert.rejects(
      engine.search("shark", { mode: "hybrid", fusion: "native-dbsf" }),
      (e: Error) => e instanceof InvalidArgumentError && e.message === "fusion: the sqlite store's own hybrid query offers native-rrf, native-relative, not native-dbsf; or use learned, convex or rrf (Plotline's own)",
    );
  });
  await withEngine([], async (engine) => {
    await assert.rejects(engine.search("shark", { mode: "hybrid", fusion: "native-rrf" }), capabilityError(/^the sqlite store cannot fuse keyword and vector candidates itself, which --fusion native-rrf needs; use --fusion learned, convex or rrf \(Plotline's own\)$/));
  });
});
