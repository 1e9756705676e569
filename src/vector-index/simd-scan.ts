/**
 * Approximate inner products of one query with every row of a matrix, in WebAssembly SIMD over
 * an 8-bit copy of the rows, with a bound on the error so callers can re-score the few rows
 * near the cut exactly (`FlatVectors` does). Written by hand because the libraries at hand are
 * slower at this size: a scan of float rows is memory-bound (10,852 x 100 floats is 4.3 MB a
 * query, more than a core's cache holds while a server does other work), and usearch's
 * `exactSearch` reads floats too; its i8 metric quantizes without a bound, so its results are
 * not exact. Each row is kept as int8 with its own scale (a quarter of the bytes) and the query
 * as int16, and `i32x4.dot_i16x8_s` multiplies eight pairs per instruction with exact integer
 * sums. onnxruntime's matrix-vector product runs only asynchronously, which the synchronous
 * index interface rules out. `npm run bench -- foundation` measures the scan beside usearch and
 * a JavaScript loop; `test/index-simd-scan.test.ts` checks the bound and the exact results.
 *
 * The module is assembled below from named opcodes (no binary blob, no toolchain), over an
 * imported memory: `scores` (generated for the row width, four rows at a time) writes every
 * row's approximate score and a sampled histogram of them, and `select` lists the rows at or
 * above a floor, so JavaScript only reads the few candidates.
 */

const I32 = 0x7f;
const V128 = 0x7b;

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

const name = (s: string) => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];
const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const i32 = (n: number) => [0x41, ...sleb(n)];
const simd = (op: number) => [0xfd, ...leb(op)];
const F32 = 0x7d;
const ADD = 0x6a; // i32.add
const AND = 0x71; // i32.and
const EQZ = 0x45; // i32.eqz
const SHL = 0x74; // i32.shl
const LT_U = 0x49; // i32.lt_u
const GE_U = 0x4f; // i32.ge_u
const SELECT = 0x1b;
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const IF = [0x04, 0x40];
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const TEE = (i: number) => [0x22, i];
const I32_LOAD = 0x28;
const I32_STORE = 0x36;
const F32_LOAD = 0x2a;
const F32_STORE = 0x38;
const F32_GE = 0x60;
const F32_SUB = 0x93;
const F32_MUL = 0x94;
const I32_FROM_F32_SAT = [0xfc, 0x00]; // i32.trunc_sat_f32_s
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const I8X16_SHUFFLE = 0x0d;
const F32X4_EXTRACT = 0x1f;
const F32X4_MUL = 0xe6;
const F32X4_FROM_I32X4 = 0xfa; // f32x4.convert_i32x4_s
const F32X4_SPLAT = 0x13;
const F32X4_GE = 0x46;
const V128_ANY_TRUE = 0x53;
const I16X8_FROM_I8_LOW = 0x87; // i16x8.extend_low_i8x16_s
const I16X8_FROM_I8_HIGH = 0x88; // i16x8.extend_high_i8x16_s
const I32X4_ADD = 0xae;
const I32X4_DOT_I16 = 0xba; // i32x4.dot_i16x8_s: pairwise products of int16 lanes, summed in pairs

/** Buckets of the histogram of scores that `scores` fills: fine enough that a bar overshoots k by a few rows. */
const BUCKETS = 2048;
/**
 * One row in this many is counted in the histogram: counting every row costs as much as half
 * the scan (increments of the same few buckets wait on each other), and a sample places the bar
 * well enough.
 */
const SAMPLE = 16;

/** i8x16.shuffle's lane bytes taking the given i32 lanes (0-3 of the first vector, 4-7 of the second). */
const lanes32 = (...l: number[]) => l.flatMap((i) => [4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3]);

/**
 * scores(q, rows, count, scales, out, queryScale, hist, lo, bucketScale) for rows of `rowBytes`:
 * for each row r, out[r] = (int16 q . int8 row r) * scales[r] * queryScale, and for every
 * SAMPLE-th row hist[bucket of out[r]] += 1. Rows go in groups of 4 (the areas hold a multiple
 * of 4 rows; scores past `count` are never read).
 */
