import { InvalidArgumentError } from "../errors.js";

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

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** Placeholder in help, e.g. `N`. */
  arg?: string;
  help: string;
  default?: string | number;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: Record<string, OptionSpec>;
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
