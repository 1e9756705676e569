/**
 * The Porter stemmer exactly as SQLite's FTS5 `porter` tokenizer applies it (ext/fts5/
 * fts5_tokenize.c), so that JavaScript can tell which words of a result matched a query
 * without asking FTS5 again. Asking FTS5 (highlight()) costs a second pass over every matching
 * row, 1-6 ms a page; stemming the page's words here costs microseconds. Written by hand
 * because the stemmers on npm implement Porter2/Snowball or other variants, whose stems differ
 * from SQLite's; `test/search-keyword.test.ts` checks this one against SQLite's on the real
 * vocabulary.
 *
 * Like SQLite, it stems tokens of 3 to 64 characters and leaves others alone; tokens are the
 * lower-case output of the unicode61 tokenizer.
 */

const MAX_TOKEN = 64;

function isVowel(c: string, yIsVowel: boolean): boolean {
  return c === "a" || c === "e" || c === "i" || c === "o" || c === "u" || (yIsVowel && c === "y");
}

/** Consonant at i: not a vowel, and `y` is a consonant only after a vowel or at the start. */
function isConsonant(w: string, i: number): boolean {
  const c = w[i]!;
  if (isVowel(c, false)) return false;
  if (c !== "y") return true;
  return i === 0 || !isConsonant(w, i - 1);
}

/** Porter's m: the number of vowel-consonant sequences in w[0..n). */
function measure(w: string, n: number): number {
  let m = 0;
  let i = 0;
  while (i < n && isConsonant(w, i)) i++;
  for (;;) {
    while (i < n && !isConsonant(w, i)) i++;
    if (i >= n) return m;
    while (i < n && isConsonant(w, i)) i++;
    m++;
  }
}

function hasVowel(w: string, n: number): boolean {
  for (let i = 0; i < n; i++) if (!isConsonant(w, i)) return true;
  return false;
}

/** *o: ends consonant-vowel-consonant, the last not w, x or y. */
function endsCvc(w: string, n: number): boolean {
  if (n < 3) return false;
  const c = w[n - 1]!;
  return isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1) && c !== "w" && c !== "x" && c !== "y";
}

/** Replaces `suffix` with `to` when the word ends with it and the stem passes `cond`; true when it ended with it. */
function swap(w: { s: string }, suffix: string, to: string, cond: (stem: string, n: number) => boolean): boolean {
  if (!w.s.endsWith(suffix)) return false;
  const n = w.s.length - suffix.length;
  if (cond(w.s, n)) w.s = w.s.slice(0, n) + to;
  return true;
}

const m0 = (s: string, n: number) => measure(s, n) > 0;
const m1 = (s: string, n: number) => measure(s, n) > 1;

const STEP2: [string, string][] = [
  ["ational", "ate"], ["tional", "tion"], ["enci", "ence"], ["anci", "ance"], ["izer", "ize"], ["logi", "log"], ["bli", "ble"],
  ["alli", "al"], ["entli", "ent"], ["eli", "e"], ["ousli", "ous"], ["ization", "ize"], ["ation", "ate"], ["ator", "ate"],
  ["alism", "al"], ["iveness", "ive"], ["fulness", "ful"], ["ousness", "ous"], ["aliti", "al"], ["iviti", "ive"], ["biliti", "ble"],
];
const STEP3: [string, string][] = [["icate", "ic"], ["ative", ""], ["alize", "al"], ["iciti", "ic"], ["ical", "ic"], ["ful", ""], ["ness", ""]];
const STEP4 = ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ou", "ism", "ate", "iti", "ous", "ive", "ize"];

/** Tries suffixes longest first (ties keep list order), applying the first the word ends with. */
function longestFirst(pairs: [string, string][]): [string, string][] {
  return [...pairs].sort((a, b) => b[0].length - a[0].length);
}
const STEP2_ORDERED = longestFirst(STEP2);
const STEP3_ORDERED = longestFirst(STEP3);
const STEP4_ORDERED = [...STEP4, "ion"].sort((a, b) => b.length - a.length);

