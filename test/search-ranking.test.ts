import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Plotline } from "../src/plotline.js";
import { pairQueries, sentences, splitOf, withoutTitle, type PairSetSpec } from "../src/search/description-pairs.js";
import { evaluateMode, loadQuerySet } from "../src/search/evaluate.js";
import { FEATURE_COUNT, RANK_FEATURES } from "../src/search/rank-model.js";
import { fitSoftmax, poolMetrics, trainingSet } from "../src/search/rank-training.js";
import { RANK_WEIGHTS } from "../src/search/rank-weights.js";
import { RankSignals, seriesCoverage } from "../src/search/ranker.js";
import { FIELD_GROUPS } from "../src/store/store.js";
import type { SearchOptions } from "../src/search/types.js";
import { tmdbGloveDb } from "./helpers/collections.js";
import { tmdbTest } from "./helpers/data.js";
import { ROOT } from "./helpers/paths.js";

const plotline = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
after(() => plotline.close());
const search = (q: string, o: SearchOptions) => plotline.search(q, o);

test("the softmax fit: deterministic, converged, and it learns which feature tells the right answer", () => {
  // Two features per candidate; the right answer has the larger first feature in most queries,
  // the second is noise.
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const queries = Array.from({ length: 300 }, () => {
    const rows = Array.from({ length: 8 }, () => [rand(), rand()]);
    const relevant = Math.floor(rand() * 8);
    if (rand() < 0.8) rows[relevant]![0] = 1 + rand();
    return { rows, relevant };
  });
  const set = trainingSet(2, queries);
  const a = fitSoftmax(set, 1e-3);
  const b = fitSoftmax(set, 1e-3);
  assert.deepEqual([...a.weights], [...b.weights]);
  assert.ok(a.weights[0]! > 2 && Math.abs(a.weights[1]!) < 1, [...a.weights].join(", "));
  const score = (w: ArrayLike<number>) => (rows: Float32Array, at: number) => w[0]! * rows[at]! + w[1]! * rows[at + 1]!;
  assert.ok(poolMetrics(set, score(a.weights)).mrr > poolMetrics(set, score([0, 1])).mrr, "better than the noise feature alone");
  assert.ok(fitSoftmax(set, 1e-3, 0).loss > a.loss, "the loss fell from w = 0");
  assert.ok(a.iterations < 50, "converged");
});

