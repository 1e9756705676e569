import { Index, MetricKind, ScalarKind } from "usearch";
import { InvalidArgumentError } from "../errors.js";
import { CandidateIndex } from "./candidates.js";
import { withDefaults } from "./params.js";
import type { FlatVectors } from "./flat.js";
import type { VectorHit } from "./vector-index.js";

export const HNSW_QUANTIZATIONS = ["f32", "f16", "i8"] as const;

export interface HnswParams {
  /**
   * Links per node (usearch "connectivity", hnswlib's M). Default 32: on 200,000 clustered
   * 384-d vectors M 32 reached recall@10 0.990 at efSearch 128 in 1.1 ms, where M 16 reached
   * 0.976 to 0.988 in 2 to 2.7 ms; at a million, M 16 plateaued near 0.93 (efSearch 256).
   */
  M: number;
  /** Candidate list size while inserting; higher builds a better graph, slower. Default 128. */
  efConstruction: number;
  /** Candidate list size while searching (at least k is used); the recall/latency knob. Default 128. */
  efSearch: number;
  /**
   * How usearch stores its own copy of the vectors. Default `f32`; `f16` halves the graph's
   * memory at a tiny recall cost (hits are re-scored from the full-precision store anyway).
   */
  quantization: (typeof HNSW_QUANTIZATIONS)[number];
}

export const DEFAULT_HNSW: HnswParams = { M: 32, efConstruction: 128, efSearch: 128, quantization: "f32" };

/** Deleted entries (usearch keeps them in the graph) past which `compact` rebuilds the graph: 20% of the live count. */
export const HNSW_REBUILD_AT = 0.2;

/** Vectors handed to usearch per `add` call while building, so progress can be reported. */
const BUILD_BATCH = 16_384;

export function checkHnswParams(p: HnswParams): HnswParams {
  const int = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new InvalidArgumentError(name, `must be an integer from ${min} to ${max}, got ${v}`);
  };
  int("M", p.M, 2, 256);
  int("efConstruction", p.efConstruction, 1, 4096);
  int("efSearch", p.efSearch, 1, 4096);
  if (!(HNSW_QUANTIZATIONS as readonly string[]).includes(p.quantization)) throw new InvalidArgumentError("quantization", `must be one of ${HNSW_QUANTIZATIONS.join(", ")}, got '${p.quantization}'`);
  return p;
}

function nativeIndex(dims: number, p: HnswParams): Index {
  return new Index({
    dimensions: dims,
    metric: MetricKind.IP,
    quantization: p.quantization as ScalarKind,
    connectivity: p.M,
    expansion_add: p.efConstruction,
    expansion_search: p.efSearch,
    multi: false,
  });
}

export interface BuildOptions {
  /**
   * Threads for building. Default 1: usearch 2.25's concurrent insertion can leave a few nodes
   * unreachable by search (unum-cloud/USearch#735; we saw about 7 in 10,000 with 2 threads),
   * so more threads trade a faster build for a slightly lossy graph. Queries always run on the
   * calling thread only.
   */
  threads?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * HNSW graph search through usearch (a maintained C++ library with SIMD distance kernels and
 * Node bindings), keyed by movie rowid, with the full-precision vectors kept in a `FlatVectors`
 * store beside it: hits are re-scored from the store, so scores equal the exact index's, and
 * selective filters are searched exactly there. usearch's Node binding has no filtered search,
 * so other filters oversample and post-filter (`filtered.ts`). Deletes are usearch tombstones;
 * `compact` rebuilds the graph once they pass 20% of the live count.
 */
export class HnswIndex extends CandidateIndex {
  readonly kind = "hnsw" as const;
  private removedSinceBuild: number;

  private constructor(
    flat: FlatVectors,
    readonly params: HnswParams,
    private native: Index,
    removed = 0,
  ) {
    super(flat);
    this.removedSinceBuild = removed;
  }

