import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { table } from "../src/cli/table.js";
import { benchArgs, ms, type BenchSection } from "./lib.js";
import { ROOT } from "./paths.js";
import { realDataset, syntheticDataset, type Dataset } from "./scale.js";
import type { WorkerResult, WorkerTask } from "./scale-worker.js";

/**
 * `npm run bench -- faiss [--parts=exact,ivfpq,hnsw] [--large=1000000] [--hnsw-n=<large>]
 * [--queries=200] [--rounds=3] [--ef=16,32,64,128,256,512] [--cache=DIR]` (also run by `scale`)
 *
 * Plotline against FAISS, the index library of the first two seeds, on the same vectors and
 * queries (raw float32 files both sides read), one thread each, measured in the same run with
 * the two libraries alternating round by round (medians over `--rounds`):
 *
 * - exact: Plotline's exact index against `IndexFlatIP` at 10,852 x 100 (TMDB, glove),
 *   10,852 x 384 and `--large` x 384 (synthetic, clustered), top 10 and top 40, beside the
 *   physical floor (bytes read / the memory bandwidth measured in each round). Plotline's hits
 *   must equal FAISS's (ids, scores to 1e-5; see `compareExact` for ties) or the bench fails;
 * - IVF-PQ at the second seed's configuration (nlist 50, m 16, 8 bits, nprobe 10) on 85,855 x
 *   768 synthetic vectors: train, add, size on disk, recall@10, p50/p99; then each library's
 *   fastest setting with recall@10 >= 0.95;
 * - HNSW (M 32, efConstruction 128) at `--hnsw-n` x 384: build time, memory, recall@10 and p50
 *   for each efSearch, and p50 at matched recall.
 *
 * FAISS runs in Python (`faiss_worker.py`), installed by this module into a virtual
 * environment under ~/.cache/plotline from `bench/requirements.txt` (pinned).
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const NODE_WORKER = join(HERE, "scale-worker.js");
const PY_WORKER = join(ROOT, "bench/faiss_worker.py");
const REQUIREMENTS = join(ROOT, "bench/requirements.txt");

interface Options {
  parts: Set<string>;
  large: number;
  hnswN: number;
  queries: number;
  rounds: number;
  ef: number[];
  cache: string;
}

/** The issue's sizes: the TMDB collection's 10,852 movies and the second seed's 85,855 plots. */
const TMDB_N = 10_852;
const IVF_N = 85_855;
const IVF_DIMS = 768;
/** The second seed's IndexIVFPQ: 50 lists, 16 sub-quantizers of 8 bits, 10 lists probed. */
const SEED_IVFPQ = { nlist: 50, m: 16, nbits: 8, nprobe: 10 };
const HNSW = { M: 32, efConstruction: 128 };
/** Exact results agree when scores differ by at most this (FAISS sums in float32, Plotline in float64). */
const SCORE_TOLERANCE = 1e-5;
const RECALL_TARGET = 0.95;
const MB = 1024 * 1024;

function parse(args: string[]): Options {
  const { value, int, ints, names } = benchArgs(args);
  return {
    parts: names("parts", "exact,ivfpq,hnsw", ["exact", "ivfpq", "hnsw"]),
    // Under `scale`, its --n sets the large size too.
    large: int("large", int("n", 1_000_000)),
    hnswN: int("hnsw-n", int("large", int("n", 1_000_000))),
    queries: int("queries", 200),
    rounds: int("rounds", 3),
    ef: ints("ef", [16, 32, 64, 128, 256, 512]),
    cache: value("cache") ?? join(process.env.TMPDIR ?? "/tmp", "plotline-scale"),
  };
}

