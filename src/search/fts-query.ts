import type { KeywordQuery } from "../store/store.js";
import { fold, isStopWord, words } from "./text.js";

export type { KeywordQuery } from "../store/store.js";

/**
 * Most distinct terms and phrases a query sends to FTS5. A 10,000-character query would
 * otherwise become an expression of thousands of phrases, each scored on every matching row.
 */
export const MAX_QUERY_TERMS = 64;
/** Shortest last word that is also matched as a prefix; shorter ones would match most words. */
export const MIN_PREFIX_LENGTH = 3;

/**
 * Reads a query as free words and "quoted phrases" (straight or curly quotes; an unpaired quote
 * is ignored). Stop words are dropped from the free words unless nothing else would be left.
 * The last free word is also a prefix unless the query ends with a space or punctuation, as
 * when someone is still typing it.
 */
export function parseKeywordQuery(text: string): KeywordQuery {
  const phrases: string[][] = [];
  const free: string[] = [];
  // Split on paired quotes: odd-numbered pieces are phrases.
  const normalized = text.replace(/[“”„«»]/g, '"');
  const pieces = normalized.split('"');
  const paired = pieces.length % 2 === 1 ? pieces : [...pieces.slice(0, -2), pieces.slice(-2).join(" ")];
  paired.forEach((piece, i) => {
    const ws = words(piece);
    if (i % 2 === 1 && ws.length > 0) phrases.push(ws.map(fold));
    else free.push(...ws);
  });
  const content = free.filter((w) => !isStopWord(w));
  const kept = (content.length > 0 || phrases.length > 0 ? content : free).map(fold);
  const terms = [...new Set(kept)];
  const last = free.length ? fold(free[free.length - 1]!) : null;
  const typingLastWord = last !== null && /[\p{L}\p{N}\p{M}]$/u.test(normalized.trimStart()) && !normalized.endsWith('"');
  const prefix = typingLastWord && last.length >= MIN_PREFIX_LENGTH && terms.includes(last) ? last : null;
  return { terms: terms.slice(0, MAX_QUERY_TERMS), phrases: phrases.slice(0, MAX_QUERY_TERMS), prefix: prefix && terms.indexOf(prefix) < MAX_QUERY_TERMS ? prefix : null };
}

/** An FTS5 string literal: every word is quoted, so no query text is ever read as FTS5 syntax. */
function quote(tokens: string[]): string {
  return `"${tokens.join(" ").replace(/"/g, '""')}"`;
}

/**
 * The FTS5 MATCH expression, or null when the query has no words. Free words are ORed, so a
 * description matches films that share some of its words and BM25 ranks those sharing the most
 * (rarest, in the heaviest fields) first; requiring every word would miss most descriptions.
 * Quoted phrases are required: `P1 AND P2 AND (P1 OR w1 OR w2)` keeps the free words optional
 * while BM25 still scores them.
 */
export function ftsExpression(q: KeywordQuery): string | null {
  const free = q.terms.flatMap((t) => [t === q.prefix ? `${quote([t])}*` : quote([t]), ...(q.corrections?.[t] ?? []).map((c) => quote([c]))]);
  const phrases = q.phrases.map(quote);
  if (phrases.length === 0) return free.length ? free.join(" OR ") : null;
  const required = phrases.join(" AND ");
  return free.length ? `${required} AND (${[phrases[0]!, ...free].join(" OR ")})` : required;
}
