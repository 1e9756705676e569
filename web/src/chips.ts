import type { Filters } from "./api.js";
import { h } from "./dom.js";
import { emptyFilters, LIST_FILTERS, type FilterParams } from "./url.js";

/** One removable filter: its label, and the filter parameters left when it is removed. */
export interface Chip {
  label: string;
  kind: "explicit" | "parsed";
  /** Stable name for tests and styling, e.g. `genre` or `year`. */
  key: string;
}

function range(a: number | undefined, b: number | undefined, unit = ""): string {
  if (a !== undefined && b !== undefined) return a === b ? `${a}${unit}` : `${a}–${b}${unit}`;
  if (a !== undefined) return `from ${a}${unit}`;
  return `until ${b}${unit}`;
}

function parseRange(v: string | undefined): [number | undefined, number | undefined] {
  if (!v) return [undefined, undefined];
  const [a, b] = v.includes("..") ? v.split("..") : [v, v];
  return [a ? Number(a) : undefined, b ? Number(b) : undefined];
}

export function rangeParam(min: number | undefined, max: number | undefined): string | undefined {
  if (min === undefined && max === undefined) return undefined;
  if (min !== undefined && min === max) return String(min);
  return `${min ?? ""}..${max ?? ""}`;
}

/** The chips for filter parameters in the URL, each with the parameters that remain without it. */
export function explicitChips(f: FilterParams): { chip: Chip; without: FilterParams }[] {
  const out: { chip: Chip; without: FilterParams }[] = [];
  const copy = (): FilterParams => ({ ...f, genre: [...f.genre], exclude_genre: [...f.exclude_genre], cast: [...f.cast], director: [...f.director] });
  if (f.year) {
    const [a, b] = parseRange(f.year);
    out.push({ chip: { label: range(a, b), kind: "explicit", key: "year" }, without: { ...copy(), year: undefined } });
  }
  for (const key of LIST_FILTERS) {
    for (const v of f[key]) {
      const label = key === "cast" ? `with ${v}` : key === "director" ? `by ${v}` : key === "exclude_genre" ? `not ${v}` : v;
      const without = copy();
      without[key] = without[key].filter((x) => x !== v);
      out.push({ chip: { label, kind: "explicit", key }, without });
    }
  }
  if (f.min_rating) out.push({ chip: { label: `★ ${f.min_rating}+`, kind: "explicit", key: "min_rating" }, without: { ...copy(), min_rating: undefined } });
  if (f.min_votes) out.push({ chip: { label: `${f.min_votes}+ votes`, kind: "explicit", key: "min_votes" }, without: { ...copy(), min_votes: undefined } });
  if (f.runtime) {
    const [a, b] = parseRange(f.runtime);
    out.push({ chip: { label: range(a, b, " min"), kind: "explicit", key: "runtime" }, without: { ...copy(), runtime: undefined } });
  }
  if (f.language) out.push({ chip: { label: `language ${f.language}`, kind: "explicit", key: "language" }, without: { ...copy(), language: undefined } });
  return out;
}

/** The engine's parsed filters as URL filter parameters (what is not a filter is left out). */
export function paramsFromFilters(f: Filters): FilterParams {
  const p = emptyFilters();
  p.year = rangeParam(f.yearMin, f.yearMax);
  p.runtime = rangeParam(f.runtimeMin, f.runtimeMax);
  if (f.genres?.length) p.genre = [...f.genres];
  if (f.excludeGenres?.length) p.exclude_genre = [...f.excludeGenres];
  if (f.cast?.length) p.cast = [...f.cast];
  if (f.directors?.length) p.director = [...f.directors];
  if (typeof f.minRating === "number") p.min_rating = String(f.minRating);
  if (typeof f.minVotes === "number") p.min_votes = String(f.minVotes);
  if (typeof f.language === "string") p.language = f.language;
  return p;
}

/**
 * The chips of the films a query named as examples: "more like Alien" for each film to be like,
 * "less like Aliens" for each to be unlike (`parsed.like`, `parsed.examples`).
 */
export function exampleChips(parsed: { like?: string; examples?: { like: { title: string; year: number | null }[]; unlike: { title: string; year: number | null }[] } }): Chip[] {
  const name = (m: { title: string; year: number | null }) => (m.year ? `${m.title} (${m.year})` : m.title);
  const likes = parsed.examples?.like.map(name) ?? (parsed.like ? [parsed.like] : []);
  return [
    ...likes.map((t) => ({ label: `more like ${t}`, kind: "parsed" as const, key: "like" })),
    ...(parsed.examples?.unlike ?? []).map((m) => ({ label: `less like ${name(m)}`, kind: "parsed" as const, key: "unlike" })),
  ];
}

export function chipElement(chip: Chip, onRemove: () => void): HTMLElement {
  return h(
    "li",
    { class: `chip ${chip.kind}`, attrs: { "data-testid": "chip", "data-key": chip.key, "data-kind": chip.kind } },
    h("span", { class: "chip-label" }, chip.label),
    h("button", { class: "chip-remove", attrs: { type: "button", "aria-label": `Remove filter ${chip.label}`, title: "Remove" }, on: { click: onRemove } }, "×"),
  );
}
