import { TopK } from "../vector-index/topk.js";
import { fold, STOP_WORDS } from "./text.js";
import { TypoTrie, typoBudget } from "./typo-trie.js";

export { typoBudget } from "./typo-trie.js";

/** Most query words a title lookup considers (titles are short; the rest is ignored). */
export const MAX_TITLE_QUERY_WORDS = 16;

/** A word of a title as written, and folded for comparison. */
interface TitleToken {
  surface: string;
  word: string;
}

/**
 * Title words, folded, apostrophes dropped inside words (`Schindler's` → `schindlers`,
 * `WALL·E` → `wall`, `e`), each with its spelling in the title.
 */
export function titleTokens(text: string): TitleToken[] {
  const out: TitleToken[] = [];
  for (const surface of text.normalize("NFKC").match(/[\p{L}\p{N}\p{M}]+(?:['’‘`][\p{L}\p{N}\p{M}]+)*/gu) ?? []) {
    const word = fold(surface).replace(/[^\p{L}\p{N}]/gu, "");
    if (word) out.push({ surface, word });
  }
  return out;
}

export function titleWords(text: string): string[] {
  return titleTokens(text).map((t) => t.word);
}

/** Title positions tracked per match (a bit each); later words share the last bit. */
const POSITIONS = 30;

/** How one title matched a title query. */
export interface TitleMatch {
  /** The title's key, as given to the constructor. */
  key: number;
  /** Rank score in (0, 1]: equal for equally good matches; popularity orders those. */
  score: number;
  /** Query words that found a word of the title. */
  matched: number;
  /** Typos summed over the matched words. */
  typos: number;
  /** Matched words that only matched as the start of a title word. */
  prefixes: number;
  /** Every word of the query and every word of the title matched. */
  covered: boolean;
  /** The title's words that matched, as written in the title. */
  words: string[];
  /** Bit i set: title word i matched. */
  mask: number;
}

/**
 * Search-as-you-type over titles, in memory: a map from each title word to the titles holding
 * it, and a trie of those words walked with a bounded Damerau-Levenshtein row per node (the
 * walk stops as soon as a branch cannot come within the typo budget), so a lookup touches a few
 * hundred trie nodes instead of every word. Written by hand because no installed package does
 * bounded-typo prefix lookup with Meilisearch's rules (MiniSearch would, but is not a
 * dependency); the whole structure is ~25k words for 10k titles and builds in tens of ms.
 *
 * Ranking, best first: more query words matched; fewer typos; fewer prefix-only matches (so
 * exact beats prefix beats typo); the query is the whole title; then popularity (or the
 * popularity prior, `usePrior`); then the smaller key.
 */
export class TitleIndex {
  private readonly keys: Int32Array;
  private readonly titles: string[][];
  private readonly surfaces: string[][];
  private readonly popRank: Int32Array;
  /** Ranks by the popularity prior (`usePrior`), popularity breaking its ties; null until set. */
  private priorRank: Int32Array | null = null;
  private readonly postings: Int32Array[];
  private readonly trie: TypoTrie;
  private readonly positionOf = new Map<number, number>();
  // Per-title accumulators, reused across searches (a search stamps the titles it touched).
  private readonly stamp: Int32Array;
  private readonly matched: Int32Array;
  private readonly typos: Int32Array;
  private readonly prefixes: Int32Array;
  private readonly mask: Int32Array;
  private readonly wordStamp: Int32Array;
  private readonly wordCost: Int32Array;
  private readonly wordMask: Int32Array;
  private generation = 0;

  /** `key` identifies each title in results (the engine's positions); equally popular titles rank by smaller key. */
  constructor(entries: readonly { key: number; title: string; popularity: number | null }[]) {
    const n = entries.length;
    this.keys = new Int32Array(n);
    this.titles = [];
    this.surfaces = [];
    const vocabulary = new Map<string, number>();
    const postings: number[][] = [];
    entries.forEach((e, t) => {
      this.keys[t] = e.key;
      this.positionOf.set(e.key, t);
      const tokens = titleTokens(e.title);
      this.titles.push(tokens.map((x) => x.word));
      this.surfaces.push(tokens.map((x) => x.surface));
      tokens.forEach(({ word }, pos) => {
        let id = vocabulary.get(word);
        if (id === undefined) vocabulary.set(word, (id = postings.push([]) - 1));
        // Title and word position packed in one number (5 bits of position).
        postings[id]!.push(t * 32 + Math.min(pos, POSITIONS - 1));
      });
    });
    this.postings = postings.map((p) => Int32Array.from(p));
    this.trie = new TypoTrie([...vocabulary.keys()]);
    const order = entries.map((_, i) => i).sort((a, b) => (entries[a]!.popularity ?? 0) - (entries[b]!.popularity ?? 0) || entries[b]!.key - entries[a]!.key);
    this.popRank = new Int32Array(n);
    order.forEach((t, rank) => (this.popRank[t] = rank));
    this.stamp = new Int32Array(n);
    this.matched = new Int32Array(n);
    this.typos = new Int32Array(n);
    this.prefixes = new Int32Array(n);
    this.mask = new Int32Array(n);
    this.wordStamp = new Int32Array(n);
    this.wordCost = new Int32Array(n);
    this.wordMask = new Int32Array(n);
  }

  get size(): number {
    return this.keys.length;
  }

  /** Lets `search(..., byPrior)` order equally good matches by the popularity prior instead of popularity. */
  usePrior(prior: (key: number) => number): void {
    const n = this.keys.length;
    const value = Float64Array.from(this.keys, (r) => prior(r));
    const order = Array.from({ length: n }, (_, t) => t).sort((a, b) => value[a]! - value[b]! || this.popRank[a]! - this.popRank[b]!);
    this.priorRank = new Int32Array(n);
    order.forEach((t, rank) => (this.priorRank![t] = rank));
  }

  /**
   * The best titles for what was typed. The last word also matches as a prefix unless the query
   * ends with a space. `accept`, when given, limits the titles to those keys (filters).
   * `byPrior` orders equally good matches by the prior given to `usePrior` rather than by
   * popularity.
   */
  search(query: string, k: number, offset = 0, accept?: ReadonlySet<number> | null, byPrior = false): TitleMatch[] {
    const qwords = titleWords(query).slice(0, MAX_TITLE_QUERY_WORDS);
    if (qwords.length === 0 || k <= 0) return [];
    const typingLast = /[\p{L}\p{N}\p{M}]$/u.test(query);
    const gen = ++this.generation;
    const touched: number[] = [];
    const { stamp, matched, typos, prefixes, mask, wordStamp, wordCost, wordMask } = this;
    qwords.forEach((q, qi) => {
      const wgen = gen * MAX_TITLE_QUERY_WORDS + qi;
      const hits = this.trie.hits(q, typoBudget([...q].length), typingLast && qi === qwords.length - 1);
      // Best hit of this query word in each title (cost: typos, then prefix), and the positions it hit.
      const titlesHit: number[] = [];
      for (const [word, hit] of hits) {
        const cost = hit.typos * 2 + (hit.prefix ? 1 : 0);
        for (const p of this.postings[word]!) {
          const t = p >> 5;
          const bit = 1 << (p & 31);
          if (wordStamp[t] !== wgen) {
            wordStamp[t] = wgen;
            wordCost[t] = cost;
            wordMask[t] = bit;
            titlesHit.push(t);
          } else {
            if (cost < wordCost[t]!) wordCost[t] = cost;
            wordMask[t] = wordMask[t]! | bit;
          }
        }
      }
      for (const t of titlesHit) {
        if (accept && !accept.has(this.keys[t]!)) continue;
        if (stamp[t] !== gen) {
          stamp[t] = gen;
          matched[t] = typos[t] = prefixes[t] = mask[t] = 0;
          touched.push(t);
        }
        matched[t]!++;
        typos[t] = typos[t]! + (wordCost[t]! >> 1);
        prefixes[t] = prefixes[t]! + (wordCost[t]! & 1);
        mask[t] = mask[t]! | wordMask[t]!;
      }
    });
    const q = qwords.length;
    const n = this.keys.length;
    const tierMax = q * 64 * 64 * 2 + 1;
    const tierOf = (t: number) => {
      const full = (1 << Math.min(this.titles[t]!.length, POSITIONS)) - 1;
      // The query is the whole title: every query word and every title word matched.
      const covered = mask[t] === full && matched[t] === q ? 1 : 0;
      return ((matched[t]! * 64 - Math.min(typos[t]!, 63)) * 64 - Math.min(prefixes[t]!, 63)) * 2 + covered;
    };
    const top = new TopK(offset + k);
    const rank = byPrior && this.priorRank ? this.priorRank : this.popRank;
    for (const t of touched) top.push(t, tierOf(t) * n + rank[t]!);
    return top
      .result()
      .slice(offset)
      .map(({ id: t }) => {
        const tier = tierOf(t);
        const words = this.surfaces[t]!.filter((_, pos) => mask[t]! & (1 << Math.min(pos, POSITIONS - 1)));
        return { key: this.keys[t]!, score: tier / tierMax, matched: matched[t]!, typos: typos[t]!, prefixes: prefixes[t]!, covered: tier % 2 === 1, words, mask: mask[t]! };
      });
  }

  /**
   * The title a phrase names, or null: every word of the phrase matches a whole word of the
   * title (typos allowed, no prefixes) and every title word that is not a stop word is matched.
   * The most popular such title wins. Used to read "movies like Alien".
   */
  resolve(phrase: string): number | null {
    const q = titleWords(phrase);
    if (q.length === 0) return null;
    for (const m of this.search(`${phrase} `, 25)) {
      if (m.matched < q.length || m.prefixes > 0) break;
      const title = this.titles[this.positionOf.get(m.key)!]!;
      if (title.every((w, pos) => m.mask & (1 << Math.min(pos, POSITIONS - 1)) || STOP_WORDS.has(w))) return m.key;
    }
    return null;
  }
}
