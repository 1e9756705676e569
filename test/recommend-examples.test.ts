import { test } from "node:test";
import { tmdbTest } from "./helpers/data.js";
import assert from "node:assert/strict";
import { Plotline } from "../src/plotline.js";
import type { RecommendContext } from "../src/recommend/context.js";
import type { RecommendResponse } from "../src/recommend/types.js";
import { tempDir, tmdbGloveDb } from "./helpers/collections.js";
import { MOVIES_CSV } from "./helpers/paths.js";
import { join } from "node:path";

const open = async () => Plotline.open({ db: await tmdbGloveDb(), readonly: true });

/** Mean cosine of the results to a movie. */
function meanCosine(ctx: RecommendContext, r: RecommendResponse, id: string): number {
  const q = ctx.positionOfId(id)!;
  return r.results.reduce((s, h) => s + ctx.cosine(q, ctx.positionOfId(h.id)!), 0) / r.results.length;
}

const TOY_STORY = "tt0114709";
const SAW = "tt0387564";
const JAWS = "tt0073195";
/** The strategies' own ranking, checked against Qdrant's definitions: the prior and series blends off. */
const SIMILARITY_ONLY = { prior: 0, series: false } as const;

test("on the fixture collection, average, best and sum rank every movie as Qdrant's definitions do; unknown examples are reported", async () => {
  const db = join(tempDir("plotline-recommend-"), "fixture.db");
  const p = Plotline.open({ db, create: true });
  try {
    await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
    const ctx = await p.recommendContext();
    const likes = ["tt1000001", "tt1000010"].map((id) => ctx.positionOfId(id)!); // The Martian, Toy Story
    const dislikes = ["tt1000005"].map((id) => ctx.positionOfId(id)!); // Jaws
    const others = [...Array(ctx.size).keys()].filter((i) => !likes.includes(i) && !dislikes.includes(i));
    const q = new Float64Array(ctx.dims);
    for (let d = 0; d < ctx.dims; d++) q[d] = likes.reduce((s, l) => s + ctx.vectorAt(l)[d]!, 0) / likes.length * 2 - ctx.vectorAt(dislikes[0]!)[d]!;
    const norm = Math.hypot(...q);
    const sigmoid = (x: number) => 0.5 * (x / (1 + Math.abs(x)) + 1);
    const expected: Record<"average" | "best" | "sum", (i: number) => number> = {
      average: (i) => ctx.vectorAt(i).reduce((acc, v, d) => acc + v * q[d]!, 0) / norm,
      best: (i) => {
        const pos = Math.max(...likes.map((l) => ctx.cosine(i, l)));
        const neg = Math.max(...dislikes.map((d) => ctx.cosine(i, d)));
        return pos > neg ? sigmoid(pos) : -sigmoid(neg);
      },
      sum: (i) => likes.reduce((a, l) => a + ctx.cosine(i, l), 0) - dislikes.reduce((a, d) => a + ctx.cosine(i, d), 0),
    };
    assert.ok(others.length >= 5, `${others.length} movies besides the examples`);
    for (const strategy of ["average", "best", "sum"] as const) {
      const brute = others.map((i) => ({ i, s: expected[strategy](i) })).sort((a, b) => b.s - a.s);
      const r = await p.recommend({ like: likes.map((i) => ctx.ids[i]!), dislike: dislikes.map((i) => ctx.ids[i]!), strategy, k: others.length, ...SIMILARITY_ONLY });
      assert.deepEqual(r.results.map((h) => h.id), brute.map((e) => ctx.ids[e.i]), strategy);
      r.results.forEach((h, i) => assert.ok(Math.abs(h.score - brute[i]!.s) < 1e-5, `${strategy}: ${h.title}`));
    }
    const unknown = await p.recommend({ like: ["The Martian", "No Such Film 2099", "tt9999999"] });
    assert.deepEqual(unknown.unknown, ["No Such Film 2099", "tt9999999"]);
    assert.ok(!unknown.results.some((h) => h.id === "tt1000001"), "examples never listed");
    await assert.rejects(() => p.recommend({ like: ["Nope", "Neither"] }), /^InvalidArgumentError: like: none of the examples is in the collection: 'Nope', 'Neither'$/);
    await assert.rejects(() => p.recommend({ like: ["The Martian"], strategy: "median" as never }), /strategy: unknown strategy 'median' \(strategies: average, best, sum\)/);
  } finally {
    await p.close();
  }
});

