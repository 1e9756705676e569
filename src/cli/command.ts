import { InvalidArgumentError } from "../errors.js";
import type { CliFlag } from "../options/option.js";

/** What every CLI command gets: parsed options, output channels, and the global flags. */
export interface CommandContext {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  json: boolean;
  verbose: boolean;
  db: string | undefined;
  /** Writes a line (or block) to stdout. */
  out: (text: string) => void;
  /** Writes a one-line notice to stderr. */
  notice: (text: string) => void;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  /** Flags as the argument parser takes them; the listing commands derive theirs from `options/` (`cliFlags`). */
  options: Record<string, CliFlag>;
  examples?: string[];
  /** Returns the exit code (default 0). */
  run(ctx: CommandContext): Promise<number | void>;
}

/** Parses an integer option, naming it in the error. */
export function intOption(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== "string" || !/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`--${name}`, `expected an integer, got '${String(value)}'`);
  return n;
}

/** Parses a number option, naming it in the error. */
export function numberOption(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || !value.trim() || !Number.isFinite(n)) throw new InvalidArgumentError(`--${name}`, `expected a number, got '${String(value)}'`);
  return n;
}
