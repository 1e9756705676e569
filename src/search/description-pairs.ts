import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Cleaner } from "../catalog/clean.js";
import { openCatalog } from "../catalog/formats.js";
import { mergeCatalogs } from "../catalog/merge.js";
import type { Movie } from "../catalog/movie.js";
import { SourceError } from "../errors.js";
import type { LabelledQuery } from "./evaluate.js";
import { fold, STOP_WORDS } from "./text.js";

/**
 * Labelled queries the catalogue itself provides: thousands of films are described twice, by
 * TMDB's overview and by Wikipedia's lead summary, written by different people. Matched by
 * title + year (`mergeCatalogs`, the same matching as `ingest --merge`), the Wikipedia text of
 * a film is a query whose right answer is the TMDB movie, and a collection built from the TMDB
 * file alone never holds the query's text. The ranking model is trained on these
 * (`scripts/train-ranker.ts`) and measured on a held-out part (`eval/description-pairs.json`).
 *
 * Everyday queries are short, so each film gives several queries, each a `kind`, all with the
 * film's title taken out (someone describing a film does not know its title):
 * - `lead`: the first sentence's opening clause, "a 2015 American science fiction action film
 *   directed by Colin Trevorrow": genre, year, people;
 * - `plot`: the sentence that tells the story most ("The film depicts an astronaut's lone
 *   struggle to survive on Mars ..."), at most 30 words;
 * - `gist`: the five rarest lower-case story words of that sentence (or of the summary after
 *   its first sentence), in order: "astronaut's lone struggle survive rescue";
 * - `short`: the four rarest of its everyday words (in at least 10 summaries), as people
 *   type a premise: "shark attacks resort town";
 * - `title`: for one film in four, the title as people type it: lower case, and a typo in a
 *   long word for half of them ("jurasic park").
 * Films go to `train` (70%), `validation` (15%) or `heldout` (15%) by a hash of their id, so
 * the split never changes with the data's order.
 */

export const PAIR_KINDS = ["lead", "plot", "gist", "short", "title"] as const;
export type PairKind = (typeof PAIR_KINDS)[number];
export const SPLITS = ["train", "validation", "heldout"] as const;
export type Split = (typeof SPLITS)[number];

/** A film described by both catalogues: the primary's id and title, the other's summary. */
export interface DescriptionPair {
  id: string;
  title: string;
  year: number | null;
  summary: string;
}

/** Most words of a `plot` query and of a `lead` query. */
const PLOT_WORDS = 30;
const LEAD_WORDS = 16;
/** Words of a `gist` query. */
const GIST_WORDS = 5;

/** FNV-1a of a string: the split's hash. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function splitOf(id: string): Split {
  const b = hash(id) % 100;
  return b < 70 ? "train" : b < 85 ? "validation" : "heldout";
}

async function readMovies(file: string): Promise<Movie[]> {
  const source = await openCatalog(file);
  const cleaner = new Cleaner();
  for await (const record of source.records) cleaner.add(source.file, source.source, record);
  return cleaner.finish().movies;
}

/** The films of `primary` (TMDB) that `secondary` (Wikipedia) also describes, by title + year. */
export async function readPairs(primary: string, secondary: string): Promise<DescriptionPair[]> {
  const [a, b] = [await readMovies(primary), await readMovies(secondary)];
  const { movies } = mergeCatalogs(a, b, { keepUnmatched: false });
  return movies.filter((m) => m.plot).map((m) => ({ id: m.id, title: m.title, year: m.year, summary: m.plot! }));
}

