import { test } from "node:test";
import assert from "node:assert/strict";
import { seededRandom } from "../src/vector-index/kmeans.js";
import { Plotline } from "../src/plotline.js";
import { decisionValues, exemplarSvm, SVM_DEFAULTS, trainL2Svm } from "../src/recommend/svm.js";
import { tmdbGloveDb } from "./helpers/collections.js";
import { tmdbTest } from "./helpers/data.js";

/**
 * An independent reference for the exemplar SVM: Newton's method on the primal problem
 *   min 1/2 |w~|^2 + sum_i C_i max(0, 1 - y_i w~ . x~_i)^2,   x~_i = (x_i, 1)
 * (differentiable; the generalised Hessian is I + 2 sum over margin violators of C_i x~ x~^T),
 * with a backtracking line search, run until the gradient vanishes to 1e-10. It shares nothing
 * with the dual coordinate descent under test but the problem statement.
 */
function primalNewton(x: Float32Array, dims: number, y: Int8Array, Cp: number, Cn: number): Float64Array {
  const D = dims + 1;
  const rows: number[] = [];
  for (let i = 0; i < y.length; i++) if (y[i] !== 0) rows.push(i);
  const feature = (i: number, d: number) => (d === dims ? 1 : x[i * dims + d]!);
  const cost = (i: number) => (y[i]! > 0 ? Cp : Cn);
  const margin = (w: Float64Array, i: number) => {
    let s = 0;
    for (let d = 0; d < D; d++) s += w[d]! * feature(i, d);
    return 1 - y[i]! * s;
  };
  const objective = (w: Float64Array) => {
    let f = 0;
    for (let d = 0; d < D; d++) f += 0.5 * w[d]! * w[d]!;
    for (const i of rows) {
      const m = margin(w, i);
      if (m > 0) f += cost(i) * m * m;
    }
    return f;
  };
  let w = new Float64Array(D);
  for (let iter = 0; iter < 200; iter++) {
    const g = Float64Array.from(w);
    const H = new Float64Array(D * D);
    for (let d = 0; d < D; d++) H[d * D + d] = 1;
    for (const i of rows) {
      const m = margin(w, i);
      if (m <= 0) continue;
      const c = cost(i);
      for (let a = 0; a < D; a++) {
        const xa = feature(i, a);
        g[a] = g[a]! - 2 * c * y[i]! * m * xa;
        for (let b = 0; b < D; b++) H[a * D + b] = H[a * D + b]! + 2 * c * xa * feature(i, b);
      }
    }
    let gnorm = 0;
    for (let d = 0; d < D; d++) gnorm += g[d]! * g[d]!;
    if (Math.sqrt(gnorm) < 1e-10) return w;
    const step = choleskySolve(H, g, D).map((v) => -v);
    let gs = 0;
    for (let d = 0; d < D; d++) gs += g[d]! * step[d]!;
    const f0 = objective(w);
    let t = 1;
    for (;;) {
      const next = w.map((v, d) => v + t * step[d]!);
      if (objective(next) <= f0 + 1e-4 * t * gs || t < 1e-12) {
        w = next;
        break;
      }
      t /= 2;
    }
  }
  throw new Error("reference Newton solver did not converge");
}

function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = i === j ? Math.sqrt(s) : s / L[j * n + j]!;
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * z[k]!;
    z[i] = s / L[i * n + i]!;
  }
  const out = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * out[k]!;
    out[i] = s / L[i * n + i]!;
  }
  return out;
}

/** Unit vectors around a few cluster centres, like embeddings of a few kinds of movie. */
function clustered(n: number, dims: number, clusters: number, seed: number): Float32Array {
  const next = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dims }, gauss));
  const out = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    const c = centres[i % clusters]!;
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      const v = c[d]! + 0.8 * gauss();
      out[i * dims + d] = v;
      norm += v * v;
    }
    for (let d = 0; d < dims; d++) out[i * dims + d] = out[i * dims + d]! / Math.sqrt(norm);
  }
  return out;
}

function referenceValues(x: Float32Array, dims: number, rows: number, positive: number): Float64Array {
  // Balanced class weights as scikit-learn computes them: n / (2 * n_class).
  const y = new Int8Array(rows).fill(-1);
  y[positive] = 1;
  const { C } = SVM_DEFAULTS;
  const w = primalNewton(x, dims, y, C * (rows / 2), C * (rows / (2 * (rows - 1))));
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = w[dims]!;
    for (let d = 0; d < dims; d++) s += w[d]! * x[i * dims + d]!;
    out[i] = s;
  }
  return out;
}

function top(values: Float64Array, k: number): number[] {
  return [...values.keys()].sort((a, b) => values[b]! - values[a]! || a - b).slice(0, k);
}

function compare(x: Float32Array, dims: number, rows: number, positive: number): void {
  const model = exemplarSvm(x, dims, rows, positive);
  assert.ok(model.converged, `converged in ${model.iterations} passes`);
  const ours = decisionValues(model, x, dims, rows);
  const reference = referenceValues(x, dims, rows, positive);
  assert.deepEqual(top(ours, 10), top(reference, 10), `top-10 order for exemplar ${positive}`);
  let worst = 0;
  for (let i = 0; i < rows; i++) worst = Math.max(worst, Math.abs(ours[i]! - reference[i]!));
  assert.ok(worst < 1e-4, `decision values within 1e-4 of the reference (worst ${worst.toExponential(2)})`);
  assert.equal(top(ours, 1)[0], positive, "the exemplar itself scores highest");
}

test("exemplar SVM matches a primal Newton reference on synthetic clustered vectors", () => {
  const dims = 16;
  const rows = 400;
  const x = clustered(rows, dims, 6, 7);
  for (const positive of [0, 5, 123, 399]) compare(x, dims, rows, positive);
});

tmdbTest("exemplar SVM matches the reference on 1,500 real TMDB glove vectors", async () => {
  const p = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
  try {
    const ctx = await p.recommendContext();
    const rows = 1500;
    const x = ctx.matrix.slice(0, rows * ctx.dims);
    for (const positive of [0, 700, 1499]) compare(x, ctx.dims, rows, positive);
  } finally {
    await p.close();
  }
});

test("the solver handles general labels, costs and rows left out", () => {
  const dims = 8;
  const rows = 120;
  const x = clustered(rows, dims, 3, 11);
  const y = new Int8Array(rows);
  for (let i = 0; i < rows; i++) y[i] = i % 3 === 0 ? 1 : i % 7 === 0 ? 0 : -1;
  const model = trainL2Svm(x, dims, y, 0.7, 0.2);
  const reference = primalNewton(x, dims, y, 0.7, 0.2);
  for (let d = 0; d < dims; d++) assert.ok(Math.abs(model.w[d]! - reference[d]!) < 1e-4, `w[${d}]`);
  assert.ok(Math.abs(model.bias - reference[dims]!) < 1e-4, "bias");
});

test("maxIter stops the solver and says it did not converge", () => {
  const x = clustered(200, 8, 4, 3);
  const model = exemplarSvm(x, 8, 200, 0, new Set(), { maxIter: 1 });
  assert.equal(model.iterations, 1);
  assert.equal(model.converged, false);
});
