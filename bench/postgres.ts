import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plotline } from "../src/plotline.js";
import { loadQuerySet } from "../src/search/evaluate.js";
import type { SearchOptions } from "../src/search/types.js";
import { PostgresStore } from "../src/store/postgres/store.js";
import { startPglite, type TestPostgres } from "../test/helpers/pglite-server.js";
import { ms, percentile, timeCalls, type BenchSection } from "./lib.js";
import { ROOT, TMDB_CSV } from "./paths.js";

/**
 * `npm run bench -- postgres [--url=postgres://...]`: the same TMDB collection (10,852 movies,
 * GloVe) through SQLite and through Postgres, in one run: ingest time, then p50/p99 of keyword,
 * semantic, hybrid and similar (kNN) through the same engine, and pgvector's HNSW recall@10
 * against an exact scan at several `ef_search`. Postgres is PGlite 0.5 (PostgreSQL 18 in
 * WebAssembly, pgvector 0.8, pg_textsearch) over pglite-socket on 127.0.0.1 with a pool of one
 * (it serves one connection at a time); `--url` (or PLOTLINE_BENCH_POSTGRES_URL) adds a
 * column for a real server with pgvector, in a scratch schema dropped afterwards.
 */

const QUERY_SET = join(ROOT, "eval/tmdb-queries.jsonl");
/** Calls per measured row; PGlite runs SQL in WebAssembly, so a few hundred give a stable p99 in reasonable time. */
const ITERATIONS = 300;
const WARMUP = 30;
const EF_SEARCH = [40, 100, 200];

interface Target {
  name: string;
  db: string;
  plotline?: Plotline;
  ingestSeconds?: { total: number; embed: number; write: number };
}

