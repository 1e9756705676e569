import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { InvalidArgumentError, PlotlineError } from "../../errors.js";
import { defaultDbPath } from "../../store/open.js";
import { intOption, type Command, type CommandContext } from "../command.js";

/** Default port of `plotline serve`. */
export const DEFAULT_PORT = 3000;
/** Default interface: loopback only; serving other machines is an explicit choice. */
export const DEFAULT_HOST = "127.0.0.1";
/**
 * Server processes (default: the number of cores, `os.availableParallelism()`). Each holds its
 * own copy of the collection's in-memory indexes (about 15 MB for TMDB with glove) and answers
 * requests on the same port, so searches use every core; heavy requests (SVM, TF-IDF,
 * diversity) run in each process's worker thread (`server/heavy.ts`). See BENCHMARKS.md for
 * the figures with 1 and 2.
 */
export const DEFAULT_WORKERS = Math.max(1, availableParallelism());
/**
 * Young-generation semi-space of each server process started with `--workers` (64 MB; V8's
 * default is 16). A hybrid search allocates about 100 KB, so at a thousand requests a second the
 * default collects the young generation about 9 times a second and promotes the data of
 * requests still in flight, which the old generation then pays for with mark-compact pauses
 * (6 to 35 ms seen). Measured with a `gc` PerformanceObserver over 10 s of wrk load on hybrid
 * search: 93 scavenges and a mark-compact, 104 ms of GC, with the default; 26 scavenges and no
 * mark-compact, 36 ms, with 64 MB. A flag given to node itself wins.
 */
export const WORKER_SEMI_SPACE_MB = 64;

interface Options {
  port: number;
  host: string;
  db: string;
  workers: number;
  allowedHosts: string[];
  cors: string | null;
}

function options(ctx: CommandContext): Options {
  const port = intOption("port", ctx.values.port, DEFAULT_PORT);
  if (port < 0 || port > 65535) throw new InvalidArgumentError("--port", `must be from 0 to 65535, got ${port}`);
  const workers = intOption("workers", ctx.values.workers, DEFAULT_WORKERS);
  const max = Math.max(1, availableParallelism());
  if (workers < 1 || workers > 4 * max) throw new InvalidArgumentError("--workers", `must be from 1 to ${4 * max}, got ${workers}`);
  const host = (ctx.values.host as string | undefined) ?? DEFAULT_HOST;
  const listed = ((ctx.values["allowed-hosts"] as string | undefined) ?? "").split(",").map((h) => h.trim()).filter(Boolean);
  const cors = (ctx.values.cors as string | undefined) ?? null;
  if (cors !== null && !/^https?:\/\/[^/\s]+$/i.test(cors)) throw new InvalidArgumentError("--cors", `must be an origin such as https://app.example.org (scheme and host, no path), got '${cors}'`);
  return { port, host, db: ctx.db ?? defaultDbPath(), workers, allowedHosts: [host, ...listed], cors };
}

/** How often a server started by `npx` checks that npx is still there (ms). */
const PARENT_CHECK_MS = 500;

/**
 * Resolves on SIGINT or SIGTERM, or, when started through `npx plotline serve` (npm exec runs
 * the command in a child shell and does not pass signals on), when npx is gone: killing npx by
 * its PID then stops the server instead of leaving it orphaned and listening.
 */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const parent = process.ppid;
    const underNpx = process.env.npm_command === "exec" && !cluster.isWorker;
    const watch = underNpx ? setInterval(() => process.ppid !== parent && stop(), PARENT_CHECK_MS) : null;
    watch?.unref();
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      if (watch) clearInterval(watch);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** One server process: opens the collection, listens, serves until stopped. */
async function serveHere(o: Options, ctx: CommandContext, announce: boolean): Promise<void> {
  // The server (Fastify and its plugins: 1.3 s to import on the loaded 2-core machine) is
  // loaded only by `serve`, not by every command the CLI starts for.
  const { createServer } = await import("../../server/app.js");
  const { app, live, web } = await createServer({ db: o.db, log: ctx.notice, allowedHosts: o.allowedHosts, cors: o.cors });
  let address: string;
  try {
    address = await app.listen({ port: o.port, host: o.host });
  } catch (err) {
    await app.close();
    throw new InvalidArgumentError("--port", `cannot listen on ${o.host}:${o.port} (${(err as Error).message})`);
  }
  if (cluster.isWorker) process.send?.({ listening: address });
  if (announce) report(ctx, o, address, (await live.plotline.info()).count, web !== null);
  await untilStopped();
  await app.close();
  // A worker's IPC channel to the primary keeps it alive; let go of it so the process ends.
  cluster.worker?.disconnect();
}

