import { test } from "node:test";
import assert from "node:assert/strict";
import { Plotline } from "../src/plotline.js";
import { mmr } from "../src/recommend/mmr.js";
import { tmdbGloveDb } from "./helpers/collections.js";
import { tmdbTest } from "./helpers/data.js";

test("MMR: with lambda 1 the relevance order; lower lambda skips a near-copy of what was picked", () => {
  // Candidates 0 and 1 are near-copies; 2 is a little less relevant but different.
  const relevance = [0.9, 0.89, 0.8];
  const sim = (a: number, b: number) => ((a === 0 && b === 1) || (a === 1 && b === 0) ? 0.99 : 0.1);
  assert.deepEqual(mmr(relevance, 3, 1, sim).order, [0, 1, 2]);
  const diverse = mmr(relevance, 3, 0.5, sim);
  assert.deepEqual(diverse.order, [0, 2, 1]);
  assert.deepEqual(diverse.redundancy, [0, 0.1, 0.99]);
});

tmdbTest("diversity turns 'seven sequels in a row' into a varied list", async () => {
  const p = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
  try {
    const ctx = await p.recommendContext();
    const saga = /^(Star Wars|The Empire Strikes Back|Return of the Jedi)/;
    const measure = async (diversity: number) => {
      // The similarity alone (no prior, no series boost, which by design lead with the saga): what MMR is measured on.
      const r = await p.similar("tt0076759", { k: 10, diversity, prior: 0, series: false });
      const ps = r.results.map((h) => ctx.positionOfId(h.id)!);
      let nearPairs = 0;
      let sum = 0;
      let pairs = 0;
      for (let i = 0; i < ps.length; i++) {
        for (let j = i + 1; j < ps.length; j++) {
          const c = ctx.cosine(ps[i]!, ps[j]!);
          sum += c;
          pairs++;
          if (c > 0.8) nearPairs++;
        }
      }
      return { r, saga: r.results.filter((h) => saga.test(h.title)).length, nearPairs, mean: sum / pairs };
    };
    const plain = await measure(0);
    const some = await measure(0.3);
    const more = await measure(0.6);
    assert.ok(plain.saga >= 5, `without diversity the saga fills the list (${plain.saga} of 10)`);
    assert.ok(some.saga < plain.saga && more.saga <= some.saga, `fewer saga entries: ${plain.saga} -> ${some.saga} -> ${more.saga}`);
    assert.ok(some.nearPairs < plain.nearPairs && more.nearPairs <= some.nearPairs, `fewer near-duplicate pairs: ${plain.nearPairs} -> ${some.nearPairs} -> ${more.nearPairs}`);
    assert.ok(more.mean < some.mean && some.mean < plain.mean, "lower mean similarity within the list");
    assert.equal(some.r.results[0]!.id, plain.r.results[0]!.id, "the best match still leads");
    for (const h of some.r.results) assert.ok(h.redundancy !== undefined && h.score === h.similarity);
    for (const method of ["svm", "tfidf"] as const) {
      const a = await p.similar("tt0076759", { k: 10, method, prior: 0, series: false });
      const b = await p.similar("tt0076759", { k: 10, method, diversity: 0.5, prior: 0, series: false });
      assert.ok(b.results.filter((h) => saga.test(h.title)).length < a.results.filter((h) => saga.test(h.title)).length, `${method}: fewer saga entries`);
    }
  } finally {
    await p.close();
  }
});