/** Sentences, not cut after initials or common abbreviations ("J. J. Abrams", "Dr. No", "U.S."). */
export function sentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  const re = /[.!?]["”’)]?\s+(?=["“(]?[A-Z0-9])/g;
  for (const m of text.matchAll(re)) {
    const before = text.slice(Math.max(start, m.index - 4), m.index + 1);
    if (/(?:^|[\s.])(?:[A-Z]|Mr|Mrs|Ms|Dr|St|Jr|Sr|Vs|vs|U\.S|Co|No)\.$/.test(before)) continue;
    out.push(text.slice(start, m.index + 1).trim());
    start = m.index + m[0].length;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `text` without the film's title (and its part before a subtitle), as whole words, any case. */
export function withoutTitle(text: string, title: string): string {
  const dashes = (s: string) => s.replace(/[‐‑‒–—―]/g, "-");
  const t = dashes(title);
  const names = [t, t.split(/\s*[:(]/)[0]!.trim()].filter((n, i, a) => n.length > 1 && a.indexOf(n) === i);
  let out = dashes(text);
  for (const name of names) out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, "giu"), " ");
  return out.replace(/\s+([,.;:])/g, "$1").replace(/\s+/g, " ").trim();
}

function firstWords(text: string, n: number): string {
  return text.split(/\s+/).slice(0, n).join(" ").replace(/[,;:]$/, "");
}

