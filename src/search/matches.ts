import type { KeywordQuery } from "./fts-query.js";
import { porterStem } from "./porter.js";
import { fold } from "./text.js";
import type { FieldMatches, MatchField } from "./types.js";

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
}

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
  ];
}

/** A movie's indexed text cut into tokens as typed and their stems, per field: what matching reads. */
export type TokenizedMovie = [MatchField, { tokens: string[]; stems: string[] }[]][];

/** Tokenizes a movie's fields once, so that every later query's matches are set lookups. */
export function tokenizeMovie(movie: MatchSource): TokenizedMovie {
  return fieldTexts(movie).map(([field, texts]) => [
    field,
    texts.map((text) => {
      const tokens = text.normalize("NFKC").match(TOKEN) ?? [];
      return { tokens, stems: tokens.map(stem) };
    }),
  ]);
}

/**
 * The words of a movie that a keyword query matches, per field, spelled as in the field: the
 * same decision FTS5 makes (Porter stems compared, the prefix word compared as a stem prefix,
 * phrases as consecutive stems), made in memory for a page of results.
 */
export function fieldMatches(movie: MatchSource | TokenizedMovie, query: KeywordQuery): FieldMatches {
  const tokenized = Array.isArray(movie) ? movie : tokenizeMovie(movie);
  const corrected = Object.values(query.corrections ?? {}).flat();
  const terms = new Set([...query.terms.filter((t) => t !== query.prefix), ...corrected].map(stem));
  const prefix = query.prefix ? stem(query.prefix) : null;
  const phrases = query.phrases.map((p) => p.map(stem));
  const out: FieldMatches = {};
  for (const [field, texts] of tokenized) {
    const found: string[] = [];
    const seen = new Set<string>();
    const add = (w: string) => {
      const key = w.toLowerCase();
      if (seen.has(key)) return;
      seen.add(key);
      found.push(w);
    };
    for (const { tokens, stems: tokenStems } of texts) {
      tokenStems.forEach((s, i) => {
        if (terms.has(s) || (prefix !== null && s.startsWith(prefix))) add(tokens[i]!);
      });
      for (const p of phrases) {
        if (p.length === 0) continue;
        for (let i = 0; i + p.length <= tokenStems.length; i++) {
          if (p.every((ps, j) => tokenStems[i + j] === ps)) add(tokens.slice(i, i + p.length).join(" "));
        }
      }
    }
    if (found.length) out[field] = found;
  }
  return out;
}
