import { test } from "node:test";
import assert from "node:assert/strict";
import { compareExact } from "../bench/faiss.js";

// The FAISS bench's check that Plotline's exact hits equal IndexFlatIP's: it must pass equal
// lists, accept only true ties ordered differently, and fail loudly on anything else.

const hits = (ids: number[], scores: number[]) => ({ ids: Int32Array.from(ids), scores: Float32Array.from(scores) });

test("equal lists pass with no tie counted, over several queries", () => {
  const a = hits([1, 2, 3, 7, 8, 9], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]);
  assert.equal(compareExact("set", 3, a, hits([1, 2, 3, 7, 8, 9], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4])), 0);
});

test("a tie ordered differently, inside the list or at the cut, is counted, not failed", () => {
  const p = hits([1, 2, 3, 4, 5, 6], [0.9, 0.8, 0.8, 0.6, 0.5, 0.5]);
  // Query 0: 2 and 3 tie and swap places; query 1: 6 and 16 tie at the k-th place.
  const f = hits([1, 3, 2, 4, 5, 16], [0.9, 0.8, 0.8, 0.6, 0.5, 0.500004]);
  assert.equal(compareExact("set", 3, p, f), 2);
});

test("a score off by more than 1e-5, a missing id that is not tied, or a short list fails with both lists", () => {
  const p = hits([1, 2, 3], [0.9, 0.8, 0.7]);
  assert.throws(() => compareExact("set", 3, p, hits([1, 2, 3], [0.9, 0.8, 0.7001])), /query 0, top 3: .*rank 3[\s\S]*plotline 1:0\.9[\s\S]*faiss/);
  // 3 and 4 score the same but above the k-th score, so both belong in both lists: not a tie at the cut.
  assert.throws(() => compareExact("set", 3, hits([1, 3, 2], [0.9, 0.8, 0.7]), hits([1, 4, 2], [0.9, 0.8, 0.7])), /id 3 .*missing from FAISS's list/);
  assert.throws(() => compareExact("set", 3, p, hits([1, 2, 3, 4, 5, 6], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4])), /Plotline wrote 1 queries' hits, FAISS 2/);
});
