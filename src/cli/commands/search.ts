import { InvalidArgumentError } from "../../errors.js";
import { SEARCH_OPTIONS, searchOptions } from "../../options/commands.js";
import { cliFlags, parseCli } from "../../options/option.js";
import { Plotline } from "../../plotline.js";
import { DEFAULT_FIELD_WEIGHTS } from "../../search/keyword.js";
import { DEFAULT_FUSION, type ExplainedHit, type Fusion, type SearchResponse } from "../../search/types.js";
import type { Command } from "../command.js";
import { nonEnglishNotice } from "../query-language.js";
import { table } from "../table.js";

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

/** What the score column means: it is a different quantity in each mode (and fusion). */
export function searchScoreLegend(response: SearchResponse, fusion: Fusion = DEFAULT_FUSION): string {
  const { parsed, mode } = response;
  if (mode === "title") return "score: title match (exact beats prefix beats a typo; higher is closer)";
  if (parsed.likeId) return `score: cosine similarity to ${parsed.like ?? "the movie"}'s plot embedding (-1..1)`;
  if (!parsed.text.trim()) return "score: popularity (no words to search: the movies the filters keep, most popular first)";
  if (mode === "semantic") return "score: cosine similarity of the query and plot embeddings (-1..1)";
  if (mode === "keyword") return "score: BM25 relevance (unbounded; compare scores within one query only)";
  if (fusion === "rrf" || fusion === "native-rrf") return "score: fused by reciprocal rank, sum of 1 / (60 + rank) over the keyword and semantic lists";
  return "score: fused, alpha x semantic + (1 - alpha) x keyword, each normalised to 0..1 (--explain shows both)";
}

/** The readable form: what was understood, a results table, and with --explain why each result is there. */
export function renderSearch(response: SearchResponse & { keywordRanking?: string }, offset: number, explain: boolean, fusion?: Fusion): string {
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
  if (!explain) return [...lines, ...rendered, searchScoreLegend(response, fusion)].join("\n");
  if (response.keywordRanking) lines.push(`Keyword ranking: ${response.keywordRanking}.`, "");
  lines.push(...rendered.slice(0, 2));
  response.results.forEach((r, i) => lines.push(rendered[i + 2]!, ...explainLines(r)));
  lines.push(searchScoreLegend(response, fusion));
  return lines.join("\n");
}

export const searchCommand: Command = {
  name: "search",
  usage: 'search "<query>" [--mode hybrid|semantic|keyword|title] [filters] [-k 10] [--offset 0] [--explain]',
  summary: "Search the collection; prints a table, or JSON with --json.",
  options: cliFlags(SEARCH_OPTIONS),
  examples: [
    'plotline search "NASA tried to rescue an astronaut stranded on Mars." -k 10',
    'plotline search "90s sci-fi about time travel" --explain',
    'plotline search "a shark attacks a beach town" --mode keyword --year 1970..1989',
    'plotline search "interstelar" --mode title',
  ],
  async run(ctx) {
    const query = ctx.positionals.join(" ");
    if (!query.trim()) throw new InvalidArgumentError("query", 'is empty; usage: plotline search "<query>"');
    const values = parseCli(SEARCH_OPTIONS, ctx.values);
    const options = searchOptions(values);
    const offset = options.offset ?? 0;
    const plotline = Plotline.open({ db: ctx.db, readonly: true, onNotice: ctx.notice });
    try {
      const explain = Boolean(values.explain);
      const found = await plotline.search(query, options);
      const foreign = found.mode === "title" ? null : nonEnglishNotice(query);
      if (foreign) ctx.notice(foreign);
      // Backends rank keywords differently (FTS5's BM25, pg_textsearch, ts_rank_cd): --explain says which ran.
      const keywordSide = explain && found.mode !== "semantic" && found.mode !== "title" && plotline.store.capabilities.keyword;
      const response = keywordSide ? { ...found, keywordRanking: await plotline.store.keywordRanking(DEFAULT_FIELD_WEIGHTS) } : found;
      ctx.out(ctx.json ? JSON.stringify(response) : renderSearch(response, offset, explain, options.fusion));
    } finally {
      await plotline.close();
    }
  },
};