/**
 * Stems already computed, at most `STEM_MEMO_SIZE` (default 100,000 words, then it starts over):
 * a catalogue's titles repeat a vocabulary of some thousands of words, and the ranking signals
 * and series stem every title word of the collection (about 30,000 calls for TMDB, a third of
 * their build time, which a one-shot `similar` or `search` pays).
 */
const STEM_MEMO_SIZE = 100_000;
const stemMemo = new Map<string, string>();

export function porterStem(token: string): string {
  if (token.length < 3 || token.length > MAX_TOKEN) return token;
  let stem = stemMemo.get(token);
  if (stem === undefined) {
    if (stemMemo.size >= STEM_MEMO_SIZE) stemMemo.clear();
    stemMemo.set(token, (stem = stemOnce(token)));
  }
  return stem;
}

function stemOnce(token: string): string {
  const w = { s: token };
  // Step 1a.
  if (w.s.endsWith("s")) {
    const n = w.s.length;
    // SQLite wants a letter before "sses" and "ies": "ies" alone only loses its "s".
    if (w.s.endsWith("es")) w.s = (n > 4 && w.s.endsWith("sses")) || (n > 3 && w.s.endsWith("ies")) ? w.s.slice(0, -2) : w.s.slice(0, -1);
    else if (!w.s.endsWith("ss")) w.s = w.s.slice(0, -1);
  }
  // Step 1b.
  let extra = false;
  if (w.s.endsWith("eed")) {
    if (m0(w.s, w.s.length - 3)) w.s = w.s.slice(0, -1);
  } else if (w.s.endsWith("ed") && hasVowel(w.s, w.s.length - 2)) {
    w.s = w.s.slice(0, -2);
    extra = true;
  } else if (w.s.endsWith("ing") && hasVowel(w.s, w.s.length - 3)) {
    w.s = w.s.slice(0, -3);
    extra = true;
  }
  if (extra) {
    if (w.s.endsWith("at") || w.s.endsWith("bl") || w.s.endsWith("iz")) w.s += "e";
    else {
      const n = w.s.length;
      const c = w.s[n - 1]!;
      if (n >= 2 && c === w.s[n - 2] && isConsonant(w.s, n - 1) && c !== "l" && c !== "s" && c !== "z") w.s = w.s.slice(0, -1);
      else if (measure(w.s, n) === 1 && endsCvc(w.s, n)) w.s += "e";
    }
  }
  // Step 1c.
  if (w.s.endsWith("y") && hasVowel(w.s, w.s.length - 1)) w.s = `${w.s.slice(0, -1)}i`;
  // Steps 2 and 3: the first suffix the word ends with decides, whether or not m allows it.
  for (const [suffix, to] of STEP2_ORDERED) if (swap(w, suffix, to, m0)) break;
  for (const [suffix, to] of STEP3_ORDERED) if (swap(w, suffix, to, m0)) break;
  // Step 4.
  for (const suffix of STEP4_ORDERED) {
    if (!w.s.endsWith(suffix)) continue;
    const n = w.s.length - suffix.length;
    if (suffix === "ion") {
      if (n > 0 && (w.s[n - 1] === "s" || w.s[n - 1] === "t") && m1(w.s, n)) w.s = w.s.slice(0, n);
    } else if (m1(w.s, n)) w.s = w.s.slice(0, n);
    break;
  }
  // Step 5a.
  if (w.s.endsWith("e")) {
    const n = w.s.length - 1;
    const m = measure(w.s, n);
    if (m > 1 || (m === 1 && !endsCvc(w.s, n))) w.s = w.s.slice(0, n);
  }
  // Step 5b.
  if (w.s.length > 1 && w.s.endsWith("ll") && measure(w.s, w.s.length - 1) > 1) w.s = w.s.slice(0, -1);
  return w.s;
}
