import { iso6393 } from "iso-639-3";
import { detectLanguage } from "../media/language.js";

/** Scripts a query may be written in that no embedder or keyword index here reads, by name. */
const SCRIPTS: [RegExp, string][] = [
  [/\p{Script=Hiragana}|\p{Script=Katakana}/u, "Japanese"],
  [/\p{Script=Hangul}/u, "Korean"],
  [/\p{Script=Han}/u, "Chinese"],
  [/\p{Script=Cyrillic}/u, "Cyrillic"],
  [/\p{Script=Arabic}/u, "Arabic"],
  [/\p{Script=Hebrew}/u, "Hebrew"],
  [/\p{Script=Greek}/u, "Greek"],
  [/\p{Script=Thai}/u, "Thai"],
  [/\p{Script=Devanagari}/u, "Devanagari"],
];

/**
 * Shortest Latin-script query whose language is guessed (franc-min): shorter ones are names and
 * keywords, which read as random languages.
 */
const MIN_GUESS_LENGTH = 30;
/** franc's margin over the runner-up needed before a Latin-script query is called not English. */
const MIN_CONFIDENCE = 0.2;

/**
 * A one-line notice when a query is not in English (the embedders, the stemmer and the stop
 * words are English), or null: by its script when it has letters of another one, else by
 * franc-min for a sentence-long query.
 */
export function nonEnglishNotice(query: string): string | null {
  const language = scriptOf(query) ?? guessed(query);
  if (!language) return null;
  return `the query seems to be in ${language}; Plotline understands English text only (titles in any script still match as written)`;
}

function scriptOf(query: string): string | null {
  for (const [re, name] of SCRIPTS) if (re.test(query)) return name === "Cyrillic" || name === "Devanagari" ? `${name} script` : name;
  return null;
}

function guessed(query: string): string | null {
  const text = query.replace(/\s+/g, " ").trim();
  if (text.length < MIN_GUESS_LENGTH) return null;
  const found = detectLanguage(text, "transcript");
  if (!found || found.language === "en" || found.confidence < MIN_CONFIDENCE) return null;
  return iso6393.find((l) => l.iso6393 === found.raw)?.name ?? found.language;
}
