import { spawn } from "node:child_process";
import { BIN, LAUNCHER } from "./paths.js";

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run through the checkout's `./plotline` script, as the README does, instead of `node bin/plotline.js`. */
  launcher?: boolean;
}

/** Runs the real `plotline` binary in a child process, as a user would. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [command, argv] = options.launcher ? [LAUNCHER, args] : [process.execPath, [BIN, ...args]];
    const child = spawn(command, argv, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
