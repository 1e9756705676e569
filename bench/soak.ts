/**
 * The soak of RELIABILITY.md (not part of `npm test`): `plotline serve` (one process per core,
 * heavy requests in worker threads) under mixed traffic from wrk on 127.0.0.1 for a bounded time.
 *
 *   npm run build && node dist/bench/soak.js [--seconds 300] [--warmup 30] [--db tmdb.db] [--heavy-delay-ms 40]
 *
 * Three wrk processes share the connections (64 by default): 56 send the cheap mix (every
 * search mode, titles, similar by knn, recommend), 7 the heavy one (similar by svm and tfidf,
 * paced by --heavy-delay-ms so that about 1 request in 9 is heavy), 1 polls `/api/health`. Each
 * reports its own latency percentiles and status counts, so the cheap requests' p99 is not
 * mixed with the SVM's. Resident memory (server processes and their threads) is read after the
 * warm-up and at the end. Prints a summary and one JSON line (`SOAK-RESULT {...}`).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BIN, TMDB_CSV } from "./paths.js";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "300" },
    warmup: { type: "string", default: "30" },
    connections: { type: "string", default: "64" },
    db: { type: "string" },
    "heavy-delay-ms": { type: "string", default: "40" },
  },
});
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
if (!(SECONDS > 0 && WARMUP >= 0 && CONNECTIONS >= 3)) throw new Error("--seconds > 0, --warmup >= 0, --connections >= 3");
const HEAVY_CONNECTIONS = Math.max(1, Math.round((CONNECTIONS - 1) / 9));
const CHEAP_CONNECTIONS = CONNECTIONS - 1 - HEAVY_CONNECTIONS;

interface WrkResult {
  requests: number;
  seconds: number;
  statuses: Record<string, number>;
  retryAfter503: number;
  socketErrors: number;
  timeouts: number;
  p50us: number;
  p90us: number;
  p99us: number;
  maxus: number;
}

const dir = mkdtempSync(join(tmpdir(), "plotline-soak-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function buildDb(): string {
  const db = join(dir, "tmdb.db");
  const r = spawnSync(process.execPath, [BIN, "ingest", TMDB_CSV, "--db", db, "--embedder", "glove", "--json"], { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`ingest failed (${r.status})`);
  return db;
}

/** Resident memory of a process and its children (the `--workers` processes), in MB. */
function rssMb(pid: number): number {
  const out = spawnSync("ps", ["-o", "rss=", "-p", String(pid), "--ppid", String(pid)], { encoding: "utf8" }).stdout;
  return out.split("\n").reduce((sum, line) => sum + (Number(line.trim()) || 0), 0) / 1024;
}