test("the learned weights: one per feature, finite, with how they were made", () => {
  assert.deepEqual(Object.keys(RANK_WEIGHTS), [...RANK_FEATURES]);
  assert.equal(RANK_FEATURES.length, FEATURE_COUNT);
  for (const [name, w] of Object.entries(RANK_WEIGHTS)) assert.ok(Number.isFinite(w), name);
  const source = readFileSync(join(ROOT, "src/search/rank-weights.ts"), "utf8");
  assert.match(source, /Learned by `npm run train-ranker`/);
  assert.match(source, /Validation \(/);
});

/** Prior inputs of `n` movies that say nothing (a uniform prior). */
function noPrior(n: number) {
  const none = () => new Float64Array(n).fill(NaN);
  const zero = () => new Float64Array(n);
  return { positions: Int32Array.from({ length: n }, (_, i) => i), votes: none(), popularity: none(), rating: none(), cast: zero(), summaryLength: zero(), poster: zero(), merged: zero() };
}

test("series coverage: each pool movie reads the best coverage among the others of its series", () => {
  // Positions 0-2 one series (the same main part), 3 alone, 4 a series whose sibling is not in the pool.
  const signals = new RankSignals({
    ...noPrior(6),
    ids: ["a", "b", "c", "d", "e", "f"],
    titles: ["Ocean's Eleven", "Ocean's Twelve", "Ocean's Thirteen", "Casino", "Rocky", "Rocky II"],
    years: [2001, 2004, 2007, 1995, 1976, 1979],
    genres: [[], [], [], [], [], []],
  });
  const G = FIELD_GROUPS.length;
  const pool = Int32Array.from([0, 1, 2, 3, 4]);
  const coverage = [0.6, 0.2, 1, 0.9, 0.7];
  const fields = new Float64Array(pool.length * G);
  coverage.forEach((c, i) => (fields[i * G + FIELD_GROUPS.indexOf("any")] = c));
  assert.deepEqual(Array.from(seriesCoverage(signals, pool, fields)), [1, 1, 0.6, 0, 0]);
});

test("description pairs: the query never holds the film's title; films split by a hash of the id", () => {
  assert.equal(withoutTitle("Jaws is a 1975 film. The shark in Jaws attacks.", "Jaws"), "is a 1975 film. The shark in attacks.");
  assert.equal(withoutTitle("In Alien: Resurrection, Ripley is cloned.", "Alien: Resurrection"), "In, Ripley is cloned.");
  assert.deepEqual(sentences("Directed by J. J. Abrams. It stars Dr. No in the U.S. version. Fine!"), ["Directed by J. J. Abrams.", "It stars Dr. No in the U.S. version.", "Fine!"]);
  const pair = {
    id: "tt0073195",
    title: "Jaws",
    year: 1975,
    summary:
      "Jaws is a 1975 American thriller film directed by Steven Spielberg. In the story, a man-eating great white shark attacks beachgoers at a summer resort town, prompting the police chief to hunt it with a marine biologist and a professional shark hunter.",
  };
  const df = new Map<string, number>();
  for (const w of pair.summary.toLowerCase().match(/[a-z][a-z'’-]+/g) ?? []) df.set(w, 20);
  const queries = pairQueries(pair, df);
  assert.ok(queries.length >= 3);
  for (const q of queries) {
    assert.deepEqual(q.relevant, ["tt0073195"]);
    if (q.kind !== "title") assert.doesNotMatch(q.query, /\bjaws\b/i, `${q.kind}: ${q.query}`);
  }
  assert.equal(splitOf("tt0073195"), splitOf("tt0073195"));
  const counts = { train: 0, validation: 0, heldout: 0 };
  for (let i = 0; i < 2000; i++) counts[splitOf(`tt${String(i).padStart(7, "0")}`)]++;
  assert.ok(counts.train > 1200 && counts.validation > 200 && counts.heldout > 200, JSON.stringify(counts));
});

test("the held-out split is the held-out films only, and none of them was trained on", () => {
  const spec = JSON.parse(readFileSync(join(ROOT, "eval/description-pairs.json"), "utf8")) as PairSetSpec;
  assert.equal(spec.split, "heldout");
  assert.ok(spec.ids.length > 500, `${spec.ids.length} films`);
  for (const id of spec.ids) assert.equal(splitOf(id), "heldout", id);
});

tmdbTest("hybrid on the team's queries: Recall@10 at least 0.94 and MRR at least 0.80 (the issue's targets)", async () => {
  const set = loadQuerySet(join(ROOT, "eval/tmdb-queries.jsonl"));
  const learned = (await evaluateMode(search, set, "hybrid")).overall;
  const convex = (await evaluateMode(search, set, "hybrid", { fusion: "convex", prior: 0 })).overall;
  const line = `learned: Recall@10 ${learned.recall10.toFixed(3)}, MRR ${learned.mrr.toFixed(3)}; before (convex, no prior): ${convex.recall10.toFixed(3)}, ${convex.mrr.toFixed(3)}`;
  assert.ok(learned.recall10 >= 0.94 && learned.mrr >= 0.8, line);
  assert.ok(learned.mrr > convex.mrr && learned.recall10 > convex.recall10, line);
});

tmdbTest("everyday queries: at least 60, and the film people mean in the top 3 for at least 80% of them", async () => {
  const set = loadQuerySet(join(ROOT, "eval/everyday-queries.jsonl"));
  assert.ok(set.length >= 60, `${set.length} queries`);
  for (const q of set) for (const id of q.relevant) assert.ok(await plotline.movie(id), `${q.query}: ${id} is in the collection`);
  const report = await evaluateMode(search, set, "hybrid");
  const missed = report.queries.filter((q) => !q.success3).map((q) => `${q.query} (#${q.firstRelevant ?? "-"})`);
  assert.ok(report.overall.success3 >= 0.8, `Success@3 ${report.overall.success3.toFixed(3)}; missed: ${missed.join("; ")}`);
});

tmdbTest("the issue's queries: Jaws, Toy Story, Ocean's Eleven (2001) and Jurassic Park in the top 3", async () => {
  const cases: [string, string][] = [
    ["a shark attacks a beach town", "tt0073195"],
    ["toys that come alive", "tt0114709"],
    // Its own text never says "heist"; its series' Ocean's Thirteen covers the whole query (`seriesCoverage`).
    ["a heist in Las Vegas", "tt0240772"],
    ["jurasic prk", "tt0107290"],
  ];
  for (const [q, id] of cases) {
    const r = await plotline.search(q, { k: 3 });
    assert.ok(r.results.some((h) => h.id === id), `${q}: ${r.results.map((h) => h.title).join(", ")}`);
  }
});
