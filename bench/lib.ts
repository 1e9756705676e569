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
