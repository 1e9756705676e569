import type { KeywordQuery } from "./keyword-query.js";
import { porterStem } from "./porter.js";
import { fold } from "./text.js";
import { MATCH_FIELDS, type FieldMatches, type MatchField } from "./types.js";

/** A token as the unicode61 tokenizer cuts it: letters, digits and marks. */
const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;

const stems = new Map<string, string>();
/** Stems are cached: a page's words repeat across queries. The cache is dropped when it grows large. */
function stem(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    if (stems.size > 200_000) stems.clear();
    const folded = fold(word);
    s = /^[a-z0-9]+$/.test(folded) ? porterStem(folded) : folded;
    stems.set(word, s);
  }
  return s;
}

/** The text fields of a movie that keyword search indexes. */
export interface MatchSource {
  title: string;
  keywords: string[];
  cast: string[];
  directors: string[];
  genres: string[];
  tagline: string | null;
  overview: string;
  plot?: string | null;
  transcript?: string | null;
}

/** Each field's place in `MATCH_FIELDS`: the order of a result's `matches`. */
const FIELD_ORDER = Object.fromEntries(MATCH_FIELDS.map((f, i) => [f, i])) as Record<MatchField, number>;

function fieldTexts(m: MatchSource): [MatchField, string[]][] {
  return [
    ["title", [m.title]],
    ["keywords", m.keywords],
    ["cast", m.cast],
    ["directors", m.directors],
    ["genres", m.genres],
    ["tagline", m.tagline ? [m.tagline] : []],
    ["overview", [m.overview]],
    ["plot", m.plot ? [m.plot] : []],
    ["transcript", m.transcript ? [m.transcript] : []],
  ];
}

/** A stem's place in one field of a movie: where it first occurs (token count into the field) and its spellings, first seen first. */
interface Occurrence {
  field: MatchField;
  first: number;
  spellings: string[];
}

/** What matching reads of a movie, cut into tokens once and indexed by stem. */
export interface TokenizedMovie {
  /** Each field's texts (one per keyword, cast member...) as tokens and stems, for phrase matching. */
  fields: { field: MatchField; texts: { tokens: string[]; stems: string[] }[] }[];
  /** Each distinct stem's occurrences, one per field it is in, in field order. */
  stems: Map<string, Occurrence[]>;
  /** The distinct stems in code-unit order, so a prefix's stems are one contiguous run. */
  sorted: string[];
}

/** Tokenizes a movie's fields once, so that every later query's matches are map lookups. */
export function tokenizeMovie(movie: MatchSource): TokenizedMovie {
  const stems = new Map<string, Occurrence[]>();
  const fields = fieldTexts(movie).map(([field, texts]) => {
    let at = 0;
    const cut = texts.map((text) => {
      const tokens = text.normalize("NFKC").match(TOKEN) ?? [];
      const tokenStems = tokens.map(stem);
      tokenStems.forEach((s, i) => {
        const spelling = tokens[i]!;
        let list = stems.get(s);
        if (!list) stems.set(s, (list = []));
        const o = list[list.length - 1];
        if (!o || o.field !== field) list.push({ field, first: at + i, spellings: [spelling] });
        else if (!o.spellings.some((x) => x.toLowerCase() === spelling.toLowerCase())) o.spellings.push(spelling);
      });
      at += tokens.length;
      return { tokens, stems: tokenStems };
    });
    return { field, texts: cut };
  });
  return { fields, stems, sorted: [...stems.keys()].sort() };
}

/** The first index of `sorted` whose string is not below `key`. */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The words of a movie that a keyword query matches, per field, spelled as in the field: the
 * same decision FTS5 makes (Porter stems compared, the prefix word compared as a stem prefix,
 * phrases as consecutive stems), made in memory for a page of results. Words come in order of
 * first appearance, each stem's spellings together. The query's words are stemmed once, for
 * every movie of a page.
 */
export function matcher(query: KeywordQuery): (movie: TokenizedMovie) => FieldMatches {
  const corrected = Object.values(query.corrections ?? {}).flat();
  const terms = [...new Set([...query.terms.filter((t) => t !== query.prefix), ...corrected].map(stem))];
  const termSet = new Set(terms);
  const prefix = query.prefix ? stem(query.prefix) : null;
  const phrases = query.phrases.map((p) => p.map(stem)).filter((p) => p.length > 0);
  // The matched stems' occurrences, reused: this runs for every result of every page.
  const hits: Occurrence[] = [];
  return (movie) => {
    hits.length = 0;
    for (const t of terms) {
      const list = movie.stems.get(t);
      if (list) hits.push(...list);
    }
    if (prefix !== null) {
      const { sorted } = movie;
      for (let i = lowerBound(sorted, prefix); i < sorted.length && sorted[i]!.startsWith(prefix); i++) {
        if (!termSet.has(sorted[i]!)) hits.push(...movie.stems.get(sorted[i]!)!);
      }
    }
    const out: FieldMatches = {};
    if (hits.length === 0 && phrases.length === 0) return out;
    // A field's matched words are few: a linear check for a repeat beats building a set.
    const add = (field: MatchField, w: string) => {
      const found = (out[field] ??= []);
      const key = w.toLowerCase();
      if (!found.some((f) => f.toLowerCase() === key)) found.push(w);
    };
    if (hits.length > 1) hits.sort((a, b) => FIELD_ORDER[a.field] - FIELD_ORDER[b.field] || a.first - b.first);
    for (const h of hits) for (const w of h.spellings) add(h.field, w);
    for (const p of phrases) {
      for (const { field, texts } of movie.fields) {
        for (const { tokens, stems: tokenStems } of texts) {
          for (let i = 0; i + p.length <= tokenStems.length; i++) {
            if (p.every((ps, j) => tokenStems[i + j] === ps)) add(field, tokens.slice(i, i + p.length).join(" "));
          }
        }
      }
    }
    if (phrases.length === 0) return out;
    // A phrase may have added an earlier field after a later one: fields keep their order.
    const ordered: FieldMatches = {};
    for (const f of MATCH_FIELDS) if (out[f]) ordered[f] = out[f];
    return ordered;
  };
}
