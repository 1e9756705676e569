/**
 * Words of a query, the way the keyword and title indexes see them. Kept in one place so that
 * query building, title lookup and query understanding agree on what a word is.
 */

/**
 * A word: letters, digits and combining marks, the characters SQLite's unicode61 tokenizer keeps
 * in a token; everything else (punctuation, FTS syntax, emoji, spaces) separates words.
 */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** The words of `text`, in order, as typed (case kept). */
export function words(text: string): string[] {
  return text.normalize("NFKC").match(WORD) ?? [];
}

/** Lower case without accents: how both indexes compare words (`Peña` = `pena`). */
export function fold(word: string): string {
  return word.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase();
}

/**
 * English function words dropped from natural-language queries before they reach the keyword
 * index: SQLite FTS5 has no stop-word support, and with OR semantics a query word such as "the"
 * matches almost every overview, costing time and adding noise to BM25. Written here because no
 * installed package ships a list (Orama's lives in the separate `@orama/stopwords`). It is the
 * usual short list of articles, pronouns, auxiliaries and prepositions, plus the words people
 * put around a description of a film ("movie", "film"), which say nothing about which film.
 * Quoted phrases keep their stop words, and a query made only of stop words ("It", "Up") is
 * searched as typed.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all am an and any are aren as at be because been before being below between both but by " +
    "can cannot could couldn did didn do does doesn doing don down during each few for from further had hadn has hasn have haven having he " +
    "her here hers herself him himself his how i if in into is isn it its itself just let me more most my myself no nor not of off on once " +
    "only or other ought our ours ourselves out over own same she should shouldn so some such than that the their theirs them themselves then " +
    "there these they this those through to too under until up very was wasn we were weren what when where which while who whom why will with " +
    "won would wouldn you your yours yourself yourselves s t d ll m re ve " +
    "movie movies film films"
  ).split(" "),
);

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(fold(word));
}
