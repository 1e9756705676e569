/**
 * The soak of RELIABILITY.md (not part of `npm test`): `plotline serve` (one process per core,
 * heavy requests in worker threads) under mixed traffic from wrk on 127.0.0.1 for a bounded time.
 *
 *   npm run build && node dist/bench/soak.js [--seconds 300] [--warmup 180] [--db tmdb.db] [--connections 64]
 *
 * One wrk sends the mix on all connections but one, one connection per wrk thread (so that
 * `soak.lua` can time each request by its kind); every connection cycles through the same list,
 * in which 1 line in 9 is a similar by `method=svm`, 1 in 36 one by `tfidf`, and the rest are
 * cheap: hybrid, keyword, semantic and title search, titles, similar by knn, a movie, recommend.
 * So 1 request in 9 sent is an SVM, however fast its answer (a 503 is fast). A second wrk polls
 * `/api/health` on the last connection. Each kind gets its own percentiles and status counts;
 * resident memory (server processes and their threads) is read after the warm-up and at the end.
 * Prints a summary and one JSON line (`SOAK-RESULT {...}`).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BIN, TMDB_CSV } from "./paths.js";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "300" },
    // 180 s: memory after the warm-up should be the server's steady state, and V8 takes about two
    // minutes of this load to get there. With `node --trace-gc`, each server process's first
    // full collections (at start-up) leave about 100 MB live and let the old generation grow to
    // about 300 MB; only then (about 115 s in, on a quiet 2-core machine) does a reducing
    // mark-compact bring it back, and from then on it stays between about 100 and 250 MB. Read
    // 30 s in, the warm-up sample lands on that first climb (about 10% over what follows).
    warmup: { type: "string", default: "180" },
    connections: { type: "string", default: "64" },
    db: { type: "string" },
    workers: { type: "string" },
  },
});
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
if (!(SECONDS > 0 && WARMUP >= 0 && CONNECTIONS >= 2)) throw new Error("--seconds > 0, --warmup >= 0, --connections >= 2");
const MIX_CONNECTIONS = CONNECTIONS - 1;
/** Kinds that run in the heavy pool; every other kind but health is cheap. */
const HEAVY_KINDS = new Set(["svm", "tfidf"]);
/** The cheap kinds the issue's acceptance names (titles, knn similar, keyword and hybrid search). */
const ACCEPTANCE_CHEAP = ["titles", "knn", "keyword", "hybrid"];

interface KindStats {
  requests: number;
  statuses: Record<string, number>;
  retryAfter503: number;
  hist100us: Record<string, number>;
}
interface WrkResult {
  seconds: number;
  socketErrors: number;
  timeouts: number;
  kinds: Record<string, KindStats>;
}
interface Summary {
  requests: number;
  perSecond: number;
  statuses: Record<string, number>;
  retryAfter503: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  maxms: number;
}

/** Counts, statuses and percentiles of some kinds together (histograms summed). */
function summarize(r: WrkResult, kinds: string[]): Summary {
  const hist = new Map<number, number>();
  const statuses: Record<string, number> = {};
  let requests = 0;
  let retry = 0;
  for (const k of kinds) {
    const s = r.kinds[k];
    if (!s) continue;
    requests += s.requests;
    retry += s.retryAfter503;
    for (const [st, v] of Object.entries(s.statuses)) statuses[st] = (statuses[st] ?? 0) + v;
    for (const [b, v] of Object.entries(s.hist100us)) hist.set(Number(b), (hist.get(Number(b)) ?? 0) + v);
  }
  const buckets = [...hist.entries()].sort((a, b) => a[0] - b[0]);
  const pct = (p: number) => {
    const want = Math.ceil((p / 100) * requests);
    let seen = 0;
    for (const [b, v] of buckets) if ((seen += v) >= want) return (b + 1) / 10; // bucket's upper edge, ms
    return 0;
  };
  return { requests, perSecond: requests / r.seconds, statuses, retryAfter503: retry, p50ms: pct(50), p90ms: pct(90), p99ms: pct(99), maxms: buckets.length ? (buckets.at(-1)![0] + 1) / 10 : 0 };
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

/**
 * CPU seconds used so far by the server's processes: all their threads, and their main threads
 * alone (the event loops, which answer every request but the heavy ones' work). Linux only.
 */
function cpuSeconds(pid: number): { total: number; loops: number } {
  const tick = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
  const children = spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).stdout.split("\n").map((l) => Number(l.trim())).filter((n) => n > 0);
  // utime and stime are the 14th and 15th fields; the name (2nd) may hold spaces, so count after ")".
  const ticks = (stat: string) => {
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  };
  let total = 0;
  let loops = 0;
  for (const p of [pid, ...children]) {
    try {
      total += ticks(readFileSync(`/proc/${p}/stat`, "utf8"));
      loops += ticks(readFileSync(`/proc/${p}/task/${p}/stat`, "utf8"));
    } catch {
      // gone, or not Linux
    }
  }
  return { total: total / tick, loops: loops / tick };
}

