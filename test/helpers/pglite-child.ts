/**
 * A PGlite database (PostgreSQL 18 compiled to WebAssembly) with pgvector and pg_textsearch,
 * served over the Postgres wire protocol on 127.0.0.1 by pglite-socket, in a process of its own
 * so that a test can SIGKILL a Plotline process talking to it and keep the server. Started by
 * `startPglite` (pglite-server.ts); prints `{"port": N}` once listening and exits when its
 * standard input closes (the test process ended) or on SIGTERM.
 *
 * Arguments: `--serve` (required: without it the script exits at once, as when the test runner
 * loads it as a test file); `--no-textsearch` leaves pg_textsearch out (the server then ranks keyword queries
 * with ts_rank_cd); `--no-vector` leaves pgvector out (a database without pgvector).
 */
import { PGlite, type Extensions } from "@electric-sql/pglite";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { pg_textsearch } from "@electric-sql/pglite-pg_textsearch";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

const args = new Set(process.argv.slice(2));
// `node --test dist/test/` runs every file under it, this one too: it serves only when asked.
if (!args.has("--serve")) process.exit(0);
const extensions: Extensions = { unaccent };
if (!args.has("--no-vector")) extensions.vector = vector;
if (!args.has("--no-textsearch")) extensions.pg_textsearch = pg_textsearch;

const db = await PGlite.create({ extensions });
// PGlite runs one backend: the socket server queues the statements of several clients and
// keeps a client's transaction to itself until it ends (a client that disconnects mid-way is
// rolled back). Each client must use one connection at a time (a pool of one).
const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 64 });
server.addEventListener("listening", (e) => {
  const { port } = (e as CustomEvent<{ port: number }>).detail;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
await server.start();

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => {});
  await db.close().catch(() => {});
  process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
