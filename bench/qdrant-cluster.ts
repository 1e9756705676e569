import { execSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Plotline } from "../src/plotline.js";
import { loadQuerySet } from "../src/search/evaluate.js";
import type { BenchSection } from "./lib.js";
import { ROOT, TMDB_CSV } from "./paths.js";

/**
 * `npm run bench -- qdrant-cluster --nodes=URL,URL,URL --stop='CMD {n}' --start='CMD {n}'
 * [--write-consistency=W]` (or `QDRANT_CLUSTER_URLS`, `QDRANT_CLUSTER_STOP`,
 * `QDRANT_CLUSTER_START`): Plotline on a Qdrant cluster of three nodes. TMDB (glove) is ingested
 * into SQLite and copied into a new collection through node 1 with `--shards 3 --replicas 2
 * --write-consistency W` (default 1: one replica's acknowledgement; 2: both); the answers of search
 * (keyword, semantic, hybrid both fusions), similar and recommend are recorded; node 3 is
 * stopped with the given command (`{n}` is the node's number) and the same calls, through node
 * 1, must give the same top 10; ten movies are removed while it is down; it is started again and
 * must catch up (every replica active, its shards' point counts equal to their peers'); then
 * node 1 is stopped and the calls through node 2 must give what all three gave after the
 * removal, without the removed movies, which needs node 3's replicas of node 1's shards. How the nodes are run is the caller's business.
 * Not in the default areas: it stops servers.
 */

const QUERIES = 20;
const SEEDS = 10;
const REMOVED = 10;
/** Replicas that must acknowledge a write when `--write-consistency` is not given. */
const DEFAULT_WRITE_CONSISTENCY = 1;

/** Each call's top 10 as `[id, score]`. */
type Answers = Map<string, [string, number][]>;

function arg(args: string[], name: string, env: string): string {
  const v = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? process.env[env];
  if (!v) throw new Error(`qdrant-cluster: give --${name}=... or ${env}`);
  return v;
}

async function json<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return ((await r.json()) as { result: T }).result;
}

interface ShardInfo {
  local_shards: { shard_id: number; points_count: number; state: string }[];
  remote_shards: { shard_id: number; peer_id: number; state: string }[];
}

/** Waits until every replica of the collection is Active as `node` sees it; returns the seconds waited. */
async function allActive(node: string, name: string, timeoutS = 600): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    try {
      const c = await json<ShardInfo>(`${node}/collections/${name}/cluster`);
      const states = [...c.local_shards.map((s) => s.state), ...c.remote_shards.map((s) => s.state)];
      if (states.length && states.every((s) => s === "Active")) return (performance.now() - t0) / 1000;
    } catch {
      // the node is still starting
    }
    if (performance.now() - t0 > timeoutS * 1000) throw new Error(`${name}: replicas not all active after ${timeoutS} s`);
    await sleep(500);
  }
}

/** Points per shard id as each node's local replicas hold them. */
async function localCounts(nodes: string[], name: string): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const node of nodes) {
    const c = await json<ShardInfo>(`${node}/collections/${name}/cluster`);
    for (const s of c.local_shards) out.set(s.shard_id, [...(out.get(s.shard_id) ?? []), s.points_count]);
  }
  return out;
}

/** A call's top 10 as `[id, score]`. */
function top(hits: readonly { id: string; score: number }[]): [string, number][] {
  return hits.map((h) => [h.id, h.score]);
}

/** Whether two top-10 lists have the same scores, and the same movies at each score but the last (whose ties may continue past the 10th). */
function tiedOnly(a: [string, number][], b: [string, number][]): boolean {
  if (a.length !== b.length || a.some((h, i) => Math.abs(h[1] - b[i]![1]) > 1e-6)) return false;
  const last = a[a.length - 1]?.[1];
  const group = (l: [string, number][], score: number) => l.filter((h) => Math.abs(h[1] - score) <= 1e-6 && Math.abs(h[1] - last!) > 1e-6).map((h) => h[0]).sort().join();
  return a.every((h) => group(a, h[1]) === group(b, h[1]));
}

