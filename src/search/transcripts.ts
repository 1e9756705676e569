import type { Finisher, Manifest, Store, VectorHit } from "../store/store.js";
import { dot } from "../vector-index/flat.js";

/** What one movie's trailers contribute besides their vector. */
export interface TranscriptInfo {
  /** Its trailers' transcripts, joined. */
  transcript: string;
  /** Its trailers' languages (ISO 639-1). */
  languages: string[];
  /** Its trailers' file paths. */
  files: string[];
}

/**
 * The transcript vectors of the movies that have trailers (`plotline trailers`): each movie's
 * trailers' raw transcript embeddings averaged, then finished (normalised, fitted state
 * applied) as its description vector is, so the two are in one space.
 *
 * A movie with a trailer has two vectors, what its catalog says and what its trailer says; a
 * query scores it by the closer of the two (`closerOfTwo`), so a movie is found by either
 * without a second ranking to fuse. This is the engine's work, not the store's: every backend
 * keeps the raw vectors (`Store.transcripts`), and trailers are few next to a catalog, so they
 * are scored here exactly, in memory, and every backend ranks alike.
 */
export class Transcripts {
  private readonly row = new Map<string, number>();

  private constructor(
    readonly dims: number,
    /** Ids of the movies with a transcript vector, in the store's natural order. */
    readonly ids: string[],
    /** Row i is the finished transcript vector of `ids[i]`. */
    private readonly matrix: Float32Array,
    /** Every movie with an attached trailer (vector or not), by id. */
    readonly info: ReadonlyMap<string, TranscriptInfo>,
  ) {
    ids.forEach((id, i) => this.row.set(id, i));
  }

  /** No trailers (a store without capability `trailers`, or none transcribed yet). */
  static empty(dims: number): Transcripts {
    return new Transcripts(dims, [], new Float32Array(0), new Map());
  }

  /**
   * Reads the movies with trailers from the store and finishes their averaged vectors with the
   * collection's state; `finisher` (which may load the embedder) is called only when there are any.
   */
  static async load(store: Store, manifest: Manifest, finisher: () => Promise<Finisher>): Promise<Transcripts> {
    if (!store.capabilities.trailers) return Transcripts.empty(manifest.dims);
    const movies = await store.transcripts(manifest.embedderId);
    const dims = manifest.dims;
    const kept = movies.filter((m) => m.raws.length > 0 && m.raws.every((r) => r.length === dims));
    // The finish step needs the embedder loaded (glove's word vectors: most of a second): only
    // when there is a transcript vector to finish, so a collection without trailers never pays it.
    const finish = kept.length ? await finisher() : null;
    const matrix = new Float32Array(kept.length * dims);
    kept.forEach((m, i) => {
      const mean = new Float32Array(dims);
      for (const r of m.raws) for (let d = 0; d < dims; d++) mean[d] = mean[d]! + r[d]! / m.raws.length;
      matrix.set(finish!(mean, manifest.embedderState), i * dims);
    });
    const info = new Map(movies.map((m) => [m.id, { transcript: m.transcript, languages: m.languages, files: m.files }]));
    return new Transcripts(dims, kept.map((m) => m.id), matrix, info);
  }

  /** Movies with a transcript vector. */
  get size(): number {
    return this.ids.length;
  }

  /** The movie's finished transcript vector, or null when it has none. */
  vector(id: string): Float32Array | null {
    const i = this.row.get(id);
    return i === undefined ? null : this.matrix.subarray(i * this.dims, (i + 1) * this.dims);
  }

  /** Cosine of a unit query vector to the movie's transcript vector, or undefined when it has none. */
  cosine(id: string, query: Float32Array): number | undefined {
    const i = this.row.get(id);
    return i === undefined ? undefined : dot(this.matrix, i * this.dims, query, 0, this.dims);
  }

  /**
   * Merges a store's vector top k (by description) with every transcript, each movie keeping
   * the higher of its two cosines, best first, `k` kept; ties go to the movie earlier in
   * `order` (the natural order). `admit` says which movies may be listed (filters, exclusions).
   *
   * Exact when `first` is the store's exact top k: a movie outside it scores at most the k-th
   * description cosine by its description, so it can only enter by its transcript, and every
   * transcript is scored. Hits keep the store's `ordinal` only when no transcript moved a movie
   * in, so callers never mix ordinals with other keys.
   */
  closerOfTwo(first: readonly VectorHit[], query: Float32Array, k: number, admit: (id: string) => boolean, order: (id: string) => number): VectorHit[] {
    if (this.size === 0 || k <= 0) return first.slice(0, Math.max(k, 0));
    const best = new Map<string, number>();
    for (const h of first) best.set(h.id, h.score);
    let added = false;
    for (let i = 0; i < this.ids.length; i++) {
      const id = this.ids[i]!;
      if (!admit(id)) continue;
      const s = dot(this.matrix, i * this.dims, query, 0, this.dims);
      const before = best.get(id);
      if (before === undefined || s > before) {
        best.set(id, s);
        if (before === undefined) added = true;
      }
    }
    const ordinal = added ? null : new Map(first.map((h) => [h.id, h.ordinal]));
    return [...best]
      .map(([id, score]) => ({ id, score, o: order(id) }))
      .sort((a, b) => b.score - a.score || a.o - b.o)
      .slice(0, k)
      .map(({ id, score }) => {
        const o = ordinal?.get(id);
        return o === undefined ? { id, score } : { id, score, ordinal: o };
      });
  }
}