function scoresBody(rowBytes: number): number[] {
  const [Q, DATA, ROWS, SCALES, OUT, QSCALE, HIST, LO, BSCALE, R, ROW, B, S, A0, A1, A2, A3, X, QL, QH, T0, T1, QS4] = Array.from({ length: 23 }, (_, i) => i);
  const acc = [A0!, A1!, A2!, A3!];
  // Four rows at a time: each chunk of the query is loaded once for the four, and the four sums
  // are reduced, scaled and stored together. Every row is unrolled, so loads have constant offsets.
  const body: number[] = [];
  for (let c = 0; c < rowBytes; c += 16) {
    body.push(...get(Q!), ...simd(V128_LOAD), 0, ...leb(2 * c), ...set(QL!));
    body.push(...get(Q!), ...simd(V128_LOAD), 0, ...leb(2 * c + 16), ...set(QH!));
    for (let r = 0; r < 4; r++) {
      body.push(...get(ROW!), ...simd(V128_LOAD), 0, ...leb(r * rowBytes + c), ...set(X!));
      if (c > 0) body.push(...get(acc[r]!));
      body.push(...get(X!), ...simd(I16X8_FROM_I8_LOW), ...get(QL!), ...simd(I32X4_DOT_I16));
      if (c > 0) body.push(...simd(I32X4_ADD));
      body.push(...get(X!), ...simd(I16X8_FROM_I8_HIGH), ...get(QH!), ...simd(I32X4_DOT_I16), ...simd(I32X4_ADD), ...set(acc[r]!));
    }
  }
  const pairSum = (a: number, b: number, out: number) => [
    ...get(a), ...get(b), ...simd(I8X16_SHUFFLE), ...lanes32(0, 1, 4, 5),
    ...get(a), ...get(b), ...simd(I8X16_SHUFFLE), ...lanes32(2, 3, 6, 7),
    ...simd(I32X4_ADD), ...set(out),
  ]; // prettier-ignore
  return [
    ...vec([
      [3, I32],
      [1, F32],
      [10, V128],
    ]),
    ...get(QSCALE!), ...simd(F32X4_SPLAT), ...set(QS4!),
    ...get(DATA!), ...set(ROW!),
    ...i32(0), ...set(R!),
    ...BLOCK, ...LOOP,
    ...get(R!), ...get(ROWS!), GE_U, BR_IF, 1,
    ...body,
    // [sum A0, sum A1, sum A2, sum A3] by two rounds of pairwise lane sums
    ...pairSum(A0!, A1!, T0!), ...pairSum(A2!, A3!, T1!),
    ...get(T0!), ...get(T1!), ...simd(I8X16_SHUFFLE), ...lanes32(0, 2, 4, 6),
    ...get(T0!), ...get(T1!), ...simd(I8X16_SHUFFLE), ...lanes32(1, 3, 5, 7),
    ...simd(I32X4_ADD), ...set(X!),
    // out[r..r+4] = float(sums) * scales[r..r+4] * queryScale
    ...get(OUT!), ...get(R!), ...i32(2), SHL, ADD,
    ...get(X!), ...simd(F32X4_FROM_I32X4),
    ...get(SCALES!), ...get(R!), ...i32(2), SHL, ADD, ...simd(V128_LOAD), 0, 0, ...simd(F32X4_MUL),
    ...get(QS4!), ...simd(F32X4_MUL), ...TEE(X!),
    ...simd(V128_STORE), 0, 0,
    // if r % SAMPLE == 0: hist[min(BUCKETS - 1, (out[r] - lo) * bucketScale)] += 1
    ...get(R!), ...i32(SAMPLE - 1), AND, EQZ, ...IF,
    ...get(X!), ...simd(F32X4_EXTRACT), 0, ...set(S!),
    ...get(S!), ...get(LO!), F32_SUB, ...get(BSCALE!), F32_MUL, ...I32_FROM_F32_SAT, ...set(B!),
    ...get(B!), ...i32(BUCKETS - 1), ...get(B!), ...i32(BUCKETS), LT_U, SELECT, ...i32(2), SHL, ...get(HIST!), ADD, ...set(B!),
    ...get(B!), ...get(B!), I32_LOAD, 2, 0, ...i32(1), ADD, I32_STORE, 2, 0,
    END,
    ...get(ROW!), ...i32(4 * rowBytes), ADD, ...set(ROW!),
    ...get(R!), ...i32(4), ADD, ...set(R!),
    BR, 0, END, END,
    END,
  ]; // prettier-ignore
}

/**
 * select(out, count, floor, candRows, candScores) -> n: the rows whose score is at least floor,
 * in row order, with their scores. Four scores are compared at a time and only a group with a
 * hit is looked at one by one, since almost every row falls below the floor.
 */
