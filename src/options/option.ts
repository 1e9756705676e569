import { InvalidArgumentError } from "../errors.js";

/**
 * One definition of an option of a command (`search`, `similar`, ...) or of a filter, from which
 * every surface is derived: the CLI flag and its help (`cliFlags`, `parseCli`), the HTTP
 * parameter and its JSON schema (`jsonProperties`, `fromJson`), hence the OpenAPI document and
 * the web client's generated types. A default stated here is the library's own (the spec takes
 * the engine's constant), so every surface has the same one.
 */
export interface OptionSpec {
  /** The library's name for it (`k`, `sentimentWeight`), the key of the parsed value. */
  key: string;
  /**
   * The surfaces' name, when it differs from `key` (lists are singular on the surfaces: `genre`
   * for `genres`). The CLI flag is its kebab-case (`--min-rating`), the HTTP parameter its
   * snake_case (`min_rating`).
   */
  name?: string;
  type: OptionType;
  /** One sentence for `--help` and the JSON schema's description. */
  help: string;
  /** The library's default, shown on every surface (and filled in by HTTP validation). */
  default?: string | number | boolean;
  /** Placeholder in `--help` (`N`, `A..B`). */
  arg?: string;
  /** One-letter CLI flag (`-k`). */
  short?: string;
  /** Older CLI spellings still accepted (`year-range` for `--year`). */
  aliases?: readonly string[];
  /** The surfaces it exists on (default both). */
  surfaces?: readonly Surface[];
}

export type Surface = "cli" | "http";

export type OptionType =
  | { kind: "integer"; min: number; max: number }
  | { kind: "number"; min?: number; max?: number }
  | { kind: "boolean" }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "string"; minLength?: number; maxLength?: number; pattern?: string; patternHelp?: string }
  /** Repeatable strings (`--genre A --genre B`, `genre=A&genre=B`, a JSON array). */
  | { kind: "list"; maxItems?: number; itemMaxLength?: number; unique?: boolean }
  /** `1990..1999`, `2006..`, `..1979` or `1994` (both ends), integers. */
  | { kind: "range" };

/** What a range parameter reads as. */
export interface Range {
  min?: number;
  max?: number;
}

/** A range: `A..B`, `A..`, `..B` or `A`, non-negative integers of up to 4 digits. */
export const RANGE_PATTERN = "^(\\d{1,4}(\\.\\.(\\d{1,4})?)?|\\.\\.\\d{1,4})$";
const RANGE = new RegExp(RANGE_PATTERN);

export function surfaceName(spec: OptionSpec): string {
  return spec.name ?? spec.key;
}

/** `minRating` → `min-rating`. */
export function cliName(spec: OptionSpec): string {
  return surfaceName(spec).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** HTTP names by spec: `fromJson` asks for every spec's on every request. */
const httpNameOf = new WeakMap<OptionSpec, string>();

/** `minRating` → `min_rating`. */
export function httpName(spec: OptionSpec): string {
  let name = httpNameOf.get(spec);
  if (name === undefined) httpNameOf.set(spec, (name = surfaceName(spec).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)));
  return name;
}

function on(spec: OptionSpec, surface: Surface): boolean {
  return !spec.surfaces || spec.surfaces.includes(surface);
}

/** Reads a range, naming `parameter` in errors. */
export function parseRange(parameter: string, value: unknown): Range | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!RANGE.test(text)) throw new InvalidArgumentError(parameter, `expected N or FROM..TO (either end may be left out), got '${text}'`);
  const [a, b] = text.includes("..") ? text.split("..") : [text, text];
  const min = a ? Number(a) : undefined;
  const max = b ? Number(b) : undefined;
  if (min !== undefined && max !== undefined && min > max) throw new InvalidArgumentError(parameter, `range ${min}..${max} is empty`);
  return { min, max };
}

// ---- CLI ----

/** A flag as the CLI's parser takes it (see `cli/command.ts`). */
export interface CliFlag {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  arg?: string;
  help: string;
  default?: string | number;
}