function wrk(url: string, requests: string[], connections: number, threads: number, seconds: number, delayMs = 0): Promise<WrkResult> {
  const file = join(dir, `requests-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, requests.join("\n") + "\n");
  const script = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "../../bench/soak.lua");
  return new Promise((resolve, reject) => {
    const child = spawn("wrk", [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "-s", script, url], {
      env: { ...process.env, PLOTLINE_REQUESTS: file, PLOTLINE_DELAY_MS: String(delayMs) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const m = /^SOAK (\{.*\})$/m.exec(out);
      if (!m) return reject(new Error(`wrk exited with ${code}:\n${out}`));
      resolve(JSON.parse(m[1]!) as WrkResult);
    });
  });
}

async function main(): Promise<void> {
  const db = args.db ?? buildDb();
  const server = spawn(process.execPath, [BIN, "serve", "--db", db, "--port", "0", "--json"], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const m = /"url":"([^"]+)"/.exec(out);
      if (m) resolve(m[1]!);
    });
    server.on("exit", (code) => reject(new Error(`serve exited with ${code}`)));
  });
  try {
    const ids = new Set<string>();
    for (const q of ["space", "love", "war", "family", "murder", "robot", "school", "dog"]) {
      const r = (await (await fetch(`${url}/api/search?q=${q}&k=10`)).json()) as { results: { id: string }[] };
      for (const x of r.results) ids.add(x.id);
    }
    const all = [...ids];
    const queries = ["a robot falls in love", "heist gone wrong", "astronaut stranded on mars", "haunted house", "90s comedy", "sharks", "starring Tom Hanks", "road trip"];
    const cheap: string[] = [];
    for (let i = 0; i < all.length; i++) {
      const id = all[i]!;
      const q = encodeURIComponent(queries[i % queries.length]!);
      cheap.push(`GET /api/search?q=${q}&mode=hybrid`, `GET /api/search?q=${q}&mode=keyword`, `GET /api/search?q=${q}&mode=semantic`, `GET /api/search?q=${q.slice(0, 6)}&mode=title`);
      cheap.push(`GET /api/titles?prefix=${encodeURIComponent(id.slice(0, 3) === "tt0" ? "the ma" : "star")}`, `GET /api/movies/${id}/similar`, `GET /api/movies/${id}`);
      cheap.push(`POST /api/recommend {"like":["${id}","${all[(i + 1) % all.length]}"],"dislike":["${all[(i + 2) % all.length]}"]}`);
    }
    const heavy = all.flatMap((id) => [`GET /api/movies/${id}/similar?method=svm`, `GET /api/movies/${id}/similar?method=svm`, `GET /api/movies/${id}/similar?method=tfidf`]);
    const health = ["GET /api/health"];
    const delay = Number(args["heavy-delay-ms"]);
    const run = (seconds: number) =>
      Promise.all([wrk(url, cheap, CHEAP_CONNECTIONS, 2, seconds), wrk(url, heavy, HEAVY_CONNECTIONS, 1, seconds, delay), wrk(url, health, 1, 1, seconds)]);

    const load0 = loadavg()[0]!;
    if (WARMUP > 0) await run(WARMUP);
    const rssWarm = rssMb(server.pid!);
    const t0 = new Date();
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssMb(server.pid!)), 10_000);
    const [c, h, hp] = await run(SECONDS);
    clearInterval(sampler);
    const rssEnd = rssMb(server.pid!);
    const load1 = loadavg()[0]!;
    const ms = (us: number) => Math.round(us / 100) / 10;
    const line = (name: string, r: WrkResult) =>
      `${name.padEnd(8)} ${String(r.requests).padStart(8)} requests, ${(r.requests / r.seconds).toFixed(0)}/s; statuses ${JSON.stringify(r.statuses)}; 503 with Retry-After ${r.retryAfter503}; socket errors ${r.socketErrors}, timeouts ${r.timeouts}; p50 ${ms(r.p50us)} ms, p90 ${ms(r.p90us)} ms, p99 ${ms(r.p99us)} ms, max ${ms(r.maxus)} ms`;
    const fivexx = [c, h, hp].reduce((n, r) => n + Object.entries(r.statuses).filter(([s]) => s.startsWith("5") && s !== "503").reduce((a, [, v]) => a + v, 0), 0);
    const heavyShare = h.requests / (c.requests + h.requests);
    console.log(`Soak ${t0.toISOString()}: ${SECONDS} s after a ${WARMUP} s warm-up, ${CONNECTIONS} connections (${CHEAP_CONNECTIONS} cheap, ${HEAVY_CONNECTIONS} heavy, 1 health), ${availableParallelism()} cores, load average ${load0.toFixed(2)} before, ${load1.toFixed(2)} after`);
    console.log(line("cheap", c));
    console.log(line("heavy", h));
    console.log(line("health", hp));
    console.log(`heavy share of requests: 1 in ${(1 / heavyShare).toFixed(1)}; 5xx other than 503: ${fivexx}`);
    console.log(`resident memory: ${rssWarm.toFixed(0)} MB after warm-up, ${rssEnd.toFixed(0)} MB at the end (${(((rssEnd - rssWarm) / rssWarm) * 100).toFixed(1)}%), samples ${samples.map((s) => s.toFixed(0)).join(" ")}`);
    console.log(`SOAK-RESULT ${JSON.stringify({ at: t0.toISOString(), seconds: SECONDS, warmup: WARMUP, connections: CONNECTIONS, cheap: c, heavy: h, health: hp, heavyShare, fivexx, rssWarmMb: rssWarm, rssEndMb: rssEnd, load: [load0, load1] })}`);
  } finally {
    server.kill("SIGTERM");
  }
}

await main();
