import type { Filters } from "../filters.js";
import type { FieldWeights, KeywordQuery } from "../store.js";
import { filterSql, Params } from "./filters.js";
import { BM25_WEIGHTS, bm25Document, INDEX_NAMES } from "./schema.js";

/** How a keyword query was ranked: BM25 through pg_textsearch, or `ts_rank_cd` over the weighted tsvector. */
export type KeywordRanking = "bm25" | "ts_rank_cd";

/**
 * Rows an ordered index scan (BM25, HNSW) returns beyond the k asked: those scans order by
 * score alone, so ties at the cut are settled here by natural order among the rows fetched.
 */
export const TIE_MARGIN = 8;
/** Most vocabulary words a prefix (the word being typed) stands for in a BM25 query: the most frequent ones. */
export const MAX_PREFIX_WORDS = 16;

/** The free words of a query with their corrections, in query order. */
function freeWords(q: KeywordQuery): { word: string; prefix: boolean }[] {
  return q.terms.flatMap((t) => [{ word: t, prefix: t === q.prefix }, ...(q.corrections?.[t] ?? []).map((c) => ({ word: c, prefix: false }))]);
}

/**
 * A tsquery for the query, every word a parameter: free words ORed, quoted phrases required
 * (`P1 & P2 & (P1 | w1 | w2)`, as the SQLite backend's FTS5 expression), the prefix as
 * `'word':*`. Each word goes through the collection's text configuration, so it is stemmed as
 * the documents were; a stop word becomes an empty query and matches nothing. Null when the
 * query has no words.
 */
export function tsquerySql(s: string, q: KeywordQuery, params: Params, onlyPhrases = false): string | null {
  const cfg = `'${s}.plotline_text'::regconfig`;
  const free = onlyPhrases
    ? []
    : freeWords(q).map(({ word, prefix }) => (prefix ? `to_tsquery(${cfg}, quote_literal(${params.add(word)}) || ':*')` : `plainto_tsquery(${cfg}, ${params.add(word)})`));
  const phrases = q.phrases.map((p) => `phraseto_tsquery(${cfg}, ${params.add(p.join(" "))})`);
  if (phrases.length === 0) return free.length ? `(${free.join(" || ")})` : null;
  const required = `(${phrases.join(" && ")})`;
  return free.length ? `(${required} && (${[phrases[0]!, ...free].join(" || ")}))` : required;
}

/**
 * `ts_rank_cd`'s weights for the tsvector's classes, in its order {D, C, B, A}: each class
 * takes the largest weight of its fields, scaled so the largest is 1 (ts_rank_cd takes 0..1).
 */
export function classWeights(w: Readonly<FieldWeights>): number[] {
  const a = w.title;
  const b = Math.max(w.keywords, w.cast, w.directors);
  const c = Math.max(w.genres, w.tagline);
  // `transcript` has no class: this backend keeps no trailers (capability `trailers`), so no
  // text carries its weight, and letting it into a class's maximum would lift other fields.
  const d = Math.max(w.overview, w.plot);
  const top = Math.max(a, b, c, d) || 1;
  return [d / top, c / top, b / top, a / top];
}

/** Whether the weights asked are those the BM25 index was built for. */
export function bm25Weights(w: Readonly<FieldWeights>): boolean {
  return (Object.keys(BM25_WEIGHTS) as (keyof FieldWeights)[]).every((f) => w[f] === BM25_WEIGHTS[f]);
}

export interface KeywordStatement {
  sql: string;
  params: unknown[];
  /** BM25 scores are negative (pg_textsearch orders ascending); ts_rank_cd's are positive. */
  ranking: KeywordRanking;
  /** Rows asked, past k by `TIE_MARGIN` for BM25. */
  limit: number;
}

/**
 * The BM25 statement: the query's words (free words, corrections, the prefix's completions
 * from the vocabulary, phrase words) as one pg_textsearch query against the expression index
 * over the weighted text (`bm25_document`), filters and required phrases in the WHERE clause.
 * The index scan returns every row passing the WHERE in score order, those matching no word
 * last with score 0; the caller drops those.
 */
export function bm25Statement(s: string, q: KeywordQuery, prefixWords: readonly string[], k: number, filters: Filters | undefined): KeywordStatement | null {
  const params = new Params();
  const text = [...new Set([...freeWords(q).map((w) => w.word), ...prefixWords, ...q.phrases.flat()])].join(" ");
  if (!text) return null;
  const score = `(${bm25Document(s)} <@> to_bm25query(${params.add(text)}, '${s}.${INDEX_NAMES.bm25}'))`;
  const where = [filterSql(filters, params)];
  if (q.phrases.length) where.push(`m.tsv @@ ${tsquerySql(s, q, params, true)}`);
  const limit = k + TIE_MARGIN;
  const sql = `SELECT m.id, m.seq::float8 AS seq, ${score} AS score FROM ${s}.movies m WHERE ${where.join(" AND ")} ORDER BY ${score} LIMIT ${params.add(limit)}`;
  return { sql, params: params.values, ranking: "bm25", limit };
}

/**
 * The tsvector statement: movies matching the tsquery (the GIN index finds them), ranked by
 * `ts_rank_cd` with the weights' classes and length normalisation 1 (the rank divided by
 * 1 + log of the document's length, so a long plot does not win on its length alone, which
 * BM25's b does for the BM25 path), ties in natural order. ts_rank_cd has no IDF: a rare word
 * counts no more than a common one, which is why BM25 ranks better where the server has it.
 */
export function tsRankStatement(s: string, q: KeywordQuery, weights: Readonly<FieldWeights>, k: number, filters: Filters | undefined): KeywordStatement | null {
  const params = new Params();
  const tsq = tsquerySql(s, q, params);
  if (!tsq) return null;
  const w = params.add(classWeights(weights));
  const where = filterSql(filters, params);
  const sql = `WITH q AS (SELECT ${tsq} AS tsq)
    SELECT m.id, m.seq::float8 AS seq, ts_rank_cd(${w}::float4[], m.tsv, q.tsq, 1) AS score
    FROM ${s}.movies m, q WHERE m.tsv @@ q.tsq AND ${where}
    ORDER BY score DESC, m.seq LIMIT ${params.add(k)}`;
  return { sql, params: params.values, ranking: "ts_rank_cd", limit: k };
}