const SELECT_ROWS = (() => {
  const [OUT, ROWS, FLOOR, CROWS, CSCORES, R, C, J, S, F4] = Array.from({ length: 10 }, (_, i) => i);
  return [
    ...vec([
      [3, I32],
      [1, F32],
      [1, V128],
    ]),
    ...get(FLOOR!), ...simd(F32X4_SPLAT), ...set(F4!),
    ...i32(0), ...set(R!), ...i32(0), ...set(C!),
    ...BLOCK, ...LOOP,
    ...get(R!), ...get(ROWS!), GE_U, BR_IF, 1,
    ...get(OUT!), ...get(R!), ...i32(2), SHL, ADD, ...simd(V128_LOAD), 0, 0, ...get(F4!), ...simd(F32X4_GE), ...simd(V128_ANY_TRUE),
    ...IF,
    ...get(R!), ...set(J!),
    ...BLOCK, ...LOOP,
    ...get(J!), ...get(ROWS!), GE_U, BR_IF, 1,
    ...get(J!), ...get(R!), ...i32(4), ADD, GE_U, BR_IF, 1,
    ...get(OUT!), ...get(J!), ...i32(2), SHL, ADD, F32_LOAD, 2, 0, ...TEE(S!), ...get(FLOOR!), F32_GE,
    ...IF,
    ...get(CROWS!), ...get(C!), ...i32(2), SHL, ADD, ...get(J!), I32_STORE, 2, 0,
    ...get(CSCORES!), ...get(C!), ...i32(2), SHL, ADD, ...get(S!), F32_STORE, 2, 0,
    ...get(C!), ...i32(1), ADD, ...set(C!),
    END,
    ...get(J!), ...i32(1), ADD, ...set(J!),
    BR, 0, END, END,
    END,
    ...get(R!), ...i32(4), ADD, ...set(R!),
    BR, 0, END, END,
    ...get(C!),
    END,
  ]; // prettier-ignore
})();

/**
 * The module for rows of `rowBytes` (a multiple of 16): `scores` is generated for that width, so
 * it is compiled once per width and kept.
 */
function moduleBytes(rowBytes: number): Uint8Array {
  const scores = scoresBody(rowBytes);
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(
      1,
      vec([
        [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [F32], [I32], [F32], [F32]]), 0],
        [0x60, ...vec([[I32], [I32], [F32], [I32], [I32]]), ...vec([[I32]])],
      ]),
    ),
    ...section(2, vec([[...name("m"), ...name("mem"), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0], [1]])),
    ...section(7, vec([[...name("scores"), 0x00, 0], [...name("select"), 0x00, 1]])),
    ...section(10, vec([[...leb(scores.length), ...scores], [...leb(SELECT_ROWS.length), ...SELECT_ROWS]])),
  ]);
}

const modules = new Map<number, WebAssembly.Module>();
function moduleFor(rowBytes: number): WebAssembly.Module {
  let m = modules.get(rowBytes);
  // The cast: a dependency's types (cross-fetch, under weaviate-client) bring in the DOM's BufferSource, which wants an ArrayBuffer-backed view.
  if (!m) modules.set(rowBytes, (m = new WebAssembly.Module(moduleBytes(rowBytes) as Uint8Array<ArrayBuffer>)));
  return m;
}

/** Whether this runtime has WebAssembly SIMD (Node 16.4+ does). */
export const SIMD_SCAN_AVAILABLE = typeof WebAssembly === "object" && WebAssembly.validate(moduleBytes(32));

/** Dimensions the kernel handles per step: rows are padded with zeros to a multiple of it. */
const STEP = 16;
const PAGE = 65536;
/** Largest magnitude of a row's quantized values: int8, symmetric around zero. */
const ROW_LEVELS = 127;
/** Scores and products below this stay clear of float32's largest value (3.4e38). */
const FLOAT32_SAFE = 1e37;

/** Rows whose approximate score reached a floor (`SimdScan.select`), valid until the next call. */
export interface Selected {
  rows: Int32Array;
  scores: Float32Array;
}

/**
 * Most bytes of one part of the 8-bit copy (256 MB: 2.1M rows of 100 dims, 670k of 384; a row
 * costs its dims rounded up to 16, plus 16 bytes of scale, score and candidate slots). Larger
 * copies are split into parts of this size, each a WebAssembly memory of its own, so a store of
 * any size is scanned at 8 bits; a memory never grows past a part, far below wasm32's 4 GB.
 */
