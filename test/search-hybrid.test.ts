import { after, test } from "node:test";
import { tmdbTest } from "./helpers/data.js";
import assert from "node:assert/strict";
import { Plotline } from "../src/plotline.js";
import { convexFusion, DEFAULT_ALPHA, rrfFusion, RRF_K, type Scored } from "../src/search/hybrid.js";
import type { SearchOptions } from "../src/search/types.js";
import { tmdbGloveDb } from "./helpers/collections.js";

const plotline = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
after(() => plotline.close());

const MARS = "NASA tried to rescue an astronaut stranded on Mars.";

/** A ranked list of `n` ids starting at `first`, scores falling from `top` by `step`. */
const list = (ids: number[], top: number, step: number): Scored[] => ids.map((id, i) => ({ id, score: top - i * step }));
const from = (l: Scored[]) => (limit: number) => l.slice(0, limit);

test("convex fusion: alpha 0 is the keyword order, alpha 1 the semantic order, min-max normalised", () => {
  const kw = list([1, 2, 3, 4], 10, 2); // 10, 8, 6, 4
  const sem = list([4, 3, 5], 0.9, 0.1); // .9, .8, .7
  assert.deepEqual(convexFusion(from(kw), from(sem), 0, 4, 4).map((h) => h.id), [1, 2, 3, 4]);
  // The pool's last semantic hit normalises to 0, like everything outside the list.
  assert.deepEqual(convexFusion(from(kw), from(sem), 1, 3, 3).map((h) => h.id).slice(0, 2), [4, 3]);
  const half = convexFusion(from(kw), from(sem), 0.5, 5, 4);
  const byId = new Map(half.map((h) => [h.id, h]));
  // kw: (x - 4) / 6; sem over its top 3: (x - .7) / .2.
  assert.ok(Math.abs(byId.get(3)!.score - (0.5 * (2 / 6) + 0.5 * 0.5)) < 1e-12);
  assert.equal(byId.get(4)!.keywordNorm, 0);
  assert.equal(byId.get(4)!.semanticNorm, 1);
  assert.equal(byId.get(5)!.keyword, null, "outside the keyword list");
  assert.equal(byId.get(5)!.keywordNorm, 0);
});

test("fusion does not depend on how deep the page reaches", () => {
  const kw = list(Array.from({ length: 500 }, (_, i) => i * 3), 50, 0.09);
  const sem = list(Array.from({ length: 500 }, (_, i) => 1500 - i * 2), 0.9, 0.001);
  for (const fuse of [(need: number) => convexFusion(from(kw), from(sem), 0.4, need, 100), (need: number) => rrfFusion(from(kw), from(sem), need, 100)]) {
    const deep = fuse(600).map((h) => h.id);
    for (const need of [10, 100, 150, 300, 450]) assert.deepEqual(fuse(need).map((h) => h.id).slice(0, need), deep.slice(0, need), `need ${need}`);
    assert.equal(new Set(deep).size, deep.length);
  }
});

test("reciprocal rank fusion sums 1 / (60 + rank)", () => {
  const fused = rrfFusion(from(list([1, 2, 3], 3, 1)), from(list([3, 1], 1, 0.5)), 10);
  const byId = new Map(fused.map((h) => [h.id, h]));
  assert.equal(byId.get(1)!.score, 1 / (RRF_K + 1) + 1 / (RRF_K + 2));
  assert.equal(byId.get(2)!.score, 1 / (RRF_K + 2));
  assert.deepEqual(fused.map((h) => h.id), [1, 3, 2]);
});

tmdbTest("hybrid is the default mode and puts The Martian and Mission to Mars in the top 5 for the seed query", async () => {
  const r = await plotline.search(MARS);
  assert.equal(r.mode, "hybrid");
  const titles = (res: typeof r) => res.results.map((h) => h.title).join(", ");
  assert.ok(r.results.slice(0, 5).some((h) => h.id === "tt3659388"), `The Martian in ${titles(r)}`);
  assert.ok(r.results.some((h) => h.id === "tt0183523"), `Mission to Mars in the top 10: ${titles(r)}`);
  // The seed's hybrid (convex fusion, no popularity prior) has both in the top 5.
  const seed = await plotline.search(MARS, { fusion: "convex", prior: 0 });
  const top5 = seed.results.slice(0, 5).map((h) => h.id);
  assert.ok(top5.includes("tt3659388"), `The Martian in ${titles(seed)}`);
  assert.ok(top5.includes("tt0183523"), `Mission to Mars in ${titles(seed)}`);
});

