import { availableParallelism } from "node:os";
import { exactSearch, MetricKind } from "usearch";
import { ownBuffer } from "./flat.js";

/** mulberry32: a tiny seeded PRNG, so training is reproducible run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct indexes from [0, n), in random order (partial Fisher-Yates). */
export function sampleIndexes(n: number, count: number, random: () => number): Int32Array {
  const m = Math.min(n, count);
  if (m === n) {
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  // Sparse Fisher-Yates: only the swapped positions are remembered.
  const swapped = new Map<number, number>();
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(random() * (n - i));
    const vj = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    out[i] = vj;
  }
  return out;
}

/** Below this many multiply-adds per point (k x dims), a JavaScript loop beats a native call. */
const NATIVE_MIN_WORK = 2048;

/**
 * Index of the nearest centroid (L2) for each of `count` points. Large problems go to
 * usearch's SIMD exact search (in batches that keep its distance buffer at 8 MB); small
 * ones, such as PQ sub-spaces of 4-8 dims, run in JavaScript without call overhead.
 */
export function nearestCentroids(centroids: Float32Array, k: number, points: Float32Array, count: number, dims: number, threads = availableParallelism()): Int32Array {
  const labels = new Int32Array(count);
  if (k * dims >= NATIVE_MIN_WORK) {
    const base = ownBuffer(centroids.subarray(0, k * dims));
    // usearch allocates 16 bytes per (point, centroid) pair per call; 8 MB stays under glibc's
    // mmap threshold, so the buffer is reused instead of page-faulted in on every call.
    const batch = Math.max(1, Math.floor((1 << 19) / k));
    for (let start = 0; start < count; start += batch) {
      const end = Math.min(count, start + batch);
      // A fresh copy: usearch reads from the start of the ArrayBuffer (see flat.ts).
      const queries = points.slice(start * dims, end * dims);
      const m = exactSearch(base, queries, dims, 1, MetricKind.L2sq, threads) as { keys: BigUint64Array };
      for (let i = 0; i < end - start; i++) labels[start + i] = Number(m.keys[i]);
    }
    return labels;
  }
  const norms = new Float32Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let d = 0; d < dims; d++) s += centroids[c * dims + d]! ** 2;
    norms[c] = s;
  }
  for (let i = 0; i < count; i++) {
    const base = i * dims;
    let best = 0;
    let bestScore = Infinity;
    for (let c = 0, cb = 0; c < k; c++, cb += dims) {
      let ip = 0;
      for (let d = 0; d < dims; d++) ip += points[base + d]! * centroids[cb + d]!;
      const score = norms[c]! - 2 * ip;
      if (score < bestScore) {
        bestScore = score;
        best = c;
      }
    }
    labels[i] = best;
  }
  return labels;
}

export interface KMeansOptions {
  /** Lloyd iterations. Default 16 (FAISS uses 25; the last ones move centroids very little). */
  iterations?: number;
  /** Seed for the sample and the initial centroids. Default 1. */
  seed?: number;
  /** Training points per centroid at most (a random sample beyond that). Default 64; FAISS uses 39 to 256. */
  maxPointsPerCentroid?: number;
  threads?: number;
}

/**
 * Lloyd's k-means with FAISS's choices: seeded random initial centroids from the sample, and
 * an empty cluster takes half of a large one (the large one's centroid, nudged both ways).
 * `data` holds `n` rows of `dims`; returns `k` centroids, row-major. Written here because no
 * maintained npm package offers seeded, SIMD-assisted k-means over Float32Arrays.
 */
export function kmeans(data: Float32Array, n: number, dims: number, k: number, options: KMeansOptions = {}): Float32Array {
  if (k < 1) throw new Error(`k-means needs k >= 1, got ${k}`);
  if (n < k) throw new Error(`k-means needs at least k = ${k} points, got ${n}`);
  const random = seededRandom(options.seed ?? 1);
  const iterations = options.iterations ?? 16;
  const maxPoints = k * (options.maxPointsPerCentroid ?? 64);
  let points = data.subarray(0, n * dims);
  let count = n;
  if (n > maxPoints) {
    const pick = sampleIndexes(n, maxPoints, random);
    points = new Float32Array(maxPoints * dims);
    for (let i = 0; i < maxPoints; i++) points.set(data.subarray(pick[i]! * dims, (pick[i]! + 1) * dims), i * dims);
    count = maxPoints;
  }
  const centroids = new Float32Array(k * dims);
  const init = sampleIndexes(count, k, random);
  for (let c = 0; c < k; c++) centroids.set(points.subarray(init[c]! * dims, (init[c]! + 1) * dims), c * dims);

  const sums = new Float64Array(k * dims);
  const sizes = new Int32Array(k);
  for (let it = 0; it < iterations; it++) {
    const labels = nearestCentroids(centroids, k, points, count, dims, options.threads);
    sums.fill(0);
    sizes.fill(0);
    for (let i = 0; i < count; i++) {
      const c = labels[i]!;
      sizes[c]!++;
      const sb = c * dims;
      const pb = i * dims;
      for (let d = 0; d < dims; d++) sums[sb + d]! += points[pb + d]!;
    }
    for (let c = 0; c < k; c++) {
      if (sizes[c] === 0) continue;
      const inv = 1 / sizes[c]!;
      for (let d = 0; d < dims; d++) centroids[c * dims + d] = sums[c * dims + d]! * inv;
    }
    splitEmpty(centroids, sizes, k, dims, count, random);
  }
  return centroids;
}

/** FAISS's fix for empty clusters: copy a centroid chosen in proportion to cluster size, and nudge the two apart. */
function splitEmpty(centroids: Float32Array, sizes: Int32Array, k: number, dims: number, count: number, random: () => number): void {
  const EPS = 1 / 1024;
  for (let ci = 0; ci < k; ci++) {
    if (sizes[ci] !== 0) continue;
    let cj = 0;
    for (;;) {
      const r = random() * (count - k);
      cj = 0;
      let acc = 0;
      while (cj < k - 1 && acc + Math.max(0, sizes[cj]! - 1) <= r) acc += Math.max(0, sizes[cj++]! - 1);
      if (sizes[cj]! > 1) break;
    }
    for (let d = 0; d < dims; d++) {
      const v = centroids[cj * dims + d]!;
      const up = d % 2 === 0;
      centroids[ci * dims + d] = v * (up ? 1 + EPS : 1 - EPS);
      centroids[cj * dims + d] = v * (up ? 1 - EPS : 1 + EPS);
    }
    sizes[ci] = sizes[cj]! >> 1;
    sizes[cj] = sizes[cj]! - sizes[ci]!;
  }
}