function log(message: string): void {
  process.stderr.write(`[faiss ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** The venv's python, made from bench/requirements.txt on first use (one venv per version of that file). */
function faissPython(): string {
  const requirements = readFileSync(REQUIREMENTS);
  const venv = join(homedir(), ".cache/plotline", `faiss-venv-${createHash("sha1").update(requirements).digest("hex").slice(0, 10)}`);
  const python = join(venv, "bin/python");
  if (existsSync(python)) return python;
  const system = process.env.PLOTLINE_PYTHON ?? "python3";
  const version = spawnSync(system, ["--version"], { encoding: "utf8" });
  if (version.error || version.status !== 0) throw new Error(`faiss: ${system} not found; the FAISS comparison needs Python 3.9+ with venv (apt-get install python3 python3-venv), or PLOTLINE_PYTHON set to one`);
  log(`installing ${requirements.toString().split("\n").filter((l) => l && !l.startsWith("#")).join(" ")} into ${venv} (${version.stdout.trim() || version.stderr.trim()})`);
  const building = `${venv}.${process.pid}.tmp`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(dirname(venv), { recursive: true });
  const step = (what: string, cmd: string, argv: string[]) => {
    const r = spawnSync(cmd, argv, { encoding: "utf8" });
    if (r.status !== 0) {
      rmSync(building, { recursive: true, force: true });
      const last = `${r.stderr ?? ""}${r.error?.message ?? ""}`.trim().split("\n").pop();
      throw new Error(`faiss: ${what} failed: ${last}`);
    }
  };
  step(`${system} -m venv`, system, ["-m", "venv", building]);
  step("pip install -r bench/requirements.txt (is PyPI reachable?)", join(building, "bin/pip"), ["install", "--quiet", "--disable-pip-version-check", "-r", REQUIREMENTS]);
  renameSync(building, venv);
  return python;
}

/**
 * Runs one worker process to its end, its progress lines passed on to a terminal; returns its
 * last stdout line as JSON. OMP_NUM_THREADS=1 for FAISS (and anything else using OpenMP).
 */
function runProcess<T>(label: string, cmd: string, argv: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, OMP_NUM_THREADS: "1" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      err = (err + d.toString()).slice(-8192);
      if (process.stderr.isTTY) process.stderr.write(d);
    });
    child.on("error", (e) => reject(new Error(`${label}: ${e.message}`)));
    child.on("close", (code, signal) => {
      if (code !== 0) return reject(new Error(`${label} failed (${code ?? signal}): ${err.trim().split("\n").slice(-3).join(" | ")}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").pop()!) as T);
      } catch {
        reject(new Error(`${label}: no result line in its output`));
      }
    });
  });
}

interface FaissFigures {
  p50: number;
  p99: number;
  cpuP50: number;
  queries: number;
  recall10?: number;
}

interface FaissResult {
  faiss: string;
  numpy: string;
  compile: string;
  threads: number;
  rssBytes: number;
  peakRssBytes: number;
  addSeconds?: number;
  trainSeconds?: number;
  buildSeconds?: number;
  /** CPU seconds of the same steps (wall time on the shared machine includes waiting for a core). */
  addCpuSeconds?: number;
  trainCpuSeconds?: number;
  buildCpuSeconds?: number;
  diskBytes?: number;
  loadedRssBytes?: number;
  byK?: Record<string, FaissFigures>;
  settings?: (FaissFigures & { nprobe?: number; kFactor?: number; efSearch?: number })[];
}

type Task = Omit<WorkerTask, "phase" | "engine">;

function taskOf(ds: Dataset, params: WorkerTask["params"] = {}, maxQueries?: number): Task {
  return { data: ds.data, ids: ds.ids, n: ds.n, dims: ds.dims, queries: ds.queries, truth: ds.truth, work: ds.work, params, maxQueries };
}

const faiss = (python: string, phase: string, task: Task) => runProcess<FaissResult>(`faiss ${phase}`, python, [PY_WORKER, JSON.stringify({ phase, ...task })]);
const plotline = (phase: WorkerTask["phase"], engine: WorkerTask["engine"], task: Task) => runProcess<WorkerResult>(`plotline ${engine} ${phase}`, process.execPath, [NODE_WORKER, JSON.stringify({ phase, engine, ...task })]);

/** Runs both, the one going first changing each round, so a drift of the machine's speed falls on both. */
async function alternate(round: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<void> {
  if (round % 2 === 0) {
    await a();
    await b();
  } else {
    await b();
    await a();
  }
}

function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : "-");

/**
 * Checks that Plotline's exact top k equals FAISS's flat top k for every query: the scores rank
 * by rank within `SCORE_TOLERANCE`, an id both list has the same score in both, and an id only one
 * lists (or listed at another rank) is tied, i.e. within the tolerance of the score at its place
 * or, at the cut, of the k-th score. Throws on the first difference; returns how many queries
 * had such a tie resolved differently.
 */
