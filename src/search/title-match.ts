import { porterStem } from "./porter.js";
import { STOP_WORDS } from "./text.js";
import { titleWords } from "./title-index.js";
import { typoBudget } from "./typo-trie.js";

/**
 * How well a query names a title, for the ranking model's `titleMatch`, `titleExact` and
 * `titleQuery` features: word against word, as people type titles. Two words match when they
 * are equal, share a Porter stem ("aliens", "alien"), or, for a query word that no title of the
 * collection has (a misspelling, as the speller decides), are within the title index's typo
 * budget (1 from 5 letters, 2 from 9; first letter as typed) or the query word is the title
 * word with one letter left out: a short word has no typo budget, but people drop letters
 * ("prk" for "park", "kng" for "king"; "las" stays "las", a title word of its own). The last
 * query word also matches the start of a title word, as it is being typed. Stop words count
 * only in titles made of nothing else.
 */

/** A query's words as the matcher reads them. */
export interface TitleQuery {
  words: string[];
  stems: string[];
  /** Word i is no title's word: typos and dropped letters are allowed for it. */
  unknown: boolean[];
  /** The last word may be a prefix (the query did not end with a space or punctuation). */
  typing: boolean;
}

/** Shortest last word matched as the start of a title word. */
const MIN_PREFIX = 3;

function content(words: string[]): string[] {
  const kept = words.filter((w) => !STOP_WORDS.has(w));
  return kept.length ? kept : words;
}

function stemOf(w: string): string {
  return /^[a-z0-9]+$/.test(w) ? porterStem(w) : w;
}

/** A query for `TitleMatcher`; `isTitleWord` tells the words some title of the collection has. */
export function titleQuery(text: string, isTitleWord: (word: string) => boolean = () => false): TitleQuery {
  const words = content(titleWords(text));
  return { words, stems: words.map(stemOf), unknown: words.map((w) => !isTitleWord(w)), typing: /[\p{L}\p{N}\p{M}]$/u.test(text) };
}

/** A title as the matcher reads it: its words (stop words only when it has no others) and their stems. */
export interface TitleWords {
  words: string[];
  stems: string[];
}

export function titleWordsOf(title: string): TitleWords {
  const words = content(titleWords(title));
  return { words, stems: words.map(stemOf) };
}

/**
 * Every title's words as ids into one vocabulary, so that a query matches each distinct title
 * word once (`TitleMatcher`) however many candidates share it: titles repeat words ("the",
 * "man", "2"), and a pool of 200 candidates has far fewer distinct title words than words.
 */
export class TitleVocabulary {
  readonly words: string[] = [];
  readonly stems: string[] = [];
  /** Each word's stem as a number (`stemId`), by word id: matching compares numbers, not strings. */
  readonly stemIds: number[] = [];
  /** Each word's first UTF-16 unit, by word id (-1: empty): a loose match must share it, checked without reading the string. */
  readonly initials: number[] = [];
  private readonly ids = new Map<string, number>();
  private readonly stemNumbers = new Map<string, number>();

  /** The ids of a title's words (`titleWordsOf`). */
  add(title: string): Int32Array {
    const { words, stems } = titleWordsOf(title);
    return Int32Array.from(words, (w, i) => {
      let id = this.ids.get(w);
      if (id === undefined) {
        id = this.words.length;
        this.ids.set(w, id);
        this.words.push(w);
        this.stems.push(stems[i]!);
        this.initials.push(initial(w));
        let stem = this.stemNumbers.get(stems[i]!);
        if (stem === undefined) this.stemNumbers.set(stems[i]!, (stem = this.stemNumbers.size));
        this.stemIds.push(stem);
      }
      return id;
    });
  }

  has(word: string): boolean {
    return this.ids.has(word);
  }

  /** A word's id, or -1 when no title has it. */
  wordId(word: string): number {
    return this.ids.get(word) ?? -1;
  }

  /** A stem's number (as `stemIds` holds them), or -1 when no title word has it. */
  stemId(stem: string): number {
    return this.stemNumbers.get(stem) ?? -1;
  }

  /**
   * Scratch for `TitleMatcher`, by word id: a matcher's bit set of each word it has read, valid
   * where `owner` holds that matcher's number. Shared by every matcher, so a query allocates
   * nothing per title word; a matcher that finds a word written by another reads it again.
   */
  scratchMasks = new Int32Array(0);
  scratchOwner = new Uint32Array(0);
  private matchers = 0;

  /** A number for a new matcher, and the scratch arrays grown to the vocabulary. */
  nextMatcher(): number {
    if (this.scratchMasks.length < this.words.length) {
      this.scratchMasks = new Int32Array(this.words.length);
      this.scratchOwner = new Uint32Array(this.words.length);
    }
    this.matchers = (this.matchers % 0xfffffffe) + 1;
    return this.matchers;
  }
}

