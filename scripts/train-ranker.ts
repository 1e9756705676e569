/**
 * `npm run train-ranker [-- --db PATH]`: trains the hybrid ranking model and the prior's
 * weights from the catalogue's own description pairs, and writes `src/search/rank-weights.ts`
 * and `eval/description-pairs.json` (the held-out films, for `plotline eval`).
 *
 * 1. Pairs: TMDB movies that Wikipedia also describes (title + year, `readPairs`), split by a
 *    hash of the id into train (70%), validation (15%) and held-out (15%) films; queries of
 *    four kinds per film, the title taken out (`pairQueries`).
 * 2. Candidates: each query searched on the glove TMDB collection (the one the tests build,
 *    with query understanding on, as users search), every movie of the hybrid pool with its
 *    features (`SearchEngine.candidateFeatures`). The Wikipedia text is never in that index.
 * 3. The prior's mix: the model is fitted with the prior's three parts as separate features;
 *    their weights (negative ones taken as 0), normalised, are `PRIOR_MIX`.
 * 4. The model: refitted with the mixed prior as one feature (softmax loss, L2), lambda chosen
 *    from a grid by validation MRR. Only train and validation films are read; held-out films
 *    are left for `plotline eval eval/description-pairs.json`.
 * 5. The prior's weight in the other modes (keyword, semantic, convex, RRF): the weight of
 *    `(1 - w) * relevance + w * prior` that gives the best MRR on the training queries
 *    (0 to 0.9 in steps of 0.02), reported on validation.
 * Deterministic: the same data and collection give the same file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { deserialize, serialize } from "node:v8";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { Plotline } from "../src/plotline.js";
import { PAIR_KINDS, pairQueries, readPairs, splitOf, wordFrequencies, type DescriptionPair, type PairKind } from "../src/search/description-pairs.js";
import { DEFAULT_ALPHA, HYBRID_POOL, RRF_K } from "../src/search/hybrid.js";
import { PRIOR_PARTS, priorParts } from "../src/search/prior.js";
import { FEATURE_COUNT, FEATURE_INDEX, PRIOR_FEATURES, RANK_FEATURES, type RankFeature } from "../src/search/rank-model.js";
import { fitSoftmax, poolMetrics, trainingSet, type TrainingSet } from "../src/search/rank-training.js";
import { rankInputs } from "../src/search/rank-inputs.js";
import { ROOT, TMDB_CSV, WIKIPEDIA_JSON } from "../bench/paths.js";

const LAMBDAS = [1e-4, 1e-3, 1e-2, 1e-1];
const PRIOR_GRID = Array.from({ length: 46 }, (_, i) => i / 50);

const { values } = parseArgs({
  options: {
    db: { type: "string" },
    tmdb: { type: "string", default: TMDB_CSV },
    wikipedia: { type: "string", default: WIKIPEDIA_JSON },
    out: { type: "string", default: join(ROOT, "src/search/rank-weights.ts") },
    split: { type: "string", default: join(ROOT, "eval/description-pairs.json") },
    weight: { type: "string", default: "votes" },
    // Reuses the candidates of an earlier run of the same code and data (a file it wrote), to try other fits quickly.
    features: { type: "string" },
  },
});
if (values.weight !== "votes" && values.weight !== "uniform") throw new Error(`--weight: votes or uniform, got ${values.weight}`);

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

interface QueryRows {
  kind: PairKind;
  /** How often people would ask for this film: its TMDB vote count over the mean (1 with --weight uniform). */
  weight: number;
  /** Features per candidate: the model's, with the prior's parts appended. */
  rows: Float64Array[];
  relevant: number;
}

