import { seededRandom as mulberry32 } from "../vector-index/kmeans.js";
/**
 * The exemplar SVM of Karpathy's movie search and his knn_vs_svm notebook: scikit-learn's
 * `LinearSVC(class_weight='balanced', C=0.1, max_iter=10000, tol=1e-6)`, trained with one movie as
 * the only positive and every other movie as a negative, then every movie ranked by the decision
 * value. LinearSVC is liblinear's L2-regularised, L2-loss (squared hinge) SVC solved in the dual
 * (`-s 1`), with `fit_intercept` done liblinear's way: a constant bias feature (intercept_scaling
 * 1) appended to every vector and regularised with the weights. The primal problem is
 *
 *   min over w~ = (w, b):  1/2 |w~|^2 + sum_i C_i max(0, 1 - y_i w~ . x~_i)^2,   x~_i = (x_i, 1),
 *
 * with C_i = C * n / (2 * n_class(y_i)) (balanced class weights). Its dual is solved here by the
 * same dual coordinate descent as liblinear's `solve_l2r_l1l2_svc` (Hsieh et al., ICML 2008),
 * with liblinear's shrinking and stopping rule (spread of projected gradients <= tol). The dual is
 * strictly convex (the squared hinge adds 1/(2 C_i) to its diagonal), so the solution is unique
 * and the ranking does not depend on the order of coordinates; a seeded permutation keeps runs
 * identical.
 *
 * Written by hand because no maintained JavaScript liblinear exists: npm has libsvm-js (an
 * emscripten libsvm: kernel SMO with the hinge loss and an unregularised bias, a different
 * problem from LinearSVC's, last released years ago) and a one-version liblinear-wasm with a
 * couple of downloads a week; neither is a dependency worth taking for ~80 lines.
 */

/** LinearSVC's defaults as the seeds use them. */
export interface SvmOptions {
  /** Regularisation parameter (default 0.1, Karpathy's knn_vs_svm setting). */
  C?: number;
  /** Stop when the projected gradients' spread is at most this (default 1e-6, as Karpathy). */
  tol?: number;
  /** Passes over the data at most (default 10000, as Karpathy). */
  maxIter?: number;
  /** Value of the appended bias feature (default 1: scikit-learn's intercept_scaling). */
  biasFeature?: number;
  /** Seed of the coordinate permutation (default 1). */
  seed?: number;
}

export const SVM_DEFAULTS: Required<SvmOptions> = { C: 0.1, tol: 1e-6, maxIter: 10_000, biasFeature: 1, seed: 1 };

export interface LinearModel {
  /** Weights, one per dimension. */
  w: Float64Array;
  /** Weight of the bias feature; the intercept is `bias * biasFeature`. */
  bias: number;
  biasFeature: number;
  /** Passes over the (active) data. */
  iterations: number;
  /** False when `maxIter` was reached first (scikit-learn warns then; the model is still usable). */
  converged: boolean;
  /** Examples with a non-zero dual variable (support vectors). */
  supportVectors: number;
}

/**
 * Trains the L2-loss SVM by dual coordinate descent. `matrix` holds `y.length` rows of `dims`;
 * `y[i]` is +1, -1, or 0 to leave row i out of training. `Cp` / `Cn` are the per-class costs
 * (C times the class weight).
 */
