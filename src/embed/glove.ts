import type { Embedder, EmbedderState, EmbeddingTextKind } from "./embedder.js";
import { normalize } from "./embedder.js";
import { loadWordVectors, type WordVectors } from "./word-vectors.js";

/**
 * SIF weight parameter `a` in a / (a + p(w)) (Arora et al. 2017, "A simple but tough-to-beat
 * baseline for sentence embeddings"); 1e-3 is the paper's recommended setting.
 */
export const SIF_A = 1e-3;

/**
 * Default hybrid (convex) weight of the semantic side on glove collections: 0.35, chosen on the
 * team's labelled queries (`eval/tmdb-queries.jsonl`, 95 queries, the TMDB glove collection)
 * with `plotline eval eval/tmdb-queries.jsonl --sweep-alpha` (alpha 0 to 1 in steps of 0.05):
 * the best Recall@10 (0.901; keyword alone 0.869, semantic alone 0.538) with an MRR (0.729)
 * above keyword alone (0.702); MRR and nDCG@10 peak at 0.30 (0.737, 0.752) with Recall@10 0.880.
 * The rule, applied to every embedder: the best Recall@10 within one query (1/95) of the sweep's
 * best (here 0.35 and 0.40, 0.899), then the best MRR.
 */
export const GLOVE_HYBRID_ALPHA = 0.35;

const TOKEN = /[\p{L}\p{N}]+(?:['’\-.][\p{L}\p{N}]+)*/gu;

/**
 * Smooth-inverse-frequency sentence vectors from GloVe 100-d word vectors, with the common
 * component (first singular vector of the collection's vectors) removed, L2-normalised.
 *
 * Word frequencies p(w) are not shipped with the vectors, but the vocabulary is in frequency
 * order, so p(w) follows Zipf's law from its rank: p(r) = 1 / (r * H_N).
 */
export class GloveEmbedder implements Embedder {
  readonly name = "glove";
  /**
   * Title, tagline, plot, keywords and cast (`embeddingText`): on the TMDB collection it took
   * kNN franchise siblings from 60% to 85% and semantic MRR from 0.277 to 0.405 over the plot
   * alone (`text.ts` says why).
   */
  readonly text: EmbeddingTextKind = "full";
  readonly dims: number;
  readonly id: string;
  private readonly vectors: WordVectors;
  private readonly weights: Float32Array;

  constructor(onNotice?: (message: string) => void) {
    this.vectors = loadWordVectors(onNotice);
    this.dims = this.vectors.dims;
    this.id = `glove-sif/wink-sg-100d@${this.vectors.version}/${this.dims}`;
    const n = this.vectors.count;
    const harmonic = Math.log(n) + 0.5772156649;
    this.weights = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      const p = 1 / ((r + 1) * harmonic);
      this.weights[r] = SIF_A / (SIF_A + p);
    }
  }

  /** Vocabulary rows for a text, splitting hyphenated and possessive forms the vocabulary lacks. */
  tokens(text: string): number[] {
    const rows: number[] = [];
    const vocabulary = this.vectors;
    for (const match of text.toLowerCase().matchAll(TOKEN)) {
      const token = match[0].replace(/’/g, "'");
      const row = vocabulary.row(token);
      if (row !== undefined) {
        rows.push(row);
        continue;
      }
      for (const part of token.split(/['\-.]/)) {
        const r = vocabulary.row(part);
        if (r !== undefined) rows.push(r);
      }
    }
    return rows;
  }

  private sif(text: string): Float32Array {
    const out = new Float32Array(this.dims);
    const rows = this.tokens(text);
    if (rows.length === 0) return out;
    const { matrix } = this.vectors;
    const dims = this.dims;
    for (const r of rows) {
      const w = this.weights[r]!;
      const base = r * dims;
      for (let d = 0; d < dims; d++) out[d] = out[d]! + w * matrix[base + d]!;
    }
    for (let d = 0; d < dims; d++) out[d] = out[d]! / rows.length;
    return out;
  }

  async embed(texts: string[], onProgress?: (done: number) => void): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i++) {
      out.push(this.sif(texts[i]!));
      if (onProgress && (i % 1000 === 999 || i === texts.length - 1)) onProgress(i + 1);
    }
    return out;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return this.sif(text);
  }

  fit(raw: Float32Array[]): EmbedderState {
    return { component: Array.from(firstSingularVector(raw, this.dims)) };
  }

  finish(raw: Float32Array, state: EmbedderState | null): Float32Array {
    const v = Float32Array.from(raw);
    const component = (state?.component as number[] | undefined) ?? null;
    if (component) {
      let dot = 0;
      for (let d = 0; d < v.length; d++) dot += v[d]! * component[d]!;
      for (let d = 0; d < v.length; d++) v[d] = v[d]! - dot * component[d]!;
    }
    return normalize(v);
  }

  async close(): Promise<void> {}
}

/**
 * First right singular vector of the matrix whose rows are `rows`, by power iteration on the
 * dims x dims Gram matrix (dims is small, so this is exact to float precision in a few dozen
 * steps). Written here because it is twenty lines; a linear-algebra dependency is not worth it.
 */
export function firstSingularVector(rows: Float32Array[], dims: number): Float64Array {
  const gram = new Float64Array(dims * dims);
  for (const v of rows) {
    for (let i = 0; i < dims; i++) {
      const vi = v[i]!;
      if (vi === 0) continue;
      const base = i * dims;
      for (let j = 0; j < dims; j++) gram[base + j] = gram[base + j]! + vi * v[j]!;
    }
  }
  let u = new Float64Array(dims).fill(1 / Math.sqrt(dims));
  for (let iter = 0; iter < 200; iter++) {
    const next = new Float64Array(dims);
    for (let i = 0; i < dims; i++) {
      let s = 0;
      for (let j = 0; j < dims; j++) s += gram[i * dims + j]! * u[j]!;
      next[i] = s;
    }
    const norm = Math.hypot(...next);
    if (norm === 0) return u;
    let delta = 0;
    for (let i = 0; i < dims; i++) {
      next[i] = next[i]! / norm;
      delta += Math.abs(next[i]! - u[i]!);
    }
    u = next;
    if (delta < 1e-12) break;
  }
  return u;
}
