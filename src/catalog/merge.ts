import type { Movie } from "./movie.js";

/**
 * Normalised title for matching across catalogs: Unicode-decomposed without accents, lower
 * case, "&" read as "and", punctuation dropped, a trailing ", The" moved to the front, spaces
 * collapsed. "WALL·E" and "Wall-E" both become "wall e"; "Amélie" becomes "amelie".
 */
export function normalizeTitle(title: string): string {
  let t = title.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase();
  t = t.replace(/&/g, " and ");
  const article = /^(.*),\s*(the|a|an)$/.exec(t.trim());
  if (article) t = `${article[2]} ${article[1]}`;
  return t
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .replace(/\s+/g, " ");
}

function key(title: string, year: number | null): string | null {
  const t = normalizeTitle(title);
  return t && year !== null ? `${t}|${year}` : null;
}

export interface MergeOptions {
  /** Years a match may differ by when no film has the exact year (festival vs release dates). Default 1. */
  yearTolerance?: number;
  /** Keep secondary films that matched nothing as movies of their own. Default true. */
  keepUnmatched?: boolean;
}

export interface MergeReport {
  primary: { source: string; movies: number };
  secondary: { source: string; movies: number };
  /** Primary movies enriched with a secondary film's summary. */
  matched: number;
  /** Of those, matched on a year within the tolerance rather than the same year. */
  matchedNearYear: number;
  /** Primary movies with more than one candidate (or sharing their one candidate with another movie): left as they were. */
  ambiguous: number;
  ambiguousExamples: { id: string; title: string; year: number | null; candidates: string[] }[];
  /** Primary movies with no candidate. */
  unmatchedPrimary: number;
  /** Secondary films that enriched nothing; kept as their own movies unless keepUnmatched is false. */
  unmatchedSecondary: number;
  /** Movies after the merge. */
  movies: number;
}

/**
 * Enriches one catalog with another by normalised title + year, as the Weaviate remake of
 * Karpathy's movie search merged TMDB with Wikipedia plots: a primary movie that has exactly
 * one secondary candidate gains that film's summary as `plot` (searchable and embedded with
 * the overview), and its poster when it had none. Candidates are looked up with the same year
 * first, then within `yearTolerance`; a movie with several candidates, or whose candidate
 * several movies claim, is ambiguous and left alone. Secondary films that matched nothing
 * (or ambiguously) are kept as movies of their own.
 */
export function mergeCatalogs(primary: Movie[], secondary: Movie[], options: MergeOptions = {}): { movies: Movie[]; report: MergeReport } {
  const tolerance = options.yearTolerance ?? 1;
  const keepUnmatched = options.keepUnmatched ?? true;
  const byKey = new Map<string, number[]>();
  secondary.forEach((m, i) => {
    const k = key(m.title, m.year);
    if (!k) return;
    const list = byKey.get(k);
    if (list) list.push(i);
    else byKey.set(k, [i]);
  });

  const candidatesOf = (m: Movie): { found: number[]; near: boolean } => {
    const exact = key(m.title, m.year);
    if (!exact) return { found: [], near: false };
    const same = byKey.get(exact);
    if (same?.length) return { found: same, near: false };
    const near: number[] = [];
    for (let dy = 1; dy <= tolerance; dy++) {
      for (const y of [m.year! - dy, m.year! + dy]) near.push(...(byKey.get(key(m.title, y)!) ?? []));
    }
    return { found: near, near: true };
  };

  const wanted = primary.map(candidatesOf);
  const claims = new Map<number, number>();
  for (const w of wanted) if (w.found.length === 1) claims.set(w.found[0]!, (claims.get(w.found[0]!) ?? 0) + 1);

  const used = new Set<number>();
  const report: MergeReport = {
    primary: { source: primary[0]?.source ?? "", movies: primary.length },
    secondary: { source: secondary[0]?.source ?? "", movies: secondary.length },
    matched: 0,
    matchedNearYear: 0,
    ambiguous: 0,
    ambiguousExamples: [],
    unmatchedPrimary: 0,
    unmatchedSecondary: 0,
    movies: 0,
  };
  const movies: Movie[] = primary.map((m, i) => {
    const { found, near } = wanted[i]!;
    if (found.length === 0) {
      report.unmatchedPrimary++;
      return m;
    }
    if (found.length > 1 || claims.get(found[0]!)! > 1) {
      report.ambiguous++;
      if (report.ambiguousExamples.length < 20) {
        report.ambiguousExamples.push({ id: m.id, title: m.title, year: m.year, candidates: found.map((j) => secondary[j]!.id) });
      }
      return m;
    }
    const other = secondary[found[0]!]!;
    used.add(found[0]!);
    report.matched++;
    if (near) report.matchedNearYear++;
    const merged: Movie = { ...m, plot: other.overview || undefined };
    if (!merged.posterUrl && other.posterUrl) merged.posterUrl = other.posterUrl;
    if (merged.cast.length === 0 && other.cast.length) merged.cast = [...other.cast];
    return merged;
  });
  const primaryIds = new Set(primary.map((m) => m.id));
  secondary.forEach((m, i) => {
    if (used.has(i)) return;
    report.unmatchedSecondary++;
    if (keepUnmatched && !primaryIds.has(m.id)) movies.push(m);
  });
  report.movies = movies.length;
  return { movies, report };
}