/** Matches one query against many titles of one vocabulary, each distinct title word once. */
export class TitleMatcher {
  /** This matcher's number in the vocabulary's scratch (`nextMatcher`). */
  private readonly me: number;
  /** The first 31 query words as word ids and stem numbers of the vocabulary (-1: none has it): how most words match. */
  private readonly wordIds: Int32Array;
  private readonly stemIds: Int32Array;
  /**
   * The query words that may also match otherwise than by word or stem (misspelt ones, and the
   * last one while typed), each checked against a title word the first time a candidate has
   * it: a pool of 200 candidates has a few hundred distinct title words, fewer than a walk of
   * the whole vocabulary for a typo or a prefix would visit.
   */
  private readonly loose: { bit: number; word: string; stem: string; unknown: boolean; typing: boolean; initial: number }[] = [];

  constructor(
    readonly query: TitleQuery,
    private readonly vocabulary: TitleVocabulary,
  ) {
    this.me = vocabulary.nextMatcher();
    const n = Math.min(query.words.length, 31);
    this.wordIds = Int32Array.from({ length: n }, (_, i) => vocabulary.wordId(query.words[i]!));
    this.stemIds = Int32Array.from({ length: n }, (_, i) => vocabulary.stemId(query.stems[i]!));
    for (let i = 0; i < n; i++) {
      const q = query.words[i]!;
      const typing = query.typing && i === query.words.length - 1;
      const unknown = query.unknown[i]!;
      if (!unknown && !typing) continue;
      // A word allowed neither a typo (a dropped letter is one) nor a prefix matches by word or stem alone.
      const typos = unknown ? Math.max(typoBudget(q.length), q.length >= 3 ? 1 : 0) : 0;
      if (typos === 0 && !(typing && q.length >= MIN_PREFIX)) continue;
      this.loose.push({ bit: 1 << i, word: q, stem: query.stems[i]!, unknown, typing, initial: initial(q) });
    }
  }

  /** The bit set of the query words that match title word `id` (the first 31). */
  private mask(id: number): number {
    const masks = this.vocabulary.scratchMasks;
    const owner = this.vocabulary.scratchOwner;
    if (owner[id] === this.me) return masks[id]!;
    const stemId = this.vocabulary.stemIds[id]!;
    let m = 0;
    for (let i = 0; i < this.wordIds.length; i++) if (this.wordIds[i] === id || this.stemIds[i] === stemId) m |= 1 << i;
    if (this.loose.length) {
      // A bit not set yet: neither the word nor its stem is the title word's, so only a prefix
      // or a typo can match, and both keep the first letter (`wordMatches`).
      const first = this.vocabulary.initials[id]!;
      for (const l of this.loose) if (!(m & l.bit) && l.initial === first && wordMatches(l.word, l.stem, l.unknown, this.vocabulary.words[id]!, this.vocabulary.stems[id]!, l.typing)) m |= l.bit;
    }
    masks[id] = m;
    owner[id] = this.me;
    return m;
  }

  /**
   * `cover`: the share of the title's words that some query word matches; `query`: the share of
   * the query's words that match a title word.
   */
  match(title: Int32Array, out: { cover: number; query: number }): void {
    out.cover = 0;
    out.query = 0;
    const n = title.length;
    const nq = Math.min(this.query.words.length, 31);
    if (nq === 0 || n === 0) return;
    let covered = 0;
    let used = 0;
    for (let j = 0; j < n; j++) {
      const m = this.mask(title[j]!);
      if (m !== 0) {
        covered++;
        used |= m;
      }
    }
    let queryHits = 0;
    for (let i = 0; i < nq; i++) if (used & (1 << i)) queryHits++;
    out.cover = covered / n;
    out.query = queryHits / this.query.words.length;
  }
}

/** A word's first UTF-16 unit, -1 for an empty one. */
function initial(word: string): number {
  return word.length ? word.charCodeAt(0) : -1;
}

/** Optimal string alignment distance of a and b, or `max + 1` as soon as it must exceed `max`. */
function boundedDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      row.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/** `word` with exactly one letter left out is `short` (same first letter). */
function droppedLetter(short: string, word: string): boolean {
  if (word.length !== short.length + 1 || short[0] !== word[0]) return false;
  let i = 0;
  let skipped = false;
  for (let j = 0; j < word.length; j++) {
    if (short[i] === word[j]) i++;
    else if (skipped) return false;
    else skipped = true;
  }
  return i === short.length;
}

function wordMatches(q: string, qStem: string, unknown: boolean, t: string, tStem: string, prefix: boolean): boolean {
  if (q === t || qStem === tStem) return true;
  if (q[0] !== t[0]) return false;
  if (prefix && q.length >= MIN_PREFIX && t.startsWith(q)) return true;
  if (!unknown) return false;
  const budget = typoBudget(q.length);
  if (budget > 0 && boundedDistance(q, t, budget) <= budget) return true;
  return q.length >= 3 && droppedLetter(q, t);
}