function wrk(url: string, requests: string[], connections: number, seconds: number): Promise<WrkResult> {
  const file = join(dir, `requests-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, requests.join("\n") + "\n");
  const script = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "../../bench/soak.lua");
  return new Promise((resolve, reject) => {
    // One connection per thread: soak.lua times each request by its kind (see there).
    const child = spawn("wrk", [`-t${connections}`, `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "-s", script, url], {
      env: { ...process.env, PLOTLINE_REQUESTS: file },
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

/**
 * The mix, one request per line: for each id, a block of nine, the last a similar by SVM; every
 * fourth block has a similar by TF-IDF in place of the semantic search.
 */
function mix(ids: string[]): string[] {
  const queries = ["a robot falls in love", "heist gone wrong", "astronaut stranded on mars", "haunted house", "90s comedy", "sharks", "starring Tom Hanks", "road trip"];
  const titles = ["the ma", "star", "lord of", "toy", "harry", "jurassic", "back to", "the dar"];
  const lines: string[] = [];
  ids.forEach((id, i) => {
    const q = encodeURIComponent(queries[i % queries.length]!);
    lines.push(
      `hybrid GET /api/search?q=${q}&mode=hybrid`,
      `keyword GET /api/search?q=${q}&mode=keyword`,
      i % 4 === 3 ? `tfidf GET /api/movies/${id}/similar?method=tfidf` : `semantic GET /api/search?q=${q}&mode=semantic`,
      `title GET /api/search?q=${encodeURIComponent(titles[i % titles.length]!)}&mode=title`,
      `titles GET /api/titles?q=${encodeURIComponent(titles[(i + 3) % titles.length]!)}`,
      `knn GET /api/movies/${id}/similar`,
      `movie GET /api/movies/${id}`,
      `recommend POST /api/recommend {"like":["${id}","${ids[(i + 1) % ids.length]}"],"dislike":["${ids[(i + 2) % ids.length]}"]}`,
      `svm GET /api/movies/${id}/similar?method=svm`,
    );
  });
  return lines;
}

async function main(): Promise<void> {
  const db = args.db ?? buildDb();
  const serveArgs = [BIN, "serve", "--db", db, "--port", "0", "--json", ...(args.workers ? ["--workers", args.workers] : [])];
  const server = spawn(process.execPath, serveArgs, { stdio: ["ignore", "pipe", "inherit"] });
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
    const lines = mix([...ids]);
    const run = (seconds: number) => Promise.all([wrk(url, lines, MIX_CONNECTIONS, seconds), wrk(url, ["health GET /api/health"], 1, seconds)]);

    const load0 = loadavg()[0]!;
    if (WARMUP > 0) await run(WARMUP);
    const rssWarm = rssMb(server.pid!);
    const t0 = new Date();
    const cpu0 = cpuSeconds(server.pid!);
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssMb(server.pid!)), 10_000);
    const [m, hp] = await run(SECONDS);
    clearInterval(sampler);
    const rssEnd = rssMb(server.pid!);
    const cpu1 = cpuSeconds(server.pid!);
    const load1 = loadavg()[0]!;

    const kinds = Object.keys(m.kinds).sort();
    const cheapKinds = kinds.filter((k) => !HEAVY_KINDS.has(k));
    const rows: [string, Summary][] = [
      ["cheap (all)", summarize(m, cheapKinds)],
      [`cheap (${ACCEPTANCE_CHEAP.join(", ")})`, summarize(m, ACCEPTANCE_CHEAP)],
      ...kinds.map((k) => [k, summarize(m, [k])] as [string, Summary]),
      ["health", summarize(hp, ["health"])],
    ];
    const sent = kinds.reduce((n, k) => n + m.kinds[k]!.requests, 0);
    const svmShare = (m.kinds.svm?.requests ?? 0) / sent;
    const fivexx = [m, hp].reduce((n, r) => n + Object.values(r.kinds).reduce((a, s) => a + Object.entries(s.statuses).filter(([st]) => st.startsWith("5") && st !== "503").reduce((b, [, v]) => b + v, 0), 0), 0);
    const no503Retry = [m, hp].reduce((n, r) => n + Object.values(r.kinds).reduce((a, s) => a + (s.statuses["503"] ?? 0) - s.retryAfter503, 0), 0);
    console.log(`Soak ${t0.toISOString()}: ${SECONDS} s after a ${WARMUP} s warm-up, ${CONNECTIONS} connections (${MIX_CONNECTIONS} mixed, 1 health), ${availableParallelism()} cores, load average ${load0.toFixed(2)} before, ${load1.toFixed(2)} after`);
    console.log("| traffic | requests | req/s | statuses | p50 | p90 | p99 | max |\n| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |");
    for (const [name, r] of rows)
      console.log(`| ${name} | ${r.requests.toLocaleString("en-US")} | ${r.perSecond.toFixed(0)} | ${Object.entries(r.statuses).map(([k, v]) => `${k}: ${v.toLocaleString("en-US")}`).join(", ")} | ${r.p50ms} ms | ${r.p90ms} ms | ${r.p99ms} ms | ${r.maxms} ms |`);
    console.log(`svm share of requests sent: 1 in ${(1 / svmShare).toFixed(2)}; 5xx other than 503: ${fivexx}; 503 without Retry-After: ${no503Retry}; socket errors ${m.socketErrors + hp.socketErrors}, timeouts ${m.timeouts + hp.timeouts}`);
    const loopCpu = cpu1.loops - cpu0.loops;
    const heavyCpu = cpu1.total - cpu0.total - loopCpu;
    const answered = sent + (hp.kinds.health?.requests ?? 0);
    const heavyServed = [...HEAVY_KINDS].reduce((n, k) => n + (m.kinds[k]?.statuses["200"] ?? 0), 0);
    console.log(
      `server CPU: event loops ${loopCpu.toFixed(1)} s (${((loopCpu / SECONDS) * 100).toFixed(0)}% of one core; ${((loopCpu * 1000) / answered).toFixed(2)} ms per request answered), other threads (heavy pool, GC) ${heavyCpu.toFixed(1)} s (${((heavyCpu / SECONDS) * 100).toFixed(0)}% of one core; ${heavyServed ? ((heavyCpu * 1000) / heavyServed).toFixed(0) : "-"} ms per heavy request served)`,
    );
    console.log(`resident memory: ${rssWarm.toFixed(0)} MB after the ${WARMUP} s warm-up, ${rssEnd.toFixed(0)} MB at the end (${(((rssEnd - rssWarm) / rssWarm) * 100).toFixed(1)}%), samples ${samples.map((x) => x.toFixed(0)).join(" ")}`);
    console.log(`SOAK-RESULT ${JSON.stringify({ at: t0.toISOString(), seconds: SECONDS, warmup: WARMUP, connections: CONNECTIONS, summary: Object.fromEntries(rows), svmShare, fivexx, no503Retry, rssWarmMb: rssWarm, rssEndMb: rssEnd, samples, cpu: { loops: loopCpu, other: heavyCpu }, load: [load0, load1] })}`);
  } finally {
    server.kill("SIGTERM");
  }
}

await main();
