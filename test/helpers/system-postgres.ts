import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { systemPostgresBin } from "./pglite-server.js";

/**
 * A throwaway PostgreSQL cluster from the machine's own server binaries (Debian's
 * `postgresql-15`, which `.ci/run` installs): initdb into a temporary directory, password
 * authentication (scram-sha-256) on 127.0.0.1 at a free port, removed by `stop`. Debian has no
 * pgvector package for it, so it is exactly "a real Postgres without pgvector", and it is where
 * a wrong password is refused for real (PGlite accepts any).
 */
export interface SystemPostgres {
  port: number;
  user: string;
  password: string;
  url(options?: { password?: string; database?: string }): string;
  stop(): Promise<void>;
}

/** Why tests needing it skip, when they do. */
export function systemPostgresUnavailable(): string | null {
  if (!systemPostgresBin()) return "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql-15; .ci/run does)";
  if (process.getuid?.() === 0) {
    try {
      execFileSync("id", ["postgres"], { stdio: "ignore" });
    } catch {
      return "running as root without a 'postgres' user to run the server as";
    }
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startSystemPostgres(): Promise<SystemPostgres> {
  const bin = systemPostgresBin()!;
  const dir = mkdtempSync(join(tmpdir(), "plotline-pg-"));
  const data = join(dir, "data");
  const user = "plotline";
  const password = "right-password";
  const pwfile = join(dir, "pw");
  writeFileSync(pwfile, password);
  // The server refuses to run as root: as root, run it as the 'postgres' user.
  const asRoot = process.getuid?.() === 0;
  let uid = 0;
  if (asRoot) {
    uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  const run = (cmd: string, args: string[]) => (asRoot ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args]) as [string, string[]];
  const [initCmd, initArgs] = run(join(bin, "initdb"), ["-D", data, "-U", user, `--pwfile=${pwfile}`, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C"]);
  execFileSync(initCmd, initArgs, { stdio: "ignore" });
  const port = await freePort();
  const [pgCmd, pgArgs] = run(join(bin, "postgres"), ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]);
  const child: ChildProcess = spawn(pgCmd, pgArgs, { stdio: "ignore" });
  const url = (o: { password?: string; database?: string } = {}) =>
    `postgres://${user}:${encodeURIComponent(o.password ?? password)}@127.0.0.1:${port}/${o.database ?? "postgres"}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const c = new pg.Client({ connectionString: url() });
    try {
      await c.connect();
      await c.end();
      break;
    } catch (err) {
      await c.end().catch(() => {});
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`PostgreSQL did not start: ${(err as Error).message}`);
      await sleep(200);
    }
  }
  return {
    port,
    user,
    password,
    url,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGINT"); // fast shutdown
        await Promise.race([exited, sleep(10_000)]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
