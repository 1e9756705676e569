import { ExactIndex } from "../../src/vector-index/exact.js";
import { FlatVectors } from "../../src/vector-index/flat.js";
import { SyntheticSet } from "../../src/vector-index/synthetic.js";
import type { IdFilter, VectorIndex } from "../../src/vector-index/vector-index.js";

/** A seeded synthetic data set with ids 1..n and held-out queries. */
export function fixture(n: number, dims: number, queries: number, seed = 42) {
  const set = new SyntheticSet({ n, dims, seed });
  const data = set.all();
  const ids = Int32Array.from({ length: n }, (_, i) => i + 1);
  const qs = set.queries(queries);
  return {
    n,
    dims,
    ids,
    data,
    /** A fresh store over the data (indexes keep and change theirs). */
    flat: () => new FlatVectors(dims, ids, data.slice()),
    query: (i: number) => qs.subarray(i * dims, (i + 1) * dims),
    queries: queries,
  };
}

/** Exact top-k ids per query: the reference. */
export function truth(index: ExactIndex, fx: ReturnType<typeof fixture>, k: number, accept?: IdFilter): number[][] {
  return Array.from({ length: fx.queries }, (_, q) => index.search(fx.query(q), k, accept).map((h) => h.id));
}

/** Mean share of the exact top-k that the index found. */
export function recallAt(index: VectorIndex, fx: ReturnType<typeof fixture>, expected: number[][], k: number): number {
  let found = 0;
  for (let q = 0; q < fx.queries; q++) {
    const want = new Set(expected[q]!);
    for (const h of index.search(fx.query(q), k)) if (want.has(h.id)) found++;
  }
  return found / (fx.queries * k);
}