export function compareExact(label: string, k: number, p: { ids: Int32Array; scores: Float32Array }, f: { ids: Int32Array; scores: Float32Array }): number {
  const queries = p.ids.length / k;
  if (f.ids.length !== p.ids.length) throw new Error(`${label}: Plotline wrote ${queries} queries' hits, FAISS ${f.ids.length / k}`);
  let tied = 0;
  for (let i = 0; i < queries; i++) {
    const at = i * k;
    const fail = (why: string) => {
      const list = (r: typeof p) => Array.from(r.ids.subarray(at, at + k), (id, j) => `${id}:${r.scores[at + j]!.toFixed(6)}`).join(" ");
      throw new Error(`${label}, query ${i}, top ${k}: Plotline's exact results differ from FAISS IndexFlatIP: ${why}\n  plotline ${list(p)}\n  faiss    ${list(f)}`);
    };
    const pScore = new Map<number, number>();
    const fScore = new Map<number, number>();
    for (let j = 0; j < k; j++) {
      pScore.set(p.ids[at + j]!, p.scores[at + j]!);
      fScore.set(f.ids[at + j]!, f.scores[at + j]!);
      if (!(Math.abs(p.scores[at + j]! - f.scores[at + j]!) <= SCORE_TOLERANCE)) fail(`rank ${j + 1}: score ${p.scores[at + j]} vs ${f.scores[at + j]}`);
    }
    let differs = false;
    for (const [id, s] of pScore) {
      const other = fScore.get(id);
      if (other !== undefined && !(Math.abs(other - s) <= SCORE_TOLERANCE)) fail(`id ${id}: score ${s} vs ${other}`);
      if (other === undefined && !(Math.abs(s - f.scores[at + k - 1]!) <= SCORE_TOLERANCE)) fail(`id ${id} (score ${s}) is missing from FAISS's list and is not tied with its k-th score`);
    }
    for (const [id, s] of fScore) {
      if (!pScore.has(id) && !(Math.abs(s - p.scores[at + k - 1]!) <= SCORE_TOLERANCE)) fail(`id ${id} (score ${s}) is missing from Plotline's list and is not tied with its k-th score`);
    }
    for (let j = 0; j < k; j++) if (p.ids[at + j] !== f.ids[at + j]) differs = true;
    if (differs) tied++;
  }
  return tied;
}

function readHits(prefix: string, k: number): { ids: Int32Array; scores: Float32Array } {
  const ids = readFileSync(`${prefix}-k${k}.ids.i32`);
  const scores = readFileSync(`${prefix}-k${k}.scores.f32`);
  return { ids: new Int32Array(ids.buffer, ids.byteOffset, ids.byteLength / 4), scores: new Float32Array(scores.buffer, scores.byteOffset, scores.byteLength / 4) };
}

/**
 * Best sequential read of 1.5 GB by one thread, GB/s: the floors' denominators. `wall`: by wall
 * time (JavaScript sum or memchr); `cpu`: memchr by the process's CPU time, which leaves out
 * waiting for a core as the CPU time per query does.
 */
async function bandwidth(cache: string): Promise<{ wall: number; cpu: number }> {
  const bw = await plotline("bandwidth", "exact", { data: "", n: 0, dims: 384, queries: "", truth: "", work: cache, params: { bytes: 1.5e9 } });
  return { wall: Math.max(Number(bw.extra!.jsGBps), Number(bw.extra!.memchrGBps)), cpu: Number(bw.extra!.memchrCpuGBps) };
}

interface Versions {
  faiss?: string;
  numpy?: string;
  compile?: string;
}

