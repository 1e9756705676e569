/**
 * Vectors to and from Postgres. Raw vectors are `bytea` (float32 little-endian, the bytes the
 * embedding cache and the SQLite backend keep), sent and read as hex; finished vectors are
 * pgvector's text form `[x,y,...]`. A float32 printed as a JavaScript number parses back to the
 * same float32, and pgvector prints the shortest text that does, so both directions are exact.
 */

export function vectorToHex(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex");
}

/** A `bytea` value as node-postgres returns it. */
export function bufferToVector(b: Buffer): Float32Array {
  // Copied: the driver's buffer need not be 4-byte aligned.
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export function toVectorText(v: Float32Array): string {
  let s = "[";
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) throw new RangeError(`vector component ${i} is ${x}; pgvector stores finite numbers only`);
    s += (i ? "," : "") + x;
  }
  return s + "]";
}

/** pgvector's text form into `out` at `offset` (a new array when none is given). */
export function parseVectorText(text: string, out?: Float32Array, offset = 0): Float32Array {
  const parts = text.slice(1, -1).split(",");
  const v = out ?? new Float32Array(parts.length);
  for (let i = 0; i < parts.length; i++) v[offset + i] = Number(parts[i]);
  return v;
}
