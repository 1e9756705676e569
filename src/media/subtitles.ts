import { parse } from "@plussub/srt-vtt-parser";
import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { detectLanguage, tagLanguage, type LanguageFinding } from "./language.js";

export const SUBTITLE_EXTENSIONS = [".srt", ".vtt"] as const;

/** Subtitles found beside a video: their words as one text, and their language. */
export interface Subtitles {
  file: string;
  text: string;
  /** From a language code in the file name (`Movie.es.srt`), else detected from the text; null when neither says. */
  language: LanguageFinding | null;
}

/**
 * The subtitle files that belong to a video: same folder, same base name, `.srt` or `.vtt`,
 * with or without a language part (`Movie.srt`, `Movie.es.srt`, `Movie.spa.vtt`), in name order.
 */
export function subtitleFiles(video: string): string[] {
  const dir = dirname(video);
  const base = basename(video, extname(video));
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => {
      const ext = extname(n).toLowerCase();
      if (!(SUBTITLE_EXTENSIONS as readonly string[]).includes(ext)) return false;
      const stem = n.slice(0, -ext.length);
      return stem === base || (stem.startsWith(`${base}.`) && /^[A-Za-z]{2,3}(-[A-Za-z]{2})?$/.test(stem.slice(base.length + 1)));
    })
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => existsSync(p));
}

/** Markup inside cues: HTML-like tags (`<i>`, `<c.yellow>`, `<00:01.000>`) and SSA overrides (`{\an8}`). */
const MARKUP = /<[^>]*>|\{\\[^}]*\}/g;

/**
 * Reads one subtitle file as text with `@plussub/srt-vtt-parser` (SRT and WebVTT): cue texts
 * in order, markup removed, lines joined. A byte-order mark and Windows line ends are allowed.
 */
export async function readSubtitles(file: string): Promise<Subtitles> {
  const raw = (await readFile(file, "utf8")).replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const { entries } = parse(raw);
  const text = entries
    .map((e: { text: string }) => e.text.replace(MARKUP, "").replace(/\s+/g, " ").trim())
    .filter(Boolean)
    .join(" ");
  const ext = extname(file);
  const code = /\.([A-Za-z]{2,3}(?:-[A-Za-z]{2})?)$/.exec(basename(file, ext))?.[1] ?? null;
  const named = code ? tagLanguage(code) : null;
  return { file, text, language: named ? { ...named, source: "subtitles" } : detectLanguage(text, "subtitles") };
}