tmdbTest("average: a dislike moves results away from it, another like towards it", async () => {
  const p = await open();
  try {
    const ctx = await p.recommendContext();
    const base = await p.recommend({ like: [TOY_STORY], k: 20 });
    const disliking = await p.recommend({ like: [TOY_STORY], dislike: [SAW], k: 20 });
    const plusJaws = await p.recommend({ like: [TOY_STORY, JAWS], k: 20 });
    assert.ok(meanCosine(ctx, disliking, SAW) < meanCosine(ctx, base, SAW) - 0.02, "disliking Saw: results further from Saw");
    assert.ok(meanCosine(ctx, plusJaws, JAWS) > meanCosine(ctx, base, JAWS) + 0.02, "liking Jaws too: results closer to Jaws");
    // With one like and nothing else, average is plain nearest neighbours of that movie.
    assert.deepEqual(base.results.map((h) => h.id), (await p.similar(TOY_STORY, { k: 20 })).results.map((h) => h.id));
  } finally {
    await p.close();
  }
});

tmdbTest("average searches near 2 x mean(likes) - mean(dislikes), as Qdrant's average_vector", async () => {
  const p = await open();
  try {
    const ctx = await p.recommendContext();
    const likes = [TOY_STORY, JAWS].map((id) => ctx.positionOfId(id)!);
    const dislike = ctx.positionOfId(SAW)!;
    const q = new Float64Array(ctx.dims);
    for (let d = 0; d < ctx.dims; d++) q[d] = likes.reduce((s, l) => s + ctx.vectorAt(l)[d]!, 0) / 2 * 2 - ctx.vectorAt(dislike)[d]!;
    const norm = Math.hypot(...q);
    const scored = [...Array(ctx.size).keys()]
      .filter((i) => !likes.includes(i) && i !== dislike)
      .map((i) => ({ i, s: ctx.vectorAt(i).reduce((acc, v, d) => acc + v * q[d]!, 0) / norm }))
      .sort((a, b) => b.s - a.s)
      .slice(0, 10);
    const r = await p.recommend({ like: [TOY_STORY, JAWS], dislike: [SAW] , ...SIMILARITY_ONLY });
    assert.deepEqual(r.results.map((h) => h.id), scored.map((e) => ctx.ids[e.i]));
    r.results.forEach((h, i) => assert.ok(Math.abs(h.score - scored[i]!.s) < 1e-5, "score is the cosine to the normalised query"));
  } finally {
    await p.close();
  }
});