  /** Builds the graph over every vector in `flat`. */
  static build(flat: FlatVectors, params: Partial<HnswParams> = {}, options: BuildOptions = {}): HnswIndex {
    const p = checkHnswParams(withDefaults(DEFAULT_HNSW, params));
    return new HnswIndex(flat, p, buildNative(flat, p, options));
  }

  /**
   * Loads a graph saved with `save`. `efSearch` (and only it) may differ from the build's:
   * usearch takes it from the constructor, not the file. The caller brings `flat` up to date
   * and then calls `refresh` for ids that changed since the save.
   */
  static load(path: string, flat: FlatVectors, params: Partial<HnswParams> = {}, removed = 0): HnswIndex {
    const p = checkHnswParams(withDefaults(DEFAULT_HNSW, params));
    const native = nativeIndex(flat.dims, p);
    native.load(path);
    if (native.dimensions() !== flat.dims) throw new Error(`${path}: graph has ${native.dimensions()} dimensions, expected ${flat.dims}`);
    return new HnswIndex(flat, p, native, removed);
  }

  /** Deleted entries still in the graph. */
  get removed(): number {
    return this.removedSinceBuild;
  }

  /** Entries in the graph (usearch's count, deletions excluded). */
  get graphSize(): number {
    return this.native.size();
  }

  /** The graph's best n, re-scored exactly. */
  protected candidates(query: Float32Array, n: number): VectorHit[] {
    const m = this.native.search(query, n, 1);
    const ids = new Array<number>(m.keys.length);
    for (let i = 0; i < m.keys.length; i++) ids[i] = Number(m.keys[i]);
    return this.flat.rerank(query, n, ids);
  }

  refresh(ids: ArrayLike<number>): void {
    if (ids.length === 0) return;
    const keys = BigUint64Array.from(Array.from(ids, (id) => BigInt(id)));
    const removed = this.native.remove(keys) as number[];
    const addKeys: bigint[] = [];
    const rows: Float32Array[] = [];
    for (let i = 0; i < ids.length; i++) {
      const v = this.flat.vector(ids[i]!);
      if (v) {
        addKeys.push(keys[i]!);
        rows.push(v);
      }
      if (removed[i]) this.removedSinceBuild++;
    }
    if (addKeys.length) {
      const matrix = new Float32Array(addKeys.length * this.dims);
      rows.forEach((r, i) => matrix.set(r, i * this.dims));
      this.native.add(BigUint64Array.from(addKeys), matrix, 1);
    }
    this.flat.compactIfNeeded();
    if (this.removedSinceBuild > HNSW_REBUILD_AT * Math.max(this.flat.size, 1)) this.compact();
  }

  /** Rebuilds the graph from the live vectors, dropping usearch's tombstones. */
  compact(options: BuildOptions = {}): void {
    this.flat.compact();
    this.native = buildNative(this.flat, this.params, options);
    this.removedSinceBuild = 0;
  }

  save(path: string): void {
    this.native.save(path);
  }
}

function buildNative(flat: FlatVectors, p: HnswParams, options: BuildOptions): Index {
  const native = nativeIndex(flat.dims, p);
  const threads = options.threads ?? 1;
  const total = flat.size;
  const dims = flat.dims;
  const batch = new Float32Array(BUILD_BATCH * dims);
  const keys = new BigUint64Array(BUILD_BATCH);
  let filled = 0;
  let done = 0;
  const flush = () => {
    if (filled === 0) return;
    native.add(keys.subarray(0, filled), batch.subarray(0, filled * dims), threads);
    done += filled;
    filled = 0;
    options.onProgress?.(done, total);
  };
  const matrix = flat.matrix;
  for (let s = 0; s < flat.slotCount; s++) {
    const id = flat.idAt(s);
    if (id < 0) continue;
    keys[filled] = BigInt(id);
    batch.set(matrix.subarray(s * dims, (s + 1) * dims), filled * dims);
    if (++filled === BUILD_BATCH) flush();
  }
  flush();
  return native;
}
