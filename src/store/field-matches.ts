import { porterStem } from "../search/porter.js";
import { fold, words } from "../search/text.js";
import { FIELD_GROUP_OF, FIELD_GROUPS, type KeywordQuery, type MovieRow, type TextField } from "./store.js";

/** One form of a query word as the vocabulary keeps it: its Porter stem, and whether longer words count (the typed prefix). */
export interface StemTerm {
  stem: string;
  prefix: boolean;
}

/** What `fieldMatchesFromText` reads from a backend. */
export interface FieldMatchReads {
  /** The movies' indexed fields, as `Store.movies` returns them (ids not found are skipped). */
  movies(ids: readonly string[], fields: readonly TextField[]): Promise<MovieRow<TextField>[]>;
  /** Movies in the collection (BM25's N). */
  count(): Promise<number>;
  /**
   * Movies holding each term (`Store.keywordVocabulary`'s counts); for a prefix, the most
   * holding any one term it starts (a lower bound of the movies holding any of them).
   */
  docs(terms: readonly StemTerm[]): Promise<number[]>;
}

/** The fields `Store.keywordFieldMatches` reports on (those with a group in `FIELD_GROUP_OF`). */
const GROUPED_FIELDS = (Object.keys(FIELD_GROUP_OF) as TextField[]).filter((f) => FIELD_GROUP_OF[f] !== null);

/**
 * `Store.keywordFieldMatches` for a backend whose keyword index cannot say which field a word
 * is in (Postgres' tsvector and Weaviate's BM25 keep one score per movie): the pool's movies
 * are read and their fields stemmed as the SQLite backend's FTS5 index stems them (folded,
 * Porter), and each query word's IDF comes from the backend's vocabulary counts, as bm25()
 * computes it. The same numbers as the SQLite backend's postings give, up to the prefix's IDF
 * (a lower bound here); a pool of 200 movies costs one read of their text per query. Null for
 * quoted phrases, as there.
 */
export async function fieldMatchesFromText(query: KeywordQuery, ids: readonly string[], read: FieldMatchReads): Promise<Float64Array | null> {
  if (query.phrases.length > 0 || query.terms.length === 0) return null;
  // One entry per query word: its forms (the word, its corrections) and its IDF.
  const queryWords = query.terms.map((t) => [{ stem: porterStem(t), prefix: t === query.prefix }, ...(query.corrections?.[t] ?? []).map((c) => ({ stem: porterStem(c), prefix: false }))]);
  const flat = queryWords.flat();
  const [rows, n, docs] = await Promise.all([read.movies(ids, GROUPED_FIELDS), read.count(), read.docs(flat)]);
  const idfs: number[] = [];
  let at = 0;
  for (const forms of queryWords) {
    const hits = Math.max(...docs.slice(at, at + forms.length));
    at += forms.length;
    const idf = Math.log((n - hits + 0.5) / (hits + 0.5));
    idfs.push(idf > 0 ? idf : 1e-6);
  }
  const total = idfs.reduce((a, b) => a + b, 0);
  const G = FIELD_GROUPS.length;
  const ANY = FIELD_GROUPS.indexOf("any");
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out = new Float64Array(ids.length * G);
  const stems = new Map<string, string>();
  const stemOf = (w: string) => {
    let s = stems.get(w);
    if (s === undefined) stems.set(w, (s = porterStem(fold(w))));
    return s;
  };
  ids.forEach((id, i) => {
    const row = byId.get(id);
    if (!row) return;
    const groups: Set<string>[] = FIELD_GROUPS.map(() => new Set<string>());
    for (const field of GROUPED_FIELDS) {
      const value = row[field] as string | readonly string[] | null | undefined;
      if (!value) continue;
      const g = FIELD_GROUPS.indexOf(FIELD_GROUP_OF[field]!);
      for (const text of typeof value === "string" ? [value] : value) for (const w of words(text)) groups[g]!.add(stemOf(w));
    }
    queryWords.forEach((forms, j) => {
      const share = idfs[j]! / total;
      let found = false;
      for (let g = 0; g < G; g++) {
        if (g === ANY) continue;
        const held = groups[g]!;
        if (forms.some((f) => held.has(f.stem) || (f.prefix && [...held].some((s) => s.startsWith(f.stem))))) {
          out[i * G + g]! += share;
          found = true;
        }
      }
      if (found) out[i * G + ANY]! += share;
    });
  });
  return out;
}

/** `FieldMatchReads.docs` from a whole vocabulary held in memory (stem to movies holding it). */
export function vocabularyDocs(vocabulary: ReadonlyMap<string, number>, terms: readonly StemTerm[]): number[] {
  return terms.map((t) => {
    if (!t.prefix) return vocabulary.get(t.stem) ?? 0;
    let most = 0;
    for (const [stem, docs] of vocabulary) if (docs > most && stem.startsWith(t.stem)) most = docs;
    return most;
  });
}