/** The flag name of a spec: a boolean that defaults to true is turned off with `--no-NAME`. */
export function cliFlag(spec: OptionSpec): string {
  return spec.type.kind === "boolean" && spec.default === true ? `no-${cliName(spec)}` : cliName(spec);
}

function cliHelp(spec: OptionSpec): string {
  const t = spec.type;
  const values = t.kind === "enum" ? `${t.values.join(" | ")}: ` : "";
  const aka = spec.aliases?.length ? ` (also ${spec.aliases.map((a) => `--${a}`).join(", ")})` : "";
  return `${values}${spec.help}${aka}`;
}

/** The CLI flags of a command's specs, aliases included (they share the spec's help). */
export function cliFlags(specs: readonly OptionSpec[]): Record<string, CliFlag> {
  const out: Record<string, CliFlag> = {};
  for (const spec of specs) {
    if (!on(spec, "cli")) continue;
    const t = spec.type;
    const flag: CliFlag = {
      type: t.kind === "boolean" ? "boolean" : "string",
      help: cliHelp(spec),
      ...(spec.short ? { short: spec.short } : {}),
      ...(t.kind === "list" ? { multiple: true } : {}),
      ...(t.kind !== "boolean" ? { arg: spec.arg ?? (t.kind === "range" ? "A..B" : t.kind === "enum" ? "NAME" : "VALUE") } : {}),
      ...(spec.default !== undefined && t.kind !== "boolean" ? { default: spec.default as string | number } : {}),
    };
    out[cliFlag(spec)] = flag;
    for (const alias of spec.aliases ?? []) out[alias] = { ...flag, help: `same as --${cliFlag(spec)}`, short: undefined, default: undefined };
  }
  return out;
}

/** A command's parsed values, by spec key; absent when not given (the library applies the default). */
export type Values = Record<string, unknown>;

/**
 * Reads the CLI values of the specs, naming the flag as typed in every error: the form (a
 * number, an integer, one of the values, a range) and the spec's bounds, the same ones the HTTP
 * API's JSON schemas hold, so `--min-rating 11` and `min_rating=11` are both refused.
 */
