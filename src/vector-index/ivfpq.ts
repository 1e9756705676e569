import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { InvalidArgumentError } from "../errors.js";
import { CandidateIndex } from "./candidates.js";
import { withDefaults } from "./params.js";
import { dot, type FlatVectors } from "./flat.js";
import { kmeans, nearestCentroids, sampleIndexes, seededRandom } from "./kmeans.js";
import { TopK } from "./topk.js";
import type { VectorHit } from "./vector-index.js";

/**
 * Parameters of FAISS's `IndexIVFPQ` (the seeds: 50 centroids, 16 sub-vectors, 8 bits,
 * nprobe 10), plus exact re-ranking. `null` means "choose from the data" at build time; the
 * chosen values are what `params` reports afterwards.
 */
export interface IvfPqParams {
  /** Inverted lists (coarse k-means centroids). Default round(sqrt(n)), at least 1 and at most n / 8. */
  nlist: number | null;
  /** Sub-vectors per vector (must divide dims). Default dims / 8 when it divides, else dims / 4, dims / 2, dims. */
  m: number | null;
  /** Bits per sub-vector code (1 to 8; 2^nbits centroids per sub-space). Default 8. */
  nbits: number;
  /**
   * Lists searched per query. Default max(8, ceil(nlist / 4)): on the real GloVe collection
   * recall@10 is limited by the lists probed, not by the codes (0.78 at nlist / 13, 0.97 at
   * nlist / 4), and re-ranking is cheap next to the scan.
   */
  nprobe: number | null;
  /** PQ candidates re-scored exactly from the stored vectors per query (at least k). Default 256. */
  rerank: number;
  /** k-means iterations for the coarse and the PQ quantizers. Default 12 (FAISS: 25; later ones move centroids little). */
  iterations: number;
  /** Seed of every random choice in training. Default 1. */
  seed: number;
}

export const DEFAULT_IVFPQ: IvfPqParams = { nlist: null, m: null, nbits: 8, nprobe: null, rerank: 256, iterations: 12, seed: 1 };

/** Resolved parameters: every choice made. */
export type IvfPqResolved = { [K in keyof IvfPqParams]: NonNullable<IvfPqParams[K]> };

/** Tombstones (deleted list entries) past which lists are rewritten: 20% of the live entries. */
export const IVFPQ_COMPACT_AT = 0.2;

/** Training points per centroid (FAISS samples 39 to 256): training runs in JavaScript, and more
 * points cost time for little gain in recall once the best candidates are re-ranked exactly. */
const COARSE_POINTS_PER_CENTROID = 64;
const PQ_POINTS_PER_CENTROID = 32;

const MAGIC = "PLIVFPQ1";

function defaultM(dims: number): number {
  for (const sub of [8, 4, 2, 1]) if (dims % sub === 0) return dims / sub;
  return dims;
}

export function resolveIvfPq(params: Partial<IvfPqParams>, n: number, dims: number): IvfPqResolved {
  const p = withDefaults(DEFAULT_IVFPQ, params);
  const int = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new InvalidArgumentError(name, `must be an integer from ${min} to ${max}, got ${v}`);
    return v;
  };
  const nlist = int("nlist", p.nlist ?? Math.max(1, Math.min(Math.round(Math.sqrt(n)), Math.floor(n / 8))), 1, 65_536);
  const m = int("m", p.m ?? defaultM(dims), 1, dims);
  if (dims % m !== 0) throw new InvalidArgumentError("m", `must divide the ${dims} dimensions, got ${m}`);
  return {
    nlist,
    m,
    nbits: int("nbits", p.nbits, 1, 8),
    nprobe: int("nprobe", p.nprobe ?? Math.min(nlist, Math.max(8, Math.ceil(nlist / 4))), 1, 65_536),
    rerank: int("rerank", p.rerank, 1, 1_000_000),
    iterations: int("iterations", p.iterations, 1, 1000),
    seed: int("seed", p.seed, 0, 2 ** 31 - 1),
  };
}

export interface IvfPqBuildOptions {
  threads?: number;
  onProgress?: (phase: "train" | "encode", done: number, total: number) => void;
}

