import { h } from "./dom.js";
import type { Matches } from "./api.js";

/** The matched words of some fields of a result (the engine's per-field `matches`), lower-cased. */
export function matchedWords(matches: Matches | undefined, ...fields: string[]): string[] {
  if (!matches) return [];
  const out = new Set<string>();
  for (const field of fields) {
    const words = matches[field];
    if (!Array.isArray(words)) continue;
    for (const w of words) if (typeof w === "string" && w.trim()) out.add(w.trim().toLowerCase());
  }
  return [...out];
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/**
 * `text` as a fragment of text nodes with the matched words wrapped in <mark>: built from nodes,
 * never from an HTML string. The engine reports words as spelled in the field, so a word of the
 * text is marked when it (or its part before an apostrophe: "Watney's") is one of them.
 */
export function highlight(text: string, words: string[]): DocumentFragment {
  const frag = document.createDocumentFragment();
  if (words.length === 0) {
    frag.append(text);
    return frag;
  }
  const wanted = new Set(words);
  let last = 0;
  for (const m of text.matchAll(WORD)) {
    const word = m[0].toLowerCase();
    if (!wanted.has(word) && !wanted.has(word.split(/['’]/)[0]!)) continue;
    if (m.index > last) frag.append(text.slice(last, m.index));
    frag.append(h("mark", null, m[0]));
    last = m.index + m[0].length;
  }
  if (last < text.length) frag.append(text.slice(last));
  return frag;
}
