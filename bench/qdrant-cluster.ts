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
 * `npm run bench -- qdrant-cluster --nodes=URL,URL,URL --stop='CMD {n}' --start='CMD {n}'`
 * (or `QDRANT_CLUSTER_URLS`, `QDRANT_CLUSTER_STOP`, `QDRANT_CLUSTER_START`): Plotline on a Qdrant
 * cluster of three nodes. TMDB (glove) is ingested into SQLite and copied into a new collection
 * through node 1 with `--shards 3 --replicas 2 --write-consistency 1`; the answers of search
 * (keyword, semantic, hybrid both fusions), similar and recommend are recorded; node 3 is
 * stopped with the given command (`{n}` is the node's number) and the same calls, through node
 * 1, must give the same top 10; ten movies are removed while it is down; it is started again and
 * must catch up (every replica active, its shards' point counts equal to their peers'); then
 * node 1 is stopped and the calls through node 2 must answer without the removed movies, which
 * needs node 3's replicas of node 1's shards. How the nodes are run is the caller's business.
 * Not in the default areas: it stops servers.
 */

const QUERIES = 20;
const SEEDS = 10;
const REMOVED = 10;

type Answers = Map<string, string[]>;

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

export async function run(args: string[]): Promise<BenchSection[]> {
  const nodes = arg(args, "nodes", "QDRANT_CLUSTER_URLS").split(",").map((u) => u.trim().replace(/\/+$/, ""));
  if (nodes.length !== 3) throw new Error("qdrant-cluster: give the three nodes' REST URLs");
  const stop = arg(args, "stop", "QDRANT_CLUSTER_STOP");
  const start = arg(args, "start", "QDRANT_CLUSTER_START");
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
    const copy = await Plotline.copy(db, at(nodes[0]!), { distribution: { shards: 3, replicas: 2, writeConsistency: 1 } });
    step("copy TMDB into the cluster through node 1 (3 shards, 2 replicas, write consistency 1), s", copy.seconds.toFixed(1));
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
          for (const mode of ["keyword", "semantic", "hybrid"] as const) out.set(`${mode}: ${query}`, (await p.search(query, { mode, k: 10 })).results.map((h) => h.id));
          out.set(`native-rrf: ${query}`, (await p.search(query, { mode: "hybrid", fusion: "native-rrf", k: 10 })).results.map((h) => h.id));
        }
        for (const [i, id] of seeds.entries()) {
          out.set(`similar: ${id}`, (await p.similar(id, { k: 10 })).results.map((h) => h.id));
          for (const strategy of ["average", "best", "sum"] as const) {
            out.set(`recommend ${strategy}: ${id}`, (await p.recommend({ like: [id, seeds[(i + 1) % SEEDS]!], dislike: [seeds[(i + 2) % SEEDS]!], strategy, k: 10 })).results.map((h) => h.id));
          }
        }
        out.set("count", [String(await p.store.count())]);
      } finally {
        await p.close();
      }
      return out;
    }
    const same = (a: Answers, b: Answers, without: Set<string> = new Set()) => {
      let equal = 0;
      const differ: string[] = [];
      for (const [k, v] of a) {
        if (k === "count") continue;
        const w = b.get(k) ?? [];
        // After a removal, compare with the removed movies taken out of the earlier list (the rest move up).
        const expected = v.filter((id) => !without.has(id));
        if (JSON.stringify(w.slice(0, expected.length)) === JSON.stringify(expected)) equal++;
        else differ.push(k);
      }
      return `${equal} of ${a.size - 1} identical${differ.length ? ` (differ: ${differ.slice(0, 3).join("; ")})` : ""}`;
    };

    const before = await answers(nodes[0]!);
    step("calls recorded (20 queries x 4 modes, 10 seeds x similar + 3 strategies)", before.size - 1);
    step("movies", before.get("count")![0]!);

    sh(stop, 3);
    const down = await answers(nodes[0]!);
    step("node 3 stopped: top 10 through node 1", same(before, down));
    step("node 3 stopped: movies", down.get("count")![0]!);

    // A write while node 3 is down: its replicas miss it and must catch up.
    const reader = Plotline.open({ db: at(nodes[0]!), readonly: true });
    const removed = (await reader.search(set[0]!.query, { mode: "semantic", k: REMOVED })).results.map((h) => h.id);
    await reader.close();
    const w = Plotline.open({ db: at(nodes[0]!) });
    const t0 = performance.now();
    await w.remove(removed);
    await w.close();
    step(`removed ${removed.length} movies through node 1 while node 3 is down, s`, ((performance.now() - t0) / 1000).toFixed(2));

    sh(start, 3);
    step("node 3 started: replicas active again after, s", (await allActive(nodes[2]!, name)).toFixed(1));
    const counts = await localCounts(nodes, name);
    step("points per shard, each replica", [...counts].sort((a, b) => a[0] - b[0]).map(([id, c]) => `shard ${id}: ${c.join(" = ")}`).join("; "));
    step("replicas agree", [...counts.values()].every((c) => c.length === 2 && c[0] === c[1]) ? "yes" : "NO");

    sh(stop, 1);
    const without = new Set(removed);
    const after = await answers(nodes[1]!);
    step("node 1 stopped: top 10 through node 2 (the removed movies taken out of the first answers)", same(before, after, without));
    step("node 1 stopped: movies", after.get("count")![0]!);
    const leaked = [...after.values()].flat().filter((id) => without.has(id)).length;
    step("removed movies in any answer", leaked);
    sh(start, 1);
    step("node 1 started: replicas active again after, s", (await allActive(nodes[0]!, name)).toFixed(1));
    return [{ title: `Qdrant cluster: 3 nodes, 3 shards, 2 replicas (TMDB, ${copy.copied.toLocaleString("en-US")} movies, glove)`, columns: ["step", "result"], rows: log, notes: [`nodes ${nodes.join(", ")}`] }];
  } finally {
    for (const node of nodes) if (await fetch(`${node}/collections/${name}`, { method: "DELETE" }).then((r) => r.ok, () => false)) break;
    rmSync(dir, { recursive: true, force: true });
  }
}
