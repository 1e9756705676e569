import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { normalize } from "../src/embed/embedder.js";
import { seededRandom } from "../src/vector-index/kmeans.js";
import { simdScanFits } from "../src/vector-index/flat.js";
import { finishedVectors } from "../src/store/sqlite/saved-index.js";
import { SyntheticSet } from "../src/vector-index/synthetic.js";
import { Plotline } from "../src/plotline.js";
import type { SqliteStore } from "../src/store/sqlite/store.js";
import { benchArgs, ms, type BenchSection } from "./lib.js";
import { ROOT, TMDB_CSV, WIKIPEDIA_JSON } from "./paths.js";
import type { WorkerResult, WorkerTask } from "./scale-worker.js";

/**
 * `npm run bench -- scale [--n 1000000] [--dims 384] [--queries 200] [--skip-real]
 * [--skip-synthetic] [--engines exact,hnsw,ivfpq] [--peers usearch,lancedb,orama] [--hnsw-threads 1]
 * [--hnsw-m 32] [--hnsw-efc 128] [--skip-faiss]
 * [--ef 64,128,256] [--nprobe a,b] [--cache DIR]` (through `npm run bench`, write options as
 * --name=value: run.ts takes bare words for area names)
 *
 * Issue 6's figures, per index type and peer, for the real merged TMDB + Wikipedia collection
 * (GloVe, 100-d) and for `--n` synthetic vectors (default 1,000,000 x 384): build time, size
 * on disk, resident memory, recall@10 against exact, p50/p99 query latency on one thread; plus
 * the machine's memory bandwidth, the limit of an exact scan. Every measurement runs in its own
 * process (scale-worker.ts) so resident memory is that engine's alone. Data sets, their exact
 * top-10s and the merged collection are cached under `--cache` (default $TMPDIR/plotline-scale).
 */

const WORKER = join(dirname(fileURLToPath(import.meta.url)), "scale-worker.js");

interface Options {
  n: number;
  dims: number;
  queries: number;
  real: boolean;
  synthetic: boolean;
  engines: Set<string>;
  peers: Set<string>;
  hnswThreads: number;
  hnswM: number;
  hnswEfc: number;
  cache: string;
  ef: number[];
  nprobe: number[] | null;
}

function parse(args: string[]): Options {
  const { value, int, ints, names } = benchArgs(args);
  return {
    n: int("n", 1_000_000),
    dims: int("dims", 384),
    queries: int("queries", 200),
    real: !args.includes("--skip-real"),
    synthetic: !args.includes("--skip-synthetic"),
    engines: names("engines", "exact,hnsw,ivfpq", ["exact", "hnsw", "ivfpq"]),
    peers: names("peers", "usearch,lancedb,orama", ["usearch", "lancedb", "orama"]),
    hnswThreads: int("hnsw-threads", 1),
    hnswM: int("hnsw-m", 32),
    hnswEfc: int("hnsw-efc", 128),
    cache: value("cache") ?? join(tmpdir(), "plotline-scale"),
    ef: ints("ef", [64, 128, 256]),
    nprobe: ints("nprobe", null),
  };
}

export interface Dataset {
  name: string;
  data: string;
  ids?: string;
  n: number;
  dims: number;
  queries: string;
  truth: string;
  work: string;
}

