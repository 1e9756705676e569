import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { PlotlineError } from "../errors.js";

/** What a finished child process left: exit code (null when killed), its output and stderr. */
export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Most stderr kept from a tool: enough for its error line, bounded for a chatty decoder. */
const MAX_STDERR = 64 * 1024;

/** The absolute path of an executable on PATH, or null. */
export function findExecutable(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** The error for a tool that is not installed, saying which Debian package brings it. */
export function missingTool(name: string, debianPackage: string): PlotlineError {
  return new PlotlineError(`${name} not found on PATH; install it (Debian: apt-get install ${debianPackage})`);
}

/**
 * Runs a tool to completion, collecting stdout and (the start of) stderr. `timeoutMs` kills a
 * hung tool (a decoder stuck on a damaged file) so one file cannot stop a batch.
 */
export function runTool(command: string, args: string[], options: { timeoutMs?: number; debianPackage?: string } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    const timer = options.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs) : null;
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < MAX_STDERR) stderr += d.toString("utf8");
    });
    child.on("error", (err: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      reject(err.code === "ENOENT" ? missingTool(command, options.debianPackage ?? command) : err);
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr });
    });
  });
}

/** The last meaningful line a tool printed on stderr, for a one-line report. */
export function lastErrorLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines[lines.length - 1] ?? "no message").slice(0, 200);
}
