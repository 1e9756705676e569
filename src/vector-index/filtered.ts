import type { FlatVectors } from "./flat.js";
import { seededRandom } from "./kmeans.js";
import { acceptFn, type IdFilter, type VectorHit } from "./vector-index.js";

/**
 * A filter is "selective" when at most this many ids pass it, or this fraction of the index
 * (whichever is larger): those are searched exactly over just the passing ids, which is both
 * exact and cheaper than asking an approximate index for k / passRate candidates. Defaults:
 * 5,000 ids or 2% (at 384-d a JavaScript dot product costs about 0.3 µs, so 5,000 ids is
 * about 1.5 ms, comparable to one widened HNSW query).
 */
export const SELECTIVE_MAX_IDS = 5_000;
export const SELECTIVE_MAX_FRACTION = 0.02;

/** Ids sampled to estimate a predicate's pass rate (a set's size is known). */
const SAMPLE = 512;

/** Widening factor each time an oversampled approximate search yields fewer than k survivors. */
const WIDEN = 4;

/** Share of the index beyond which widening stops and an exact filtered scan finishes the job. */
const WIDEST = 0.25;

/** How many stored ids pass the filter: exact for a set, estimated from a sample for a predicate. */
export function estimatePassing(flat: FlatVectors, filter: IdFilter): number {
  if (typeof filter !== "function") {
    if (filter.size <= flat.size) {
      let n = 0;
      for (const id of filter) if (flat.has(id)) n++;
      return n;
    }
    return Math.min(filter.size, flat.size);
  }
  const slots = flat.slotCount;
  if (slots === 0) return 0;
  // Random (seeded) positions, not a stride: a stride aliases with periodic filters (ids % 3).
  const random = seededRandom(slots);
  const draws = Math.min(SAMPLE, slots);
  let seen = 0;
  let pass = 0;
  for (let i = 0; i < draws; i++) {
    const id = flat.idAt(draws === slots ? i : Math.floor(random() * slots));
    if (id < 0) continue;
    seen++;
    if (filter(id)) pass++;
  }
  return seen === 0 ? 0 : Math.round((pass / seen) * flat.size);
}

/**
 * Filtered top k for an approximate index. Selective filters are searched exactly over the
 * passing ids; otherwise the index is asked for about k / passRate candidates (times 1.5),
 * the survivors kept, and the request widened (x4) until k survive; past a quarter of the
 * index an exact filtered scan finishes. So a page is always full when k stored ids pass.
 * `candidates(query, n)` returns the index's best n, exactly scored, best first.
 */
export function filteredSearch(
  flat: FlatVectors,
  query: Float32Array,
  k: number,
  filter: IdFilter,
  candidates: (query: Float32Array, n: number) => VectorHit[],
): VectorHit[] {
  const n = flat.size;
  if (n === 0 || k <= 0) return [];
  const passing = estimatePassing(flat, filter);
  if (passing === 0 && typeof filter !== "function") return [];
  const accept = acceptFn(filter);
  if (passing <= Math.max(SELECTIVE_MAX_IDS, SELECTIVE_MAX_FRACTION * n)) {
    return typeof filter === "function" ? flat.searchWhere(query, k, accept) : flat.searchIds(query, k, filter);
  }
  let want = Math.min(n, Math.ceil((k * n * 1.5) / passing) + k);
  for (;;) {
    const hits = candidates(query, want);
    const kept: VectorHit[] = [];
    for (const h of hits) {
      if (accept(h.id)) {
        kept.push(h);
        if (kept.length === k) return kept;
      }
    }
    want = want * WIDEN;
    if (want > WIDEST * n) return flat.searchWhere(query, k, accept);
  }
}
