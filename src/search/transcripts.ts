import { ExactIndex } from "../vector-index/exact.js";
import type { IdFilter, VectorHit, VectorIndex } from "../vector-index/vector-index.js";

/**
 * The transcript vectors of the movies that have trailers: each movie's trailers' raw
 * transcript embeddings averaged, then finished (normalised, fitted state applied) as its
 * description vector is, so the two are in one space. Trailers are few next to a catalog, so
 * an exact index serves them.
 *
 * A movie with a trailer has two vectors, what its catalog says and what its trailer says; a
 * query scores it by the closer of the two (`closerOfTwo`), so a movie is found by either
 * without a second ranking to fuse.
 */
export class TranscriptVectors {
  readonly index: ExactIndex;

  constructor(
    readonly dims: number,
    rowids: readonly number[],
    matrix: Float32Array,
    /** Each movie's joined transcript and its trailers' languages, by rowid (movies with trailers only). */
    readonly info: ReadonlyMap<number, { transcript: string; languages: string[] }> = new Map(),
  ) {
    this.index = new ExactIndex(dims, rowids, matrix);
  }

  /** Averages each movie's raw vectors and finishes them with `finish`. */
  static build(
    dims: number,
    movies: readonly { movie: number; transcript: string; languages: string[]; raws: Float32Array[] }[],
    finish: (raw: Float32Array) => Float32Array,
  ): TranscriptVectors {
    const kept = movies.filter((m) => m.raws.length > 0 && m.raws.every((r) => r.length === dims));
    const matrix = new Float32Array(kept.length * dims);
    kept.forEach((m, i) => {
      const mean = new Float32Array(dims);
      for (const r of m.raws) for (let d = 0; d < dims; d++) mean[d] = mean[d]! + r[d]! / m.raws.length;
      matrix.set(finish(mean), i * dims);
    });
    const info = new Map(movies.map((m) => [m.movie, { transcript: m.transcript, languages: m.languages }]));
    return new TranscriptVectors(dims, kept.map((m) => m.movie), matrix, info);
  }

  get size(): number {
    return this.index.size;
  }

  /** An empty set, for collections without trailers. */
  static empty(dims: number): TranscriptVectors {
    return new TranscriptVectors(dims, [], new Float32Array(0));
  }

  /** The movie's finished transcript vector, or null when it has none. */
  vector(rowid: number): Float32Array | null {
    return this.index.vector(rowid);
  }

  /**
   * The top `k` by the closer of each movie's two vectors: `primary` (the collection's index)
   * gives the description side; every movie with a transcript is also scored by it and keeps
   * the higher cosine. Exact when `primary` is: every transcript is scored (trailers are few),
   * and a movie outside primary's top k can only enter by its transcript score.
   */
  closerOfTwo(primary: VectorIndex, query: Float32Array, k: number, accept?: IdFilter): VectorHit[] {
    const first = primary.search(query, k, accept);
    if (this.size === 0 || k <= 0) return first;
    const best = new Map(first.map((h) => [h.id, h.score]));
    for (const h of this.index.search(query, this.size, accept)) {
      const s = best.get(h.id);
      if (s === undefined || h.score > s) best.set(h.id, h.score);
    }
    return [...best].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || a.id - b.id).slice(0, k);
  }
}
