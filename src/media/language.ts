import { francAll } from "franc-min";
import { iso6393, iso6393To1 } from "iso-639-3";

/** Where a language came from, most trusted first (see `chooseLanguage`). */
export const LANGUAGE_SOURCES = ["audio-tag", "subtitles", "transcript"] as const;
export type LanguageSource = (typeof LANGUAGE_SOURCES)[number];

/** One finding of a file's language, kept with where it came from. */
export interface LanguageFinding {
  /** ISO 639-1, e.g. `es`. */
  language: string;
  source: LanguageSource;
  /** What the source said, as written: the stream tag (`spa`), or franc's ISO 639-3 code. */
  raw: string;
  /**
   * How sure: 1 for a tag (declared, not guessed); for text, franc's margin over the runner-up
   * (1 - the second language's relative score): near 0 means two languages read alike.
   */
  confidence: number;
}

/**
 * Shortest text franc is asked about, in characters. Its trigram profiles need a sentence or
 * so; below 20 characters (franc-min's own default is 10) a name or an exclamation would be
 * read as a random language.
 */
export const MIN_DETECT_LENGTH = 20;

let codes: Map<string, string> | null = null;

/**
 * ISO 639-1 for a language code as media tags and detectors write it: 639-1 (`es`), 639-2/B
 * (`spa`, `fre`, `ger`), 639-2/T (`fra`, `deu`) or 639-3 (`cmn` is Chinese, `zh`), any case;
 * also BCP 47 tags with a region (`es-MX`). Null when the code names no language with a
 * two-letter code (`und`, `mul`, `zxx`, a typo).
 */
export function toIso6391(code: string | null | undefined): string | null {
  if (!code) return null;
  const c = code.trim().toLowerCase().split(/[-_]/)[0]!;
  if (!/^[a-z]{2,3}$/.test(c)) return null;
  if (!codes) {
    codes = new Map();
    for (const l of iso6393) {
      const one = l.iso6391 ?? iso6393To1[l.iso6393];
      if (!one) continue;
      codes.set(one, one);
      codes.set(l.iso6393, one);
      if (l.iso6392B) codes.set(l.iso6392B, one);
      if (l.iso6392T) codes.set(l.iso6392T, one);
    }
    // Macrolanguage members franc returns for languages whose 639-1 code names the macrolanguage.
    for (const [member, one] of [["cmn", "zh"], ["arb", "ar"], ["pes", "fa"], ["zlm", "ms"], ["ekk", "et"], ["lvs", "lv"], ["uzn", "uz"], ["azj", "az"], ["khk", "mn"], ["npi", "ne"], ["swh", "sw"], ["plt", "mg"], ["ory", "or"], ["gug", "gn"], ["quy", "qu"], ["ydd", "yi"], ["als", "sq"], ["hbs", "sh"]] as const) {
      codes.set(member, one);
    }
  }
  return codes.get(c) ?? null;
}

/** The language of a text by franc-min (trigram profiles of 82 languages), or null when too short or undecided. */
export function detectLanguage(text: string, source: Exclude<LanguageSource, "audio-tag">): LanguageFinding | null {
  const t = text.replace(/\s+/g, " ").trim();
  if (t.length < MIN_DETECT_LENGTH) return null;
  const ranked = francAll(t, { minLength: MIN_DETECT_LENGTH });
  const [best, second] = ranked;
  if (!best || best[0] === "und") return null;
  const language = toIso6391(best[0]);
  if (!language) return null;
  return { language, source, raw: best[0], confidence: round(1 - (second?.[1] ?? 0)) };
}

/** A stream's language tag as a finding, or null for `und` and unknown codes. */
export function tagLanguage(tag: string | null): LanguageFinding | null {
  const language = toIso6391(tag);
  return language && tag ? { language, source: "audio-tag", raw: tag, confidence: 1 } : null;
}

/**
 * The language a file is filed under: the audio stream's tag first (the publisher declared
 * it), then the subtitles' text (exact words, though possibly a translation), then the
 * transcript (recognition errors, and a one-language recogniser writes its own language's
 * words whatever it hears). Null when nothing says.
 */
export function chooseLanguage(findings: readonly LanguageFinding[]): LanguageFinding | null {
  for (const source of LANGUAGE_SOURCES) {
    const f = findings.find((x) => x.source === source);
    if (f) return f;
  }
  return null;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
