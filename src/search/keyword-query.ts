import type { KeywordQuery } from "../store/store.js";
import { fold, isStopWord, words } from "./text.js";

export type { KeywordQuery } from "../store/store.js";

/**
 * Most distinct terms and phrases a query sends to the keyword index. A 10,000-character query
 * would otherwise become thousands of terms, each a posting list to read and score.
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

/** Whether a query has anything for a keyword index to match (a free word or a phrase). */
export function hasKeywordTerms(q: KeywordQuery): boolean {
  return q.terms.length > 0 || q.phrases.length > 0;
}
