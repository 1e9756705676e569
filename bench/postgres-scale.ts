import pg from "pg";
import { toVectorText } from "../src/store/postgres/codec.js";
import { parsePostgresUrl } from "../src/store/postgres/options.js";
import { SyntheticSet } from "../src/vector-index/synthetic.js";
import { benchArgs, ms, percentile, type BenchSection } from "./lib.js";

/**
 * `npm run bench -- postgres-scale --url=postgres://... [--n=100000] [--dims=384]
 * [--queries=200] [--m=16] [--efc=64] [--ef=40,100,200]`
 *
 * What pgvector's HNSW costs at a given size on a given server, for README's "Scaling out":
 * `--n` synthetic unit vectors shaped like text embeddings (`SyntheticSet`) loaded into a
 * scratch schema (`plotline_bench_scale`, dropped before and after), then the table's size, the
 * HNSW build time and index size (pgvector's `m` and `ef_construction`), and per `ef_search`
 * the query latency (p50/p99, one connection, top 10) and recall@10 against an exact scan.
 * The server's `maintenance_work_mem` and `shared_buffers` are reported with the figures: a
 * graph that does not fit the first builds many times slower (pgvector's README).
 */

interface Options {
  url: string;
  n: number;
  dims: number;
  queries: number;
  m: number;
  efc: number;
  ef: number[];
}

function parse(args: string[]): Options {
  const { value, int, ints } = benchArgs(args);
  const url = value("url") ?? process.env.PLOTLINE_BENCH_POSTGRES_URL;
  if (!url) throw new Error("postgres-scale: give --url=postgres://... (a server with pgvector) or set PLOTLINE_BENCH_POSTGRES_URL");
  return { url, n: int("n", 100_000), dims: int("dims", 384), queries: int("queries", 200), m: int("m", 16), efc: int("efc", 64), ef: ints("ef", [40, 100, 200]) };
}

const SCHEMA = "plotline_bench_scale";

export async function run(args: string[]): Promise<BenchSection[]> {
  const o = parse(args);
  const target = parsePostgresUrl(o.url);
  const c = new pg.Client({ connectionString: target.connectionString });
  await c.connect();
  try {
    const setting = async (name: string) => (await c.query<{ v: string }>(`SELECT current_setting($1) AS v`, [name])).rows[0]!.v;
    const server = `PostgreSQL ${await setting("server_version")}, pgvector ${(await c.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`)).rows[0]?.v ?? "missing"}`;
    const memory = `maintenance_work_mem ${await setting("maintenance_work_mem")}, shared_buffers ${await setting("shared_buffers")}, max_parallel_maintenance_workers ${await setting("max_parallel_maintenance_workers")}`;
    await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await c.query(`CREATE SCHEMA ${SCHEMA}`);
    await c.query(`CREATE TABLE ${SCHEMA}.v (id integer PRIMARY KEY, embedding vector(${o.dims}) NOT NULL)`);

    const set = new SyntheticSet({ n: o.n, dims: o.dims });
    let t = performance.now();
    let id = 0;
    for (const chunk of set.chunks(2000)) {
      const rows = chunk.length / o.dims;
      const ids: number[] = [];
      const vectors: string[] = [];
      for (let i = 0; i < rows; i++) {
        ids.push(id++);
        vectors.push(toVectorText(chunk.subarray(i * o.dims, (i + 1) * o.dims)));
      }
      await c.query(`INSERT INTO ${SCHEMA}.v SELECT * FROM unnest($1::int[], $2::text[]::vector[])`, [ids, vectors]);
    }
    const loadSeconds = (performance.now() - t) / 1000;
    const tableBytes = Number((await c.query(`SELECT pg_total_relation_size('${SCHEMA}.v') AS b`)).rows[0].b);

    await c.query(`ANALYZE ${SCHEMA}.v`);

    const queries = set.queries(o.queries);
    const qtext = Array.from({ length: o.queries }, (_, i) => toVectorText(queries.subarray(i * o.dims, (i + 1) * o.dims)));
    // The reference, before the index exists: an exact scan (a sequential scan keeping the top 10).
    const exact: Set<number>[] = [];
    const exactMs: number[] = [];
    for (const q of qtext) {
      const s = performance.now();
      const r = await c.query<{ id: number }>(`SELECT id FROM ${SCHEMA}.v ORDER BY embedding <=> $1::vector LIMIT 10`, [q]);
      exactMs.push(performance.now() - s);
      exact.push(new Set(r.rows.map((x) => x.id)));
    }

    t = performance.now();
    await c.query(`CREATE INDEX v_hnsw ON ${SCHEMA}.v USING hnsw (embedding vector_cosine_ops) WITH (m = ${o.m}, ef_construction = ${o.efc})`);
    const buildSeconds = (performance.now() - t) / 1000;
    const indexBytes = Number((await c.query(`SELECT pg_relation_size('${SCHEMA}.v_hnsw') AS b`)).rows[0].b);
    const rows: (string | number)[][] = [["exact scan", ms(percentile(exactMs, 50)), ms(percentile(exactMs, 99)), "1.000"]];
    for (const ef of o.ef) {
      await c.query(`SET hnsw.ef_search = ${ef}`);
      const samples: number[] = [];
      let found = 0;
      for (let i = 0; i < qtext.length; i++) {
        const s = performance.now();
        const r = await c.query<{ id: number }>(`SELECT id FROM ${SCHEMA}.v ORDER BY embedding <=> $1::vector LIMIT 10`, [qtext[i]]);
        samples.push(performance.now() - s);
        for (const x of r.rows) if (exact[i]!.has(x.id)) found++;
      }
      rows.push([`hnsw, ef_search ${ef}`, ms(percentile(samples, 50)), ms(percentile(samples, 99)), (found / (10 * qtext.length)).toFixed(3)]);
    }
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
    return [
      {
        title: `pgvector at ${o.n.toLocaleString("en")} x ${o.dims} (synthetic), HNSW m ${o.m}, ef_construction ${o.efc}`,
        columns: ["search", "p50 ms", "p99 ms", "recall@10"],
        rows,
        notes: [
          `${server}; ${memory}`,
          `load ${loadSeconds.toFixed(1)} s (INSERT of 2,000-row batches); table ${mb(tableBytes)} (${(tableBytes / o.n).toFixed(0)} B a row); HNSW build ${buildSeconds.toFixed(1)} s, index ${mb(indexBytes)} (${(indexBytes / o.n).toFixed(0)} B a vector)`,
          `latency: one connection over loopback, ${o.queries} queries of the same model, top 10`,
        ],
      },
    ];
  } finally {
    await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => {});
    await c.end();
  }
}
