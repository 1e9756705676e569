/** JSON-serialisable state an embedder fits on a collection (stored in the collection's manifest). */
export type EmbedderState = Record<string, unknown>;

/**
 * What a movie is embedded from (`text.ts`): `full` is title, tagline, plot, keywords and
 * leading cast (`embeddingText`); `plot` is the plot alone (`plotText`), as the seeds embed.
 */
export type EmbeddingTextKind = "full" | "plot";

/**
 * Turns text into vectors. Document vectors go through two steps so that the expensive one can
 * be cached: `embed` gives raw vectors (a pure function of embedder id and text), and `finish`
 * applies what was fitted on the whole collection (`fit`), returning the unit vector stored and
 * searched. Query vectors take the same path with the collection's stored state.
 */
export interface Embedder {
  /** Pins model, version and dimensions, e.g. `glove-sif/wink-sg-100d@1.1.0/100`. */
  readonly id: string;
  /** Short name users type: `glove`, `minilm`, or a model name. */
  readonly name: string;
  readonly dims: number;
  /** What movies are embedded from, chosen by measurement for each embedder where it is defined. */
  readonly text: EmbeddingTextKind;
  /** Raw vectors for documents, in input order. `onProgress` gets the count done so far. */
  embed(texts: string[], onProgress?: (done: number) => void): Promise<Float32Array[]>;
  /** Raw vector for a query. */
  embedQuery(text: string): Promise<Float32Array>;
  /** Fits collection-level post-processing on all raw vectors; null when there is none. */
  fit(raw: Float32Array[]): EmbedderState | null;
  /** The stored, L2-normalised vector for a raw vector under the fitted state. */
  finish(raw: Float32Array, state: EmbedderState | null): Float32Array;
  /** Releases model sessions. */
  close(): Promise<void>;
}

/** Scales `v` in place to unit length; a zero vector stays zero. */
export function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (sum > 0) {
    const inv = 1 / Math.sqrt(sum);
    for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  }
  return v;
}