async function exactPart(o: Options, python: string, versions: Versions): Promise<BenchSection> {
  const sets: Dataset[] = [];
  const real = (await realDataset({ queries: o.queries, cache: o.cache }, true)).ds;
  if (real.n !== TMDB_N) log(`note: the TMDB collection has ${real.n} movies (the seed's figure is ${TMDB_N})`);
  sets.push(real, syntheticDataset({ n: TMDB_N, dims: 384, queries: o.queries, cache: o.cache }), syntheticDataset({ n: o.large, dims: 384, queries: o.queries, cache: o.cache }));
  const ks = [10, 40];
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  const bw: number[] = [];
  const bwCpu: number[] = [];
  for (const ds of sets) {
    const big = ds.n * ds.dims > 50_000_000;
    // At a million vectors a query takes tens of ms: 100 queries a round keep a round near a minute.
    const maxQueries = big ? Math.min(100, o.queries) : undefined;
    const p: Record<number, { p50: number[]; p99: number[]; cpu: number[] }> = {};
    const f: Record<number, { p50: number[]; p99: number[]; cpu: number[] }> = {};
    for (const k of ks) {
      p[k] = { p50: [], p99: [], cpu: [] };
      f[k] = { p50: [], p99: [], cpu: [] };
    }
    let firstMs = NaN;
    const rss = { p: NaN, f: NaN };
    let faissAdd = NaN;
    const out = (who: string) => join(ds.work, `exact-${who}`);
    mkdirSync(ds.work, { recursive: true });
    for (let r = 0; r < o.rounds; r++) {
      const b = await bandwidth(o.cache);
      bw.push(b.wall);
      bwCpu.push(b.cpu);
      const runP = async () => {
        const res = await plotline("query", "exact", taskOf(ds, { ks, floorProbe: 0, ...(r === 0 ? { out: out("plotline") } : {}) }, maxQueries));
        for (const k of ks) {
          p[k]!.p50.push(Number(res.extra![`p50k${k}`]));
          p[k]!.p99.push(Number(res.extra![`p99k${k}`]));
          p[k]!.cpu.push(Number(res.extra![`cpuP50k${k}`]));
        }
        if (r === 0) {
          firstMs = Number(res.extra!.firstMs);
          rss.p = res.rssBytes;
        }
      };
      const runF = async () => {
        const res = await faiss(python, "flat", taskOf(ds, { ks, ...(r === 0 ? { out: out("faiss") } : {}) }, maxQueries));
        Object.assign(versions, { faiss: res.faiss, numpy: res.numpy, compile: res.compile });
        if (res.threads !== 1) throw new Error(`faiss ran on ${res.threads} threads, not 1`);
        for (const k of ks) {
          f[k]!.p50.push(res.byK![k]!.p50);
          f[k]!.p99.push(res.byK![k]!.p99);
          f[k]!.cpu.push(res.byK![k]!.cpuP50);
        }
        if (r === 0) {
          rss.f = res.rssBytes;
          faissAdd = res.addSeconds!;
        }
      };
      await alternate(r, runP, runF);
      log(`${ds.name}: round ${r + 1}: plotline p50 ${ks.map((k) => ms(p[k]!.p50.at(-1)!)).join("/")} ms, faiss ${ks.map((k) => ms(f[k]!.p50.at(-1)!)).join("/")} ms (top ${ks.join("/")})`);
    }
    const tiedBy: string[] = [];
    for (const k of ks) {
      const tied = compareExact(`${ds.name}`, k, readHits(out("plotline"), k), readHits(out("faiss"), k));
      if (tied) tiedBy.push(`${tied} queries at top ${k}`);
    }
    const gbps = median(bw);
    const cpuGbps = median(bwCpu);
    const paddedDims = Math.ceil(ds.dims / 16) * 16;
    const floatBytes = ds.n * ds.dims * 4;
    // The 8-bit scan reads each row's codes and scale and writes and re-reads its score.
    const scanBytes = ds.n * (paddedDims + 12);
    for (const k of ks) {
      const pp = median(p[k]!.p50);
      const fp = median(f[k]!.p50);
      rows.push([
        ds.name,
        k,
        ms(pp),
        ms(fp),
        ratio(pp, fp),
        ms(median(p[k]!.p99)),
        ms(median(f[k]!.p99)),
        ratio(median(p[k]!.p99), median(f[k]!.p99)),
        ms(median(p[k]!.cpu)),
        ms(median(f[k]!.cpu)),
        ratio(median(p[k]!.cpu), median(f[k]!.cpu)),
        ms((floatBytes / 1e9 / gbps) * 1000),
        ms((floatBytes / 1e9 / cpuGbps) * 1000),
        ms((scanBytes / 1e9 / gbps) * 1000),
        ratio(pp, (floatBytes / 1e9 / gbps) * 1000),
        ratio(median(p[k]!.cpu), (floatBytes / 1e9 / cpuGbps) * 1000),
        "yes",
      ]);
    }
    notes.push(
      `${ds.name}: ${p[10]!.p50.length} rounds of ${maxQueries ?? o.queries} queries; results identical on all of them${tiedBy.length ? ` (ties within ${SCORE_TOLERANCE} ordered differently in ${tiedBy.join(", ")})` : " (no ties)"}; ` +
        `Plotline's first query (8-bit copy made) ${ms(firstMs)} ms for 10 warm-up queries, RSS ${(rss.p / MB).toFixed(0)} MB; FAISS add ${faissAdd.toFixed(2)} s, RSS ${(rss.f / MB).toFixed(0)} MB`,
    );
  }
  notes.unshift(
    `one thread each; p50/p99 are medians over rounds, the libraries alternating (ms of wall time; CPU p50: the process's CPU time per query, which leaves out waiting for a core on the shared machine); floors = bytes read / the memory bandwidth, ${median(bw).toFixed(1)} GB/s by wall time and ${median(bwCpu).toFixed(1)} GB/s by CPU time ("f32 floor CPU", to set against CPU p50) (medians of ${bw.length} single-thread reads of 1.5 GB, best of 3 each, one per round): float32 = n x dims x 4 (what IndexFlatIP reads), 8-bit = n x (dims padded to 16 + 12) (what Plotline's scan reads); ` +
      "sets that fit in the caches (the 10,852-row ones: 4 to 17 MB) can beat a memory floor",
  );
  return {
    title: "faiss: exact search, Plotline exact index vs FAISS IndexFlatIP",
    columns: ["set", "k", "plotline p50", "faiss p50", "ratio", "plotline p99", "faiss p99", "ratio", "plotline CPU p50", "faiss CPU p50", "ratio", "f32 floor", "f32 floor CPU", "8-bit floor", "plotline/f32 floor", "plotline CPU/f32 floor CPU", "identical"],
    rows,
    notes,
  };
}

