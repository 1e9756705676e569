import { normalize } from "../embed/embedder.js";
import { seededRandom } from "./kmeans.js";

export interface SyntheticOptions {
  /** Vectors to make (up to millions: they are produced in chunks). */
  n: number;
  dims: number;
  /** Seed of the model (centres, sub-spaces). Default 42. */
  seed?: number;
  /** Topics (clusters). Default round(sqrt(n)), clamped to 8..4096. */
  clusters?: number;
  /** Directions each topic varies along (its local intrinsic dimension). Default min(24, dims). */
  rank?: number;
}

/** Standard normal samples from a uniform source (Box-Muller, both outputs used). */
function gaussian(random: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = random();
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * random();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}

/**
 * A seeded generator of unit vectors shaped like text embeddings rather than uniform noise:
 *
 * - a shared mean direction (real embeddings are anisotropic: most pairs have cosine > 0);
 * - topics whose centres group under super-topics (clusters of clusters), with Zipf-like
 *   sizes (a few big genres, a long tail);
 * - inside a topic, variation along a few directions of its own (a low local intrinsic
 *   dimension with a decaying spectrum), plus a little isotropic noise.
 *
 * Typical cosines: 0.5 to 0.8 within a topic, about 0.1 to 0.3 across. The same options give
 * the same vectors; `queries` come from the same model with another stream, so they are
 * in-distribution but not in the data set. Memory stays bounded by the model (centres and
 * bases) plus one chunk, whatever `n`.
 */
export class SyntheticSet {
  readonly dims: number;
  readonly n: number;
  readonly clusters: number;
  readonly rank: number;
  private readonly seed: number;
  private readonly mean: Float32Array;
  private readonly centres: Float32Array;
  /** Per topic: `rank` directions (unit vectors), topic-major. */
  private readonly bases: Float32Array;
  private readonly spreads: Float32Array;
  private readonly cumulative: Float64Array;

  constructor(options: SyntheticOptions) {
    const { n, dims } = options;
    if (!Number.isInteger(n) || n < 0) throw new Error(`n must be a non-negative integer, got ${n}`);
    if (!Number.isInteger(dims) || dims < 2) throw new Error(`dims must be an integer >= 2, got ${dims}`);
    this.n = n;
    this.dims = dims;
    this.seed = options.seed ?? 42;
    this.clusters = options.clusters ?? Math.min(4096, Math.max(8, Math.round(Math.sqrt(n))));
    this.rank = Math.min(options.rank ?? 24, dims);
    const random = seededRandom(this.seed);
    const g = gaussian(random);
    const unit = () => normalize(Float32Array.from({ length: dims }, g));

    this.mean = unit();
    const supers = Math.max(2, Math.round(Math.sqrt(this.clusters)));
    const superCentres = Array.from({ length: supers }, unit);
    this.centres = new Float32Array(this.clusters * dims);
    this.bases = new Float32Array(this.clusters * this.rank * dims);
    this.spreads = new Float32Array(this.clusters);
    const weights = new Float64Array(this.clusters);
    for (let c = 0; c < this.clusters; c++) {
      const parent = superCentres[Math.floor(random() * supers)]!;
      const own = unit();
      const centre = new Float32Array(dims);
      for (let d = 0; d < dims; d++) centre[d] = parent[d]! + 0.8 * own[d]!;
      this.centres.set(normalize(centre), c * dims);
      for (let r = 0; r < this.rank; r++) this.bases.set(unit(), (c * this.rank + r) * dims);
      this.spreads[c] = 0.6 + 0.5 * random();
      weights[c] = 1 / Math.pow(c + 1, 0.6);
    }
    this.cumulative = new Float64Array(this.clusters);
    let acc = 0;
    for (let c = 0; c < this.clusters; c++) this.cumulative[c] = acc += weights[c]!;
    for (let c = 0; c < this.clusters; c++) this.cumulative[c]! /= acc;
  }

  private pickCluster(u: number): number {
    let lo = 0;
    let hi = this.clusters - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Writes one vector of the model into `out` at `offset`. */
  private sample(random: () => number, g: () => number, out: Float32Array, offset: number): void {
    const { dims, rank } = this;
    const c = this.pickCluster(random());
    const spread = this.spreads[c]!;
    for (let d = 0; d < dims; d++) out[offset + d] = 0.35 * this.mean[d]! + this.centres[c * dims + d]! + (0.2 / Math.sqrt(dims)) * g();
    for (let r = 0; r < rank; r++) {
      // Decaying spectrum: the first directions of a topic carry most of its variation.
      const w = (spread * g()) / Math.sqrt(r + 1);
      const b = (c * rank + r) * dims;
      for (let d = 0; d < dims; d++) out[offset + d]! += w * this.bases[b + d]!;
    }
    let sum = 0;
    for (let d = 0; d < dims; d++) sum += out[offset + d]! ** 2;
    const inv = 1 / Math.sqrt(sum);
    for (let d = 0; d < dims; d++) out[offset + d]! *= inv;
  }

  /** The data set, in chunks of up to `chunk` rows (row-major Float32Arrays). */
  *chunks(chunk = 8192): Generator<Float32Array> {
    const random = seededRandom(this.seed ^ 0x5eed);
    const g = gaussian(random);
    for (let start = 0; start < this.n; start += chunk) {
      const rows = Math.min(chunk, this.n - start);
      const out = new Float32Array(rows * this.dims);
      for (let i = 0; i < rows; i++) this.sample(random, g, out, i * this.dims);
      yield out;
    }
  }

  /** The whole data set in one array (for sizes that fit in memory). */
  all(): Float32Array {
    const out = new Float32Array(this.n * this.dims);
    let offset = 0;
    for (const c of this.chunks()) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }

  /** `count` query vectors from the same model, disjoint from the data stream. */
  queries(count: number, seed = 7): Float32Array {
    const random = seededRandom((this.seed * 31 + seed) ^ 0x9e3779b9);
    const g = gaussian(random);
    const out = new Float32Array(count * this.dims);
    for (let i = 0; i < count; i++) this.sample(random, g, out, i * this.dims);
    return out;
  }
}
