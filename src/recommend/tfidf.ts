/**
 * TF-IDF vectors of plot texts, the other option of Karpathy's movie search, built the way his
 * scikit-learn `TfidfVectorizer` settings build them (arxiv-sanity-lite's `compute.py`):
 * accents stripped (NFKD), lowercased, tokens `\b[a-zA-Z_][a-zA-Z0-9_]+\b`, unigrams and
 * bigrams, sublinear tf (`1 + ln tf`), smooth idf (`ln((1 + n) / (1 + df)) + 1`), l2-normalised
 * rows, `max_df` 0.1. Two departures, both because a movie collection is smaller than arXiv:
 * - stop words are the unigrams found in more than `maxDf` of the plots (the corpus-specific stop
 *   list scikit-learn's documentation suggests instead of its English list, which no npm
 *   package ships), removed before bigrams are formed, as scikit-learn removes its stop words;
 * - `min_df` is 2 and there is no `max_features` cap: a term in only one plot cannot make two
 *   movies alike (it only dilutes its own plot's weights), while a cap of 20,000 features by
 *   corpus frequency would drop the character names that tie a sequel to its original.
 * Written by hand: no maintained npm package implements this vectorizer (n-grams with stop
 * words removed first, sublinear tf, smooth idf), and it is a few dozen lines over Maps.
 */
export interface TfidfOptions {
  /** Terms in more than this fraction of texts are dropped (default 0.1, Karpathy's). */
  maxDf?: number;
  /** Terms in fewer than this many texts are dropped (default 2). */
  minDf?: number;
}

export const TFIDF_DEFAULTS: Required<TfidfOptions> = { maxDf: 0.1, minDf: 2 };

/** Lowercased, accent-free tokens of a text, by Karpathy's token pattern. */
export function tokenize(text: string): string[] {
  // Most plots are plain ASCII, where stripping accents changes nothing: skip the normalisation.
  const plain = /^[ -~\s]*$/.test(text) ? text : text.normalize("NFKD").replace(/\p{M}+/gu, "");
  return plain.toLowerCase().match(/\b[a-z_][a-z0-9_]+\b/g) ?? [];
}

export class TfidfIndex {
  private scratch: Float64Array;

  private constructor(
    /** Row p's terms are `terms[rowStart[p] .. rowStart[p + 1])`, sorted by term id. */
    private readonly rowStart: Int32Array,
    private readonly terms: Int32Array,
    private readonly weights: Float32Array,
    /** Term t's texts are `postDocs[postStart[t] .. postStart[t + 1])`. */
    private readonly postStart: Int32Array,
    private readonly postDocs: Int32Array,
    private readonly postWeights: Float32Array,
    readonly vocabulary: string[],
  ) {
    this.scratch = new Float64Array(rowStart.length - 1);
  }

  /** Texts indexed. */
  get size(): number {
    return this.rowStart.length - 1;
  }