/**
 * An inverted file with product-quantized residuals (FAISS `IndexIVFPQ`, by_residual) and exact
 * re-ranking from the full-precision store (FAISS's IndexIVFPQR refinement idea):
 *
 * - train: k-means on a sample gives `nlist` coarse centroids; each vector's residual to its
 *   centroid is split into `m` sub-vectors, and k-means per sub-space gives 2^nbits codewords;
 * - add (with ids): a vector goes to its nearest list as its id and `m` one-byte codes;
 * - search: the `nprobe` nearest lists are scanned with an asymmetric distance table (the
 *   query's inner product with every codeword, m x 2^nbits, built once per query), so a
 *   candidate costs m table lookups; the best `rerank` are re-scored exactly and the top k kept.
 *
 * Written in TypeScript because no maintained npm package does this: `faiss-node` is a native
 * addon not among our dependencies and has seen no release since 2023. Heavy training steps
 * (coarse assignment) use usearch's SIMD exact search. Codes take one byte each even when
 * nbits < 8. Deleted entries are tombstones in their list until `compact`.
 */
export class IvfPqIndex extends CandidateIndex {
  readonly kind = "ivfpq" as const;
  readonly params: IvfPqResolved;
  private readonly ksub: number;
  private readonly dsub: number;
  /** nlist x dims, and each centroid's squared norm (probe order is by L2 distance, as FAISS's IndexFlatL2 quantizer). */
  private readonly centroids: Float32Array;
  private readonly centroidNorms: Float32Array;
  /** m x ksub x dsub, sub-space major. */
  private readonly codebooks: Float32Array;
  private readonly codebookNorms: Float32Array;
  private listIds: Int32Array[];
  private listCodes: Uint8Array[];
  private readonly listSize: Int32Array;
  /** id -> list * 2^32 + position. */
  private readonly where = new Map<number, number>();
  private dead = 0;

  private constructor(
    flat: FlatVectors,
    params: IvfPqResolved,
    centroids: Float32Array,
    codebooks: Float32Array,
  ) {
    super(flat);
    this.params = params;
    this.ksub = 1 << params.nbits;
    this.dsub = this.dims / params.m;
    this.centroids = centroids;
    this.codebooks = codebooks;
    this.centroidNorms = new Float32Array(params.nlist);
    for (let l = 0; l < params.nlist; l++) this.centroidNorms[l] = dot(centroids, l * this.dims, centroids, l * this.dims, this.dims);
    this.codebookNorms = new Float32Array(params.m * this.ksub);
    for (let c = 0; c < params.m * this.ksub; c++) this.codebookNorms[c] = dot(codebooks, c * this.dsub, codebooks, c * this.dsub, this.dsub);
    this.listIds = Array.from({ length: params.nlist }, () => new Int32Array(0));
    this.listCodes = Array.from({ length: params.nlist }, () => new Uint8Array(0));
    this.listSize = new Int32Array(params.nlist);
  }

  /** Trains the quantizers on `flat` and adds every vector in it. */
  static build(flat: FlatVectors, params: Partial<IvfPqParams> = {}, options: IvfPqBuildOptions = {}): IvfPqIndex {
    const n = flat.size;
    if (n === 0) throw new Error("cannot train an IVF-PQ index on no vectors");
    const dims = flat.dims;
    const p = resolveIvfPq(params, n, dims);
    const random = seededRandom(p.seed);
    flat.compact();
    const data = flat.matrix;
    options.onProgress?.("train", 0, 3);
    const centroids = kmeans(data, n, dims, p.nlist, { iterations: p.iterations, seed: p.seed, maxPointsPerCentroid: COARSE_POINTS_PER_CENTROID, threads: options.threads });
    options.onProgress?.("train", 1, 3);

    // PQ codebooks from the residuals of a sample.
    const ksub = 1 << p.nbits;
    const dsub = dims / p.m;
    const sample = sampleIndexes(n, ksub * PQ_POINTS_PER_CENTROID, random);
    const sampleRows = new Float32Array(sample.length * dims);
    for (let i = 0; i < sample.length; i++) sampleRows.set(data.subarray(sample[i]! * dims, (sample[i]! + 1) * dims), i * dims);
    const sampleLists = nearestCentroids(centroids, p.nlist, sampleRows, sample.length, dims, options.threads);
    for (let i = 0; i < sample.length; i++) {
      const c = sampleLists[i]! * dims;
      for (let d = 0; d < dims; d++) sampleRows[i * dims + d]! -= centroids[c + d]!;
    }
    const codebooks = new Float32Array(p.m * ksub * dsub);
    const sub = new Float32Array(sample.length * dsub);
    for (let j = 0; j < p.m; j++) {
      for (let i = 0; i < sample.length; i++) sub.set(sampleRows.subarray(i * dims + j * dsub, i * dims + (j + 1) * dsub), i * dsub);
      const kSub = Math.min(ksub, sample.length);
      const book = kmeans(sub, sample.length, dsub, kSub, { iterations: p.iterations, seed: p.seed + j + 1, maxPointsPerCentroid: PQ_POINTS_PER_CENTROID });
      codebooks.set(book, j * ksub * dsub);
    }
    options.onProgress?.("train", 3, 3);

    const index = new IvfPqIndex(flat, p, centroids, codebooks);
    index.addRows(flat, options);
    return index;
  }

