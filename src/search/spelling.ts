import type { KeywordQuery } from "./keyword-query.js";
import { porterStem } from "./porter.js";
import { fold } from "./text.js";
import { TypoTrie, typoBudget } from "./typo-trie.js";

/** Most corrections kept per misspelt word: the closest, most frequent words. */
export const MAX_CORRECTIONS = 2;
/** Most words of one query that are corrected (each costs a trie walk); the rest are searched as typed. */
export const MAX_CORRECTED_WORDS = 8;

const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;
const ASCII = /^[a-z0-9]*$/;

/**
 * What keyword search knows about the words of the collection, to read the last word and
 * misspellings the way a person means them:
 *
 * - the last word is a prefix ("interst" finds "interstellar") unless the stemmer shortens it:
 *   the index holds Porter stems and FTS5 stems a prefix query too, so a finished "mars" would
 *   become `mar*` and match "Marvel" and "Mark"; such a word is searched as itself;
 * - typo tolerance with Meilisearch's budget (1 typo from 5 letters, 2 from 9): a word whose stem
 *   the index has never seen is searched together with the words within that many typos of it
 *   ("shawshenk redemtion" also searches "shawshank redemption"). Candidates are the index's
 *   terms and the words of titles and names as written (a stem would hide a typo in an ending:
 *   "inceptoin" is one swap from "inception" but three edits from its stem "incept"). The first
 *   letter is taken as typed, as most spellers do: it cuts the work twentyfold.
 *
 * The index's terms come from the store's keyword vocabulary (`Store.keywordVocabulary`); the
 * titles and names from a field scan, read and made into a typo trie on the first unknown word.
 * A store without a vocabulary gets no corrections (`correct` then only decides the prefix).
 */
export class Spelling {
  /** The index's terms (Porter stems), sorted, and how many movies hold each. */
  private readonly stems: { sorted: string[]; docs: ReadonlyMap<string, number> } | null;
  private candidates: Promise<{ trie: TypoTrie; words: string[]; docs: Int32Array }> | null = null;

  /**
   * @param vocabulary the keyword index's terms with their document counts, or null when the store has none
   * @param nameTexts each movie's title and names (cast, directors) as one text, read when first needed
   */
  constructor(
    vocabulary: ReadonlyMap<string, number> | null,
    private readonly nameTexts: () => Promise<Iterable<string>>,
  ) {
    this.stems = vocabulary ? { sorted: [...vocabulary.keys()].sort(), docs: vocabulary } : null;
  }

  /** Whether the index holds the word (by its stem), or with `prefix`, a word starting with it. */
  known(word: string, prefix = false): boolean {
    const stem = porterStem(word);
    if (!this.stems) return true;
    const { sorted, docs } = this.stems;
    if (docs.has(stem)) return true;
    if (!prefix) return false;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < stem) lo = mid + 1;
      else hi = mid;
    }
    return lo < sorted.length && sorted[lo]!.startsWith(stem);
  }

  /** Words a typo may be corrected to: the index's terms and the words of titles and names, with the movies holding each. */
  private correctionWords(): Promise<{ trie: TypoTrie; words: string[]; docs: Int32Array }> {
    this.candidates ??= (async () => {
      const docs = new Map(this.stems!.docs);
      for (const text of await this.nameTexts()) {
        for (const token of text.toLowerCase().match(TOKEN) ?? []) {
          const w = ASCII.test(token) ? token : fold(token);
          if (!docs.has(w)) docs.set(w, 1);
        }
      }
      const words = [...docs.keys()];
      return { trie: new TypoTrie(words), words, docs: Int32Array.from(words, (w) => docs.get(w)!) };
    })();
    return this.candidates;
  }

  /** Words within the typo budget of a word, closest then most frequent first, one per stem. */
  async corrections(word: string, prefix = false): Promise<string[]> {
    const budget = typoBudget([...word].length);
    if (budget === 0 || !this.stems) return [];
    const { trie, words, docs } = await this.correctionWords();
    const found = [...trie.hits(word, budget, prefix, true)]
      .map(([id, h]) => ({ word: words[id]!, typos: h.typos, docs: docs[id]! }))
      .sort((a, b) => a.typos - b.typos || b.docs - a.docs || (a.word < b.word ? -1 : 1));
    const best = found[0]?.typos;
    // Words with one stem are one term to FTS5: keep the first of each.
    const stems = new Set<string>();
    return found
      .filter((c) => c.typos === best && !stems.has(porterStem(c.word)) && stems.add(porterStem(c.word)))
      .slice(0, MAX_CORRECTIONS)
      .map((c) => c.word);
  }

  /** The query as the index should see it: the last word's prefix decided, unknown free words corrected (phrases are kept as typed). */
  async correct(query: KeywordQuery): Promise<KeywordQuery> {
    const prefix = query.prefix !== null && porterStem(query.prefix) === query.prefix ? query.prefix : null;
    const corrections: Record<string, string[]> = {};
    let tried = 0;
    for (const term of query.terms) {
      if (!this.stems) break;
      if (typoBudget([...term].length) === 0 || this.known(term, term === prefix)) continue;
      if (++tried > MAX_CORRECTED_WORDS) break;
      const found = await this.corrections(term, term === prefix);
      if (found.length) corrections[term] = found;
    }
    return { ...query, prefix, ...(Object.keys(corrections).length ? { corrections } : {}) };
  }
}
