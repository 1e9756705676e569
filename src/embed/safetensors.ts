import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { endianness } from "node:os";
import { SourceError } from "../errors.js";

/**
 * Reading `.safetensors` files (Hugging Face's tensor format): an 8-byte little-endian header
 * length, a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`,
 * then the raw little-endian tensor bytes, offsets counted from the end of the header.
 *
 * Written by hand because no JavaScript library for it is kept up: the npm package
 * `safetensors` is a 0.0.1 placeholder, and `@huggingface/hub`'s `parseSafetensorsMetadata`
 * reads headers of files on the hub over HTTP, not local files, and no tensor data. The format
 * is small and fully specified (huggingface/safetensors, "Format"); every bound is checked
 * here so that a truncated or corrupt file is reported, not read past.
 */

/** Element types this reader turns into float32, with their byte sizes. */
const FLOAT_TYPES: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };
/** Byte sizes of every dtype the format defines (for checking offsets of tensors not read). */
const DTYPE_BYTES: Record<string, number> = { ...FLOAT_TYPES, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, U16: 2, U32: 4, U64: 8, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1 };
const LITTLE_ENDIAN = endianness() === "LE";
/** The format's own limit on the header (100 MB), against a corrupt length making us allocate gigabytes. */
const MAX_HEADER = 100_000_000;

export interface TensorInfo {
  dtype: string;
  shape: number[];
  /** Byte range in the data section. */
  begin: number;
  end: number;
}

/** An opened safetensors file: its header checked against the file's size, tensors read on demand. */
export class SafetensorsFile {
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Record<string, string>;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly dataStart: number,
    tensors: Map<string, TensorInfo>,
    metadata: Record<string, string>,
  ) {
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /** Opens and checks `path`; throws a one-line SourceError naming what is wrong. */
  static open(path: string): SafetensorsFile {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (err) {
      throw new SourceError(path, (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : `cannot open: ${(err as Error).message}`, { cause: err });
    }
    try {
      const size = fstatSync(fd).size;
      if (size < 8) throw new SourceError(path, `truncated: ${size} bytes, shorter than the 8-byte header length`);
      const lengthBytes = Buffer.alloc(8);
      readSync(fd, lengthBytes, 0, 8, 0);
      const headerLength = Number(lengthBytes.readBigUInt64LE(0));
      if (headerLength > MAX_HEADER) throw new SourceError(path, `not a safetensors file: header length ${headerLength} exceeds ${MAX_HEADER} bytes`);
      if (8 + headerLength > size) throw new SourceError(path, `truncated: the header needs ${8 + headerLength} bytes but the file has ${size}`);
      const headerBytes = Buffer.alloc(headerLength);
      readSync(fd, headerBytes, 0, headerLength, 8);
      let header: Record<string, unknown>;
      try {
        header = JSON.parse(headerBytes.toString("utf8")) as Record<string, unknown>;
      } catch (err) {
        throw new SourceError(path, `not a safetensors file: the header is not JSON (${(err as Error).message})`);
      }
      if (typeof header !== "object" || header === null || Array.isArray(header)) throw new SourceError(path, "not a safetensors file: the header is not a JSON object");
      const dataStart = 8 + headerLength;
      const dataSize = size - dataStart;
      const tensors = new Map<string, TensorInfo>();
      let metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(header)) {
        if (name === "__metadata__") {
          metadata = (value ?? {}) as Record<string, string>;
          continue;
        }
        const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
        const bytes = typeof v?.dtype === "string" ? DTYPE_BYTES[v.dtype] : undefined;
        if (bytes === undefined) throw new SourceError(path, `tensor ${name}: unknown dtype ${JSON.stringify(v?.dtype)}`);
        if (!Array.isArray(v.shape) || v.shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) throw new SourceError(path, `tensor ${name}: bad shape ${JSON.stringify(v.shape)}`);
        const offsets = v.data_offsets;
        if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) throw new SourceError(path, `tensor ${name}: bad data_offsets ${JSON.stringify(offsets)}`);
        const [begin, end] = offsets as [number, number];
        const shape = v.shape as number[];
        const expected = shape.reduce((a, b) => a * b, 1) * bytes;
        if (end - begin !== expected) throw new SourceError(path, `tensor ${name}: data_offsets span ${end - begin} bytes, but ${v.dtype} ${JSON.stringify(shape)} needs ${expected}`);
        if (end > dataSize) throw new SourceError(path, `truncated: tensor ${name} ends at byte ${dataStart + end} but the file has ${size} bytes`);
        tensors.set(name, { dtype: v.dtype as string, shape, begin, end });
      }
      return new SafetensorsFile(path, fd, dataStart, tensors, metadata);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** A tensor as float32 (F32 copied, F16 and BF16 widened); throws naming the tensor when absent or not float. */
  float32(name: string): { shape: number[]; data: Float32Array } {
    const info = this.tensors.get(name);
    if (!info) throw new SourceError(this.path, `tensor ${name} not found`);
    if (!(info.dtype in FLOAT_TYPES)) throw new SourceError(this.path, `tensor ${name} is ${info.dtype}, expected a float type (${Object.keys(FLOAT_TYPES).join(", ")})`);
    const raw = Buffer.alloc(info.end - info.begin);
    const got = raw.length ? readSync(this.fd, raw, 0, raw.length, this.dataStart + info.begin) : 0;
    if (got !== raw.length) throw new SourceError(this.path, `truncated: tensor ${name} could not be read whole`);
    const n = raw.length / FLOAT_TYPES[info.dtype]!;
    const out = new Float32Array(n);
    if (info.dtype === "F32") {
      // The file is little-endian: on a little-endian machine the bytes are the array.
      if (LITTLE_ENDIAN && raw.byteOffset % 4 === 0) out.set(new Float32Array(raw.buffer, raw.byteOffset, n));
      else for (let i = 0; i < n; i++) out[i] = raw.readFloatLE(i * 4);
    } else if (info.dtype === "BF16") {
      // bfloat16 is the top half of a float32.
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u[i] = raw.readUInt16LE(i * 2) << 16;
    } else {
      for (let i = 0; i < n; i++) out[i] = halfToFloat(raw.readUInt16LE(i * 2));
    }
    return { shape: info.shape, data: out };
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** IEEE 754 binary16 to a number (subnormals, infinities and NaN included). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
