import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sentimentScore } from "../src/catalog/sentiment.js";
import { Plotline } from "../src/plotline.js";
import type { SqliteStore } from "../src/store/sqlite/store.js";
import type { RecommendOptions, SimilarOptions } from "../src/recommend/types.js";
import { ms, percentile, timeCalls, type BenchSection } from "./lib.js";
import { BIN, ROOT, TMDB_CSV } from "./paths.js";

/** The team's sibling check list: 40 well-known movies, the inputs of the `similar` timings. */
function checkListIds(): string[] {
  const list = JSON.parse(readFileSync(join(ROOT, "eval/siblings.json"), "utf8")) as { movies: { id: string }[] };
  return list.movies.map((m) => m.id);
}

/** Likes and dislikes for `recommend`: consecutive check-list movies, two liked and one disliked. */
function examples(ids: string[]): { like: string[]; dislike: string[] }[] {
  return ids.map((_, i) => ({ like: [ids[i]!, ids[(i + 1) % ids.length]!], dislike: [ids[(i + 2) % ids.length]!] }));
}

/** Options that turn the prior and series blend off (`recommend/blend.ts`). */
const NO_BLEND = { prior: 0, series: false } as const;

/** Issue 4's figures: similar (knn, svm, tfidf) and recommend latency at 10,852 movies, glove. */
export async function run(): Promise<BenchSection[]> {
  const dir = mkdtempSync(join(tmpdir(), "plotline-bench-recommend-"));
  try {
    const db = join(dir, "tmdb.db");
    const p = Plotline.open({ db, create: true });
    await p.ingest([{ file: TMDB_CSV }], { embedder: "glove" });
    const ids = checkListIds();

    const texts: string[] = [];
    for await (const batch of p.store.scan(["overview"])) for (const m of batch) texts.push(m.overview);
    const ts = performance.now();
    for (const t of texts) sentimentScore(t);
    const sentimentMs = performance.now() - ts;

    await (p.store as SqliteStore).vectorSearchIndex(); // the search index every mode shares; timed in the foundation bench
    const tc = performance.now();
    const ctx = await p.recommendContext();
    const contextMs = performance.now() - tc;
    const tb = performance.now();
    await ctx.loadBlendSignals();
    const blendMs = performance.now() - tb;
    await ctx.tfidf();
    const tfidfMs = ctx.tfidfBuildMs!;

    const similar = (options: SimilarOptions, iterations: number) => timeCalls(ids, (id) => p.similar(id, { k: 40, ...options }), iterations, Math.min(50, iterations));
    const recommend = (options: RecommendOptions, iterations: number) => timeCalls(examples(ids), (e) => p.recommend({ ...e, ...options }), iterations, 50);
    // Each "before #12" row (no popularity prior, no series blend: the similarity ranking alone,
    // as before #12) runs just before its default, in the place the row of that name holds in
    // builds that predate #12: a row's figure depends on what ran before it in the process (heap
    // size, compiled code), so rows set side by side across builds must run in the same order.
    const rows: [string, number[], string][] = [
      ["similar knn, k 40, prior 0 + series off (before #12)", await similar({ method: "knn", ...NO_BLEND }, 2000), ""],
      ["similar knn, k 40", await similar({ method: "knn" }, 2000), "< 1"],
      ["similar svm, k 40", await similar({ method: "svm" }, 200), "< 150"],
      ["similar tfidf, k 40", await similar({ method: "tfidf" }, 1000), ""],
      ["similar knn, k 40, genre + year filter", await similar({ method: "knn", filters: { genres: ["Drama"], yearMin: 1990 } }, 1000), ""],
      ["similar knn, k 40, diversity 0.3 + sentiment re-rank", await similar({ method: "knn", diversity: 0.3, rerank: "sentiment" }, 1000), ""],
      ["recommend average, 2 likes + 1 dislike, k 10, prior 0 + series off (before #12)", await recommend({ strategy: "average", ...NO_BLEND }, 2000), ""],
      ["recommend average, 2 likes + 1 dislike, k 10", await recommend({ strategy: "average" }, 2000), "< 2"],
      ["recommend best, 2 likes + 1 dislike, k 10, prior 0 + series off (before #12)", await recommend({ strategy: "best", ...NO_BLEND }, 2000), ""],
      ["recommend best, 2 likes + 1 dislike, k 10", await recommend({ strategy: "best" }, 2000), "< 2"],
    ];
    await p.close();

    const oneShot = (extra: string[]) => {
      const walls: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const r = spawnSync(process.execPath, [BIN, "similar", ids[i]!, "--db", db, "--json", ...extra], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`plotline similar failed: ${r.stderr}`);
        walls.push(performance.now() - t);
      }
      return walls;
    };
    const oneShotUnblended = oneShot(["--prior", "0", "--no-series"]);
    const oneShotDefault = oneShot([]);

    return [
      {
        title: "Recommendations: similar and recommend (glove, 10,852 movies)",
        columns: ["measure", "p50 (ms)", "p99 (ms)", "target p50 (ms)"],
        rows: [
          ...rows.map(([name, samples, target]) => [name, ms(percentile(samples, 50)), ms(percentile(samples, 99)), target]),
          ["plotline similar one-shot wall, --prior 0 --no-series: before #12, median of 5", Math.round(percentile(oneShotUnblended, 50)), "", ""],
          ["plotline similar one-shot wall, median of 5", Math.round(percentile(oneShotDefault, 50)), "", ""],
          ["recommendation context build, once per collection state", ms(contextMs), "", ""],
          ["blend signals (prior, series; #12), on the first default call per collection state", ms(blendMs), "", ""],
          ["TF-IDF build (lazy, once per collection state)", ms(tfidfMs), "", ""],
          ["sentiment of every overview (done at ingest)", ms(sentimentMs), "", ""],
        ],
        notes: [
          "In-process, after the first call; inputs cycle over the 40 movies of eval/siblings.json (k 40, Karpathy's list length).",
          "svm trains the exemplar SVM on all 10,852 movies per call (liblinear dual coordinate descent, C 0.1, tol 1e-6).",
          "The context (vectors, titles, sentiment), the blend signals (ranking signals shared with search, series index) and the TF-IDF index are built on first use and reused until the collection changes.",
        ],
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