/** Document frequencies of lower-case words over the summaries, for `gist` queries. */
export function wordFrequencies(pairs: readonly DescriptionPair[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const p of pairs) for (const w of new Set(p.summary.toLowerCase().match(/[a-z][a-z'’-]+/g) ?? [])) df.set(w, (df.get(w) ?? 0) + 1);
  return df;
}

/** A typo people make: a letter dropped, or two neighbours swapped, in the longest word (5+ letters); null when there is none. */
function typo(title: string, h: number): string | null {
  const words = title.split(" ");
  let at = -1;
  for (let i = 0; i < words.length; i++) if (/^[a-z]{5,}$/.test(words[i]!) && (at < 0 || words[i]!.length > words[at]!.length)) at = i;
  if (at < 0) return null;
  const w = words[at]!;
  const i = 1 + (h % (w.length - 2)); // never the first letter, as the speller assumes
  words[at] = (h >>> 8) % 2 === 0 ? w.slice(0, i) + w.slice(i + 1) : w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
  return words.join(" ");
}

/** Words of a summary that speak of the making of the film, not of its story. */
const CREDIT_WORDS = new Set(
  ("film films movie stars star starring starred co-stars plays played portrays portrayed directed director written writer writers produced producer " +
    "produced distributed released release based novel adaptation screenplay story follows depicts tells centers centres revolves focuses chronicles " +
    "portrays concerns features featuring cast ensemble voices voice role roles also sequel installment instalment franchise series remake first second third " +
    "american british premise plot").split(" "),
);
/** Fewest summaries a word of a `short` query appears in: everyday words, not names or jargon. */
const SHORT_MIN_DF = 10;
/** Words of a `short` query. */
const SHORT_WORDS = 4;

/** The lower-case content words of a text, in order (names, credits and stop words left out). */
function storyWords(text: string): string[] {
  return (text.match(/(?<![\p{L}\p{N}])[a-z][a-z'’-]+/gu) ?? []).filter((w) => w.length >= 3 && !STOP_WORDS.has(w) && !CREDIT_WORDS.has(w));
}

/**
 * The part of a summary that tells the story: of the sentences after the first (and the first
 * one's remainder after its opening clause), the one with the most story words against names
 * (capitalised words): "... hunts a man-eating great white shark that attacks beachgoers at a
 * summer resort town" rather than "Murray Hamilton plays the mayor".
 */
function storySentence(all: string[], leadRest: string): string | null {
  let best: string | null = null;
  let bestScore = 2; // at least three story words more than names
  for (const s of [leadRest, ...all.slice(1)]) {
    const names = (s.match(/(?<![\p{L}\p{N}])\p{Lu}[\p{L}'’-]*/gu) ?? []).length;
    const score = storyWords(s).length - names;
    if (score > bestScore) {
      best = s;
      bestScore = score;
    }
  }
  return best;
}

/** The queries one film gives (see the module comment), each labelled with the film's id. */
export function pairQueries(pair: DescriptionPair, df: ReadonlyMap<string, number>): (LabelledQuery & { kind: PairKind })[] {
  const out: (LabelledQuery & { kind: PairKind })[] = [];
  const relevant = [pair.id];
  const add = (kind: PairKind, query: string) => {
    const q = query.replace(/\s+/g, " ").trim();
    if (q.split(" ").filter((w) => !STOP_WORDS.has(fold(w))).length >= 2) out.push({ query: q, relevant, kind });
  };
  const all = sentences(withoutTitle(pair.summary, pair.title));
  let lead = (all[0] ?? "").replace(/^(?:[,(]\s*)?(?:is|was|are|were)\s+(?:a|an|the)?\s*/i, "");
  let leadRest = "";
  const clause = /^(.*?\S)[,;](?=\s)/.exec(lead);
  if (clause && clause[1]!.split(/\s+/).length >= 5) {
    leadRest = lead.slice(clause[0].length);
    lead = clause[1]!;
  }
  add("lead", firstWords(lead, LEAD_WORDS));
  const story = storySentence(all, leadRest);
  if (story) add("plot", firstWords(story, PLOT_WORDS));
  const words = [...new Set(storyWords(story ?? all.slice(1).join(" ")))];
  const rarest = (pool: string[], n: number) => {
    const keep = new Set([...pool].sort((a, b) => (df.get(a) ?? 0) - (df.get(b) ?? 0) || (a < b ? -1 : 1)).slice(0, n));
    return pool.filter((w) => keep.has(w)).join(" ");
  };
  add("gist", rarest(words, GIST_WORDS));
  add("short", rarest(words.filter((w) => (df.get(w) ?? 0) >= SHORT_MIN_DF), SHORT_WORDS));
  const h = hash(`title:${pair.id}`);
  if (h % 4 === 0) {
    const typed = fold(pair.title).replace(/[^\p{L}\p{N}' ]+/gu, " ").replace(/\s+/g, " ").trim();
    const withTypo = (h >>> 4) % 2 === 0 ? typo(typed, h >>> 6) : null;
    // A title of one short word is kept even though it has a single word.
    const q = withTypo ?? typed;
    if (q) out.push({ query: q, relevant, kind: "title" });
  }
  return out;
}

/** A held-out or training set of description pairs, as `eval/description-pairs.json` describes one. */
export interface PairSetSpec {
  description?: string;
  /** The primary catalogue (TMDB), relative to the spec file. */
  primary: string;
  /** The catalogue whose summaries are the queries (Wikipedia), relative to the spec file. */
  secondary: string;
  split: Split;
  /** The films of the split, by id: queries are made for these only. */
  ids: string[];
}

/** Reads a pair-set spec and makes its queries from the catalogue files it names. */
export async function loadPairSet(file: string): Promise<LabelledQuery[]> {
  let spec: PairSetSpec;
  try {
    spec = JSON.parse(readFileSync(file, "utf8")) as PairSetSpec;
  } catch (err) {
    throw new SourceError(file, `cannot read a description-pair spec (${(err as Error).message})`, { cause: err });
  }
  if (typeof spec.primary !== "string" || typeof spec.secondary !== "string" || !Array.isArray(spec.ids) || !(SPLITS as readonly string[]).includes(spec.split)) {
    throw new SourceError(file, 'a description-pair spec needs "primary", "secondary", "split" and "ids"');
  }
  const base = dirname(resolve(file));
  const pairs = await readPairs(resolve(base, spec.primary), resolve(base, spec.secondary));
  const wanted = new Set(spec.ids);
  const df = wordFrequencies(pairs);
  const out = pairs.filter((p) => wanted.has(p.id)).flatMap((p) => pairQueries(p, df));
  if (out.length === 0) throw new SourceError(file, "none of the spec's films is described by both catalogues");
  return out;
}