  /**
   * Encodes and appends every live vector of the store. Work goes in batches, one sub-space at
   * a time, so that `nearestCentroids` can hand the big ones to usearch's SIMD kernels.
   */
  private addRows(flat: FlatVectors, options: IvfPqBuildOptions): void {
    const { dims, dsub, ksub } = this;
    const { m, nlist } = this.params;
    const total = flat.slotCount;
    const BATCH = 4096;
    const residuals = new Float32Array(BATCH * dims);
    const sub = new Float32Array(BATCH * dsub);
    const codes = new Uint8Array(BATCH * m);
    const matrix = flat.matrix;
    for (let start = 0; start < total; start += BATCH) {
      const end = Math.min(total, start + BATCH);
      const rows = end - start;
      const lists = nearestCentroids(this.centroids, nlist, matrix.subarray(start * dims, end * dims), rows, dims, options.threads);
      for (let i = 0; i < rows; i++) {
        const cb = lists[i]! * dims;
        const vb = (start + i) * dims;
        for (let d = 0; d < dims; d++) residuals[i * dims + d] = matrix[vb + d]! - this.centroids[cb + d]!;
      }
      for (let j = 0; j < m; j++) {
        for (let i = 0; i < rows; i++) sub.set(residuals.subarray(i * dims + j * dsub, i * dims + (j + 1) * dsub), i * dsub);
        const book = this.codebooks.subarray(j * ksub * dsub, (j + 1) * ksub * dsub);
        const labels = nearestCentroids(book, ksub, sub, rows, dsub, options.threads);
        for (let i = 0; i < rows; i++) codes[i * m + j] = labels[i]!;
      }
      for (let i = 0; i < rows; i++) {
        const id = flat.idAt(start + i);
        if (id >= 0) this.append(id, lists[i]!, codes.subarray(i * m, (i + 1) * m));
      }
      options.onProgress?.("encode", end, total);
    }
  }

  /** Bytes of the index itself (codes, ids, centroids, codebooks), without the full-precision store. */
  get bytes(): number {
    let entries = 0;
    for (let l = 0; l < this.params.nlist; l++) entries += this.listSize[l]!;
    return entries * (this.params.m + 4) + this.centroids.byteLength + this.codebooks.byteLength;
  }

  private nearestList(v: Float32Array, offset: number): number {
    let best = 0;
    let bestD = Infinity;
    for (let l = 0; l < this.params.nlist; l++) {
      const d = this.centroidNorms[l]! - 2 * dot(this.centroids, l * this.dims, v, offset, this.dims);
      if (d < bestD) {
        bestD = d;
        best = l;
      }
    }
    return best;
  }

  /** PQ codes of (v - centroid[list]) into `codes`. */
  private encode(v: Float32Array, offset: number, list: number, residual: Float32Array, codes: Uint8Array): void {
    const { dims, dsub, ksub, codebooks, codebookNorms } = this;
    const cb = list * dims;
    for (let d = 0; d < dims; d++) residual[d] = v[offset + d]! - this.centroids[cb + d]!;
    for (let j = 0; j < this.params.m; j++) {
      const r0 = j * dsub;
      let best = 0;
      let bestD = Infinity;
      for (let c = 0, w = j * ksub * dsub; c < ksub; c++, w += dsub) {
        let ip = 0;
        for (let d = 0; d < dsub; d++) ip += residual[r0 + d]! * codebooks[w + d]!;
        const dist = codebookNorms[j * ksub + c]! - 2 * ip;
        if (dist < bestD) {
          bestD = dist;
          best = c;
        }
      }
      codes[j] = best;
    }
  }

