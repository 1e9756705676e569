import { seededRandom as random } from "../src/index/kmeans.js";
import autocannon from "autocannon";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

async function load(url: string, paths: string[], seconds: number): Promise<autocannon.Result> {
  let i = 0;
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    // Each request takes the next path of the list, so requests vary across and within connections.
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
  });
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
  const dir = mkdtempSync(join(tmpdir(), "plotline-bench-http-"));
  let child: ChildProcess | undefined;
  try {
    const db = join(dir, "tmdb.db");
    const p = Plotline.open({ db, create: true });
    await p.ingest([{ file: TMDB_CSV }], { embedder: "glove" });
    const movies = p.collection.db.prepare("SELECT id, title FROM movies ORDER BY rowid").all() as { id: string; title: string }[];
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
    const loads: Load[] = [
      { name: "GET /api/search (hybrid, k 10)", paths: shuffled(SEARCH_QUERIES, next).map((q) => `/api/search?mode=hybrid&k=10&q=${encodeURIComponent(q)}`) },
      { name: "GET /api/titles (k 8)", paths: prefixes.map((t) => `/api/titles?k=8&prefix=${encodeURIComponent(t)}`) },
      { name: "GET /api/movies/:id/similar (knn, k 40)", paths: ids.map((id) => `/api/movies/${encodeURIComponent(id)}/similar?method=knn&k=40`) },
    ];

    const sections: BenchSection[] = [];
    for (const workers of workerCounts) {
      const server = await startServer(db, workers);
      child = server.child;
      const rows: (string | number)[][] = [];
      for (const l of loads) {
        console.error(`http: ${workers} process(es): ${l.name}`);
        await load(server.url, l.paths, WARMUP_S);
        const cpu0 = cpuMs(child.pid!);
        const r = await load(server.url, l.paths, duration);
        const cpu1 = cpuMs(child.pid!);
        const errors = r.errors + r.timeouts + r.non2xx;
        const perRequest = cpu0 !== null && cpu1 !== null && r.requests.total > 0 ? ms((cpu1 - cpu0) / r.requests.total) : "-";
        rows.push([l.name, Math.round(r.requests.average), ms(r.latency.p50), ms(r.latency.p99), ms(r.latency.max), errors, perRequest, l.paths.length]);
      }
      child.kill("SIGTERM");
      await new Promise((resolve) => child!.once("exit", resolve));
      child = undefined;
      sections.push({
        title: `HTTP API under load: ${workers} server process${workers > 1 ? "es" : ""} (autocannon, ${CONNECTIONS} connections, ${duration} s per endpoint, 127.0.0.1, glove TMDB collection)`,
        columns: ["endpoint", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "server CPU ms/req", "distinct URLs"],
        rows,
        notes: [
          `Server: \`plotline serve --workers ${workers}\`; load generator: autocannon in the bench process, sharing the same cores.`,
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
