import { test } from "node:test";
import assert from "node:assert/strict";
import { Plotline } from "../src/plotline.js";
import { TFIDF_DEFAULTS, TfidfIndex, tokenize, type TfidfOptions } from "../src/recommend/tfidf.js";
import { tmdbGloveDb } from "./helpers/collections.js";
import { tmdbTest } from "./helpers/data.js";

/**
 * scikit-learn's TfidfVectorizer formulas written the plain way (string Maps, no sorting
 * tricks): stop words are the unigrams in more than maxDf of the texts, removed before bigrams;
 * terms kept when minDf <= df <= maxDf * n; weight (1 + ln tf) * (ln((1 + n) / (1 + df)) + 1);
 * rows l2-normalised.
 */
function reference(texts: string[], options: Required<TfidfOptions>): Map<string, number>[] {
  const n = texts.length;
  const maxCount = Math.floor(options.maxDf * n);
  const words = texts.map((t) =>
    Array.from(t.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().matchAll(/\b[a-z_][a-z0-9_]+\b/g), (m) => m[0]),
  );
  const unigramDf = new Map<string, number>();
  for (const doc of words) for (const w of new Set(doc)) unigramDf.set(w, (unigramDf.get(w) ?? 0) + 1);
  const counts = words.map((doc) => {
    const kept = doc.filter((w) => unigramDf.get(w)! <= maxCount);
    const terms = [...kept, ...kept.slice(1).map((w, i) => `${kept[i]} ${w}`)];
    const c = new Map<string, number>();
    for (const t of terms) c.set(t, (c.get(t) ?? 0) + 1);
    return c;
  });
  const df = new Map<string, number>();
  for (const c of counts) for (const t of c.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  return counts.map((c) => {
    const v = new Map<string, number>();
    for (const [t, tf] of c) {
      const d = df.get(t)!;
      if (d >= options.minDf && d <= maxCount) v.set(t, (1 + Math.log(tf)) * (Math.log((1 + n) / (1 + d)) + 1));
    }
    const norm = Math.sqrt([...v.values()].reduce((s, w) => s + w * w, 0));
    for (const [t, w] of v) v.set(t, w / norm);
    return v;
  });
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let s = 0;
  for (const [t, w] of a) s += w * (b.get(t) ?? 0);
  return s;
}

function check(texts: string[], options: Required<TfidfOptions>, queries: number[]): void {
  const index = TfidfIndex.build(texts, options);
  const ref = reference(texts, options);
  const vocabulary = new Set(ref.flatMap((v) => [...v.keys()]));
  assert.equal(index.vocabulary.length, vocabulary.size, "vocabulary size");
  for (const term of index.vocabulary) assert.ok(vocabulary.has(term), `term '${term}' is in the reference vocabulary`);
  for (const p of queries) {
    const ours = new Map<number, number>();
    index.similarTo(p, (q, s) => ours.set(q, s));
    for (let q = 0; q < texts.length; q++) {
      const expected = cosine(ref[p]!, ref[q]!);
      assert.ok(Math.abs((ours.get(q) ?? 0) - expected) < 1e-5, `cosine(${p}, ${q}): ${ours.get(q) ?? 0} vs ${expected}`);
      assert.ok(Math.abs(index.cosine(p, q) - expected) < 1e-5, `pairwise cosine(${p}, ${q})`);
    }
  }
}

test("tokens: lowercase, accents stripped, Karpathy's pattern (a letter first, two characters or more)", () => {
  assert.deepEqual(tokenize("WALL·E meets Michael Peña's 2nd R2-D2, a_b x"), ["wall", "meets", "michael", "pena", "r2", "d2", "a_b"]);
});

test("TF-IDF matches a direct computation of the vectorizer's formulas on a small corpus", () => {
  const texts = [
    "A boy and his toys come to life when the boy is away.",
    "The toys come to life again: a cowboy toy is stolen by a collector.",
    "A shark attacks a beach town and the police chief hunts the shark.",
    "A great white shark returns to the beach town.",
    "A cowboy rides into town; the town is not happy.",
    "Nothing here is like anything else, truly.",
  ];
  check(texts, { maxDf: 0.5, minDf: 1 }, [0, 1, 2, 3, 4, 5]);
  check(texts, { maxDf: 0.4, minDf: 2 }, [0, 2, 5]);
});

tmdbTest("TF-IDF matches the direct computation on 1,000 real TMDB overviews with the defaults", async () => {
  const p = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
  try {
    const texts = (await p.store.page({ fields: ["overview"], limit: 1000 })).map((m) => m.overview);
    check(texts, TFIDF_DEFAULTS, [0, 17, 500, 999]);
  } finally {
    await p.close();
  }
});

test("a text without terms matches nothing", () => {
  const index = TfidfIndex.build(["", "toys toys", "toys again"], { maxDf: 1, minDf: 1 });
  assert.equal(index.termCount(0), 0);
  const seen: number[] = [];
  index.similarTo(0, (q) => seen.push(q));
  assert.deepEqual(seen, []);
});