tmdbTest("best: exactly Qdrant's best_score over every movie, and a dislike pushes its neighbours down", async () => {
  const p = await open();
  try {
    const ctx = await p.recommendContext();
    const sigmoid = (x: number) => 0.5 * (x / (1 + Math.abs(x)) + 1);
    const likes = [TOY_STORY, "tt0076759"]; // Toy Story, Star Wars
    const dislikes = ["tt0086190"]; // Return of the Jedi
    const lp = likes.map((id) => ctx.positionOfId(id)!);
    const dp = dislikes.map((id) => ctx.positionOfId(id)!);
    const brute = [...Array(ctx.size).keys()]
      .filter((i) => !lp.includes(i) && !dp.includes(i))
      .map((i) => {
        const pos = Math.max(...lp.map((l) => ctx.cosine(i, l)));
        const neg = Math.max(...dp.map((d) => ctx.cosine(i, d)));
        return { i, s: pos > neg ? sigmoid(pos) : -sigmoid(neg) };
      })
      .sort((a, b) => b.s - a.s);
    const r = await p.recommend({ like: likes, dislike: dislikes, strategy: "best", k: 25 , ...SIMILARITY_ONLY });
    assert.deepEqual(r.results.map((h) => h.id), brute.slice(0, 25).map((e) => ctx.ids[e.i]), "same top 25 as scoring every movie");
    for (const h of r.results) {
      assert.ok(h.like! > h.dislike!, `${h.title}: its best like is closer than the dislike`);
      assert.ok(Math.abs(h.score - sigmoid(h.like!)) < 1e-9);
    }
    // Movies that liking alone ranks high but that are closer to the dislike are pushed out.
    const likingOnly = await p.recommend({ like: likes, strategy: "best", k: 25 , ...SIMILARITY_ONLY });
    const nearDislike = likingOnly.results.filter((h) => ctx.cosine(ctx.positionOfId(h.id)!, dp[0]!) > h.like!);
    assert.ok(nearDislike.length > 0, "the dislike has neighbours among the liked-only results");
    for (const h of nearDislike) assert.ok(!r.results.some((x) => x.id === h.id), `${h.title} is pushed down`);
    // Dislikes only: the movies least like them come first, all with negative scores.
    const onlyDislike = await p.recommend({ dislike: [SAW], strategy: "best", k: 5 , ...SIMILARITY_ONLY });
    for (const h of onlyDislike.results) assert.ok(h.score < 0 && h.like === undefined);
  } finally {
    await p.close();
  }
});

tmdbTest("sum: exactly Qdrant's sum_scores over every movie (cosines to the likes minus cosines to the dislikes)", async () => {
  const p = await open();
  try {
    const ctx = await p.recommendContext();
    const likes = [TOY_STORY, "tt0076759"].map((id) => ctx.positionOfId(id)!);
    const dislikes = ["tt0086190", SAW].map((id) => ctx.positionOfId(id)!);
    const brute = [...Array(ctx.size).keys()]
      .filter((i) => !likes.includes(i) && !dislikes.includes(i))
      .map((i) => ({ i, s: likes.reduce((a, l) => a + ctx.cosine(i, l), 0) - dislikes.reduce((a, d) => a + ctx.cosine(i, d), 0) }))
      .sort((a, b) => b.s - a.s);
    const r = await p.recommend({ like: likes.map((q) => ctx.ids[q]!), dislike: dislikes.map((q) => ctx.ids[q]!), strategy: "sum", k: 25, ...SIMILARITY_ONLY });
    assert.equal(r.strategy, "sum");
    assert.deepEqual(r.results.map((h) => h.id), brute.slice(0, 25).map((e) => ctx.ids[e.i]));
    r.results.forEach((h, i) => assert.ok(Math.abs(h.score - brute[i]!.s) < 1e-5, `${h.title}: score is the sum of cosines`));
    // Dislikes only: the movies least like Saw first, each scored minus its cosine to Saw.
    const onlyDislike = await p.recommend({ dislike: [SAW], strategy: "sum", k: 5, ...SIMILARITY_ONLY });
    const saw = ctx.positionOfId(SAW)!;
    for (const h of onlyDislike.results) assert.ok(Math.abs(h.score + ctx.cosine(saw, ctx.positionOfId(h.id)!)) < 1e-5);
    const least = Math.min(...[...Array(ctx.size).keys()].filter((i) => i !== saw).map((i) => ctx.cosine(saw, i)));
    assert.ok(Math.abs(onlyDislike.results[0]!.score + least) < 1e-5, "the first is the movie least like Saw");
  } finally {
    await p.close();
  }
});