export const SIMD_SCAN_PART_BYTES = 256 * 1024 * 1024;

export interface SimdScanOptions {
  /** Rows per part (a multiple of 4). Default: as many as `SIMD_SCAN_PART_BYTES` holds. Tests set it small to cross parts with little data. */
  partRows?: number;
}

/**
 * One part of the copy: rows [start, start + rows) of the matrix in a WebAssembly memory of its
 * own, laid out as [query | histogram | scales | scores | selected rows | their scores | rows],
 * each row padded to a multiple of 16 bytes, with its own instance of the module.
 */
class ScanPart {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  readonly kernel: (q: number, data: number, rows: number, scales: number, out: number, queryScale: number, hist: number, lo: number, bucketScale: number) => void;
  readonly selectRows: (out: number, rows: number, floor: number, candRows: number, candScores: number) => number;
  rows = 0;
  capacity = 0;
  readonly histAt: number;
  readonly scalesAt: number;
  outAt = 0;
  candRowsAt = 0;
  candScoresAt = 0;
  dataAt = 0;

  constructor(
    private readonly paddedDims: number,
    module: WebAssembly.Module,
  ) {
    this.histAt = paddedDims * 2;
    this.scalesAt = this.histAt + BUCKETS * 4;
    this.reserve(0);
    const instance = new WebAssembly.Instance(module, { m: { mem: this.memory } });
    this.kernel = instance.exports.scores as ScanPart["kernel"];
    this.selectRows = instance.exports.select as ScanPart["selectRows"];
  }

  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  /**
   * Room for `capacity` rows (a multiple of 4, so every area stays 16-byte aligned and `select`
   * reads whole groups of 4). The rows held move up to their new place; the scales stay where
   * they are (their area only lengthens); scores and candidates are scratch.
   */
  reserve(capacity: number): void {
    if (capacity <= this.capacity && this.dataAt) return;
    const dataAt = this.scalesAt + capacity * 16;
    const pages = Math.ceil((dataAt + capacity * this.paddedDims) / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages);
    if (this.rows > 0) new Uint8Array(this.memory.buffer).copyWithin(dataAt, this.dataAt, this.dataAt + this.rows * this.paddedDims);
    this.capacity = capacity;
    this.outAt = this.scalesAt + capacity * 4;
    this.candRowsAt = this.outAt + capacity * 4;
    this.candScoresAt = this.candRowsAt + capacity * 4;
    this.dataAt = dataAt;
  }
}

/**
 * An 8-bit copy of a matrix in WebAssembly memory, scored against one query at a time. Row r
 * is stored as round(x / s_r) with s_r = max|x| / 127, so each value is off by at most s_r / 2;
 * the query is scaled to int16 the same way. `scores` returns a bound on the error of every
 * row's score and histograms the scores; `bar` reads the histogram; `select` lists the rows at
 * or above a floor. The copy is kept in parts of `partRows` rows (`SIMD_SCAN_PART_BYTES`): each
 * is scanned by the same kernel into a histogram on a shared range, so the parts add up to one
 * scan with one error bound.
 */
export class SimdScan {
  readonly paddedDims: number;
  readonly partRows: number;
  private readonly parts: ScanPart[] = [];
  private readonly module: WebAssembly.Module;
  private rows = 0;
  /**
   * The largest row scale, row norm and rounding error's norm (|x - s x'|) loaded: the error
   * bound and histogram range are per query, so they take the worst row. Only a load from row 0
   * resets them; otherwise they only grow, which keeps the bound valid for every row.
   */
  private maxScale = 0;
  private maxNorm = 0;
  private maxResidual = 0;
  /** The last query's histogram: its lowest score and bucket width. */
  private lo = 0;
  private width = 0;
  /**
   * The largest query value: sums of products stay within int32 for any row, since each is at
   * most 127 * this * paddedDims.
   */
  private readonly queryLevels: number;
  private readonly q16: Int16Array;
  /** `select`'s answer when there are several parts: their candidates, row numbers made global. */
  private merged: Selected = { rows: new Int32Array(0), scores: new Float32Array(0) };

  constructor(
    readonly dims: number,
    options: SimdScanOptions = {},
  ) {
    this.paddedDims = Math.ceil(dims / STEP) * STEP;
    this.queryLevels = Math.min(32767, Math.floor(0x7fffffff / (ROW_LEVELS * this.paddedDims)));
    const perPart = options.partRows ?? Math.floor(SIMD_SCAN_PART_BYTES / (this.paddedDims + 16) / 4) * 4;
    if (!Number.isInteger(perPart) || perPart < 4 || perPart % 4) throw new Error(`partRows must be a positive multiple of 4, got ${options.partRows}`);
    this.partRows = perPart;
    this.module = moduleFor(this.paddedDims);
    this.q16 = new Int16Array(this.paddedDims);
  }

