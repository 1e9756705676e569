import { InvalidArgumentError } from "../../errors.js";
import { Plotline } from "../../plotline.js";
import type { Filters } from "../../search/filters.js";
import { DEFAULT_ALPHA } from "../../search/hybrid.js";
import { DEFAULT_K, DEFAULT_PRIOR, FUSIONS, MAX_PRIOR, SEARCH_MODES, type ExplainedHit, type Fusion, type SearchMode, type SearchResponse } from "../../search/types.js";
import { intOption, type Command, type CommandContext } from "../command.js";
import { table } from "../table.js";

/** Parses `1990..1999`, `1990..`, `..1999` or `1995` (a single value), naming the option. */
export function rangeOption(name: string, value: unknown): { min?: number; max?: number } | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const m = /^(-?\d+(?:\.\d+)?)?(\.\.)?(-?\d+(?:\.\d+)?)?$/.exec(text);
  if (!m || (!m[1] && !m[3]) || (!m[2] && m[3])) throw new InvalidArgumentError(`--${name}`, `expected N or FROM..TO (either end may be left out), got '${text}'`);
  const min = m[1] === undefined ? undefined : Number(m[1]);
  const max = m[2] ? (m[3] === undefined ? undefined : Number(m[3])) : min;
  if (min !== undefined && max !== undefined && min > max) throw new InvalidArgumentError(`--${name}`, `range ${min}..${max} is empty`);
  return { min, max };
}

export function numberOption(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || !value.trim() || !Number.isFinite(n)) throw new InvalidArgumentError(`--${name}`, `expected a number, got '${String(value)}'`);
  return n;
}

function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).map(String).map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(String(value))) throw new InvalidArgumentError(`--${name}`, `expected ${allowed.join(" | ")}, got '${String(value)}'`);
  return value as T;
}

/** The filter options shared by search (and anything else that filters), read from the CLI. */
export function filtersFromOptions(values: CommandContext["values"]): Filters {
  const f: Filters = {};
  const year = rangeOption("year", values.year);
  f.yearMin = year?.min;
  f.yearMax = year?.max;
  const runtime = rangeOption("runtime", values.runtime);
  f.runtimeMin = runtime?.min;
  f.runtimeMax = runtime?.max;
  f.genres = list(values.genre);
  f.excludeGenres = list(values["exclude-genre"]);
  f.genreMode = oneOf("genre-mode", values["genre-mode"], ["any", "all"] as const);
  f.minRating = numberOption("min-rating", values["min-rating"]);
  f.minVotes = numberOption("min-votes", values["min-votes"]);
  f.cast = list(values.cast);
  f.directors = list(values.director);
  if (typeof values.language === "string" && values.language.trim()) f.language = values.language.trim();
  for (const key of Object.keys(f) as (keyof Filters)[]) if (f[key] === undefined) delete f[key];
  return f;
}

const fmt = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? "-" : v.toFixed(digits));

function explainLines(r: ExplainedHit): string[] {
  const s = r.scores;
  const parts = [`keyword ${fmt(s.keyword)}`, `semantic ${fmt(s.semantic)}`];
  if (s.keywordNorm !== undefined) parts.push(`normalised ${fmt(s.keywordNorm, 3)} / ${fmt(s.semanticNorm, 3)}`);
  if (s.keywordRank !== undefined) parts.push(`ranks ${s.keywordRank ?? "-"} / ${s.semanticRank ?? "-"}`);
  if (s.title !== undefined) parts.push(`title ${fmt(s.title)}`);
  if (s.examples !== undefined) parts.push(`examples ${fmt(s.examples, 3)}  text ${fmt(s.text, 3)}`);
  if (s.prior !== undefined) parts.push(`prior ${fmt(s.prior, 3)}${s.priorWeight !== undefined ? ` x ${fmt(s.priorWeight, 3)}` : ""}`);
  const model = s.contributions ? Object.entries(s.contributions).map(([name, c]) => `${name} ${c! >= 0 ? "+" : ""}${c!.toFixed(3)}`) : [];
  const matches = Object.entries(r.matches).map(([field, words]) => `${field}: ${words!.join(", ")}`);
  return [`     ${parts.join("  ")}`, ...(model.length ? [`     model    ${model.join("  ")}`] : []), ...(matches.length ? [`     matched  ${matches.join("; ")}`] : [])];
}