tmdbTest("best stays exact when many dislikes crowd the likes' neighbourhood (the search widens)", async () => {
  const p = await open();
  try {
    const ctx = await p.recommendContext();
    const sigmoid = (x: number) => 0.5 * (x / (1 + Math.abs(x)) + 1);
    const likes = ["tt0076759"]; // Star Wars
    const dislikes = ["tt0080684", "tt0086190", "tt0120915", "tt0121765", "tt0121766", "tt2488496"]; // the rest of the saga
    const lp = likes.map((id) => ctx.positionOfId(id)!);
    const dp = dislikes.map((id) => ctx.positionOfId(id)!);
    const excluded = new Set([...lp, ...dp].flatMap((q) => [...ctx.selfAndDuplicates(q)]));
    const brute = [...Array(ctx.size).keys()]
      .filter((i) => !excluded.has(i))
      .map((i) => {
        const pos = Math.max(...lp.map((l) => ctx.cosine(i, l)));
        const neg = Math.max(...dp.map((d) => ctx.cosine(i, d)));
        return { i, s: pos > neg ? sigmoid(pos) : -sigmoid(neg) };
      })
      .sort((a, b) => b.s - a.s || a.i - b.i);
    const r = await p.recommend({ like: likes, dislike: dislikes, strategy: "best", k: 200 , ...SIMILARITY_ONLY });
    assert.deepEqual(r.results.map((h) => h.id), brute.slice(0, 200).map((e) => ctx.ids[e.i]));
  } finally {
    await p.close();
  }
});

tmdbTest("examples and their duplicates are excluded; unknown examples are reported, not dropped silently", async () => {
  const p = await open();
  try {
    const r = await p.recommend({ like: ["Toy Story", "No Such Film 2099", "tt9999999"], dislike: ["Saw (2004)"], k: 30 });
    assert.deepEqual(r.unknown, ["No Such Film 2099", "tt9999999"]);
    assert.deepEqual(r.like.map((m) => m.id), [TOY_STORY]);
    assert.deepEqual(r.dislike.map((m) => m.id), [SAW]);
    assert.ok(!r.results.some((h) => h.id === TOY_STORY || h.id === SAW), "examples never listed");
    for (const strategy of ["average", "best", "sum"] as const) {
      const b = await p.recommend({ like: [TOY_STORY, "tt0120363"], strategy, k: 30 });
      assert.ok(!b.results.some((h) => h.id === TOY_STORY || h.id === "tt0120363"), `${strategy}: examples never listed`);
    }
    await assert.rejects(() => p.recommend({ like: ["Nope", "Neither"] }), /^InvalidArgumentError: like: none of the examples is in the collection: 'Nope', 'Neither'$/);
    await assert.rejects(() => p.recommend({}), /like: give at least one liked or disliked movie/);
    await assert.rejects(() => p.recommend({ dislike: [SAW] }), /like: the average strategy needs at least one liked movie/);
    await assert.rejects(() => p.recommend({ like: [SAW], dislike: ["Saw (2004)"] }), /dislike: 'Saw' is both liked and disliked/);
    await assert.rejects(() => p.recommend({ like: ["Saw"] }), /like: 'Saw' matches 2 movies: Saw \(\d{4}\) tt\d+, Saw \(\d{4}\) tt\d+/);
    await assert.rejects(() => p.recommend({ like: [TOY_STORY], strategy: "median" as never }), /strategy: unknown strategy 'median' \(strategies: average, best, sum\)/);
  } finally {
    await p.close();
  }
});

tmdbTest("filters apply to recommendations before top-k", async () => {
  const p = await open();
  try {
    for (const strategy of ["average", "best", "sum"] as const) {
      const r = await p.recommend({ like: [TOY_STORY], dislike: [SAW], strategy, k: 12, filters: { yearMax: 1990, genres: ["Family"] } });
      assert.equal(r.results.length, 12);
      for (const h of r.results) {
        const m = (await p.movie(h.id))!;
        assert.ok(m.year! <= 1990 && m.genres.includes("Family"), `${strategy}: ${m.title} passes`);
      }
    }
  } finally {
    await p.close();
  }
});
