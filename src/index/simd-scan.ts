/**
 * Inner products of one query with every row of a matrix, in WebAssembly SIMD (4 floats per
 * instruction, two accumulators). Written by hand because the libraries at hand are slower at
 * this size: on 10,852 x 100 here the kernel takes 0.24 ms, usearch's `exactSearch` 0.47 ms for
 * a top 40 (it keeps its own top k as it goes) and a JavaScript loop 2.4 ms (`npm run bench --
 * foundation` measures the three side by side). The kernel reads the rows at about memory speed,
 * and the difference decides how many similar and hybrid requests a core serves. onnxruntime's
 * matrix-vector product runs only asynchronously, which the synchronous index interface rules
 * out. `test/index-simd-scan.test.ts` checks the kernel against `dot`.
 *
 * The module is assembled below from named opcodes (no binary blob, no toolchain): one exported
 * function `scores(q, data, rows, paddedDims, out)` over an imported memory.
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
const ADD = 0x6a; // i32.add
const SHL = 0x74; // i32.shl
const GE_U = 0x4f; // i32.ge_u
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const V128_LOAD = 0x00;
const V128_CONST = 0x0c;
const F32X4_EXTRACT = 0x1f;
const F32X4_ADD = 0xe4;
const F32X4_MUL = 0xe6;
const F32_ADD = 0x92;
const F32_STORE = 0x38;

// Parameters, then locals.
const [Q, DATA, ROWS, DIMS, OUT, R, J, ROW, ROW_BYTES, ACC, ACC2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
const ZERO = [...simd(V128_CONST), ...new Array<number>(16).fill(0)];
/** acc += q[j + offset .. +4] * row[j + offset .. +4] */
const madd = (acc: number, offset: number) => [...get(acc), ...get(Q), ...get(J), ADD, ...simd(V128_LOAD), 2, offset, ...get(ROW), ...get(J), ADD, ...simd(V128_LOAD), 2, offset, ...simd(F32X4_MUL), ...simd(F32X4_ADD), ...set(acc)];
const lane = (i: number) => [...get(ACC), ...simd(F32X4_EXTRACT), i];

const BODY = [
  ...vec([
    [4, I32],
    [2, V128],
  ]),
  ...get(DIMS), ...i32(2), SHL, ...set(ROW_BYTES),
  ...get(DATA), ...set(ROW),
  ...i32(0), ...set(R),
  ...BLOCK, ...LOOP,
  ...get(R), ...get(ROWS), GE_U, BR_IF, 1,
  ...ZERO, ...set(ACC), ...ZERO, ...set(ACC2), ...i32(0), ...set(J),
  ...BLOCK, ...LOOP,
  ...get(J), ...get(ROW_BYTES), GE_U, BR_IF, 1,
  ...madd(ACC, 0), ...madd(ACC2, 16),
  ...get(J), ...i32(32), ADD, ...set(J),
  BR, 0, END, END,
  ...get(ACC), ...get(ACC2), ...simd(F32X4_ADD), ...set(ACC),
  ...get(OUT), ...get(R), ...i32(2), SHL, ADD,
  ...lane(0), ...lane(1), F32_ADD, ...lane(2), F32_ADD, ...lane(3), F32_ADD,
  F32_STORE, 2, 0,
  ...get(ROW), ...get(ROW_BYTES), ADD, ...set(ROW),
  ...get(R), ...i32(1), ADD, ...set(R),
  BR, 0, END, END,
  END,
]; // prettier-ignore

const MODULE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
  ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0]])),
  ...section(2, vec([[...name("m"), ...name("mem"), 0x02, 0x00, 0x01]])),
  ...section(3, vec([[0]])),
  ...section(7, vec([[...name("scores"), 0x00, 0]])),
  ...section(10, vec([[...leb(BODY.length), ...BODY]])),
]);

/** Whether this runtime has WebAssembly SIMD (Node 16.4+ does). */
export const SIMD_SCAN_AVAILABLE = typeof WebAssembly === "object" && WebAssembly.validate(MODULE);

/** Floats the kernel handles per step: rows are padded with zeros to a multiple of it. */
const STEP = 8;
const PAGE = 65536;

/**
 * A copy of a matrix in WebAssembly memory, scored against one query at a time. Memory:
 * [query | scores | rows], each row padded to a multiple of 8 floats.
 */
export class SimdScan {
  readonly paddedDims: number;
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly kernel: (q: number, data: number, rows: number, dims: number, out: number) => void;
  private rows = 0;
  /** Float offsets of the scores and rows areas (sized for `capacity` rows). */
  private outAt = 0;
  private dataAt = 0;
  private capacity = 0;

  constructor(readonly dims: number) {
    this.paddedDims = Math.ceil(dims / STEP) * STEP;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(MODULE), { m: { mem: this.memory } });
    this.kernel = instance.exports.scores as SimdScan["kernel"];
  }

  private view(): Float32Array {
    return new Float32Array(this.memory.buffer);
  }

  /** Copies the first `rows` rows of `data` (rows of `dims` floats) in, replacing what was there. */
  load(data: Float32Array, rows: number): void {
    const pd = this.paddedDims;
    if (rows > this.capacity) {
      // Room to grow by a quarter before the next re-layout.
      const capacity = Math.max(rows, Math.ceil(rows * 1.25), 16);
      const bytes = (pd + capacity + capacity * pd) * 4;
      const pages = Math.ceil(bytes / PAGE) - this.memory.buffer.byteLength / PAGE;
      if (pages > 0) this.memory.grow(pages);
      this.capacity = capacity;
      this.outAt = pd;
      this.dataAt = pd + capacity;
    }
    const f32 = this.view();
    if (pd === this.dims) f32.set(data.subarray(0, rows * pd), this.dataAt);
    else {
      for (let r = 0; r < rows; r++) {
        const at = this.dataAt + r * pd;
        f32.set(data.subarray(r * this.dims, (r + 1) * this.dims), at);
        f32.fill(0, at + this.dims, at + pd);
      }
    }
    this.rows = rows;
  }

  /** Copies one row in place (`row` < the loaded row count). */
  setRow(row: number, data: Float32Array, offset: number): void {
    this.view().set(data.subarray(offset, offset + this.dims), this.dataAt + row * this.paddedDims);
  }

  /** Scores handed out: an ordinary array, since V8 reads arrays over WebAssembly memory several times slower. */
  private out = new Float32Array(0);

  /** The inner product of `query` with each loaded row, valid until the next call. */
  scores(query: Float32Array): Float32Array {
    const f32 = this.view();
    f32.set(query.subarray(0, this.dims), 0);
    f32.fill(0, this.dims, this.paddedDims);
    this.kernel(0, this.dataAt * 4, this.rows, this.paddedDims, this.outAt * 4);
    if (this.out.length !== this.rows) this.out = new Float32Array(this.rows);
    this.out.set(f32.subarray(this.outAt, this.outAt + this.rows));
    return this.out;
  }
}