async function ivfpqPart(o: Options, python: string): Promise<BenchSection[]> {
  const ds = syntheticDataset({ n: IVF_N, dims: IVF_DIMS, queries: o.queries, cache: o.cache });
  mkdirSync(ds.work, { recursive: true });
  const builds = { p: [] as WorkerResult[], f: [] as FaissResult[] };
  for (let r = 0; r < o.rounds; r++) {
    const runP = async () => builds.p.push(await plotline("build", "ivfpq", taskOf(ds, { ...SEED_IVFPQ, threads: 1 })));
    const runF = async () => builds.f.push(await faiss(python, "ivfpq-build", taskOf(ds, { ...SEED_IVFPQ })));
    await alternate(r, runP, runF);
    log(`${ds.name}: ivfpq build round ${r + 1}: plotline ${builds.p.at(-1)!.buildSeconds!.toFixed(1)} s, faiss ${builds.f.at(-1)!.buildSeconds!.toFixed(1)} s`);
  }
  // Searches: the seed's setting, then a grid from which each library's fastest setting with
  // recall@10 >= 0.95 is taken. Plotline always re-ranks `rerank` PQ candidates exactly (rerank
  // 10 = the PQ order alone); FAISS re-ranks only through IndexRefineFlat (k_factor x 10 candidates).
  const nprobes = [1, 2, 3, 5, 10, 20];
  const pSettings = [{ nprobe: 10, rerank: 10 }, ...nprobes.flatMap((nprobe) => [32, 64, 128, 256].map((rerank) => ({ nprobe, rerank })))];
  const fSettings = nprobes.flatMap((nprobe) => [0, 2, 4, 8, 16, 25.6].map((kFactor) => ({ nprobe, kFactor })));
  const pKey = (s: { nprobe: number; rerank: number }) => `nprobe ${s.nprobe}, rerank ${s.rerank}`;
  const fKey = (s: { nprobe?: number; kFactor?: number }) => `nprobe ${s.nprobe}${s.kFactor ? `, IndexRefineFlat k_factor ${s.kFactor}` : ""}`;
  type Runs = { recall: number; p50: number[]; p99: number[]; cpu: number[] };
  const pRuns = new Map<string, Runs>();
  const fRuns = new Map<string, Runs>();
  const add = (m: typeof pRuns, key: string, recall: number, p50: number, p99: number, cpu: number) => {
    const e = m.get(key) ?? { recall, p50: [], p99: [], cpu: [] };
    e.p50.push(p50);
    e.p99.push(p99);
    e.cpu.push(cpu);
    m.set(key, e);
  };
  for (let r = 0; r < o.rounds; r++) {
    const runP = async () => {
      for (const s of pSettings) {
        const res = await plotline("query", "ivfpq", taskOf(ds, s));
        add(pRuns, pKey(s), res.recall10!, res.p50!, res.p99!, Number(res.extra!.cpuP50));
      }
    };
    const runF = async () => {
      const res = await faiss(python, "ivfpq-sweep", taskOf(ds, { settings: fSettings }));
      for (const s of res.settings!) add(fRuns, fKey(s), s.recall10!, s.p50, s.p99, s.cpuP50);
    };
    await alternate(r, runP, runF);
    log(`${ds.name}: ivfpq search round ${r + 1} done`);
  }
  const best = (m: typeof pRuns) => [...m].filter(([, v]) => v.recall >= RECALL_TARGET).sort((a, b) => median(a[1].p50) - median(b[1].p50))[0];
  const pb = median(builds.p.map((b) => b.buildSeconds!));
  const fb = median(builds.f.map((b) => b.buildSeconds!));
  const pt = median(builds.p.map((b) => Number(b.extra!.trainSeconds)));
  const ft = median(builds.f.map((b) => b.trainSeconds!));
  const pa = median(builds.p.map((b) => Number(b.extra!.addSeconds)));
  const fa = median(builds.f.map((b) => b.addSeconds!));
  const ptc = median(builds.p.map((b) => Number(b.extra!.trainCpuSeconds)));
  const ftc = median(builds.f.map((b) => b.trainCpuSeconds!));
  const pac = median(builds.p.map((b) => Number(b.extra!.addCpuSeconds)));
  const fac = median(builds.f.map((b) => b.addCpuSeconds!));
  const pd = builds.p[0]!.diskBytes!;
  const fd = builds.f[0]!.diskBytes!;
  const seedP = pRuns.get(pKey({ nprobe: 10, rerank: 10 }))!;
  const seedP256 = pRuns.get(pKey({ nprobe: 10, rerank: 256 }))!;
  const seedF = fRuns.get(fKey({ nprobe: 10 }))!;
  const seedF256 = fRuns.get(fKey({ nprobe: 10, kFactor: 25.6 }))!;
  const bp = best(pRuns);
  const bf = best(fRuns);
  const line = (what: string, pv: string, fv: string, rt: string) => [what, pv, fv, rt];
  const lat = (label: string, a: Runs | undefined, b: Runs | undefined) => [
    line(`${label}: recall@10`, a ? a.recall.toFixed(3) : "-", b ? b.recall.toFixed(3) : "-", a && b ? ratio(a.recall, b.recall) : "-"),
    line(`${label}: p50 ms`, a ? ms(median(a.p50)) : "-", b ? ms(median(b.p50)) : "-", a && b ? ratio(median(a.p50), median(b.p50)) : "-"),
    line(`${label}: p99 ms`, a ? ms(median(a.p99)) : "-", b ? ms(median(b.p99)) : "-", a && b ? ratio(median(a.p99), median(b.p99)) : "-"),
    line(`${label}: CPU p50 ms`, a ? ms(median(a.cpu)) : "-", b ? ms(median(b.cpu)) : "-", a && b ? ratio(median(a.cpu), median(b.cpu)) : "-"),
  ];
  const seedSection: BenchSection = {
    title: `faiss: IVF-PQ at the seed's configuration (nlist 50, m 16, nbits 8, nprobe 10), ${ds.name}`,
    columns: ["measure", "plotline", "faiss", "plotline/faiss"],
    rows: [
      line("train s", pt.toFixed(2), ft.toFixed(2), ratio(pt, ft)),
      line("train CPU s", ptc.toFixed(2), ftc.toFixed(2), ratio(ptc, ftc)),
      line("add s", pa.toFixed(2), fa.toFixed(2), ratio(pa, fa)),
      line("add CPU s", pac.toFixed(2), fac.toFixed(2), ratio(pac, fac)),
      line("size on disk MB", (pd / MB).toFixed(2), (fd / MB).toFixed(2), ratio(pd, fd)),
      ...lat("PQ order alone (plotline rerank 10 / IndexIVFPQ)", seedP, seedF),
      ...lat("256 candidates re-scored exactly (rerank 256 / IndexRefineFlat k_factor 25.6)", seedP256, seedF256),
      ...lat(`fastest at recall@10 >= ${RECALL_TARGET} (plotline ${bp?.[0] ?? "none"}; faiss ${bf?.[0] ?? "none"})`, bp?.[1], bf?.[1]),
    ],
    notes: [
      `one thread each; builds and searches alternate between the libraries over ${o.rounds} rounds (medians); build total ${pb.toFixed(1)} s vs ${fb.toFixed(1)} s`,
      "FAISS as the seed builds it: IndexFlatL2 quantizer, IndexIVFPQ (L2; the vectors are unit length, so its order is the inner product's), train on all vectors, add_with_ids, write_index / read_index; " +
        "Plotline: IvfPqIndex (inner product, 12 k-means iterations on 64 points per list and 32 per codeword; FAISS: 25 on up to 256), its own file; both files hold codes, ids, centroids and codebooks, and re-ranking reads the full vectors kept beside them (the collection / IndexRefineFlat's copy)",
      `search grid: nprobe ${nprobes.join(", ")}; plotline rerank 32, 64, 128, 256; faiss without refinement or IndexRefineFlat k_factor 2, 4, 8, 16, 25.6`,
    ],
  };
  const grid: BenchSection = {
    title: `faiss: IVF-PQ search settings, ${ds.name} (recall@10, p50 ms)`,
    columns: ["library", "setting", "recall@10", "p50 ms", "p99 ms", "CPU p50 ms"],
    rows: [...[...pRuns].map(([k, v]) => ["plotline", k, v.recall.toFixed(3), ms(median(v.p50)), ms(median(v.p99)), ms(median(v.cpu))]), ...[...fRuns].map(([k, v]) => ["faiss", k, v.recall.toFixed(3), ms(median(v.p50)), ms(median(v.p99)), ms(median(v.cpu))])],
  };
  return [seedSection, grid];
}