export async function run(args: string[]): Promise<BenchSection[]> {
  const nodes = arg(args, "nodes", "QDRANT_CLUSTER_URLS").split(",").map((u) => u.trim().replace(/\/+$/, ""));
  if (nodes.length !== 3) throw new Error("qdrant-cluster: give the three nodes' REST URLs");
  const stop = arg(args, "stop", "QDRANT_CLUSTER_STOP");
  const start = arg(args, "start", "QDRANT_CLUSTER_START");
  const wcArg = args.find((a) => a.startsWith("--write-consistency="))?.slice("--write-consistency=".length);
  const writeConsistency = wcArg === undefined ? DEFAULT_WRITE_CONSISTENCY : Number(wcArg);
  if (!Number.isInteger(writeConsistency) || writeConsistency < 1 || writeConsistency > 2) throw new Error(`qdrant-cluster: --write-consistency must be 1 or 2 (the collection has 2 replicas), got ${wcArg}`);
  const sh = (cmd: string, n: number) => execSync(cmd.replaceAll("{n}", String(n)), { stdio: "inherit" });
  const name = `plotline-cluster-${randomBytes(4).toString("hex")}`;
  const at = (node: string) => `${node.replace(/^http:\/\//, "qdrant://")}/${name}`;
  const dir = mkdtempSync(join(tmpdir(), "plotline-bench-cluster-"));
  const log: (string | number)[][] = [];
  const step = (what: string, result: string | number) => {
    log.push([what, result]);
    console.log(`  ${what}: ${result}`);
  };
  try {
    const db = join(dir, "tmdb.db");
    const sqlite = Plotline.open({ db, create: true });
    await sqlite.ingest([{ file: TMDB_CSV }], { embedder: "glove" });
    await sqlite.close();
    const copy = await Plotline.copy(db, at(nodes[0]!), { distribution: { shards: 3, replicas: 2, writeConsistency } });
    step(`copy TMDB into the cluster through node 1 (3 shards, 2 replicas, write consistency ${writeConsistency}), s`, copy.seconds.toFixed(1));
    step("replicas active after the copy, s", (await allActive(nodes[0]!, name)).toFixed(1));
    const placement = await Promise.all(nodes.map(async (n) => (await json<ShardInfo>(`${n}/collections/${name}/cluster`)).local_shards.map((s) => s.shard_id).join("+")));
    step("shards held by nodes 1, 2, 3", placement.join(", "));

    const set = loadQuerySet(join(ROOT, "eval/tmdb-queries.jsonl")).slice(0, QUERIES);
    const seeds = (JSON.parse(readFileSync(join(ROOT, "eval/siblings.json"), "utf8")) as { movies: { id: string }[] }).movies.slice(0, SEEDS).map((m) => m.id);
    async function answers(node: string): Promise<Answers> {
      const p = Plotline.open({ db: at(node), readonly: true });
      const out: Answers = new Map();
      try {
        for (const { query } of set) {
          for (const mode of ["keyword", "semantic", "hybrid"] as const) out.set(`${mode}: ${query}`, top((await p.search(query, { mode, k: 10 })).results));
          out.set(`native-rrf: ${query}`, top((await p.search(query, { mode: "hybrid", fusion: "native-rrf", k: 10 })).results));
        }
        for (const [i, id] of seeds.entries()) {
          out.set(`similar: ${id}`, top((await p.similar(id, { k: 10 })).results));
          for (const strategy of ["average", "best", "sum"] as const) {
            out.set(`recommend ${strategy}: ${id}`, top((await p.recommend({ like: [id, seeds[(i + 1) % SEEDS]!], dislike: [seeds[(i + 2) % SEEDS]!], strategy, k: 10 })).results));
          }
        }
        out.set("count", [["count", await p.store.count()]]);
      } finally {
        await p.close();
      }
      return out;
    }
    /**
     * How many calls give the same top 10: the same ids in the same order, or the same scores
     * with movies of equal score in another order (Qdrant orders ties by where a point sits in
     * a replica's segments, which differs between replicas).
     */
    const same = (a: Answers, b: Answers) => {
      let exact = 0;
      let ties = 0;
      const differ: string[] = [];
      for (const [k, v] of a) {
        if (k === "count") continue;
        const w = b.get(k) ?? [];
        if (JSON.stringify(w.map((h) => h[0])) === JSON.stringify(v.map((h) => h[0]))) exact++;
        else if (tiedOnly(v, w)) ties++;
        else differ.push(k);
      }
      return `${exact + ties} of ${a.size - 1} identical${ties ? ` (${ties} of them up to the order of equal scores)` : ""}${differ.length ? `; ${differ.length} differ: ${differ.slice(0, 3).join("; ")}` : ""}`;
    };
    const count = (a: Answers) => a.get("count")![0]![1];

    const before = await answers(nodes[0]!);
    step("calls recorded (20 queries x 4 modes, 10 seeds x similar + 3 strategies)", before.size - 1);
    step("movies", count(before));

    sh(stop, 3);
    const down = await answers(nodes[0]!);
    step("node 3 stopped: top 10 through node 1", same(before, down));
    step("node 3 stopped: movies", count(down));

    // A write while node 3 is down: its replicas miss it and must catch up.
    const reader = Plotline.open({ db: at(nodes[0]!), readonly: true });
    const removed = (await reader.search(set[0]!.query, { mode: "semantic", k: REMOVED })).results.map((h) => h.id);
    await reader.close();
    const w = Plotline.open({ db: at(nodes[0]!) });
    const t0 = performance.now();
    // With write consistency 2 a shard whose other replica is down may refuse the write: that is
    // a result to record (with the time Plotline's retries took), not a failed bench.
    const removal = await w.remove(removed).then(
      () => null,
      (err: unknown) => (err as Error).message,
    );
    await w.close();
    const seconds = ((performance.now() - t0) / 1000).toFixed(2);
    if (removal === null) step(`removed ${removed.length} movies through node 1 while node 3 is down, s`, seconds);
    else step(`removing ${removed.length} movies through node 1 while node 3 is down failed after ${seconds} s`, removal);

    sh(start, 3);
    step("node 3 started: replicas active again after, s", (await allActive(nodes[2]!, name)).toFixed(1));
    const counts = await localCounts(nodes, name);
    step("points per shard, each replica", [...counts].sort((a, b) => a[0] - b[0]).map(([id, c]) => `shard ${id}: ${c.join(" = ")}`).join("; "));
    step("replicas agree", [...counts.values()].every((c) => c.length === 2 && c[0] === c[1]) ? "yes" : "NO");

    // Node 1's shards are then served by their other replicas, node 3's among them.
    const rejoined = await answers(nodes[0]!);
    sh(stop, 1);
    const after = await answers(nodes[1]!);
    step("node 1 stopped: top 10 through node 2, against all three nodes after the removal", same(rejoined, after));
    step("node 1 stopped: movies", count(after));
    const gone = new Set(removed);
    step(removal === null ? "removed movies in any answer" : "movies of the failed removal in any answer", [...after.values()].flat().filter((h) => gone.has(h[0])).length);
    sh(start, 1);
    step("node 1 started: replicas active again after, s", (await allActive(nodes[0]!, name)).toFixed(1));
    return [{ title: `Qdrant cluster: 3 nodes, 3 shards, 2 replicas, write consistency ${writeConsistency} (TMDB, ${copy.copied.toLocaleString("en-US")} movies, glove)`, columns: ["step", "result"], rows: log, notes: [`nodes ${nodes.join(", ")}`] }];
  } finally {
    for (const node of nodes) if (await fetch(`${node}/collections/${name}`, { method: "DELETE" }).then((r) => r.ok, () => false)) break;
    rmSync(dir, { recursive: true, force: true });
  }
}