export function parseCli(specs: readonly OptionSpec[], raw: Record<string, unknown>): Values {
  const out: Values = {};
  for (const spec of specs) {
    if (!on(spec, "cli")) continue;
    const names = [cliFlag(spec), ...(spec.aliases ?? [])];
    const given = names.filter((n) => raw[n] !== undefined);
    if (given.length > 1) throw new InvalidArgumentError(`--${given[1]}`, `is the same option as --${given[0]}; give one`);
    if (given.length === 0) continue;
    const flag = `--${given[0]}`;
    const value = raw[given[0]!];
    const t = spec.type;
    switch (t.kind) {
      case "boolean":
        // `--no-parse` given: the option is off.
        out[spec.key] = spec.default === true ? !value : Boolean(value);
        break;
      case "integer": {
        const n = Number(value);
        if (typeof value !== "string" || !/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(flag, `expected an integer, got '${String(value)}'`);
        out[spec.key] = inBounds(flag, n, t.min, t.max);
        break;
      }
      case "number": {
        const n = Number(value);
        if (typeof value !== "string" || !value.trim() || !Number.isFinite(n)) throw new InvalidArgumentError(flag, `expected a number, got '${String(value)}'`);
        out[spec.key] = inBounds(flag, n, t.min, t.max);
        break;
      }
      case "enum":
        if (!t.values.includes(String(value))) throw new InvalidArgumentError(flag, `expected ${t.values.join(" | ")}, got '${String(value)}'`);
        out[spec.key] = String(value);
        break;
      case "string": {
        const text = String(value).trim();
        if (!text) break;
        if (t.pattern && !new RegExp(t.pattern).test(text)) throw new InvalidArgumentError(flag, `expected ${t.patternHelp ?? `a value matching ${t.pattern}`}, got '${text}'`);
        out[spec.key] = text;
        break;
      }
      case "list": {
        const items = (Array.isArray(value) ? value : [value]).map((v) => String(v).trim()).filter(Boolean);
        if (items.length) out[spec.key] = items;
        break;
      }
      case "range":
        out[spec.key] = parseRange(flag, value);
        break;
    }
  }
  return out;
}

/** `n` when within `min..max` (either may be open), else an error naming the flag and the bounds. */
function inBounds(flag: string, n: number, min: number | undefined, max: number | undefined): number {
  if ((min === undefined || n >= min) && (max === undefined || n <= max)) return n;
  // A maximum that only keeps numbers safe is no limit a user needs to hear about.
  if (max !== undefined && max >= Number.MAX_SAFE_INTEGER) max = undefined;
  const bounds = min !== undefined && max !== undefined ? `between ${min} and ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
  throw new InvalidArgumentError(flag, `must be ${bounds}, got ${n}`);
}

// ---- HTTP ----

type JsonSchema = Record<string, unknown>;

/**
 * The JSON schema of one spec's HTTP parameter (what Fastify validates, and OpenAPI shows);
 * `max` is a tighter upper bound the HTTP API sets (its `LIMITS`).
 */
export function jsonSchema(spec: OptionSpec, max?: number): JsonSchema {
  const t = spec.type;
  const description = spec.help.replace(/^./, (c) => c.toUpperCase()) + (spec.help.endsWith(".") ? "" : ".");
  const base: JsonSchema = (() => {
    switch (t.kind) {
      case "integer":
        return { type: "integer", minimum: t.min, maximum: max ?? t.max };
      case "number":
        return { type: "number", ...(t.min !== undefined ? { minimum: t.min } : {}), ...(t.max !== undefined ? { maximum: t.max } : {}) };
      case "boolean":
        return { type: "boolean" };
      case "enum":
        return { type: "string", enum: [...t.values] };
      case "string":
        return { type: "string", ...(t.minLength !== undefined ? { minLength: t.minLength } : {}), ...(t.maxLength !== undefined ? { maxLength: t.maxLength } : {}), ...(t.pattern ? { pattern: t.pattern } : {}) };
      case "list":
        return {
          type: "array",
          items: { type: "string", minLength: 1, ...(t.itemMaxLength !== undefined ? { maxLength: t.itemMaxLength } : {}) },
          ...(t.maxItems !== undefined ? { maxItems: t.maxItems } : {}),
          ...(t.unique ? { uniqueItems: true } : {}),
        };
      case "range":
        return { type: "string", pattern: RANGE_PATTERN };
    }
  })();
  return { ...base, ...(spec.default !== undefined ? { default: spec.default } : {}), description };
}

/** The JSON-schema properties of the specs' HTTP parameters, by parameter name; `maxima` by spec key. */
export function jsonProperties(specs: readonly OptionSpec[], maxima: Record<string, number> = {}): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const spec of specs) if (on(spec, "http")) out[httpName(spec)] = jsonSchema(spec, maxima[spec.key]);
  return out;
}

/**
 * The values of HTTP parameters, by spec key, once the schema validated them (types, bounds
 * and defaults are applied already); ranges are read into `Range`.
 */
export function fromJson(specs: readonly OptionSpec[], params: Record<string, unknown>): Values {
  const out: Values = {};
  for (const spec of specs) {
    if (!on(spec, "http")) continue;
    const name = httpName(spec);
    const value = params[name];
    if (value === undefined) continue;
    if (spec.type.kind === "range") out[spec.key] = parseRange(name, value);
    else if (spec.type.kind === "list" && (value as unknown[]).length === 0) continue;
    else out[spec.key] = value;
  }
  return out;
}

/** Library parameter names (and the filter keys behind a range) by their HTTP name, for errors. */
export function httpNames(specs: readonly OptionSpec[], extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { ...extra };
  for (const spec of specs) {
    if (!on(spec, "http")) continue;
    out[spec.key] = httpName(spec);
    out[surfaceName(spec)] = httpName(spec);
  }
  return out;
}