async function hnswPart(o: Options, python: string): Promise<BenchSection[]> {
  const ds = syntheticDataset({ n: o.hnswN, dims: 384, queries: o.queries, cache: o.cache });
  mkdirSync(ds.work, { recursive: true });
  // One build each (tens of minutes at a million): Plotline's first, then FAISS's.
  log(`${ds.name}: plotline hnsw build (M ${HNSW.M}, efConstruction ${HNSW.efConstruction}, 1 thread)`);
  const pb = await plotline("build", "hnsw", taskOf(ds, { ...HNSW, threads: 1 }));
  log(`${ds.name}: plotline hnsw built in ${pb.buildSeconds!.toFixed(0)} s (CPU ${Number(pb.extra!.buildCpuSeconds).toFixed(0)} s); faiss IndexHNSWFlat build`);
  const fb = await faiss(python, "hnsw-build", taskOf(ds, { ...HNSW }));
  log(`${ds.name}: faiss hnsw built in ${fb.buildSeconds!.toFixed(0)} s (CPU ${fb.buildCpuSeconds!.toFixed(0)} s)`);
  const pRuns = new Map<number, { recall: number; p50: number[]; cpu: number[]; rss: number }>();
  const fRuns = new Map<number, { recall: number; p50: number[]; cpu: number[] }>();
  let fRss = NaN;
  for (let r = 0; r < o.rounds; r++) {
    const runP = async () => {
      for (const ef of o.ef) {
        const res = await plotline("query", "hnsw", taskOf(ds, { ...HNSW, efSearch: ef }));
        const e = pRuns.get(ef) ?? { recall: res.recall10!, p50: [], cpu: [], rss: res.rssBytes };
        e.p50.push(res.p50!);
        e.cpu.push(Number(res.extra!.cpuP50));
        pRuns.set(ef, e);
      }
    };
    const runF = async () => {
      const res = await faiss(python, "hnsw-sweep", taskOf(ds, { ef: o.ef }));
      fRss = res.rssBytes;
      for (const s of res.settings!) {
        const e = fRuns.get(s.efSearch!) ?? { recall: s.recall10!, p50: [], cpu: [] };
        e.p50.push(s.p50);
        e.cpu.push(s.cpuP50);
        fRuns.set(s.efSearch!, e);
      }
    };
    await alternate(r, runP, runF);
    log(`${ds.name}: hnsw search round ${r + 1} done`);
  }
  const pRss = [...pRuns.values()][0]?.rss ?? NaN;
  const sweep: BenchSection = {
    title: `faiss: HNSW (M 32, efConstruction 128), ${ds.name}`,
    columns: ["efSearch", "plotline recall@10", "faiss recall@10", "plotline p50 ms", "faiss p50 ms", "ratio", "plotline CPU p50", "faiss CPU p50", "ratio"],
    rows: o.ef.map((ef) => {
      const a = pRuns.get(ef)!;
      const b = fRuns.get(ef)!;
      return [ef, a.recall.toFixed(3), b.recall.toFixed(3), ms(median(a.p50)), ms(median(b.p50)), ratio(median(a.p50), median(b.p50)), ms(median(a.cpu)), ms(median(b.cpu)), ratio(median(a.cpu), median(b.cpu))];
    }),
    notes: [
      `build, 1 thread: plotline (usearch) ${pb.buildSeconds!.toFixed(0)} s, faiss ${fb.buildSeconds!.toFixed(0)} s (${ratio(pb.buildSeconds!, fb.buildSeconds!)}); CPU ${Number(pb.extra!.buildCpuSeconds).toFixed(0)} s vs ${fb.buildCpuSeconds!.toFixed(0)} s (${ratio(Number(pb.extra!.buildCpuSeconds), fb.buildCpuSeconds!)}); file ${(pb.diskBytes! / MB).toFixed(0)} MB vs ${(fb.diskBytes! / MB).toFixed(0)} MB`,
      `memory of a loaded index (RSS after loading and searching): plotline ${(pRss / MB).toFixed(0)} MB (the graph with usearch's own float32 copy, plus the full-precision store that re-scores hits and answers vector(id)), faiss ${(fRss / MB).toFixed(0)} MB (${ratio(pRss, fRss)})`,
      `recall@10 against the exact top 10 over ${o.queries} queries; p50 medians over ${o.rounds} rounds, the libraries alternating; Plotline re-scores the graph's hits exactly`,
    ],
  };
  const matched: (string | number)[][] = [];
  for (const target of [0.9, 0.95, 0.99]) {
    const first = (m: Map<number, { recall: number; p50: number[]; cpu: number[] }>) => o.ef.find((ef) => m.get(ef)!.recall >= target);
    const a = first(pRuns);
    const b = first(fRuns);
    const pa = a === undefined ? NaN : median(pRuns.get(a)!.p50);
    const fa = b === undefined ? NaN : median(fRuns.get(b)!.p50);
    const pc = a === undefined ? NaN : median(pRuns.get(a)!.cpu);
    const fc = b === undefined ? NaN : median(fRuns.get(b)!.cpu);
    matched.push([target, a === undefined ? "not reached" : `ef ${a}: ${pRuns.get(a)!.recall.toFixed(3)}`, b === undefined ? "not reached" : `ef ${b}: ${fRuns.get(b)!.recall.toFixed(3)}`, ms(pa), ms(fa), ratio(pa, fa), ms(pc), ms(fc), ratio(pc, fc)]);
  }
  return [
    sweep,
    {
      title: `faiss: HNSW p50 at matched recall@10, ${ds.name}`,
      columns: ["recall@10 at least", "plotline (smallest ef)", "faiss (smallest ef)", "plotline p50 ms", "faiss p50 ms", "ratio", "plotline CPU p50", "faiss CPU p50", "ratio"],
      rows: matched,
    },
  ];
}