tmdbTest("explanations: keyword, semantic and fused scores, and matched words", async () => {
  // The learned model's score is the sum of its features' contributions.
  const learned = await plotline.search(MARS, { k: 20 });
  for (const h of learned.results) {
    const sum = Object.values(h.scores.contributions ?? {}).reduce((a, b) => a + b!, 0);
    assert.ok(Math.abs(h.score - sum) < 1e-9, `${h.title}: contributions add up to the score`);
    assert.equal(typeof h.scores.prior, "number");
  }
  const r = await plotline.search(MARS, { k: 20, fusion: "convex", prior: 0 });
  for (const h of r.results) {
    const s = h.scores;
    assert.ok(s.keyword !== null || s.semantic !== null);
    assert.ok(s.semantic !== null, "cosine is filled in for the page");
    assert.ok(Math.abs(h.score - ((1 - DEFAULT_ALPHA) * s.keywordNorm! + DEFAULT_ALPHA * s.semanticNorm!)) < 1e-12, h.title);
    if (s.keyword !== null) assert.ok(Object.keys(h.matches).length > 0, `${h.title} matched words`);
  }
  for (let i = 1; i < r.results.length; i++) assert.ok(r.results[i - 1]!.score >= r.results[i]!.score, "best first");
  const martian = r.results.find((h) => h.id === "tt3659388")!;
  assert.deepEqual(martian.matches.keywords, ["mars", "nasa"]);

  const rrf = await plotline.search(MARS, { fusion: "rrf", prior: 0 });
  for (const h of rrf.results) {
    const expected = (h.scores.keywordRank ? 1 / (RRF_K + h.scores.keywordRank) : 0) + (h.scores.semanticRank ? 1 / (RRF_K + h.scores.semanticRank) : 0);
    assert.ok(Math.abs(h.score - expected) < 1e-12, h.title);
  }
  const semantic = await plotline.search(MARS, { mode: "semantic", k: 3, prior: 0 });
  assert.equal(semantic.results[0]!.score, semantic.results[0]!.scores.semantic);
});

tmdbTest("alpha moves the result towards each side", async () => {
  // Convex fusion's alpha, of the two sides' own scores (the prior off).
  const ids = async (o: SearchOptions) => (await plotline.search(MARS, { k: 10, fusion: "convex", prior: 0, ...o })).results.map((h) => h.id);
  assert.deepEqual(await ids({ alpha: 0 }), await ids({ mode: "keyword" }));
  assert.deepEqual(await ids({ alpha: 1 }), await ids({ mode: "semantic" }));
  await assert.rejects(plotline.search(MARS, { alpha: 1.5 }), /alpha: must be a number from 0 to 1/);
  await assert.rejects(plotline.search(MARS, { fusion: "sum" as "rrf" }), /fusion: unknown fusion 'sum'/);
  await assert.rejects(plotline.search(MARS, { mode: "fuzzy" as "title" }), /mode: unknown mode 'fuzzy'/);
});

tmdbTest("pagination is stable in every mode: pages of 10 are the slices of one long list", async () => {
  const cases: [string, SearchOptions][] = [
    [MARS, {}],
    [MARS, { fusion: "rrf" }],
    [MARS, { mode: "keyword" }],
    [MARS, { mode: "semantic" }],
    ["the", { mode: "title" }],
    ["a heist in a casino", { filters: { yearMin: 1990 } }],
  ];
  for (const [q, o] of cases) {
    const whole = (await plotline.search(q, { ...o, k: 260 })).results.map((h) => h.id);
    assert.equal(new Set(whole).size, whole.length, "no duplicates");
    const paged: string[] = [];
    for (let offset = 0; offset < 260; offset += 10) paged.push(...(await plotline.search(q, { ...o, k: 10, offset })).results.map((h) => h.id));
    assert.deepEqual(paged, whole, `${o.mode ?? "hybrid"} ${o.fusion ?? ""}`);
    assert.equal(whole.length, 260, `${o.mode ?? "hybrid"}: pages are full`);
  }
});
