import { cpus, totalmem } from "node:os";

/** One area's results: a table printed by run.ts and saved as JSON. */
export interface BenchSection {
  title: string;
  /** Column headers and rows, printed as a table. */
  columns: string[];
  rows: (string | number)[][];
  notes?: string[];
}

/** Percentile of already-collected samples (nearest-rank). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * Times `fn` over `inputs`, cycling until `iterations` calls are made, after `warmup` untimed
 * calls; returns milliseconds per call.
 */
export async function timeCalls<T>(inputs: T[], fn: (input: T) => unknown, iterations = 500, warmup = 50): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(inputs[i % inputs.length]!);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await fn(inputs[i % inputs.length]!);
    samples.push(performance.now() - t);
  }
  return samples;
}

/** Milliseconds for a table cell; "-" for a figure that was not measured (NaN, e.g. a recall never reached). */
export function ms(v: number): string {
  if (!Number.isFinite(v)) return "-";
  return v < 0.1 ? v.toFixed(3) : v < 10 ? v.toFixed(2) : v.toFixed(1);
}

export function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}-${process.arch}`;
}

/**
 * A bench area's `--name value` / `--name=value` arguments. Areas take their own options after
 * `npm run bench -- <area>`, so each reads them here rather than through the CLI's parser.
 */
export function benchArgs(args: string[]) {
  const value = (name: string): string | undefined => {
    const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    return args[i]!.includes("=") ? args[i]!.slice(args[i]!.indexOf("=") + 1) : args[i + 1];
  };
  const positive = (name: string, v: string): number => {
    const n = Number(v.replace(/_/g, ""));
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected positive integers, got '${v}'`);
    return n;
  };
  return {
    value,
    /** A positive integer (underscores allowed: 1_000_000), or `fallback` when not given. */
    int: (name: string, fallback: number): number => {
      const v = value(name);
      return v === undefined ? fallback : positive(name, v);
    },
    /** A comma-separated list of positive integers, or `fallback` when not given. */
    ints: <F>(name: string, fallback: F): number[] | F => {
      const v = value(name);
      return v === undefined ? fallback : v.split(",").map((x) => positive(name, x));
    },
    /** A comma-separated set of names, each one of `allowed`. */
    names: (name: string, fallback: string, allowed: readonly string[]): Set<string> => {
      const set = new Set((value(name) ?? fallback).split(",").filter(Boolean));
      for (const x of set) if (!allowed.includes(x)) throw new Error(`--${name}: unknown '${x}' (${allowed.join(", ")})`);
      return set;
    },
  };
}
