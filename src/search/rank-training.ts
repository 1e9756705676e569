/**
 * Fitting the ranking model (`rank-model.ts`): a linear scorer trained with the softmax
 * (listwise, "ListNet top-one") loss over each query's candidate pool, with L2
 * regularisation: for a query with candidates x_1..x_n and right answer r,
 * `loss = log sum_i exp(w . x_i) - w . x_r`, averaged over queries, plus `lambda / 2 |w|^2`.
 * The loss is convex, so the minimum is unique and the fit is deterministic; with a dozen
 * features, Newton's method (exact gradient and Hessian, backtracking line search) reaches it
 * in a few iterations. Written by hand: no installed package fits a listwise model, and this
 * is a small dense problem.
 */

/** Queries, each a block of candidate feature rows and the index of its right answer within the block. */
export interface TrainingSet {
  dims: number;
  /** Row-major feature rows of every query's candidates, block after block. */
  rows: Float32Array;
  /** Query q's candidates are rows `offsets[q]` to `offsets[q + 1] - 1`. */
  offsets: Int32Array;
  /** Index of query q's right answer within its block. */
  relevant: Int32Array;
  /** How much each query counts (1 each when absent): how often people would ask it. */
  weight?: Float64Array;
}

export function queryCount(set: TrainingSet): number {
  return set.relevant.length;
}

/** Builds a training set from per-query blocks. */
export function trainingSet(dims: number, queries: readonly { rows: readonly ArrayLike<number>[]; relevant: number; weight?: number }[]): TrainingSet {
  let n = 0;
  for (const q of queries) n += q.rows.length;
  const rows = new Float32Array(n * dims);
  const offsets = new Int32Array(queries.length + 1);
  const relevant = new Int32Array(queries.length);
  let at = 0;
  queries.forEach((q, i) => {
    offsets[i] = at;
    relevant[i] = q.relevant;
    for (const r of q.rows) {
      for (let d = 0; d < dims; d++) rows[at * dims + d] = r[d]!;
      at++;
    }
  });
  offsets[queries.length] = at;
  const weighted = queries.some((q) => q.weight !== undefined && q.weight !== 1);
  return { dims, rows, offsets, relevant, ...(weighted ? { weight: Float64Array.from(queries, (q) => q.weight ?? 1) } : {}) };
}

/** The loss, gradient and Hessian (when asked) at w. */
function objective(set: TrainingSet, w: Float64Array, lambda: number, withHessian: boolean): { loss: number; grad: Float64Array; hess: Float64Array | null } {
  const { dims, rows, offsets, relevant, weight } = set;
  const Q = relevant.length;
  let total = 0;
  for (let q = 0; q < Q; q++) total += weight ? weight[q]! : 1;
  const grad = new Float64Array(dims);
  const hess = withHessian ? new Float64Array(dims * dims) : null;
  const mean = new Float64Array(dims);
  let loss = 0;
  let scores = new Float64Array(0);
  for (let q = 0; q < Q; q++) {
    const from = offsets[q]!;
    const n = offsets[q + 1]! - from;
    if (scores.length < n) scores = new Float64Array(n);
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const base = (from + i) * dims;
      for (let d = 0; d < dims; d++) s += w[d]! * rows[base + d]!;
      scores[i] = s;
      if (s > max) max = s;
    }
    let z = 0;
    for (let i = 0; i < n; i++) z += Math.exp(scores[i]! - max);
    const wq = weight ? weight[q]! : 1;
    loss += wq * (max + Math.log(z) - scores[relevant[q]!]!);
    mean.fill(0);
    for (let i = 0; i < n; i++) {
      const p = Math.exp(scores[i]! - max) / z;
      const base = (from + i) * dims;
      for (let d = 0; d < dims; d++) mean[d]! += p * rows[base + d]!;
      if (hess) {
        for (let a = 0; a < dims; a++) {
          const pa = wq * p * rows[base + a]!;
          if (pa === 0) continue;
          for (let b = a; b < dims; b++) hess[a * dims + b]! += pa * rows[base + b]!;
        }
      }
    }
    const rb = (from + relevant[q]!) * dims;
    for (let d = 0; d < dims; d++) grad[d]! += wq * (mean[d]! - rows[rb + d]!);
    if (hess) for (let a = 0; a < dims; a++) for (let b = a; b < dims; b++) hess[a * dims + b]! -= wq * mean[a]! * mean[b]!;
  }
  let norm = 0;
  for (let d = 0; d < dims; d++) {
    grad[d] = grad[d]! / total + lambda * w[d]!;
    norm += w[d]! * w[d]!;
  }
  if (hess) {
    for (let a = 0; a < dims; a++) {
      for (let b = a; b < dims; b++) {
        const v = hess[a * dims + b]! / total + (a === b ? lambda : 0);
        hess[a * dims + b] = v;
        hess[b * dims + a] = v;
      }
    }
  }
  return { loss: loss / total + (lambda / 2) * norm, grad, hess };
}