  /** Rows held. */
  get size(): number {
    return this.rows;
  }

  /** Parts the copy is kept in. */
  get partCount(): number {
    return Math.ceil(this.rows / this.partRows);
  }

  /**
   * Makes the copy hold the first `rows` rows of `data` (rows of `dims` floats): rows from
   * `from` on are (re)quantized, rows before it are taken to be current already (`setRow`
   * keeps them so). `from` 0 replaces everything.
   */
  load(data: Float32Array, rows: number, from = 0): void {
    from = Math.min(from, this.rows, rows);
    if (from === 0) {
      this.maxScale = 0;
      this.maxNorm = 0;
      this.maxResidual = 0;
    }
    const count = Math.ceil(rows / this.partRows);
    // Parts past the end are dropped, so their memory can be freed.
    this.parts.length = Math.min(this.parts.length, count);
    for (let p = 0; p < count; p++) {
      const start = p * this.partRows;
      const partRows = Math.min(this.partRows, rows - start);
      const part = (this.parts[p] ??= new ScanPart(this.paddedDims, this.module));
      // Full parts get exactly their rows; the last keeps room to grow by a quarter first.
      part.reserve(p < count - 1 ? this.partRows : Math.min(this.partRows, Math.ceil(Math.max(partRows * 1.25, 16) / 4) * 4));
      const first = Math.max(0, from - start);
      if (first < partRows) {
        const i8 = new Int8Array(part.buffer);
        const scales = new Float32Array(part.buffer, part.scalesAt, part.capacity);
        for (let r = first; r < partRows; r++) this.quantize(part, r, data, (start + r) * this.dims, i8, scales);
      }
      part.rows = partRows;
    }
    this.rows = rows;
  }

  /** Copies one row in place (`row` < the loaded row count). */
  setRow(row: number, data: Float32Array, offset: number): void {
    const part = this.parts[Math.floor(row / this.partRows)]!;
    this.quantize(part, row % this.partRows, data, offset, new Int8Array(part.buffer), new Float32Array(part.buffer, part.scalesAt, part.capacity));
  }