function report(ctx: CommandContext, o: Options, url: string, movies: number, web: boolean): void {
  if (ctx.json) ctx.out(JSON.stringify({ url, db: o.db, movies, workers: o.workers, web }));
  else {
    ctx.out(`Plotline serving ${movies} movies from ${o.db} at ${url}${o.workers > 1 ? ` (${o.workers} processes)` : ""}`);
    if (!web) ctx.notice("the web app is not built (npm run build:web); serving the API only");
  }
}

/**
 * Several server processes on one port (node:cluster): the primary only starts them, hands out
 * connections and stops them; it opens no collection itself.
 */
async function servePrimary(o: Options, ctx: CommandContext): Promise<void> {
  if (!process.execArgv.some((a) => a.startsWith("--max-semi-space-size"))) cluster.setupPrimary({ execArgv: [...process.execArgv, `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`] });
  const workers = Array.from({ length: o.workers }, () => cluster.fork());
  let stopping = false;
  const failed = new Promise<never>((_, reject) => {
    for (const w of workers)
      w.once("exit", (code) => {
        if (!stopping) reject(new PlotlineError(`a server process stopped (exit code ${code}); see its message above`, { exitCode: 1 }));
      });
  });
  const addresses = await Promise.race([
    Promise.all(workers.map((w) => new Promise<string>((resolve) => w.on("message", (m: { listening?: string }) => m.listening && resolve(m.listening))))),
    failed,
  ]).catch((err) => {
    stopping = true;
    for (const w of workers) w.kill("SIGTERM");
    throw err;
  });
  // With --port 0 every process shares the one port the primary picked.
  report(ctx, o, addresses[0]!, await moviesIn(o.db), true);
  await Promise.race([untilStopped(), failed]).finally(async () => {
    stopping = true;
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once("exit", () => resolve());
            w.process.kill("SIGTERM");
          }),
      ),
    );
  });
}

async function moviesIn(db: string): Promise<number> {
  const { Plotline } = await import("../../plotline.js");
  const p = Plotline.open({ db, readonly: true });
  try {
    return (await p.info()).count;
  } finally {
    await p.close();
  }
}

export const serveCommand: Command = {
  name: "serve",
  usage: "serve [--port 3000] [--host 127.0.0.1] [--workers N]",
  summary: "Serve the JSON API and the web app; follows the collection while an ingest runs.",
  options: {
    port: { type: "string", arg: "N", help: "TCP port (0 picks a free one)", default: DEFAULT_PORT },
    host: { type: "string", arg: "HOST", help: "interface to listen on", default: DEFAULT_HOST },
    workers: { type: "string", arg: "N", help: "server processes sharing the port (default: the number of cores)", default: DEFAULT_WORKERS },
    "allowed-hosts": { type: "string", arg: "H1,H2", help: "host names requests may name in their Host header besides the bound address, localhost, 127.0.0.1 and ::1 (DNS-rebinding guard); * allows any" },
    cors: { type: "string", arg: "ORIGIN", help: "let pages from this one origin call the API (CORS); default: no cross-origin access" },
  },
  examples: ["plotline serve --db tmdb.db", "plotline serve --port 8080 --workers 2 --db tmdb.db"],
  async run(ctx) {
    const o = options(ctx);
    if (o.workers > 1 && cluster.isPrimary) await servePrimary(o, ctx);
    else await serveHere(o, ctx, !cluster.isWorker);
  },
};