/** Solves H x = g for a symmetric positive definite H (Cholesky). */
function solve(h: Float64Array, g: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = h[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / l[j * n + j]!;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = g[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * y[k]!;
    y[i] = s / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

export interface FitResult {
  weights: Float64Array;
  loss: number;
  iterations: number;
}

/** Minimises the regularised softmax loss by Newton's method from w = 0. */
export function fitSoftmax(set: TrainingSet, lambda: number, maxIterations = 50, tolerance = 1e-10): FitResult {
  const n = set.dims;
  let w = new Float64Array(n);
  let current = objective(set, w, lambda, true);
  let it = 0;
  for (; it < maxIterations; it++) {
    const step = solve(current.hess!, current.grad, n);
    let decrease = 0;
    for (let d = 0; d < n; d++) decrease += step[d]! * current.grad[d]!;
    if (decrease / 2 < tolerance) break;
    let t = 1;
    for (;;) {
      const next = Float64Array.from(w, (v, d) => v - t * step[d]!);
      const value = objective(set, next, lambda, false).loss;
      if (value <= current.loss - 0.25 * t * decrease || t < 1e-8) {
        w = next;
        break;
      }
      t /= 2;
    }
    current = objective(set, w, lambda, true);
  }
  return { weights: w, loss: current.loss, iterations: it };
}

/**
 * Ranking metrics of a scorer over the pools (ties go to the earlier candidate), each query
 * counting its weight; `missed` is the weight of queries whose answer was not in the pool,
 * which count as misses.
 */
export function poolMetrics(set: TrainingSet, score: (row: Float32Array, at: number) => number, missed = 0): { mrr: number; recall1: number; top3: number; recall10: number; queries: number } {
  const { dims, rows, offsets, relevant, weight } = set;
  const Q = relevant.length;
  let mrr = 0;
  let r1 = 0;
  let r3 = 0;
  let r10 = 0;
  for (let q = 0; q < Q; q++) {
    const from = offsets[q]!;
    const n = offsets[q + 1]! - from;
    const target = score(rows, (from + relevant[q]!) * dims);
    let rank = 1;
    for (let i = 0; i < n; i++) {
      if (i === relevant[q]) continue;
      const s = score(rows, (from + i) * dims);
      if (s > target || (s === target && i < relevant[q]!)) rank++;
    }
    const wq = weight ? weight[q]! : 1;
    if (rank <= 10) {
      mrr += wq / rank;
      r10 += wq;
    }
    if (rank === 1) r1 += wq;
    if (rank <= 3) r3 += wq;
  }
  let total = missed;
  for (let q = 0; q < Q; q++) total += weight ? weight[q]! : 1;
  return { mrr: mrr / total, recall1: r1 / total, top3: r3 / total, recall10: r10 / total, queries: total };
}
