import type { Movie } from "../../catalog/movie.js";
import { porterStem } from "../../search/porter.js";
import { fold, isStopWord, words } from "../../search/text.js";
import { TEXT_FIELDS, type FieldWeights, type KeywordQuery, type TextField } from "../store.js";

/**
 * Keyword search on Qdrant as a sparse vector per movie, made from Plotline's own tokenizer and
 * field weights so that it finds what the SQLite backend's FTS5 index finds: words as the
 * unicode61 tokenizer cuts them (`words`), folded, Porter-stemmed (`porterStem`, FTS5's own
 * stemmer), each field's occurrences weighted as `KeywordOptions.weights` says. A movie's value
 * for a term is BM25's term-frequency part, `tf * (k1 + 1) / (tf + k1 * (1 - b + b * len /
 * avgdl))`; the IDF part is Qdrant's `idf` modifier, applied at query time from the
 * collection's own statistics (`ln(1 + (N - df + 0.5) / (df + 0.5))`, per shard). The score is
 * therefore BM25 with FTS5's weighted term frequencies and Qdrant's IDF, which unlike FTS5's
 * never goes below zero for words in most movies.
 */

/** BM25's constants, as FTS5's bm25() uses them. */
export const K1 = 1.2;
export const B = 0.75;
/**
 * How far (relative) the collection's mean length may drift from the one the stored vectors
 * were weighted with before a write re-weights every movie: 2%, under which no score moves by
 * more than about 1%. Kept so that a small write does not rewrite every vector.
 */
export const AVGDL_TOLERANCE = 0.02;
/** Most vocabulary terms a prefix expands to (the most common first): `mar` would match hundreds. */
export const MAX_PREFIX_TERMS = 256;

/**
 * A term's index in the sparse vectors: FNV-1a (32 bits) of its UTF-8 bytes, as Qdrant's own
 * BM25 (fastembed) hashes tokens rather than keeping a dictionary, so that every process
 * agrees on ids without asking the server. Written here because it is four lines; two terms
 * of one collection share an id with a chance of about n²/2³³ (0.2 for 40,000 terms), and then
 * only add to each other's score.
 */
export function termId(term: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(term, "utf8")) h = Math.imul(h ^ byte, 0x01000193);
  return h >>> 0;
}

/** A term as the keyword index stores it: the Porter stem of the folded word. */
export function stemOf(word: string, cache?: Map<string, string>): string {
  let s = cache?.get(word);
  if (s === undefined) {
    s = porterStem(fold(word));
    cache?.set(word, s);
  }
  return s;
}

/** The indexed text of each field: a string, or a list whose items FTS5 reads as one column. */
function fieldTexts(m: Movie, field: TextField): readonly string[] {
  switch (field) {
    case "title":
      return [m.title];
    case "tagline":
      return m.tagline ? [m.tagline] : [];
    case "overview":
      return [m.overview];
    case "plot":
      return m.plot ? [m.plot] : [];
    case "transcript":
      return []; // this backend keeps no trailers (capability `trailers` false)
    default:
      return m[field];
  }
}

/** What keyword search needs of one movie: weighted term frequencies, its length in tokens, its distinct terms. */
export interface DocumentTerms {
  /** Term to Σ over its occurrences of the weight of the field it is in (FTS5's `f(q, D)`). */
  tf: Map<string, number>;
  /** Tokens in every indexed field (FTS5's column sizes summed). */
  length: number;
}

export function documentTerms(m: Movie, weights: Readonly<FieldWeights>, cache?: Map<string, string>): DocumentTerms {
  const tf = new Map<string, number>();
  let length = 0;
  for (const field of TEXT_FIELDS) {
    const w = weights[field];
    for (const text of fieldTexts(m, field)) {
      for (const word of words(text)) {
        const t = stemOf(word, cache);
        tf.set(t, (tf.get(t) ?? 0) + w);
        length++;
      }
    }
  }
  return { tf, length };
}

export interface SparseVector {
  indices: number[];
  values: number[];
}

/** A movie's sparse vector: BM25's term-frequency part of each term, for a collection of mean length `avgdl`. */
export function documentVector(terms: DocumentTerms, avgdl: number): SparseVector {
  const norm = K1 * (1 - B + (B * terms.length) / (avgdl > 0 ? avgdl : terms.length || 1));
  const byId = new Map<number, number>();
  for (const [t, f] of terms.tf) {
    const id = termId(t);
    byId.set(id, (byId.get(id) ?? 0) + (f * (K1 + 1)) / (f + norm));
  }
  return sorted(byId);
}

function sorted(byId: Map<number, number>): SparseVector {
  const indices = [...byId.keys()].sort((a, b) => a - b);
  return { indices, values: indices.map((i) => byId.get(i)!) };
}

/**
 * The query's sparse vector: each free word's term (its corrections as terms of their own, the
 * prefix word as every vocabulary term it begins, the most common `MAX_PREFIX_TERMS`), and the
 * words of quoted phrases (their stop words only when a phrase has nothing else), each worth 1
 * per time it occurs: FTS5's bm25() sums one part per phrase of the expression the same way.
 * Null when nothing is left to match.
 */
export function queryVector(q: KeywordQuery, vocabulary: ReadonlyMap<string, number> | null): SparseVector | null {
  const byId = new Map<number, number>();
  const add = (term: string) => {
    const id = termId(term);
    byId.set(id, (byId.get(id) ?? 0) + 1);
  };
  for (const t of q.terms) {
    if (t === q.prefix) for (const term of prefixTerms(stemOf(t), vocabulary)) add(term);
    else add(stemOf(t));
    for (const c of q.corrections?.[t] ?? []) add(stemOf(c));
  }
  for (const phrase of q.phrases) {
    const content = phrase.filter((w) => !isStopWord(w));
    for (const w of content.length ? content : phrase) add(stemOf(w));
  }
  return byId.size ? sorted(byId) : null;
}

/** The vocabulary terms starting with `stem` (the stem itself included), most common first, at most `MAX_PREFIX_TERMS`. */
export function prefixTerms(stem: string, vocabulary: ReadonlyMap<string, number> | null): string[] {
  if (!vocabulary) return [stem];
  const found: [string, number][] = [];
  for (const [term, df] of vocabulary) if (term.startsWith(stem)) found.push([term, df]);
  if (found.length === 0) return [stem];
  found.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return found.slice(0, MAX_PREFIX_TERMS).map(([t]) => t);
}

/** The distinct terms of a movie, for the vocabulary (`stems` payload field, counted by a facet). */
export function distinctTerms(terms: DocumentTerms): string[] {
  return [...terms.tf.keys()];
}