export function trainL2Svm(matrix: Float32Array, dims: number, y: Int8Array, Cp: number, Cn: number, options: SvmOptions = {}): LinearModel {
  const { tol, maxIter, biasFeature: B, seed } = { ...SVM_DEFAULTS, ...options };
  if (!(Cp > 0) || !(Cn > 0)) throw new Error(`SVM costs must be positive, got Cp=${Cp}, Cn=${Cn}`);
  const diagP = 0.5 / Cp;
  const diagN = 0.5 / Cn;
  const index: number[] = [];
  for (let i = 0; i < y.length; i++) if (y[i] !== 0) index.push(i);
  const l = index.length;
  const alpha = new Float64Array(y.length);
  const QD = new Float64Array(y.length);
  for (const i of index) {
    let nrm = B * B;
    for (let d = 0, base = i * dims; d < dims; d++) nrm += matrix[base + d]! * matrix[base + d]!;
    QD[i] = nrm + (y[i]! > 0 ? diagP : diagN);
  }
  const w = new Float64Array(dims);
  let wb = 0;
  const random = mulberry32(seed);
  let activeSize = l;
  // liblinear also tracks the smallest projected gradient to shrink variables at the upper
  // bound; the L2 loss has no upper bound (alpha_i >= 0 only), so only the largest matters.
  let PGmaxOld = Infinity;
  let iter = 0;
  let converged = false;
  while (iter < maxIter) {
    let PGmaxNew = -Infinity;
    let PGminNew = Infinity;
    for (let s = 0; s < activeSize; s++) {
      const j = s + Math.floor(random() * (activeSize - s));
      const t = index[s]!;
      index[s] = index[j]!;
      index[j] = t;
    }
    for (let s = 0; s < activeSize; s++) {
      const i = index[s]!;
      const yi = y[i]!;
      const base = i * dims;
      // Four accumulators let the JIT overlap the multiply-adds. Written out rather than calling
      // vector-index/flat's `dot`: `w` is a Float64Array, and a second array type there would make
      // `dot` polymorphic in the vector scans.
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let d = 0;
      for (; d + 3 < dims; d += 4) {
        s0 += w[d]! * matrix[base + d]!;
        s1 += w[d + 1]! * matrix[base + d + 1]!;
        s2 += w[d + 2]! * matrix[base + d + 2]!;
        s3 += w[d + 3]! * matrix[base + d + 3]!;
      }
      for (; d < dims; d++) s0 += w[d]! * matrix[base + d]!;
      const a = alpha[i]!;
      const G = yi * (s0 + s1 + s2 + s3 + wb * B) - 1 + a * (yi > 0 ? diagP : diagN);
      let PG = 0;
      if (a === 0) {
        // Shrinking: a bound variable whose gradient points outward stays put; drop it until
        // the final check on the full set.
        if (G > PGmaxOld) {
          activeSize--;
          index[s] = index[activeSize]!;
          index[activeSize] = i;
          s--;
          continue;
        }
        if (G < 0) PG = G;
      } else PG = G;
      if (PG > PGmaxNew) PGmaxNew = PG;
      if (PG < PGminNew) PGminNew = PG;
      if (Math.abs(PG) > 1e-12) {
        const next = Math.max(a - G / QD[i]!, 0);
        alpha[i] = next;
        const step = (next - a) * yi;
        for (let e = 0; e < dims; e++) w[e] = w[e]! + step * matrix[base + e]!;
        wb += step * B;
      }
    }
    iter++;
    if (PGmaxNew - PGminNew <= tol) {
      if (activeSize === l) {
        converged = true;
        break;
      }
      // Converged on the active set: check every variable once more before stopping.
      activeSize = l;
      PGmaxOld = Infinity;
      continue;
    }
    PGmaxOld = PGmaxNew <= 0 ? Infinity : PGmaxNew;
  }
  let supportVectors = 0;
  for (const i of index) if (alpha[i]! > 0) supportVectors++;
  return { w, bias: wb, biasFeature: B, iterations: iter, converged, supportVectors };
}

/**
 * The exemplar SVM for row `positive`: that row is the only positive, every other row a negative
 * except those in `skip` (the movie's exact duplicates, which would otherwise be a positive and a
 * negative at the same point). Balanced class weights as scikit-learn computes them,
 * `n / (2 * n_class)`.
 */
export function exemplarSvm(matrix: Float32Array, dims: number, rows: number, positive: number, skip: ReadonlySet<number> = new Set(), options: SvmOptions = {}): LinearModel {
  const C = options.C ?? SVM_DEFAULTS.C;
  const y = new Int8Array(rows).fill(-1);
  for (const i of skip) y[i] = 0;
  y[positive] = 1;
  let negatives = 0;
  for (let i = 0; i < rows; i++) if (y[i] === -1) negatives++;
  if (negatives === 0) throw new Error("the exemplar SVM needs at least one other movie");
  const n = negatives + 1;
  return trainL2Svm(matrix, dims, y, C * (n / 2), C * (n / (2 * negatives)), options);
}

/** Decision values `w . x_i + bias * biasFeature` of every row. */
export function decisionValues(model: LinearModel, matrix: Float32Array, dims: number, rows: number): Float64Array {
  const out = new Float64Array(rows);
  const { w } = model;
  const b = model.bias * model.biasFeature;
  for (let i = 0, base = 0; i < rows; i++, base += dims) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let d = 0;
    for (; d + 3 < dims; d += 4) {
      s0 += w[d]! * matrix[base + d]!;
      s1 += w[d + 1]! * matrix[base + d + 1]!;
      s2 += w[d + 2]! * matrix[base + d + 2]!;
      s3 += w[d + 3]! * matrix[base + d + 3]!;
    }
    for (; d < dims; d++) s0 += w[d]! * matrix[base + d]!;
    out[i] = s0 + s1 + s2 + s3 + b;
  }
  return out;
}