async function main(): Promise<void> {
  let dir: string | null = null;
  let db = values.db;
  if (!db || !existsSync(db)) {
    dir = db ? null : mkdtempSync(join(tmpdir(), "plotline-train-"));
    db ??= join(dir!, "tmdb.db");
    log(`building the glove TMDB collection at ${db}`);
    const p = Plotline.open({ db, create: true });
    await p.ingest([{ file: values.tmdb! }], { embedder: "glove" });
    await p.close();
  }
  try {
    await train(db);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

async function train(db: string): Promise<void> {
  const pairs = await readPairs(values.tmdb!, values.wikipedia!);
  const df = wordFrequencies(pairs);
  const bySplit = { train: [] as DescriptionPair[], validation: [] as DescriptionPair[], heldout: [] as DescriptionPair[] };
  for (const p of pairs) bySplit[splitOf(p.id)].push(p);
  log(`${pairs.length} films described by both catalogues: ${bySplit.train.length} train, ${bySplit.validation.length} validation, ${bySplit.heldout.length} held out`);

  const plotline = Plotline.open({ db, readonly: true });
  const engine = await plotline.searchEngine();
  const inputs = await rankInputs(plotline.store);
  const parts = priorParts(inputs);
  // Each movie's position in the inputs, by id.
  const at = new Map<string, number>();
  inputs.ids.forEach((id, i) => at.set(id, i));

  // Queries come in proportion to how many people know a film: each film's vote count, over the mean.
  const votesOf = (id: string) => {
    const v = inputs.votes[at.get(id)!]!;
    return Number.isFinite(v) ? v : 0;
  };
  const filmRows = pairs.map((p) => p.id).filter((id) => at.has(id));
  const meanVotes = filmRows.reduce((s, r) => s + votesOf(r), 0) / Math.max(1, filmRows.length);
  const collect = async (films: DescriptionPair[]) => {
    const out: QueryRows[] = [];
    let missed = 0;
    let missedWeight = 0;
    let total = 0;
    for (const pair of films) {
      if (!at.has(pair.id)) continue;
      const weight = meanVotes > 0 ? Math.max(votesOf(pair.id), 1) / meanVotes : 1;
      for (const q of pairQueries(pair, df)) {
        total++;
        const found = await engine.candidateFeatures(q.query);
        const relevant = found ? found.ids.indexOf(pair.id) : -1;
        if (!found || relevant < 0) {
          missed++;
          missedWeight += weight;
          continue;
        }
        const rows = found.features.map((f, i) => {
          const row = new Float64Array(FEATURE_COUNT + PRIOR_PARTS.length);
          row.set(f);
          const j = at.get(found.ids[i]!)!;
          PRIOR_PARTS.forEach((part, k) => (row[FEATURE_COUNT + k] = Number.isFinite(parts[part][j]!) ? parts[part][j]! : 0.5));
          return row;
        });
        out.push({ kind: q.kind, rows, relevant, weight });
      }
    }
    return { queries: out, missed, missedWeight, total };
  };
  const t0 = performance.now();
  type Collected = Awaited<ReturnType<typeof collect>>;
  let trainRows: Collected;
  let validRows: Collected;
  if (values.features && existsSync(values.features)) {
    ({ trainRows, validRows } = deserialize(readFileSync(values.features)) as { trainRows: Collected; validRows: Collected });
  } else {
    trainRows = await collect(bySplit.train);
    validRows = await collect(bySplit.validation);
    if (values.features) writeFileSync(values.features, serialize({ trainRows, validRows }));
  }
  await plotline.close();
  log(`features of ${trainRows.total + validRows.total} queries in ${((performance.now() - t0) / 1000).toFixed(0)} s; right answer outside the pool: ${trainRows.missed} train, ${validRows.missed} validation`);

  // Views of the rows: the model's features with the prior as its parts, or as one mixed prior.
  const byVotes = values.weight === "votes";
  const withParts = (qs: QueryRows[], weighted: boolean): TrainingSet => {
    const keep = RANK_FEATURES.map((_, i) => i).filter((i) => !PRIOR_FEATURES.has(RANK_FEATURES[i]!));
    return trainingSet(keep.length + PRIOR_PARTS.length, qs.map((q) => ({ relevant: q.relevant, weight: weighted ? q.weight : 1, rows: q.rows.map((r) => [...keep.map((i) => r[i]!), ...PRIOR_PARTS.map((_, k) => r[FEATURE_COUNT + k]!)]) })));
  };
  const mixed = (qs: QueryRows[], mix: number[], weighted: boolean): TrainingSet =>
    trainingSet(FEATURE_COUNT, qs.map((q) => ({ relevant: q.relevant, weight: weighted ? q.weight : 1, rows: q.rows.map((r) => {
      const row = Array.from(r.subarray(0, FEATURE_COUNT));
      // priorShort and priorVague are the prior times a factor of the query, the same for every candidate.
      const old = row[FEATURE_INDEX.prior]!;
      const prior = PRIOR_PARTS.reduce((s, _, k) => s + mix[k]! * r[FEATURE_COUNT + k]!, 0);
      for (const name of PRIOR_FEATURES) row[FEATURE_INDEX[name]] = (row[FEATURE_INDEX[name]]! / old) * prior;
      return row;
    }) })));

  const linear = (w: ArrayLike<number>) => (rows: Float32Array, base: number) => {
    let s = 0;
    for (let d = 0; d < w.length; d++) s += w[d]! * rows[base + d]!;
    return s;
  };
  const validMissed = byVotes ? validRows.missedWeight : validRows.missed;
  const trainMissed = byVotes ? trainRows.missedWeight : trainRows.missed;
  const pick = (train: TrainingSet, valid: TrainingSet) => {
    let best: { lambda: number; weights: Float64Array; mrr: number } | null = null;
    for (const lambda of LAMBDAS) {
      const fit = fitSoftmax(train, lambda);
      const m = poolMetrics(valid, linear(fit.weights), validMissed);
      log(`  lambda ${lambda}: ${fit.iterations} Newton steps, validation MRR ${m.mrr.toFixed(4)}`);
      if (!best || m.mrr > best.mrr) best = { lambda, weights: fit.weights, mrr: m.mrr };
    }
    return best!;
  };

  log("fit with the prior's parts:");
  const split = pick(withParts(trainRows.queries, byVotes), withParts(validRows.queries, byVotes));
  const partWeights = PRIOR_PARTS.map((_, k) => Math.max(0, split.weights[split.weights.length - PRIOR_PARTS.length + k]!));
  const partSum = partWeights.reduce((a, b) => a + b, 0);
  const mix = partSum > 0 ? partWeights.map((w) => w / partSum) : PRIOR_PARTS.map((_, k) => (k === 0 ? 1 : 0));
  log(`prior mix: ${PRIOR_PARTS.map((p, k) => `${p} ${mix[k]!.toFixed(3)}`).join(", ")}`);

  log("fit with the mixed prior:");
  const trainSet = mixed(trainRows.queries, mix, byVotes);
  const validSet = mixed(validRows.queries, mix, byVotes);
  const validUniform = mixed(validRows.queries, mix, false);
  const validVotes = mixed(validRows.queries, mix, true);
  const model = pick(trainSet, validSet);
  const weights = Object.fromEntries(RANK_FEATURES.map((f, i) => [f, model.weights[i]!])) as Record<RankFeature, number>;

  // Baselines and the other modes' prior weights, from the same pools.
  const F = FEATURE_INDEX;
  const rrf = (top: number) => (top > 0 ? 1 / (RRF_K + (10 / top - 9)) : 0);
  const relevance: Record<"keyword" | "semantic" | "convex" | "rrf", { base: (r: Float32Array, b: number) => number; inList: (r: Float32Array, b: number) => boolean }> = {
    keyword: { base: (r, b) => r[b + F.keyword]!, inList: (r, b) => r[b + F.keywordTop]! > 0 },
    semantic: { base: (r, b) => r[b + F.semantic]!, inList: (r, b) => r[b + F.semanticTop]! > 0 },
    convex: { base: (r, b) => (1 - DEFAULT_ALPHA) * r[b + F.keyword]! + DEFAULT_ALPHA * r[b + F.semantic]!, inList: () => true },
    rrf: { base: (r, b) => (rrf(r[b + F.keywordTop]!) + rrf(r[b + F.semanticTop]!)) / (2 / (RRF_K + 1)), inList: () => true },
  };
  const priorWeights: Record<string, number> = {};
  const report: string[] = [];
  // Every validation figure twice: each query counting once, and weighted by its film's votes.
  const line = (name: string, score: (r: Float32Array, b: number) => number) => {
    const u = poolMetrics(validUniform, score, validRows.missed);
    const v = poolMetrics(validVotes, score, validRows.missedWeight);
    const f = (m: ReturnType<typeof poolMetrics>) => `MRR ${m.mrr.toFixed(3)}, Success@3 ${m.top3.toFixed(3)}, Recall@10 ${m.recall10.toFixed(3)}`;
    return `${name}: ${f(u)} | by votes ${f(v)}`;
  };
  for (const [mode, { base, inList }] of Object.entries(relevance)) {
    // Movies outside this mode's own list rank after every movie in it.
    const scorer = (w: number) => (r: Float32Array, b: number) => (inList(r, b) ? 2 + (1 - w) * base(r, b) + w * r[b + F.prior]! : base(r, b) - 2);
    let best = { w: 0, mrr: -1 };
    for (const w of PRIOR_GRID) {
      const m = poolMetrics(trainSet, scorer(w), trainMissed).mrr;
      if (m > best.mrr + 1e-12) best = { w, mrr: m };
    }
    priorWeights[mode] = best.w;
    report.push(line(`${mode}, prior off`, scorer(0)), line(`${mode}, prior weight ${best.w}`, scorer(best.w)));
  }
  const noPrior = Float64Array.from(model.weights, (w, i) => (PRIOR_FEATURES.has(RANK_FEATURES[i]!) ? 0 : w));
  report.push(line("learned", linear(model.weights)), line("learned, prior off", linear(noPrior)));
  for (const l of report) log(`validation ${l}`);

  const byKind = (kind: PairKind) => {
    const qs = validRows.queries.filter((q) => q.kind === kind);
    return poolMetrics(mixed(qs, mix, false), linear(model.weights));
  };
  const kinds = PAIR_KINDS.map((k) => `${k} ${byKind(k).mrr.toFixed(3)}`).join(", ");

  const fmt = (v: number) => Number(v.toFixed(4));
  const file = `/**
 * Learned by \`npm run train-ranker\` (scripts/train-ranker.ts); do not edit by hand, run it again.
 *
 * Data: ${pairs.length} films of tmdb-movies.csv that wikipedia-movies.json.gz also describes,
 * ${bySplit.train.length} train / ${bySplit.validation.length} validation / ${bySplit.heldout.length} held-out films (eval/description-pairs.json);
 * ${trainRows.total} training and ${validRows.total} validation queries (${PAIR_KINDS.join(", ")}), searched on
 * the glove TMDB collection with query understanding on; pools are each side's top ${HYBRID_POOL}
 * (the right answer was outside the pool for ${trainRows.missed} and ${validRows.missed} of them).
 * Model: softmax loss with L2, lambda ${model.lambda} (chosen by validation MRR from ${LAMBDAS.join(", ")}),
 * ${byVotes ? "each query weighted by its film's TMDB vote count over the mean (people ask for a film as often as they know it)" : "each query counting once"}.
 * Validation (answers outside the pool count as misses; each query once | weighted by votes):
${report.map((l) => ` *   ${l}`).join("\n")}
 *   learned MRR by kind, of the queries whose answer is in the pool, each once: ${kinds}
 */
import type { RankWeights } from "./rank-model.js";

/** The ranking model's weights (\`RANK_FEATURES\`), learned. */
export const RANK_WEIGHTS: RankWeights = {
${RANK_FEATURES.map((f) => `  ${f}: ${fmt(weights[f])},`).join("\n")}
};

/** How the prior mixes its parts (\`prior.ts\`), learned with the model. */
export const PRIOR_MIX = { ${PRIOR_PARTS.map((p, k) => `${p}: ${fmt(mix[k]!)}`).join(", ")} } as const;

/** The prior's weight \`w\` in \`(1 - w) * relevance + w * prior\` for the modes without the model, learned on the training queries. */
export const PRIOR_WEIGHTS = { ${Object.entries(priorWeights).map(([m, w]) => `${m}: ${w}`).join(", ")} } as const;
`;
  writeFileSync(values.out!, file);
  log(`wrote ${relative(ROOT, values.out!)}`);
  const spec = {
    description:
      "Held-out films of the description pairs (scripts/train-ranker.ts): TMDB movies that the Wikipedia dump also describes, matched by title + year. `plotline eval eval/description-pairs.json` builds their queries (kinds lead, plot, gist, title; the title taken out of the Wikipedia text) from the two data files, so no catalogue text is copied here. Never used in training.",
    primary: relative(join(ROOT, "eval"), values.tmdb!),
    secondary: relative(join(ROOT, "eval"), values.wikipedia!),
    split: "heldout",
    ids: bySplit.heldout.map((p) => p.id).sort(),
  };
  writeFileSync(values.split!, `${JSON.stringify(spec, null, 1).replace(/\n\s+"tt/g, ' "tt')}\n`);
  log(`wrote ${relative(ROOT, values.split!)} (${spec.ids.length} films)`);
}

await main();
