import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { Plotline } from "../src/plotline.js";
import type { RecommendOptions } from "../src/recommend/types.js";
import { loadQuerySet } from "../src/search/evaluate.js";
import type { SearchOptions } from "../src/search/types.js";
import { QdrantStore } from "../src/store/qdrant/store.js";
import { ms, percentile, timeCalls, type BenchSection } from "./lib.js";
import { ROOT, TMDB_CSV } from "./paths.js";

/**
 * `npm run bench -- qdrant` (in the default areas; skipped with the reason when `QDRANT_URL` is
 * not set): the same TMDB collection (glove) through SQLite and through Qdrant in one run. The
 * SQLite collection is ingested, then copied into a scratch Qdrant collection (`plotline copy`,
 * no embedding; dropped afterwards). Rows: p50/p99 of keyword, semantic, hybrid with Plotline's
 * fusion and with Qdrant's (`prefetch` + `rrf` / `dbsf`), similar (kNN) and recommend (each
 * strategy, Qdrant's `recommend` query), all through the same engine; then Qdrant's HNSW
 * recall@10 against its exact scan (`?exact=1`) on the labelled queries' vectors.
 * `ITERATIONS` is small: every call is an HTTP round trip on a shared machine.
 */

const QUERY_SET = join(ROOT, "eval/tmdb-queries.jsonl");
const ITERATIONS = 200;
const WARMUP = 20;
/** HNSW `ef` at search time for the recall rows (Qdrant's default is the collection's ef_construct, 100). */
const EF = [16, 32, 64, 128];

/** The team's sibling check list: the inputs of similar and recommend. */
function checkListIds(): string[] {
  const list = JSON.parse(readFileSync(join(ROOT, "eval/siblings.json"), "utf8")) as { movies: { id: string }[] };
  return list.movies.map((m) => m.id);
}

function withParam(location: string, key: string, value: string): string {
  return `${location}${location.includes("?") ? "&" : "?"}${key}=${value}`;
}