  private append(id: number, list: number, codes: Uint8Array): void {
    const m = this.params.m;
    let size = this.listSize[list]!;
    if (size === this.listIds[list]!.length) {
      const cap = Math.max(16, size * 2);
      const ids = new Int32Array(cap);
      ids.set(this.listIds[list]!);
      const c = new Uint8Array(cap * m);
      c.set(this.listCodes[list]!);
      this.listIds[list] = ids;
      this.listCodes[list] = c;
    }
    this.listIds[list]![size] = id;
    this.listCodes[list]!.set(codes, size * m);
    this.where.set(id, list * 2 ** 32 + size);
    this.listSize[list] = ++size;
  }

  private tombstone(id: number): boolean {
    const w = this.where.get(id);
    if (w === undefined) return false;
    const list = Math.floor(w / 2 ** 32);
    this.listIds[list]![w - list * 2 ** 32] = -1;
    this.where.delete(id);
    this.dead++;
    return true;
  }

  /** Lists in probe order for a query: nearest centroid (L2) first. */
  private probeOrder(query: Float32Array, count: number): Int32Array {
    const { nlist } = this.params;
    const top = new TopK(Math.min(count, nlist));
    for (let l = 0; l < nlist; l++) top.push(l, 2 * dot(this.centroids, l * this.dims, query, 0, this.dims) - this.centroidNorms[l]!);
    return Int32Array.from(top.result(), (h) => h.id);
  }

  /**
   * The best `n` by exact score among the best max(n, rerank) PQ candidates of the probed lists.
   * More lists than nprobe are probed when the first ones hold fewer than that many entries.
   */
  protected candidates(query: Float32Array, n: number): VectorHit[] {
    const { m } = this.params;
    const { ksub, dsub, codebooks } = this;
    const want = Math.max(n, this.params.rerank);
    // Asymmetric distance table: <q_j, codeword_j[c]> for every sub-space j and codeword c.
    const table = new Float32Array(m * ksub);
    for (let j = 0; j < m; j++) {
      for (let c = 0; c < ksub; c++) table[j * ksub + c] = dot(query, j * dsub, codebooks, (j * ksub + c) * dsub, dsub);
    }
    const top = new TopK(want);
    let scanned = 0;
    const order = this.probeOrder(query, this.params.nlist);
    for (let p = 0; p < order.length; p++) {
      if (p >= this.params.nprobe && scanned >= want) break;
      const list = order[p]!;
      const base = dot(this.centroids, list * this.dims, query, 0, this.dims);
      const ids = this.listIds[list]!;
      const codes = this.listCodes[list]!;
      const size = this.listSize[list]!;
      for (let e = 0, cb = 0; e < size; e++, cb += m) {
        const id = ids[e]!;
        if (id < 0) continue;
        let s = base;
        for (let j = 0, t = 0; j < m; j++, t += ksub) s += table[t + codes[cb + j]!]!;
        scanned++;
        if (s > top.threshold) top.push(id, s);
      }
    }
    const ids = top.result().map((h) => h.id);
    return this.flat.rerank(query, n, ids);
  }

