import { seededRandom as random } from "../src/vector-index/kmeans.js";
import autocannon from "autocannon";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { Plotline } from "../src/plotline.js";
import { QUERIES } from "./foundation.js";
import { ms, type BenchSection } from "./lib.js";
import { BIN, TMDB_CSV } from "./paths.js";

/** Load per endpoint: the 20 s with 32 connections (`--http-duration=S` shortens it). */
const DURATION_S = 20;
const CONNECTIONS = 32;
/** Untimed load before each measurement, so the JIT and caches are warm. */
const WARMUP_S = 3;

/** More queries than connections, each a plot in someone's words, so no two requests in a row match. */
const SEARCH_QUERIES = [
  ...QUERIES,
  "a lonely robot falls in love",
  "soldiers storm the beaches of Normandy",
  "a teacher inspires his students to seize the day",
  "a family moves into a haunted house",
  "a boxer gets a shot at the heavyweight title",
  "friends go on a road trip across the country",
  "an assassin comes out of retirement to avenge his dog",
  "a girl falls down a rabbit hole into a strange world",
  "a man relives the same day over and over",
  "a team of thieves steal secrets from dreams",
  "a princess is rescued from a tower by an ogre",
  "an archaeologist searches for a lost treasure",
  "a prisoner plans an escape from a maximum security prison",
  "a submarine captain defects with a secret sub",
  "aliens invade earth on independence day",
  "a young lion prince flees his kingdom",
  "a journalist uncovers a political scandal",
  "a nanny with magical powers cares for two children",
  "a high school student travels back to the 1950s",
  "a chef rat dreams of cooking in Paris",
  "a hitman takes in a young girl",
  "a group of kids hunt for pirate treasure",
  "survivors of a plane crash on a mysterious island",
  "a ship captain hunts a white whale",
  "a computer becomes self aware and starts a war against humans",
  "a detective in a future city hunts rogue androids",
  "two cops with different styles are partnered",
  "a woman seeks revenge on the assassins who betrayed her",
  "vampires in a small town",
  "a spy infiltrates a criminal organization",
  "an astronaut is lost in space and tries to get home",
  "a mermaid wants to become human",
  "a snowstorm traps strangers in a lodge",
];


function shuffled<T>(items: T[], next: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function startServer(db: string, workers: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--workers", String(workers), "--db", db, "--json"], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`plotline serve exited with ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

/** CPU time (user + system, ms) used so far by a process and its children (Linux /proc; null elsewhere). */
function cpuMs(pid: number): number | null {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return null;
  const tick = 10; // USER_HZ is 100 on Linux
  const fields = readFileSync(stat, "utf8").split(") ")[1]!.split(" ");
  let ms = (Number(fields[11]) + Number(fields[12])) * tick;
  const children = `/proc/${pid}/task/${pid}/children`;
  if (existsSync(children)) for (const c of readFileSync(children, "utf8").trim().split(/\s+/).filter(Boolean)) ms += cpuMs(Number(c)) ?? 0;
  return ms;
}

interface Load {
  name: string;
  paths: string[];
}

/** What a load generator reports of one run. */
interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  requests: number;
}

/** The load generators the issue names: wrk (a C program, light on the shared cores) when installed, else autocannon. */
type Generator = "wrk" | "autocannon";

const WRK_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "../../bench/wrk-paths.lua");

function hasWrk(): boolean {
  return spawnSync("wrk", ["--version"], { stdio: "ignore" }).error === undefined;
}

async function loadAutocannon(url: string, paths: string[], seconds: number): Promise<LoadResult> {
  let i = 0;
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    // Each request takes the next path of the list, so requests vary across and within connections.
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, errors: r.errors + r.timeouts + r.non2xx, requests: r.requests.total };
}

/** wrk's duration text (`17.26ms`, `850.00us`, `1.02s`) in ms. */
function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) throw new Error(`unexpected wrk latency '${text}'`);
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as "us" | "ms" | "s" | "m"];
}