  private quantize(part: ScanPart, row: number, data: Float32Array, offset: number, i8: Int8Array, scales: Float32Array): void {
    const dims = this.dims;
    let max = 0;
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      const x = data[offset + d]!;
      max = Math.max(max, Math.abs(x));
      norm += x * x;
    }
    const scale = Math.fround(max / ROW_LEVELS);
    scales[row] = scale;
    const inv = scale > 0 ? 1 / scale : 0;
    const at = part.dataAt + row * this.paddedDims;
    let residual = 0;
    // Math.floor(v + 0.5) and min/max rather than Math.round and a branchy clamp: V8 does not
    // inline Math.round here, which made quantizing 3 times slower (14 against 4.5 ns a value).
    // The rounding mode does not matter to the bound, which uses the residual as measured.
    for (let d = 0; d < dims; d++) {
      const x = data[offset + d]!;
      const level = Math.min(ROW_LEVELS, Math.max(-ROW_LEVELS, Math.floor(x * inv + 0.5)));
      i8[at + d] = level;
      const e = x - scale * level;
      residual += e * e;
    }
    i8.fill(0, at + dims, at + this.paddedDims);
    this.maxScale = Math.max(this.maxScale, scale);
    this.maxNorm = Math.max(this.maxNorm, Math.sqrt(norm));
    this.maxResidual = Math.max(this.maxResidual, Math.sqrt(residual));
  }

  /**
   * Scores every loaded row against `query` (approximately: see `select` for the scores) and
   * returns the bound on |approximate - exact| that holds for every row, or Infinity when
   * there is none (a row or the query holds NaN or Infinity, or values near float32's limits):
   * the scores are then not written, and the caller must scan exactly.
   */
  scores(query: Float32Array): number {
    const dims = this.dims;
    let max = 0;
    let l2 = 0;
    for (let d = 0; d < dims; d++) {
      const a = Math.abs(query[d]!);
      if (a > max) max = a;
      l2 += a * a;
    }
    const levels = this.queryLevels;
    const scale = Math.fround(max / levels);
    const q16 = this.q16;
    // The query's own rounding error, measured rather than assumed (clamping, tiny scales).
    let qResidual = 0;
    for (let d = 0; d < dims; d++) {
      const level = scale > 0 ? clamp(Math.round(query[d]! / scale), levels) : 0;
      q16[d] = level;
      qResidual += (query[d]! - scale * level) ** 2;
    }
    q16.fill(0, dims);
    // q.x - s_q s_r q'.x' = q.(x - s_r x') + s_r (q - s_q q').x', so by Cauchy-Schwarz the miss is
    // at most |q| |x - s_r x'| + |q - s_q q'| (|x| + |x - s_r x'|), every norm measured. The
    // integer sums are exact; the rest covers the kernel's three float32 roundings (relative,
    // and absolute below float32's normal range) and `dot`'s own.
    const qNorm = Math.sqrt(l2);
    const r = this.maxResidual;
    const largest = this.maxScale * ROW_LEVELS * dims * max;
    const error = (qNorm * r + Math.sqrt(qResidual) * (this.maxNorm + r)) * (1 + 2 ** -20) + 2 ** -20 * (largest + qNorm * this.maxNorm) + 2 ** -148;
    // Every approximate score lies within |q| |x| + error of zero.
    const hi = qNorm * this.maxNorm * (1 + 2 ** -20) + error;
    // A non-finite value in a row or the query, or scores near float32's range: no bound.
    if (!(hi < FLOAT32_SAFE && largest < FLOAT32_SAFE)) return Infinity;
    this.lo = -hi;
    this.width = (2 * hi) / BUCKETS;
    // Every part histograms into the same buckets, so `bar` can add them up.
    const bucketScale = this.width > 0 ? 1 / this.width : 0;
    for (const part of this.parts) {
      new Int16Array(part.buffer, 0, this.paddedDims).set(q16);
      new Int32Array(part.buffer, part.histAt, BUCKETS).fill(0);
      part.kernel(0, part.dataAt, part.rows, part.scalesAt, part.outAt, scale, part.histAt, this.lo, bucketScale);
    }
    return error;
  }

  /**
   * A score that about 1.5 `want` of the last query's scores reach, from the sampled histogram
   * (-Infinity when all rows are wanted). An estimate: callers check how many rows reached it.
   * Each part samples every SAMPLE-th of its own rows, so the parts' counts add up.
   */
  bar(want: number): number {
    if (want >= this.rows || !(this.width > 0)) return -Infinity;
    const need = Math.ceil((1.5 * want) / SAMPLE) + 2;
    const hists = this.parts.map((part) => new Int32Array(part.buffer, part.histAt, BUCKETS));
    let seen = 0;
    for (let b = BUCKETS - 1; b > 0; b--) {
      for (const hist of hists) seen += hist[b]!;
      // A bucket's lower edge, less a hair: a score's bucket is its floor after rounding.
      if (seen >= need) return this.lo + (b - 0.01) * this.width;
    }
    return -Infinity;
  }

  /** The rows whose approximate score for the last query is at least `floor`, in row order. */
  select(floor: number): Selected {
    const f = Math.fround(floor) > floor ? floor - Math.abs(floor) * 2 ** -23 : floor;
    const found = this.parts.map((part) => part.selectRows(part.outAt, part.rows, f, part.candRowsAt, part.candScoresAt));
    if (this.parts.length === 1) {
      const part = this.parts[0]!;
      return { rows: new Int32Array(part.buffer, part.candRowsAt, found[0]!), scores: new Float32Array(part.buffer, part.candScoresAt, found[0]!) };
    }
    const total = found.reduce((a, b) => a + b, 0);
    if (this.merged.rows.length < total) this.merged = { rows: new Int32Array(total * 2), scores: new Float32Array(total * 2) };
    let at = 0;
    this.parts.forEach((part, p) => {
      const n = found[p]!;
      const start = p * this.partRows;
      const rows = new Int32Array(part.buffer, part.candRowsAt, n);
      for (let i = 0; i < n; i++) this.merged.rows[at + i] = rows[i]! + start;
      this.merged.scores.set(new Float32Array(part.buffer, part.candScoresAt, n), at);
      at += n;
    });
    return { rows: this.merged.rows.subarray(0, total), scores: this.merged.scores.subarray(0, total) };
  }
}

function clamp(v: number, limit: number): number {
  return v > limit ? limit : v < -limit ? -limit : v;
}
