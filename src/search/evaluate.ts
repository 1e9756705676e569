import { readFileSync } from "node:fs";
import { SourceError } from "../errors.js";
import type { SearchMode, SearchOptions, SearchResponse } from "./types.js";

/**
 * Retrieval quality on a labelled query set. A set is JSON Lines, one query per line:
 * `{"query": "...", "relevant": ["tt0073195", ...], "kind": "plot"}`: `relevant` lists the ids
 * that count as a right answer (all equally right), `kind` (optional) groups queries in the report.
 */
export interface LabelledQuery {
  query: string;
  relevant: string[];
  kind?: string;
}

/**
 * A labelled query set from a file: JSON Lines (`loadQuerySet`), or a description-pair spec
 * (`.json`, `description-pairs.ts`), whose queries are made from the catalogue files it names.
 */
export async function loadQueries(file: string): Promise<LabelledQuery[]> {
  if (/\.json$/i.test(file)) return (await import("./description-pairs.js")).loadPairSet(file);
  return loadQuerySet(file);
}

/** Depth of every metric: the first page a user sees. */
export const EVAL_DEPTH = 10;

/** Reads and checks a query set; errors name the file and line. */
export function loadQuerySet(file: string): LabelledQuery[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new SourceError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  const out: LabelledQuery[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new SourceError(file, `line ${i + 1}: not JSON`);
    }
    const q = v as Partial<LabelledQuery>;
    if (typeof q.query !== "string" || !q.query.trim()) throw new SourceError(file, `line ${i + 1}: "query" must be a non-empty string`);
    if (!Array.isArray(q.relevant) || q.relevant.length === 0 || q.relevant.some((id) => typeof id !== "string")) throw new SourceError(file, `line ${i + 1}: "relevant" must be a non-empty list of ids`);
    if (q.kind !== undefined && typeof q.kind !== "string") throw new SourceError(file, `line ${i + 1}: "kind" must be a string`);
    out.push({ query: q.query, relevant: q.relevant, ...(q.kind ? { kind: q.kind } : {}) });
  });
  if (out.length === 0) throw new SourceError(file, "no queries");
  return out;
}

/** Metrics of one ranked list against its relevant ids. */
export interface QueryMetrics {
  /** Relevant results in the top 1, over min(1, relevant). */
  recall1: number;
  /** Relevant results in the top 10, over min(10, relevant): 1 when the page is as full of right answers as it can be. */
  recall10: number;
  /** 1 / rank of the first relevant result in the top 10 (0 when none). */
  mrr: number;
  /** Binary-relevance nDCG of the top 10, against an ideal list holding every relevant id first. */
  ndcg10: number;
  /** 1 when a relevant result is in the top 3 ("the film people mean is on the first row"), else 0. */
  success3: number;
}

export function metrics(ranked: readonly string[], relevant: readonly string[], depth = EVAL_DEPTH): QueryMetrics {
  const rel = new Set(relevant);
  const top = ranked.slice(0, depth);
  const hits = top.map((id) => rel.has(id));
  const first = hits.indexOf(true);
  let dcg = 0;
  hits.forEach((h, i) => (dcg += h ? 1 / Math.log2(i + 2) : 0));
  let ideal = 0;
  for (let i = 0; i < Math.min(rel.size, depth); i++) ideal += 1 / Math.log2(i + 2);
  return {
    recall1: hits[0] ? 1 : 0,
    recall10: hits.filter(Boolean).length / Math.min(depth, rel.size),
    mrr: first < 0 ? 0 : 1 / (first + 1),
    ndcg10: dcg / ideal,
    success3: first >= 0 && first < 3 ? 1 : 0,
  };
}

export function mean(ms: readonly QueryMetrics[]): QueryMetrics {
  const n = ms.length || 1;
  const sum = (f: keyof QueryMetrics) => ms.reduce((s, m) => s + m[f], 0) / n;
  return { recall1: sum("recall1"), recall10: sum("recall10"), mrr: sum("mrr"), ndcg10: sum("ndcg10"), success3: sum("success3") };
}

/** Anything that searches like `Plotline.search`. */
export type Searcher = (query: string, options: SearchOptions) => Promise<Pick<SearchResponse, "results">>;

export interface ModeReport {
  mode: SearchMode;
  /** Options the mode ran with besides `mode` and `k`. */
  options: Omit<SearchOptions, "mode" | "k">;
  overall: QueryMetrics;
  /** Averages per query kind. */
  byKind: Record<string, QueryMetrics & { queries: number }>;
  /** Per query: its metrics and the rank (1-based) of its first right answer, or null. */
  queries: (QueryMetrics & { query: string; firstRelevant: number | null })[];
}

/** Runs every query in one mode and averages the metrics. */
export async function evaluateMode(search: Searcher, set: readonly LabelledQuery[], mode: SearchMode, options: Omit<SearchOptions, "mode" | "k"> = {}): Promise<ModeReport> {
  const queries: ModeReport["queries"] = [];
  const kinds = new Map<string, QueryMetrics[]>();
  for (const q of set) {
    const response = await search(q.query, { ...options, mode, k: EVAL_DEPTH });
    const ids = response.results.map((r) => r.id);
    const m = metrics(ids, q.relevant);
    const first = ids.findIndex((id) => q.relevant.includes(id));
    queries.push({ query: q.query, ...m, firstRelevant: first < 0 ? null : first + 1 });
    const kind = q.kind ?? "all";
    kinds.set(kind, [...(kinds.get(kind) ?? []), m]);
  }
  const byKind: ModeReport["byKind"] = {};
  for (const [kind, ms] of kinds) byKind[kind] = { ...mean(ms), queries: ms.length };
  return { mode, options, overall: mean(queries), byKind, queries };
}