  static build(texts: string[], options: TfidfOptions = {}): TfidfIndex {
    const { maxDf, minDf } = { ...TFIDF_DEFAULTS, ...options };
    const n = texts.length;
    const maxCount = Math.floor(maxDf * n);

    // Words become integer ids; bigrams are counted by sorting (pair, text) codes rather than in
    // a Map keyed by bigram strings, which took 1.3 s for TMDB against ~0.3 s this way.
    const wordId = new Map<string, number>();
    const words: string[] = [];
    const docs: Int32Array[] = texts.map((text) => {
      const tokens = tokenize(text);
      const ids = new Int32Array(tokens.length);
      for (let i = 0; i < tokens.length; i++) {
        let id = wordId.get(tokens[i]!);
        if (id === undefined) {
          id = words.length;
          wordId.set(tokens[i]!, id);
          words.push(tokens[i]!);
        }
        ids[i] = id;
      }
      return ids;
    });
    const V = words.length;
    const wordDf = new Int32Array(V);
    const lastDoc = new Int32Array(V).fill(-1);
    docs.forEach((doc, d) => {
      for (const w of doc) {
        if (lastDoc[w] === d) continue;
        lastDoc[w] = d;
        wordDf[w]!++;
      }
    });
    const isStop = (w: number) => wordDf[w]! > maxCount;

    // Unigram terms first (ids in word order), then bigram terms (ids in pair order), so each
    // text's terms come out sorted when its unigrams are followed by its bigrams.
    const vocabulary: string[] = [];
    const idf: number[] = [];
    const idfOf = (df: number) => Math.log((1 + n) / (1 + df)) + 1;
    const unigramTerm = new Int32Array(V).fill(-1);
    for (let w = 0; w < V; w++) {
      if (wordDf[w]! < minDf || isStop(w)) continue;
      unigramTerm[w] = vocabulary.length;
      vocabulary.push(words[w]!);
      idf.push(idfOf(wordDf[w]!));
    }

    // (first * V + second) * n + text is below 2^53 for any realistic corpus, so a Float64Array
    // sorts it exactly: runs of one pair give its document frequency and, per text, its count.
    let pairs = 0;
    const kept = docs.map((doc) => doc.filter((w) => !isStop(w)));
    for (const doc of kept) pairs += Math.max(0, doc.length - 1);
    if ((V * V + V) * n >= Number.MAX_SAFE_INTEGER) throw new Error("TF-IDF: corpus too large for bigram codes");
    const codes = new Float64Array(pairs);
    let c = 0;
    kept.forEach((doc, d) => {
      for (let i = 0; i + 1 < doc.length; i++) codes[c++] = (doc[i]! * V + doc[i + 1]!) * n + d;
    });
    codes.sort();
    const bigramRows: number[][] = Array.from({ length: n }, () => []); // [term, tf, term, tf, ...]
    for (let i = 0; i < codes.length; ) {
      const pair = Math.floor(codes[i]! / n);
      let j = i;
      let df = 0;
      let prev = -1;
      while (j < codes.length && Math.floor(codes[j]! / n) === pair) {
        if (codes[j] !== prev) {
          prev = codes[j]!;
          df++;
        }
        j++;
      }
      if (df >= minDf && df <= maxCount) {
        const t = vocabulary.length;
        vocabulary.push(`${words[Math.floor(pair / V)]} ${words[pair % V]}`);
        idf.push(idfOf(df));
        for (let r = i; r < j; ) {
          let e = r + 1;
          while (e < j && codes[e] === codes[r]) e++;
          bigramRows[codes[r]! - pair * n]!.push(t, e - r);
          r = e;
        }
      }
      i = j;
    }

    const rowStart = new Int32Array(n + 1);
    const rowTerms: number[] = [];
    const rowWeights: number[] = [];
    const postCount = new Int32Array(vocabulary.length);
    const add = (t: number, tf: number) => {
      rowTerms.push(t);
      rowWeights.push((1 + Math.log(tf)) * idf[t]!);
      postCount[t]!++;
    };
    kept.forEach((doc, d) => {
      const from = (rowStart[d] = rowTerms.length);
      const sorted = doc.slice().sort();
      for (let i = 0; i < sorted.length; ) {
        let j = i + 1;
        while (j < sorted.length && sorted[j] === sorted[i]) j++;
        const t = unigramTerm[sorted[i]!]!;
        if (t >= 0) add(t, j - i);
        i = j;
      }
      const bigrams = bigramRows[d]!;
      for (let i = 0; i < bigrams.length; i += 2) add(bigrams[i]!, bigrams[i + 1]!);
      let norm = 0;
      for (let i = from; i < rowWeights.length; i++) norm += rowWeights[i]! * rowWeights[i]!;
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let i = from; i < rowWeights.length; i++) rowWeights[i] = rowWeights[i]! * inv;
    });
    rowStart[n] = rowTerms.length;
    const terms = Int32Array.from(rowTerms);
    const weights = Float32Array.from(rowWeights);

    const postStart = new Int32Array(vocabulary.length + 1);
    for (let t = 0; t < vocabulary.length; t++) postStart[t + 1] = postStart[t]! + postCount[t]!;
    const fill = postStart.slice(0, vocabulary.length);
    const postDocs = new Int32Array(terms.length);
    const postWeights = new Float32Array(terms.length);
    for (let d = 0; d < n; d++) {
      for (let i = rowStart[d]!; i < rowStart[d + 1]!; i++) {
        const slot = fill[terms[i]!]!++;
        postDocs[slot] = d;
        postWeights[slot] = weights[i]!;
      }
    }
    return new TfidfIndex(rowStart, terms, weights, postStart, postDocs, postWeights, vocabulary);
  }

  /** Non-zero terms of text p. */
  termCount(p: number): number {
    return this.rowStart[p + 1]! - this.rowStart[p]!;
  }

  /**
   * Cosine of text p with every text sharing a term with it, through the inverted index; texts
   * sharing none score 0 and are not listed. `visit(q, score)` is called once per such text.
   */
  similarTo(p: number, visit: (q: number, score: number) => void): void {
    const acc = this.scratch;
    const touched: number[] = [];
    for (let i = this.rowStart[p]!; i < this.rowStart[p + 1]!; i++) {
      const t = this.terms[i]!;
      const w = this.weights[i]!;
      for (let j = this.postStart[t]!; j < this.postStart[t + 1]!; j++) {
        const q = this.postDocs[j]!;
        if (acc[q] === 0) touched.push(q);
        acc[q] = acc[q]! + w * this.postWeights[j]!;
      }
    }
    for (const q of touched) {
      visit(q, acc[q]!);
      acc[q] = 0;
    }
  }

  /** Cosine of texts a and b (a merge of their sorted term lists). */
  cosine(a: number, b: number): number {
    let i = this.rowStart[a]!;
    let j = this.rowStart[b]!;
    const iEnd = this.rowStart[a + 1]!;
    const jEnd = this.rowStart[b + 1]!;
    let sum = 0;
    while (i < iEnd && j < jEnd) {
      const ti = this.terms[i]!;
      const tj = this.terms[j]!;
      if (ti === tj) sum += this.weights[i++]! * this.weights[j++]!;
      else if (ti < tj) i++;
      else j++;
    }
    return sum;
  }
}