  /** Re-encodes changed ids with the trained quantizers (no retraining: rebuild for a drifted collection). */
  refresh(ids: ArrayLike<number>): void {
    const codes = new Uint8Array(this.params.m);
    const residual = new Float32Array(this.dims);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      this.tombstone(id);
      const v = this.flat.vector(id);
      if (!v) continue;
      const list = this.nearestList(v, 0);
      this.encode(v, 0, list, residual, codes);
      this.append(id, list, codes);
    }
    this.flat.compactIfNeeded();
    if (this.dead > IVFPQ_COMPACT_AT * Math.max(this.where.size, 1)) this.compact();
  }

  /** Rewrites every list without its tombstones. */
  compact(): void {
    const m = this.params.m;
    for (let l = 0; l < this.params.nlist; l++) {
      const ids = this.listIds[l]!;
      const codes = this.listCodes[l]!;
      let w = 0;
      for (let e = 0; e < this.listSize[l]!; e++) {
        const id = ids[e]!;
        if (id < 0) continue;
        if (w !== e) {
          ids[w] = id;
          codes.copyWithin(w * m, e * m, (e + 1) * m);
        }
        this.where.set(id, l * 2 ** 32 + w);
        w++;
      }
      this.listSize[l] = w;
    }
    this.dead = 0;
    this.flat.compact();
  }

  /**
   * One file: magic, a JSON header (parameters, counts), then centroids, codebooks, list
   * sizes, every list's ids, every list's codes (little-endian, 4-byte aligned sections).
   */
  save(path: string): void {
    this.compact();
    const { nlist, m } = this.params;
    const header = Buffer.from(JSON.stringify({ dims: this.dims, params: this.params, count: this.where.size }));
    const pad = (4 - ((MAGIC.length + 4 + header.length) % 4)) % 4;
    const fd = openSync(path, "w");
    try {
      const lengths = Buffer.alloc(4);
      lengths.writeUInt32LE(header.length + pad);
      writeSync(fd, Buffer.from(MAGIC));
      writeSync(fd, lengths);
      writeSync(fd, Buffer.concat([header, Buffer.alloc(pad, 0x20)]));
      const bytes = (a: ArrayBufferView) => writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      bytes(this.centroids);
      bytes(this.codebooks);
      bytes(new Uint32Array(this.listSize));
      for (let l = 0; l < nlist; l++) bytes(this.listIds[l]!.subarray(0, this.listSize[l]!));
      let codeBytes = 0;
      for (let l = 0; l < nlist; l++) {
        bytes(this.listCodes[l]!.subarray(0, this.listSize[l]! * m));
        codeBytes += this.listSize[l]! * m;
      }
      if (codeBytes % 4) writeSync(fd, Buffer.alloc(4 - (codeBytes % 4)));
    } finally {
      closeSync(fd);
    }
  }

  /** Loads a file written by `save`; `flat` must hold the vectors (re-ranking reads them). `nprobe` and `rerank` may be overridden. */
  static load(path: string, flat: FlatVectors, overrides: Partial<Pick<IvfPqParams, "nprobe" | "rerank">> = {}): IvfPqIndex {
    const buf = readFileSync(path);
    if (buf.subarray(0, MAGIC.length).toString() !== MAGIC) throw new Error(`${path}: not a Plotline IVF-PQ file`);
    const headerLength = buf.readUInt32LE(MAGIC.length);
    let offset = MAGIC.length + 4;
    const header = JSON.parse(buf.subarray(offset, offset + headerLength).toString()) as { dims: number; params: IvfPqResolved; count: number };
    offset += headerLength;
    if (header.dims !== flat.dims) throw new Error(`${path}: index has ${header.dims} dimensions, expected ${flat.dims}`);
    const params: IvfPqResolved = { ...header.params };
    if (overrides.nprobe != null) params.nprobe = overrides.nprobe;
    if (overrides.rerank != null) params.rerank = overrides.rerank;
    const { nlist, m, nbits } = params;
    const dims = header.dims;
    // Copies, not views: the file buffer may not be aligned for Float32Array and lists grow later.
    const take = (bytes: number) => {
      const out = new Uint8Array(bytes);
      out.set(buf.subarray(offset, offset + bytes));
      offset += bytes;
      return out.buffer;
    };
    const centroids = new Float32Array(take(nlist * dims * 4));
    const codebooks = new Float32Array(take(m * (1 << nbits) * (dims / m) * 4));
    const sizes = new Uint32Array(take(nlist * 4));
    const index = new IvfPqIndex(flat, params, centroids, codebooks);
    for (let l = 0; l < nlist; l++) {
      index.listIds[l] = new Int32Array(take(sizes[l]! * 4));
      index.listSize[l] = sizes[l]!;
    }
    for (let l = 0; l < nlist; l++) {
      index.listCodes[l] = new Uint8Array(take(sizes[l]! * m));
      const ids = index.listIds[l]!;
      for (let e = 0; e < sizes[l]!; e++) index.where.set(ids[e]!, l * 2 ** 32 + e);
    }
    if (index.where.size !== header.count) throw new Error(`${path}: truncated or corrupt (${index.where.size} entries, header says ${header.count})`);
    return index;
  }
}