function log(message: string): void {
  process.stderr.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function runWorker(task: WorkerTask, options: { heapMb?: number; env?: NodeJS.ProcessEnv } = {}): WorkerResult {
  const argv = [...(options.heapMb ? [`--max-old-space-size=${options.heapMb}`] : []), WORKER, JSON.stringify(task)];
  const r = spawnSync(process.execPath, argv, { encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, ...options.env } });
  if (r.status !== 0) throw new Error(`${task.engine} ${task.phase} failed (${r.status ?? r.signal}): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as WorkerResult;
}

function writeRows(file: string, chunks: Iterable<Float32Array | Int32Array>): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    for (const c of chunks) writeSync(fd, new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

function truthFor(ds: Omit<Dataset, "name">): void {
  if (existsSync(ds.truth)) return;
  log(`exact top-10 for ${ds.queries}`);
  runWorker({ phase: "truth", engine: "exact", data: ds.data, ids: ds.ids, n: ds.n, dims: ds.dims, queries: ds.queries, truth: ds.truth, work: ds.work, params: {} });
}

/** `n` x `dims` synthetic clustered vectors (seed 42), `queries` queries and their exact top 10s, cached under `cache`. */
export function syntheticDataset(o: Pick<Options, "n" | "dims" | "queries" | "cache">): Dataset {
  const base = join(o.cache, `synthetic-${o.n}x${o.dims}-s42`);
  const ds: Dataset = { name: `synthetic ${o.n.toLocaleString("en-US")} x ${o.dims}`, data: `${base}.f32`, n: o.n, dims: o.dims, queries: `${base}-q${o.queries}.f32`, truth: `${base}-q${o.queries}.truth.i32`, work: `${base}.work` };
  const set = new SyntheticSet({ n: o.n, dims: o.dims, seed: 42 });
  if (!existsSync(ds.data)) {
    log(`generating ${ds.name}`);
    writeRows(ds.data, set.chunks(16_384));
  }
  if (!existsSync(ds.queries)) writeRows(ds.queries, [set.queries(o.queries)]);
  truthFor(ds);
  return ds;
}

function codeHash(): string {
  const h = createHash("sha1");
  for (const dir of ["catalog", "catalog/readers", "embed", "store"]) {
    const full = join(ROOT, "dist/src", dir);
    for (const name of readdirSync(full).sort()) if (name.endsWith(".js")) h.update(readFileSync(join(full, name)));
  }
  h.update(String(statSync(TMDB_CSV).size) + String(statSync(WIKIPEDIA_JSON).size));
  return h.digest("hex").slice(0, 10);
}

/**
 * The merged TMDB + Wikipedia collection (GloVe), or TMDB's alone (`tmdbOnly`), built once per
 * code version, and its finished vectors.
 */
export async function realDataset(o: Pick<Options, "queries" | "cache">, tmdbOnly = false): Promise<{ ds: Dataset; notes: string[] }> {
  const base = join(o.cache, `${tmdbOnly ? "tmdb" : "merged"}-glove-${codeHash()}`);
  const db = `${base}.db`;
  const notes: string[] = [];
  if (!existsSync(db)) {
    log(`building the ${tmdbOnly ? "TMDB" : "merged TMDB + Wikipedia"} collection with glove (about ${tmdbOnly ? "10 s" : "a minute"})`);
    const building = `${db}.${process.pid}.building`;
    const p = Plotline.open({ db: building, create: true });
    const r = await p.ingest(tmdbOnly ? [{ file: TMDB_CSV }] : [{ file: TMDB_CSV }, { file: WIKIPEDIA_JSON }], { embedder: "glove", merge: !tmdbOnly });
    (p.store as SqliteStore).collection.checkpoint();
    await p.close();
    renameSync(building, db);
    for (const s of ["-wal", "-shm"]) rmSync(building + s, { force: true });
    writeFileSync(`${base}.merge.json`, JSON.stringify({ merge: r.merge, seconds: r.seconds }));
  }
  const merge = JSON.parse(readFileSync(`${base}.merge.json`, "utf8")) as { merge?: { matched: number; ambiguous: number; unmatchedPrimary: number; unmatchedSecondary: number; movies: number }; seconds: { total: number } };
  if (merge.merge) notes.push(
    `merged collection: ${merge.merge.movies.toLocaleString("en-US")} movies; ${merge.merge.matched.toLocaleString("en-US")} TMDB movies matched a Wikipedia film, ${merge.merge.ambiguous} ambiguous, ` +
      `${merge.merge.unmatchedPrimary.toLocaleString("en-US")} TMDB and ${merge.merge.unmatchedSecondary.toLocaleString("en-US")} Wikipedia films unmatched (ingest ${merge.seconds.total.toFixed(0)} s, glove)`,
  );
  const ds: Dataset = { name: "", data: `${base}.f32`, ids: `${base}.ids.i32`, n: 0, dims: 100, queries: `${base}-q${o.queries}.f32`, truth: `${base}-q${o.queries}.truth.i32`, work: `${base}.work` };
  const p = Plotline.open({ db, readonly: true });
  try {
    const embedder = await p.queryEmbedder();
    const flat = finishedVectors((p.store as SqliteStore).collection, (raw, state) => embedder.finish(raw, state), (await p.store.manifest())!);
    const ids = Int32Array.from(flat.ids());
    ds.n = ids.length;
    ds.dims = flat.dims;
    if (!existsSync(ds.data)) {
      writeRows(ds.ids!, [ids]);
      writeRows(ds.data, [flat.matrix]);
    }
    if (!existsSync(ds.queries)) {
      // Queries between two random movies: near real vectors, equal to none.
      const random = seededRandom(11);
      const q = new Float32Array(o.queries * flat.dims);
      for (let i = 0; i < o.queries; i++) {
        const a = flat.vector(ids[Math.floor(random() * ids.length)]!)!;
        const b = flat.vector(ids[Math.floor(random() * ids.length)]!)!;
        q.set(normalize(a.map((x, d) => x + b[d]!)), i * flat.dims);
      }
      writeRows(ds.queries, [q]);
    }
  } finally {
    await p.close();
  }
  ds.name = `real: ${tmdbOnly ? "TMDB" : "merged TMDB + Wikipedia"}, ${ds.n.toLocaleString("en-US")} x ${ds.dims} (glove)`;
  truthFor(ds);
  return { ds, notes };
}

interface Row {
  engine: string;
  config: string;
  r: WorkerResult;
  build?: WorkerResult;
  /** Which of our rows a peer is compared with. */
  versus?: string;
}

const MB = 1024 * 1024;

function measureDataset(ds: Dataset, o: Options): Row[] {
  const rows: Row[] = [];
  const task = (engine: WorkerTask["engine"], phase: WorkerTask["phase"], params: WorkerTask["params"] = {}, maxQueries?: number): WorkerTask => ({
    phase,
    engine,
    data: ds.data,
    ids: ds.ids,
    n: ds.n,
    dims: ds.dims,
    queries: ds.queries,
    truth: ds.truth,
    work: ds.work,
    params,
    maxQueries,
  });
  const step = (label: string, fn: () => void) => {
    const t = performance.now();
    const before = rows.length;
    try {
      fn();
      // Each result is logged as it comes, so a long run that is stopped still tells its figures.
      const r = rows.length > before ? rows[rows.length - 1]! : null;
      const figures = r ? ` recall ${r.r.recall10?.toFixed(3)} p50 ${r.r.p50?.toFixed(2)} ms p99 ${r.r.p99?.toFixed(2)} ms rss ${(r.r.rssBytes / MB).toFixed(0)} MB build ${r.build?.buildSeconds?.toFixed(1) ?? "-"} s disk ${r.build?.diskBytes ? (r.build.diskBytes / MB).toFixed(1) : "-"} MB` : "";
      log(`${ds.name}: ${label} (${((performance.now() - t) / 1000).toFixed(0)} s)${figures}`);
    } catch (err) {
      log(`${ds.name}: ${label} FAILED: ${(err as Error).message}`);
      rows.push({ engine: label, config: "failed", r: { rssBytes: 0, peakRssBytes: 0, extra: { error: (err as Error).message.slice(0, 120) } } });
    }
  };
  const large = ds.n * ds.dims > 50_000_000;
  const exactLabel = simdScanFits(ds.n, ds.dims) ? "8-bit SIMD scan + exact re-scoring, 1 thread" : "usearch SIMD scan, 1 thread";

  if (o.engines.has("exact")) step("exact", () => {
    const b = runWorker(task("exact", "build"));
    rows.push({ engine: "plotline exact", config: exactLabel, build: b, r: runWorker(task("exact", "query", {}, large ? 100 : undefined)) });
  });

  const hnswParams = { M: o.hnswM, efConstruction: o.hnswEfc, threads: o.hnswThreads };
  const hnswLabel = `M ${o.hnswM}, efC ${o.hnswEfc}${o.hnswThreads > 1 ? `, ${o.hnswThreads} build threads` : ""}`;
  let hnswBuild: WorkerResult | undefined;
  if (o.engines.has("hnsw")) step("hnsw build", () => (hnswBuild = runWorker(task("hnsw", "build", hnswParams))));
  if (hnswBuild) {
    for (const ef of o.ef) step(`hnsw ef ${ef}`, () => rows.push({ engine: "plotline hnsw", config: `${hnswLabel}, ef ${ef}`, build: hnswBuild, r: runWorker(task("hnsw", "query", { ...hnswParams, efSearch: ef })) }));
  }

  let ivfBuild: WorkerResult | undefined;
  if (o.engines.has("ivfpq")) step("ivfpq build", () => (ivfBuild = runWorker(task("ivfpq", "build", {}))));
  const nlist = Number(ivfBuild?.extra?.nlist ?? 0);
  const m = Number(ivfBuild?.extra?.m ?? 0);
  const defaultNprobe = Number(ivfBuild?.extra?.nprobe ?? 0);
  const nprobes = o.nprobe ?? [...new Set([Math.max(1, Math.round(nlist / 32)), Math.max(1, Math.round(nlist / 16)), defaultNprobe])].sort((a, b) => a - b);
  if (ivfBuild) {
    for (const nprobe of nprobes) {
      step(`ivfpq nprobe ${nprobe}`, () =>
        rows.push({ engine: "plotline ivfpq", config: `nlist ${nlist}, m ${m}, nprobe ${nprobe}, rerank 256`, build: ivfBuild, r: runWorker(task("ivfpq", "query", { nprobe, rerank: 256 })) }),
      );
    }
  }

  if (o.peers.has("usearch")) {
    // At scale the raw-library rows search the graph our wrapper built (usearch's own file
    // format, the same add calls), so only query overhead is compared; below, a separate build.
    const separate = ds.n <= 200_000;
    let ub: WorkerResult | undefined;
    if (separate) step("usearch build", () => (ub = runWorker(task("usearch", "build", hnswParams))));
    for (const ef of o.ef) {
      step(`usearch ef ${ef}`, () =>
        rows.push({
          engine: "usearch (raw)",
          config: `${hnswLabel}, ef ${ef}${separate ? "" : ", our graph file"}`,
          build: ub,
          r: runWorker(task("usearch", "query", { ...hnswParams, efSearch: ef, file: separate ? "usearch.usearch" : "hnsw.usearch" })),
          versus: `${hnswLabel}, ef ${ef}`,
        }),
      );
    }
  }

  if (o.peers.has("lancedb") && nlist) {
    let lb: WorkerResult | undefined;
    step("lancedb build", () => (lb = runWorker(task("lancedb", "build", { nlist, m }))));
    if (lb) {
      const env = { LANCE_CPU_THREADS: "1" };
      const nprobe = defaultNprobe;
      step("lancedb ivfpq", () =>
        rows.push({ engine: "lancedb ivf-pq", config: `nlist ${nlist}, m ${m}, nprobe ${nprobe}, refine x26, train 64/12`, build: lb, r: runWorker(task("lancedb-ivfpq", "query", { nprobe, refineFactor: 26 }), { env }), versus: `nlist ${nlist}, m ${m}, nprobe ${nprobe}, rerank 256` }),
      );
      step("lancedb flat", () =>
        rows.push({ engine: "lancedb flat", config: "bypassVectorIndex", build: { ...lb!, buildSeconds: Number(lb!.extra?.writeSeconds ?? 0), diskBytes: Number(lb!.extra?.tableBytes ?? 0) }, r: runWorker(task("lancedb-flat", "query", {}, large ? 30 : undefined), { env }), versus: exactLabel }),
      );
    }
  }

  if (o.peers.has("orama")) {
    step("orama", () =>
      rows.push({
        engine: "orama vector",
        config: "similarity -1 (full sort)",
        r: runWorker(task("orama", "query", {}, large ? 20 : undefined), { heapMb: Math.max(4096, Math.ceil((ds.n * ds.dims * 40) / MB)) }),
        versus: exactLabel,
      }),
    );
  }
  return rows;
}

function section(ds: Dataset, rows: Row[], extraNotes: string[]): BenchSection {
  const raw = ds.n * ds.dims * 4;
  const ours = new Map(rows.filter((r) => r.engine.startsWith("plotline")).map((r) => [r.config, r]));
  const fmt = (v: number | undefined, f: (x: number) => string) => (v === undefined || Number.isNaN(v) ? "-" : f(v));
  return {
    title: `scale: ${ds.name}`,
    columns: ["engine", "config", "build s", "disk MB", "disk/raw", "RSS MB", "recall@10", "p50 ms", "p99 ms", "p50 vs ours"],
    rows: rows.map((row) => {
      const b = row.build ?? row.r;
      const vs = row.versus ? ours.get(row.versus) : undefined;
      return [
        row.engine,
        row.config,
        fmt(b.buildSeconds, (x) => x.toFixed(1)),
        fmt(b.diskBytes, (x) => (x / MB).toFixed(1)),
        fmt(b.diskBytes, (x) => (x / raw).toFixed(3)),
        fmt(row.r.rssBytes || undefined, (x) => (x / MB).toFixed(0)),
        fmt(row.r.recall10, (x) => x.toFixed(3)),
        fmt(row.r.p50, ms),
        fmt(row.r.p99, ms),
        vs?.r.p50 && row.r.p50 ? `${(row.r.p50 / vs.r.p50).toFixed(2)}x` : "",
      ];
    }),
    notes: [
      `raw vectors ${(raw / MB).toFixed(1)} MB (${ds.n.toLocaleString("en-US")} x ${ds.dims} float32); recall@10 against the exact index over ${rows[0]?.r.queries ?? "?"} queries; latency on one thread, in process`,
      "disk: exact = the vectors; hnsw/usearch = the graph file (it holds a vector copy); ivfpq = codes, ids, centroids, codebooks (re-ranking reads the collection's vectors); lancedb = its directory (vectors + index; flat row = table only)",
      "RSS: the query process after loading and searching (our indexes keep the full-precision vectors for re-ranking and vector(id)); build s of orama = inserting",
      "LanceDB queries run with LANCE_CPU_THREADS=1 (its Rust runtime may still use helper threads); Orama has no top-k, so it scores and sorts every vector",
      ...rows.filter((r) => r.r.extra?.error).map((r) => `${r.engine}: ${r.r.extra!.error}`),
      ...extraNotes,
    ],
  };
}

export async function run(args: string[]): Promise<BenchSection[]> {
  const o = parse(args);
  mkdirSync(o.cache, { recursive: true });
  const sections: BenchSection[] = [];

  log("memory bandwidth");
  const bw = runWorker({ phase: "bandwidth", engine: "exact", data: "", n: 0, dims: 384, queries: "", truth: "", work: o.cache, params: { bytes: 1.5e9 } });
  const x = bw.extra!;
  const limit = Math.max(Number(x.jsGBps), Number(x.memchrGBps));
  sections.push({
    title: "scale: memory bandwidth (the limit of an exact scan)",
    columns: ["read of 1.5 GB", "ms", "GB/s"],
    rows: [
      ["JavaScript Float32Array sum (8 accumulators)", ms(Number(x.jsMs)), Number(x.jsGBps).toFixed(2)],
      ["memchr (Buffer.indexOf of an absent byte)", ms(Number(x.memchrMs)), Number(x.memchrGBps).toFixed(2)],
      ["usearch exactSearch, 384-d, 1 thread", ms(Number(x.usearchScanMs)), Number(x.usearchScanGBps).toFixed(2)],
    ],
    notes: [`bandwidth limit taken as the best sequential read: ${limit.toFixed(2)} GB/s`],
  });

  const datasets: { ds: Dataset; notes: string[] }[] = [];
  if (o.real) datasets.push(await realDataset(o));
  if (o.synthetic) datasets.push({ ds: syntheticDataset(o), notes: [] });
  for (const { ds, notes } of datasets) {
    const rows = measureDataset(ds, o);
    const exact = rows.find((r) => r.engine === "plotline exact");
    const bytes = ds.n * ds.dims * 4;
    const floor = bytes / 1e9 / limit;
    const extra = [...notes];
    if (exact?.r.p50) {
      const same = Number(exact.r.extra?.floorP50 ?? NaN);
      extra.push(
        `exact scan: p50 ${ms(exact.r.p50)} ms for ${(bytes / MB).toFixed(0)} MB of float vectors${simdScanFits(ds.n, ds.dims) ? " (the 8-bit scan reads about a quarter as many bytes, then re-scores a few rows)" : ""}; bandwidth floor ${ms(floor * 1000)} ms at the ${limit.toFixed(1)} GB/s measured first ` +
          `(ratio ${(exact.r.p50 / (floor * 1000)).toFixed(2)}), ${ms(same)} ms by memchr over as many bytes right after each query (ratio ${(exact.r.p50 / same).toFixed(2)}); target <= 2`,
      );
    }
    sections.push(section(ds, rows, extra));
  }
  // FAISS on the seeds' configurations (bench/faiss.ts), unless --skip-faiss.
  if (!args.includes("--skip-faiss")) sections.push(...(await (await import("./faiss.js")).run(args)));
  return sections;
}
