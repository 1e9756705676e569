import type { KeywordQuery } from "../store.js";

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