async function loadWrk(url: string, paths: string[], seconds: number, dir: string): Promise<LoadResult> {
  const file = join(dir, "paths.txt");
  writeFileSync(file, paths.join("\n") + "\n");
  const child = spawn("wrk", ["-t1", `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency", "-s", WRK_SCRIPT, url], { env: { ...process.env, PLOTLINE_PATHS: file }, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const line = (re: RegExp) => {
    const m = re.exec(out);
    if (!m) throw new Error(`wrk exited with ${code} and printed no ${re.source}:\n${out}`);
    return m;
  };
  const errors = [...out.matchAll(/(?:connect|read|write|timeout) (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0) + Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    rps: Number(line(/Requests\/sec:\s+([\d.]+)/)[1]),
    p50: wrkMs(line(/ 50%\s+(\S+)/)[1]!),
    p99: wrkMs(line(/ 99%\s+(\S+)/)[1]!),
    max: wrkMs(line(/Latency\s+\S+\s+\S+\s+(\S+)/)[1]!),
    errors,
    requests: Number(line(/(\d+) requests in/)[1]),
  };
}

/**
 * Issue 5's figures: requests/s and latency of the HTTP API under load, from autocannon in this
 * process against `plotline serve` in another (one process each, as the machine has 2 cores).
 */
export async function run(args: string[]): Promise<BenchSection[]> {
  const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const duration = Number(arg("http-duration") ?? DURATION_S);
  // One server process (the default) and two (`plotline serve --workers 2`), to show what the
  // second core buys while the load generator shares the machine.
  const workerCounts = (arg("http-workers") ?? "1,2").split(",").map(Number);
  const forced = arg("http-load");
  if (forced !== undefined && forced !== "wrk" && forced !== "autocannon") throw new Error(`--http-load must be wrk or autocannon, got '${forced}'`);
  const generator: Generator = (forced as Generator | undefined) ?? (hasWrk() ? "wrk" : "autocannon");
  const dir = mkdtempSync(join(tmpdir(), "plotline-bench-http-"));
  let child: ChildProcess | undefined;
  try {
    const db = join(dir, "tmdb.db");
    const p = Plotline.open({ db, create: true });
    await p.ingest([{ file: TMDB_CSV }], { embedder: "glove" });
    const movies: { id: string; title: string }[] = [];
    for await (const batch of p.store.scan(["title"])) movies.push(...batch);
    await p.close();

    const next = random(5);
    const ids = shuffled(movies, next).slice(0, 2000).map((m) => m.id);
    // What people type: the first 2 to 8 letters of real titles, lower-cased, some with a typo.
    const prefixes = shuffled(movies, next)
      .slice(0, 1000)
      .map((m) => {
        const t = m.title.toLowerCase().slice(0, 2 + Math.floor(next() * 7));
        return next() < 0.2 && t.length > 4 ? t.slice(0, 2) + t[3] + t[2] + t.slice(4) : t;
      });
    // The "before #12" loads rank as before it (convex fusion, no prior; no prior or series in
    // similar). They run first, in the order and places of their namesakes in builds that predate
    // #12 (hybrid, titles, similar): a load's figures depend on what the server answered before
    // it (heap, compiled code), so loads set side by side across builds run in the same order.
    const loads: Load[] = [
      { name: "GET /api/search (hybrid convex, prior 0: before #12, k 10)", paths: shuffled(SEARCH_QUERIES, next).map((q) => `/api/search?mode=hybrid&fusion=convex&prior=0&k=10&q=${encodeURIComponent(q)}`) },
      { name: "GET /api/titles (k 8)", paths: prefixes.map((t) => `/api/titles?k=8&prefix=${encodeURIComponent(t)}`) },
      { name: "GET /api/movies/:id/similar (knn, k 40, prior 0, series off: before #12)", paths: ids.map((id) => `/api/movies/${encodeURIComponent(id)}/similar?method=knn&k=40&prior=0&series=false`) },
      { name: "GET /api/search (hybrid, k 10)", paths: shuffled(SEARCH_QUERIES, next).map((q) => `/api/search?mode=hybrid&k=10&q=${encodeURIComponent(q)}`) },
      { name: "GET /api/movies/:id/similar (knn, k 40)", paths: ids.map((id) => `/api/movies/${encodeURIComponent(id)}/similar?method=knn&k=40`) },
    ];

    const sections: BenchSection[] = [];
    for (const workers of workerCounts) {
      const server = await startServer(db, workers);
      child = server.child;
      const rows: (string | number)[][] = [];
      for (const l of loads) {
        console.error(`http: ${workers} process(es): ${l.name}`);
        const load = (seconds: number) => (generator === "wrk" ? loadWrk(server.url, l.paths, seconds, dir) : loadAutocannon(server.url, l.paths, seconds));
        await load(WARMUP_S);
        const cpu0 = cpuMs(child.pid!);
        const r = await load(duration);
        const cpu1 = cpuMs(child.pid!);
        const perRequest = cpu0 !== null && cpu1 !== null && r.requests > 0 ? ms((cpu1 - cpu0) / r.requests) : "-";
        rows.push([l.name, Math.round(r.rps), ms(r.p50), ms(r.p99), ms(r.max), r.errors, perRequest, l.paths.length]);
      }
      child.kill("SIGTERM");
      await new Promise((resolve) => child!.once("exit", resolve));
      child = undefined;
      sections.push({
        title: `HTTP API under load: ${workers} server process${workers > 1 ? "es" : ""} (${generator}, ${CONNECTIONS} connections, ${duration} s per endpoint, 127.0.0.1, glove TMDB collection)`,
        columns: ["endpoint", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "server CPU ms/req", "distinct URLs"],
        rows,
        notes: [
          `Server: \`plotline serve --workers ${workers}\`; load generator: ${generator === "wrk" ? "wrk, one thread" : "autocannon in the bench process"}, sharing the same cores (\`--http-load=wrk|autocannon\` picks one; wrk is used when installed).`,
          "Requests cycle through the listed number of distinct URLs (queries, title prefixes with typos, movie ids); the server caches no responses.",
          "server CPU ms/req: CPU time of the server processes during the run divided by the requests answered (from /proc).",
          "Targets (issue 5): >= 1,500 req/s for titles and similar, >= 800 for hybrid search, p99 < 50 ms, zero errors.",
        ],
      });
    }
    return sections;
  } finally {
    child?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}