function withParams(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

export async function run(args: string[]): Promise<BenchSection[]> {
  const external = args.find((a) => a.startsWith("--url="))?.slice(6) ?? process.env.PLOTLINE_BENCH_POSTGRES_URL;
  const dir = mkdtempSync(join(tmpdir(), "plotline-bench-postgres-"));
  let pglite: TestPostgres | null = null;
  const targets: Target[] = [];
  try {
    pglite = await startPglite();
    const pgliteUrl = pglite.collectionUrl();
    targets.push({ name: "SQLite", db: join(dir, "tmdb.db") });
    targets.push({ name: "Postgres (PGlite)", db: pgliteUrl });
    if (external) targets.push({ name: "Postgres (--url)", db: withParams(external, { schema: "plotline_bench" }) });

    for (const t of targets) {
      if (t.name === "Postgres (--url)") await dropSchema(t.db);
      const p = Plotline.open({ db: t.db, create: true });
      const r = await p.ingest([{ file: TMDB_CSV }], { embedder: "glove" });
      t.ingestSeconds = r.seconds;
      t.plotline = p;
    }
    const set = loadQuerySet(QUERY_SET);
    const queries = set.map((q) => q.query);
    // Seeds for "more like this": the movies the labelled queries look for.
    const seeds = [...new Set(set.flatMap((q) => q.relevant))];

    const rows: (string | number)[][] = [];
    const ingestRow: (string | number)[] = ["ingest TMDB (read, embed, write), s"];
    const writeRow: (string | number)[] = ["  of which the write batch, s"];
    for (const t of targets) {
      ingestRow.push(t.ingestSeconds!.total.toFixed(1), "");
      writeRow.push(t.ingestSeconds!.write.toFixed(1), "");
    }
    rows.push(ingestRow, writeRow);

    const modes: [string, SearchOptions | "similar"][] = [
      ["keyword", { mode: "keyword" }],
      ["semantic", { mode: "semantic" }],
      ["hybrid (default)", { mode: "hybrid" }],
      ["similar (knn, k 40)", "similar"],
    ];
    for (const [name, options] of modes) {
      const row: (string | number)[] = [name];
      for (const t of targets) {
        const p = t.plotline!;
        const samples =
          options === "similar"
            ? await timeCalls(seeds, (id) => p.similar({ id }, { k: 40 }), ITERATIONS, WARMUP)
            : await timeCalls(queries, (q) => p.search(q, { ...options, k: 10 }), ITERATIONS, WARMUP);
        row.push(ms(percentile(samples, 50)), ms(percentile(samples, 99)));
      }
      rows.push(row);
    }
    // Keyword ranking by ts_rank_cd over the tsvector, on the servers that also have BM25.
    const tsRow: (string | number)[] = ["keyword, ts_rank_cd"];
    for (const t of targets) {
      if (t.name === "SQLite") {
        tsRow.push("", "");
        continue;
      }
      const p = Plotline.open({ db: withParams(t.db, { keyword: "ts_rank_cd" }), readonly: true });
      const samples = await timeCalls(queries, (q) => p.search(q, { mode: "keyword", k: 10 }), ITERATIONS, WARMUP);
      tsRow.push(ms(percentile(samples, 50)), ms(percentile(samples, 99)));
      await p.close();
    }
    rows.push(tsRow);

    // HNSW against exact, on the same query vectors: recall@10 and latency of the store's vectorTop.
    const recallRows: (string | number)[][] = [];
    for (const t of targets.filter((x) => x.name !== "SQLite")) {
      const p = t.plotline!;
      const engine = await p.searchEngine();
      const vectors: Float32Array[] = [];
      const embedder = await p.queryEmbedder();
      const manifest = (await p.store.manifest())!;
      for (const q of queries) vectors.push(embedder.finish(await embedder.embedQuery((await engine.understand(q)).text), manifest.embedderState));
      const exactStore = PostgresStore.open(withParams(t.db, { exact_below: "1000000000" }), { readonly: true });
      const truth: Set<string>[] = [];
      const exactMs: number[] = [];
      for (const v of vectors) {
        const s = performance.now();
        truth.push(new Set((await exactStore.vectorTop({ vector: v }, { k: 10 })).map((h) => h.id)));
        exactMs.push(performance.now() - s);
      }
      await exactStore.close();
      recallRows.push([t.name, "exact scan", ms(percentile(exactMs, 50)), ms(percentile(exactMs, 99)), "1.000"]);
      for (const ef of EF_SEARCH) {
        const hnsw = PostgresStore.open(withParams(t.db, { exact_below: "0", ef_search: String(ef) }), { readonly: true });
        let found = 0;
        const samples: number[] = [];
        for (let i = 0; i < vectors.length; i++) {
          const s = performance.now();
          const hits = await hnsw.vectorTop({ vector: vectors[i]! }, { k: 10 });
          samples.push(performance.now() - s);
          for (const h of hits) if (truth[i]!.has(h.id)) found++;
        }
        await hnsw.close();
        recallRows.push([t.name, `hnsw, ef_search ${ef}`, ms(percentile(samples, 50)), ms(percentile(samples, 99)), (found / (10 * vectors.length)).toFixed(3)]);
      }
    }

    const details: string[] = [];
    for (const t of targets.filter((x) => x.name !== "SQLite")) {
      const d = (await t.plotline!.info()).details;
      details.push(`${t.name}: ${String(d?.server)}, pgvector ${String(d?.pgvector)}, keyword ranking ${String(d?.keyword_ranking)}`);
    }
    return [
      {
        title: "SQLite and Postgres side by side (TMDB, 10,852 movies, glove), ms per call",
        columns: ["", ...targets.flatMap((t) => [`${t.name} p50`, "p99"])],
        rows,
        notes: [
          ...details,
          `${queries.length} labelled queries (eval/tmdb-queries.jsonl) cycled for ${ITERATIONS} calls after ${WARMUP} warm-up calls; similar: ${seeds.length} seed movies; k 10 (similar 40)`,
          "PGlite is PostgreSQL compiled to WebAssembly, one connection at a time (pool 1): slower than a native server",
        ],
      },
      {
        title: "pgvector HNSW (m 16, ef_construction 64) against an exact scan, TMDB glove query vectors, top 10",
        columns: ["server", "search", "p50 ms", "p99 ms", "recall@10"],
        rows: recallRows,
        notes: ["through PostgresStore.vectorTop: exact_below=1e9 forces the exact scan, exact_below=0 the HNSW index"],
      },
    ];
  } finally {
    for (const t of targets) await t.plotline?.close();
    const ext = targets.find((t) => t.name === "Postgres (--url)");
    if (ext) await dropSchema(ext.db).catch(() => {});
    await pglite?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Drops the scratch schema a `--url` run uses. */
async function dropSchema(url: string): Promise<void> {
  const { default: pg } = await import("pg");
  const { parsePostgresUrl } = await import("../src/store/postgres/options.js");
  const target = parsePostgresUrl(url);
  const c = new pg.Client({ connectionString: target.connectionString });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${target.options.schema}" CASCADE`);
  } finally {
    await c.end();
  }
}