export async function run(args: string[]): Promise<BenchSection[]> {
  const o = parse(args);
  mkdirSync(o.cache, { recursive: true });
  const python = faissPython();
  const versions: Versions = {};
  const sections: BenchSection[] = [];
  // Each part's tables go to the log as it ends too: a full run takes hours, and a run cut short
  // keeps what it measured.
  const done = (part: BenchSection[]) => {
    for (const section of part) log(`${section.title}\n${table(section.columns, section.rows, 80)}\n${(section.notes ?? []).map((n) => `  ${n}`).join("\n")}`);
    sections.push(...part);
  };
  if (o.parts.has("exact")) done([await exactPart(o, python, versions)]);
  if (o.parts.has("ivfpq")) done(await ivfpqPart(o, python));
  if (o.parts.has("hnsw")) done(await hnswPart(o, python));
  if (!versions.faiss) {
    const v = await faiss(python, "version", { data: "", n: 0, dims: 1, queries: "", truth: "", work: o.cache, params: {} });
    Object.assign(versions, { faiss: v.faiss, numpy: v.numpy, compile: v.compile });
  }
  const usearch = (JSON.parse(readFileSync(join(ROOT, "node_modules/usearch/package.json"), "utf8")) as { version: string }).version;
  sections[0]?.notes?.unshift(`versions: plotline ${(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version} (usearch ${usearch} for HNSW), Node ${process.version}; faiss-cpu ${versions.faiss} (${versions.compile?.trim()}), numpy ${versions.numpy}`);
  return sections;
}
