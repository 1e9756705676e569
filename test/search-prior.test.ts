import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Plotline } from "../src/plotline.js";
import { computePrior, NEUTRAL_PRIOR, percentiles, PRIOR_PARTS } from "../src/search/prior.js";
import { PRIOR_MIX, PRIOR_WEIGHTS, RANK_WEIGHTS } from "../src/search/rank-weights.js";
import type { SearchOptions } from "../src/search/types.js";
import type { PriorInputs } from "../src/search/rank-inputs.js";
import { record, type RecordedRankings } from "../scripts/record-rankings.js";
import { runCli } from "./helpers/cli.js";
import { tmdbGloveDb } from "./helpers/collections.js";
import { tmdbTest } from "./helpers/data.js";
import { FIXTURES } from "./helpers/paths.js";

const db = await tmdbGloveDb();
const plotline = Plotline.open({ db, readonly: true });
after(() => plotline.close());

/** Prior inputs of `n` movies; every figure unknown unless given. */
function inputs(n: number, given: Partial<Record<keyof PriorInputs, number[]>>): PriorInputs {
  const col = (k: keyof PriorInputs) => Float64Array.from(given[k] ?? Array.from({ length: n }, () => NaN));
  return {
    positions: Int32Array.from({ length: n }, (_, i) => i + 1),
    votes: col("votes"),
    popularity: col("popularity"),
    rating: col("rating"),
    cast: col("cast"),
    summaryLength: col("summaryLength"),
    poster: col("poster"),
    merged: col("merged"),
  };
}

test("percentiles: mid-rank, ties share their run's middle, unknown and constant inputs say nothing", () => {
  assert.deepEqual([...percentiles(Float64Array.from([10, 30, 20, 20]))], [0.125, 0.875, 0.5, 0.5]);
  const withNaN = percentiles(Float64Array.from([NaN, 1, 2]));
  assert.ok(Number.isNaN(withNaN[0]!));
  assert.deepEqual([...withNaN.slice(1)], [0.25, 0.75]);
  assert.ok([...percentiles(Float64Array.from([5, 5, 5]))].every(Number.isNaN));
});

test("the prior: more votes rank higher; a film rated 9 by a dozen does not pass one rated 8 by thousands", () => {
  const p = computePrior(inputs(4, { votes: [12, 10_000, 500, 50], popularity: [0.1, 9, 2, 0.5], rating: [9, 8, 6, 5] }));
  assert.ok(p[1]! > p[2]! && p[2]! > p[3]! && p[1]! > p[0]!, [...p].join(" "));
  for (const v of p) assert.ok(v > 0 && v < 1);
  const mix = (Object.values(PRIOR_MIX) as number[]).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(mix - 1) < 1e-3, `PRIOR_MIX sums to ${mix}`);
  assert.deepEqual(Object.keys(PRIOR_MIX), [...PRIOR_PARTS]);
});

test("sources without votes fall back on notability (cast listed, summary length, poster, second catalogue)", () => {
  const p = computePrior(inputs(3, { cast: [1, 12, 5], summaryLength: [80, 2400, 600], poster: [0, 1, 1], merged: [0, 1, 0] }));
  assert.ok(p[1]! > p[2]! && p[2]! > p[0]!, [...p].join(" "));
  // Mixed: a movie without votes is placed on the voted movies' scale by its notability.
  const mixed = computePrior(inputs(4, { votes: [20, 3000, NaN, NaN], cast: [2, 14, 14, 2], summaryLength: [100, 2000, 2000, 100], poster: [1, 1, 1, 1], merged: [0, 0, 0, 0] }));
  assert.ok(mixed[2]! > mixed[3]!, [...mixed].join(" "));
  assert.equal(mixed[2], mixed[1], "calibrated to the voted movies of its notability");
  // Nothing varies: a uniform prior, which changes no ranking.
  assert.deepEqual([...computePrior(inputs(3, { cast: [4, 4, 4] }))], [NEUTRAL_PRIOR, NEUTRAL_PRIOR, NEUTRAL_PRIOR]);
});

tmdbTest("prior 0 gives exactly the rankings from before the prior (search in every mode, similar by every method, recommend)", async () => {
  const before = JSON.parse(readFileSync(join(FIXTURES, "ranking-before-prior.json"), "utf8")) as RecordedRankings;
  const now = await record(plotline, { prior: 0, series: false });
  assert.equal(now.search.length, before.search.length);
  now.search.forEach((row, i) => assert.deepEqual(row, before.search[i], row.query));
  now.similar.forEach((row, i) => assert.deepEqual(row, before.similar[i], row.movie));
  now.recommend.forEach((row, i) => assert.deepEqual(row, before.recommend[i], row.like.join(" + ")));
});

tmdbTest("the prior is blended into every search mode, with its weight in the explanation", async () => {
  const q = "a heist in Las Vegas";
  const modes: [string, SearchOptions, number][] = [
    ["keyword", { mode: "keyword" }, PRIOR_WEIGHTS.keyword],
    ["semantic", { mode: "semantic" }, PRIOR_WEIGHTS.semantic],
    ["convex", { fusion: "convex" }, PRIOR_WEIGHTS.convex],
    ["rrf", { fusion: "rrf" }, PRIOR_WEIGHTS.rrf],
    ["learned", {}, RANK_WEIGHTS.prior],
  ];
  for (const [name, options, weight] of modes) {
    const on = await plotline.search(q, { ...options, k: 10 });
    const off = await plotline.search(q, { ...options, k: 10, prior: 0 });
    for (const h of on.results) {
      assert.equal(typeof h.scores.prior, "number", name);
      assert.ok(Math.abs(h.scores.priorWeight! - weight) < 1e-9, `${name}: weight ${h.scores.priorWeight}`);
    }
    if (name !== "learned") for (const h of off.results) assert.equal(h.scores.prior, undefined, `${name}, prior off: no prior in the explanation`);
    // More weight on the prior: the first page is better known on average.
    const votes = async (r: typeof on) => {
      let s = 0;
      for (const h of r.results) s += (await plotline.movie(h.id))!.votes ?? 0;
      return s / r.results.length;
    };
    const strong = await plotline.search(q, { ...options, k: 10, prior: 1.4 });
    assert.ok((await votes(strong)) >= (await votes(off)), `${name}: a stronger prior lists better-known films`);
  }
  const title = await plotline.search("alien", { mode: "title", k: 5 });
  assert.ok(title.results.every((h) => typeof h.scores.prior === "number"), "title mode: equal matches by the prior");
  await assert.rejects(plotline.search(q, { prior: -1 }), /prior: must be a number from 0 to/);
});

tmdbTest("--prior on the command line, shown by --explain; bad values exit 2", async () => {
  const r = await runCli(["search", "a heist in Las Vegas", "-k", "3", "--explain", "--db", db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /prior 0\.\d+ x \d/);
  assert.match(r.stdout, /model +keyword [+-]/);
  const off = await runCli(["search", "a heist in Las Vegas", "-k", "3", "--fusion", "convex", "--prior", "0", "--explain", "--db", db]);
  assert.equal(off.code, 0, off.stderr);
  assert.doesNotMatch(off.stdout, /prior 0\.\d+ x/);
  for (const cmd of [["search", "x"], ["similar", "Alien"], ["recommend", "--like", "Alien"]]) {
    const bad = await runCli([...cmd, "--prior=-2", "--db", db]);
    assert.equal(bad.code, 2, cmd.join(" "));
    assert.match(bad.stderr, /^plotline: (--)?prior: /);
  }
});