export async function run(): Promise<BenchSection[]> {
  const url = process.env.QDRANT_URL;
  if (!url) return [{ title: "Qdrant beside SQLite", columns: ["skipped"], rows: [["QDRANT_URL is not set (a Qdrant 1.16 server, e.g. http://127.0.0.1:6333)"]] }];
  const base = url.replace(/\/+$/, "");
  const dir = mkdtempSync(join(tmpdir(), "plotline-bench-qdrant-"));
  const name = `plotline-bench-${randomBytes(4).toString("hex")}`;
  const location = `${base.replace(/^http(s?):\/\//, (_m, s: string) => (s ? "qdrants://" : "qdrant://"))}/${name}`;
  const opened: Plotline[] = [];
  try {
    const db = join(dir, "tmdb.db");
    const sqlite = Plotline.open({ db, create: true });
    opened.push(sqlite);
    const ingest = await sqlite.ingest([{ file: TMDB_CSV }], { embedder: "glove" });
    const copy = await Plotline.copy(db, location);
    const qdrant = Plotline.open({ db: location, readonly: true });
    opened.push(qdrant);
    const info = await qdrant.info();

    const set = loadQuerySet(QUERY_SET);
    const queries = set.map((q) => q.query);
    const ids = checkListIds();
    const examples = ids.map((_, i) => ({ like: [ids[i]!, ids[(i + 1) % ids.length]!], dislike: [ids[(i + 2) % ids.length]!] }));

    type Call = { name: string; sqlite: boolean; fn: (p: Plotline) => Promise<number[]> };
    const search = (o: SearchOptions) => (p: Plotline) => timeCalls(queries, (q) => p.search(q, { ...o, k: 10 }), ITERATIONS, WARMUP);
    const recommend = (o: RecommendOptions) => (p: Plotline) => timeCalls(examples, (e) => p.recommend({ ...e, ...o, k: 10 }), ITERATIONS, WARMUP);
    const calls: Call[] = [
      { name: "keyword", sqlite: true, fn: search({ mode: "keyword" }) },
      { name: "semantic", sqlite: true, fn: search({ mode: "semantic" }) },
      { name: "hybrid, Plotline's fusion (convex)", sqlite: true, fn: search({ mode: "hybrid", fusion: "convex" }) },
      { name: "hybrid, Plotline's rrf", sqlite: true, fn: search({ mode: "hybrid", fusion: "rrf" }) },
      { name: "hybrid, Qdrant's rrf (native-rrf)", sqlite: false, fn: search({ mode: "hybrid", fusion: "native-rrf" }) },
      { name: "hybrid, Qdrant's dbsf (native-dbsf)", sqlite: false, fn: search({ mode: "hybrid", fusion: "native-dbsf" }) },
      { name: "similar knn, k 40", sqlite: true, fn: (p) => timeCalls(ids, (id) => p.similar(id, { k: 40 }), ITERATIONS, WARMUP) },
      { name: "similar knn, k 40, diversity 0.3 (Qdrant: mmr)", sqlite: true, fn: (p) => timeCalls(ids, (id) => p.similar(id, { k: 40, diversity: 0.3 }), ITERATIONS, WARMUP) },
      { name: "recommend average, 2 likes + 1 dislike, k 10", sqlite: true, fn: recommend({ strategy: "average" }) },
      { name: "recommend best, 2 likes + 1 dislike, k 10", sqlite: true, fn: recommend({ strategy: "best" }) },
      { name: "recommend sum, 2 likes + 1 dislike, k 10", sqlite: true, fn: recommend({ strategy: "sum" }) },
    ];
    const rows: (string | number)[][] = [
      ["ingest TMDB into SQLite (read, embed, write), s", ingest.seconds.total.toFixed(1), "", "", ""],
      ["copy SQLite → Qdrant (upload with wait), s", "", "", copy.seconds.toFixed(1), ""],
    ];
    for (const c of calls) {
      const row: (string | number)[] = [c.name];
      if (c.sqlite) {
        const s = await c.fn(sqlite);
        row.push(ms(percentile(s, 50)), ms(percentile(s, 99)));
      } else row.push("", "");
      const q = await c.fn(qdrant);
      row.push(ms(percentile(q, 50)), ms(percentile(q, 99)));
      rows.push(row);
    }

    // HNSW against the exact scan on the same vectors, through QdrantStore.vectorTop.
    const engine = await sqlite.searchEngine();
    const embedder = await sqlite.queryEmbedder();
    const manifest = (await sqlite.store.manifest())!;
    const vectors: Float32Array[] = [];
    for (const q of queries) vectors.push(embedder.finish(await embedder.embedQuery((await engine.understand(q)).text), manifest.embedderState));
    const exact = QdrantStore.open(withParam(location, "exact", "1"), { readonly: true });
    const truth: Set<string>[] = [];
    const exactMs: number[] = [];
    for (const v of vectors) {
      const t = performance.now();
      truth.push(new Set((await exact.vectorTop({ vector: v }, { k: 10 })).map((h) => h.id)));
      exactMs.push(performance.now() - t);
    }
    await exact.close();
    const recallRows: (string | number)[][] = [["exact scan", ms(percentile(exactMs, 50)), ms(percentile(exactMs, 99)), "1.000"]];
    for (const ef of [undefined, ...EF]) {
      const store = QdrantStore.open(ef === undefined ? location : withParam(location, "ef", String(ef)), { readonly: true });
      let found = 0;
      const samples: number[] = [];
      for (let i = 0; i < vectors.length; i++) {
        const t = performance.now();
        const hits = await store.vectorTop({ vector: vectors[i]! }, { k: 10 });
        samples.push(performance.now() - t);
        for (const h of hits) if (truth[i]!.has(h.id)) found++;
      }
      await store.close();
      recallRows.push([ef === undefined ? "hnsw, Qdrant's default ef" : `hnsw, ef ${ef}`, ms(percentile(samples, 50)), ms(percentile(samples, 99)), (found / (10 * vectors.length)).toFixed(3)]);
    }
    const d = info.details ?? {};
    return [
      {
        title: `SQLite and Qdrant side by side (TMDB, ${copy.copied.toLocaleString("en-US")} movies, glove), ms per call`,
        columns: ["", "SQLite p50", "p99", "Qdrant p50", "p99"],
        rows,
        notes: [
          `Qdrant ${String(d.server ?? "?")} at ${base}: ${JSON.stringify(d)}`,
          `${queries.length} labelled queries (eval/tmdb-queries.jsonl) cycled for ${ITERATIONS} calls after ${WARMUP} warm-up calls; similar and recommend: the ${ids.length} movies of eval/siblings.json`,
          "Qdrant rows are HTTP round trips to the server (keep-alive), SQLite rows in-process",
        ],
      },
      {
        title: `Qdrant HNSW against its exact scan, ${vectors.length} TMDB glove query vectors, top 10`,
        columns: ["search", "p50 ms", "p99 ms", "recall@10"],
        rows: recallRows,
        notes: ["through QdrantStore.vectorTop: ?exact=1 is Qdrant's exact search, ?ef=N its hnsw_ef"],
      },
    ];
  } finally {
    for (const p of opened) await p.close().catch(() => {});
    await fetch(`${base}/collections/${name}`, { method: "DELETE" }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}
