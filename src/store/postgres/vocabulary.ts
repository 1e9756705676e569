import type { Movie } from "../../catalog/movie.js";
import { porterStem } from "../../search/porter.js";
import { fold, words } from "../../search/text.js";

/** The text fields of a movie that keyword search indexes, as the vocabulary reads them. */
export type VocabularyText = Pick<Movie, "title" | "keywords" | "cast" | "directors" | "genres" | "tagline" | "overview" | "plot">;

/**
 * The distinct terms a movie adds to the keyword vocabulary: its indexed words folded and
 * Porter-stemmed, as the SQLite backend's FTS5 index stores them (`porter unicode61
 * remove_diacritics 2`), since spelling correction checks a query word's Porter stem against
 * the vocabulary (`Store.keywordVocabulary`). Postgres' own lexemes are Snowball stems, which
 * differ from Porter's for some words ("generously": `generous` against `gener`), so the
 * vocabulary is kept in the engine's terms instead, in a table updated by every write batch.
 */
export function movieStems(m: VocabularyText, cache?: Map<string, string>): string[] {
  const out = new Set<string>();
  const add = (text: string | null | undefined) => {
    if (!text) return;
    for (const w of words(text)) {
      let stem = cache?.get(w);
      if (stem === undefined) {
        stem = porterStem(fold(w));
        cache?.set(w, stem);
      }
      out.add(stem);
    }
  };
  add(m.title);
  for (const list of [m.keywords, m.cast, m.directors, m.genres]) for (const v of list) add(v);
  add(m.tagline);
  add(m.overview);
  add(m.plot);
  return [...out];
}

/** The indexed text of a movie as one comparable value. */
function textKey(m: VocabularyText): string {
  return JSON.stringify([m.title, m.keywords, m.cast, m.directors, m.genres, m.tagline ?? null, m.overview, m.plot ?? null]);
}

/** Per-stem changes of movie counts from movies leaving and entering the collection. */
export class VocabularyDelta {
  private readonly delta = new Map<string, number>();
  /** Stems of the words seen in this batch: most words recur across movies. */
  private readonly stems = new Map<string, string>();

  remove(m: VocabularyText): void {
    for (const s of movieStems(m, this.stems)) this.delta.set(s, (this.delta.get(s) ?? 0) - 1);
  }

  add(m: VocabularyText): void {
    for (const s of movieStems(m, this.stems)) this.delta.set(s, (this.delta.get(s) ?? 0) + 1);
  }

  /** A movie replaced by a new version: nothing changes when its indexed text is the same. */
  replace(old: VocabularyText, now: VocabularyText): void {
    if (textKey(old) === textKey(now)) return;
    this.remove(old);
    this.add(now);
  }

  /** The non-zero changes, as parallel arrays for `unnest`. */
  changes(): { stems: string[]; counts: number[] } {
    const stems: string[] = [];
    const counts: number[] = [];
    for (const [s, d] of this.delta) {
      if (d === 0) continue;
      stems.push(s);
      counts.push(d);
    }
    return { stems, counts };
  }
}