/** The readable form: what was understood, a results table, and with --explain why each result is there. */
export function renderSearch(response: SearchResponse, offset: number, explain: boolean): string {
  const lines: string[] = [];
  const { parsed } = response;
  if (parsed.extracted.length) {
    const what = parsed.extracted.map((e) => `${e.as} ("${e.phrase}")`).join(", ");
    const names = parsed.examples?.like.map((m) => m.title) ?? (parsed.like ? [parsed.like] : []);
    const unlike = parsed.examples?.unlike.map((m) => m.title) ?? [];
    const examples = names.length ? `films like ${names.join(" and ")}${unlike.length ? `, unlike ${unlike.join(" and ")}` : ""}` : "";
    const searched = examples ? `${examples}${parsed.text ? ` that fit "${parsed.text}"` : ""}` : parsed.text ? `"${parsed.text}"` : "by filters only";
    lines.push(`Understood: ${what}; searching ${searched}. Use --no-parse to search the words as typed.`, "");
  }
  if (response.results.length === 0) {
    lines.push("No results.");
    return lines.join("\n");
  }
  const rows = response.results.map((r, i) => [offset + i + 1, r.score.toFixed(4), r.title, r.year, r.id]);
  const rendered = table(["#", "score", "title", "year", "id"], rows).split("\n");
  if (!explain) return [...lines, ...rendered].join("\n");
  lines.push(...rendered.slice(0, 2));
  response.results.forEach((r, i) => lines.push(rendered[i + 2]!, ...explainLines(r)));
  return lines.join("\n");
}

export const searchCommand: Command = {
  name: "search",
  usage: 'search "<query>" [--mode hybrid|semantic|keyword|title] [filters] [-k 10] [--offset 0] [--explain]',
  summary: "Search the collection; prints a table, or JSON with --json.",
  options: {
    mode: { type: "string", arg: "MODE", help: SEARCH_MODES.join(" | "), default: "hybrid" },
    alpha: { type: "string", arg: "A", help: "hybrid with --fusion convex: weight of the semantic side, 0 (keyword only) to 1 (semantic only)", default: DEFAULT_ALPHA },
    fusion: { type: "string", arg: "F", help: `hybrid: ${FUSIONS.join(" | ")} (learned: the trained ranking model; rrf: reciprocal rank fusion, k = 60)`, default: "learned" },
    prior: { type: "string", arg: "P", help: `how much the popularity prior counts, 0 (off: relevance alone) to ${MAX_PRIOR}, as a multiple of its learned weight`, default: DEFAULT_PRIOR },
    k: { type: "string", short: "k", arg: "N", help: "results per page", default: DEFAULT_K },
    offset: { type: "string", arg: "N", help: "results to skip", default: 0 },
    year: { type: "string", arg: "FROM..TO", help: "release year, or a range (either end may be left out)" },
    genre: { type: "string", multiple: true, arg: "NAME", help: "genre (repeatable)" },
    "genre-mode": { type: "string", arg: "any|all", help: "with several --genre: any of them, or all", default: "any" },
    "exclude-genre": { type: "string", multiple: true, arg: "NAME", help: "genre the results must not have (repeatable)" },
    "min-rating": { type: "string", arg: "R", help: "minimum average rating (0-10)" },
    "min-votes": { type: "string", arg: "N", help: "minimum number of votes" },
    runtime: { type: "string", arg: "FROM..TO", help: "runtime in minutes, or a range" },
    cast: { type: "string", multiple: true, arg: "NAME", help: "cast member (repeatable; all must appear)" },
    director: { type: "string", multiple: true, arg: "NAME", help: "director (repeatable; any)" },
    language: { type: "string", arg: "CODE", help: "original language (ISO 639-1), when the source has it" },
    explain: { type: "boolean", help: "show each result's keyword and semantic scores, its prior, the ranking model's parts and its matched words" },
    "no-parse": { type: "boolean", help: 'search the words as typed: no filters from phrases such as "90s" or "starring X"' },
  },
  examples: [
    'plotline search "NASA tried to rescue an astronaut stranded on Mars." -k 10',
    'plotline search "90s sci-fi about time travel" --explain',
    'plotline search "a shark attacks a beach town" --mode keyword --year 1970..1989',
    'plotline search "interstelar" --mode title',
  ],
  async run(ctx) {
    const query = ctx.positionals.join(" ");
    if (!query.trim()) throw new InvalidArgumentError("query", 'is empty; usage: plotline search "<query>"');
    const offset = intOption("offset", ctx.values.offset, 0);
    const options = {
      mode: oneOf<SearchMode>("mode", ctx.values.mode, SEARCH_MODES) ?? "hybrid",
      alpha: numberOption("alpha", ctx.values.alpha),
      fusion: oneOf<Fusion>("fusion", ctx.values.fusion, FUSIONS),
      prior: numberOption("prior", ctx.values.prior),
      k: intOption("k", ctx.values.k, DEFAULT_K),
      offset,
      filters: filtersFromOptions(ctx.values),
      parse: !ctx.values["no-parse"],
    };
    const plotline = Plotline.open({ db: ctx.db, readonly: true, onNotice: ctx.notice });
    try {
      const response = await plotline.search(query, options);
      ctx.out(ctx.json ? JSON.stringify(response) : renderSearch(response, offset, Boolean(ctx.values.explain)));
    } finally {
      await plotline.close();
    }
  },
};
