import { InvalidArgumentError } from "../../errors.js";
import { SEARCH_OPTIONS } from "../../options/commands.js";
import { cliFlags, parseCli } from "../../options/option.js";
import { Plotline } from "../../plotline.js";
import { evaluateMode, loadQueries, type ModeReport, type QueryMetrics } from "../../search/evaluate.js";
import { DEFAULT_ALPHA } from "../../search/hybrid.js";
import { DEFAULT_PRIOR, SEARCH_MODES, type Fusion, type SearchMode, type SearchOptions } from "../../search/types.js";
import type { Command } from "../command.js";
import { table } from "../table.js";

/**
/**
 * Rows that run `hybrid` with another fusion than the default (learned): `convex` and `rrf`
 * (listed by default), and the backend's own fusions where it has them (`native-rrf`,
 * `native-relative`, `native-dbsf`).
 */
const FUSION_ROWS = ["convex", "rrf", "native-rrf", "native-relative", "native-dbsf"] as const satisfies readonly Fusion[];
const DEFAULT_MODES = ["hybrid", "convex", "rrf", "keyword", "semantic"];
/** Search's own `prior` and `alpha` options (src/options/), so eval reads them as search does. */
const RANKING_SPECS = SEARCH_OPTIONS.filter((spec) => spec.key === "prior" || spec.key === "alpha");
/** Alphas `--sweep-alpha` tries: 0 to 1 in steps of 0.05. */
const SWEEP = Array.from({ length: 21 }, (_, i) => Math.round(i * 5) / 100);

const f3 = (v: number) => v.toFixed(3);
const cells = (m: QueryMetrics) => [f3(m.recall1), f3(m.recall10), f3(m.mrr), f3(m.ndcg10), f3(m.success3)];
const HEAD = ["Recall@1", "Recall@10", "MRR", "nDCG@10", "Success@3"];

function label(r: ModeReport): string {
  const prior = r.options.prior === 0 ? ", prior off" : r.options.prior !== undefined && r.options.prior !== DEFAULT_PRIOR ? `, prior x${r.options.prior}` : "";
  if (r.mode !== "hybrid") return `${r.mode}${prior ? ` (${prior.slice(2)})` : ""}`;
  if (r.options.fusion === "rrf") return `hybrid (rrf, k=60${prior})`;
  if (r.options.fusion === "convex") return `hybrid (convex, alpha ${r.options.alpha ?? DEFAULT_ALPHA}${prior})`;
  // The backend's fusions take no prior. Weaviate's weigh their two sides by alpha (its rankedFusion as well); Qdrant's dbsf weighs none.
  if (r.options.fusion === "native-dbsf") return "hybrid (native-dbsf)";
  if (r.options.fusion?.startsWith("native-")) return `hybrid (${r.options.fusion}, alpha ${r.options.alpha ?? DEFAULT_ALPHA})`;
  return `hybrid (learned${prior})`;
}

export const evalCommand: Command = {
  name: "eval",
  usage: "eval <queries.jsonl|pairs.json> [--modes hybrid,convex,rrf,native-rrf,native-relative,native-dbsf,keyword,semantic] [--prior P] [--alpha A] [--sweep-alpha] [--by-kind]",
  summary: "Measure search quality on a labelled query set: Recall@1, Recall@10, MRR, nDCG@10 and Success@3 per mode.",
  options: {
    modes: { type: "string", arg: "LIST", help: `comma-separated: ${SEARCH_MODES.join(", ")} (hybrid: learned fusion), ${FUSION_ROWS.join(", ")} (hybrid with that fusion)`, default: DEFAULT_MODES.join(",") },
    ...cliFlags(RANKING_SPECS),
    "sweep-alpha": { type: "boolean", help: "also run hybrid (convex) at alpha 0, 0.05, ..., 1" },
    "by-kind": { type: "boolean", help: "also break the metrics down by the queries' kind" },
    "no-parse": { type: "boolean", help: "search the queries as typed, without query understanding" },
  },
  examples: [
    "plotline eval eval/tmdb-queries.jsonl",
    "plotline eval eval/everyday-queries.jsonl --by-kind",
    "plotline eval eval/description-pairs.json --modes hybrid,convex",
    "plotline eval eval/tmdb-queries.jsonl --modes convex --prior 0 --sweep-alpha --json",
  ],
  async run(ctx) {
    const file = ctx.positionals[0];
    if (!file || ctx.positionals.length > 1) throw new InvalidArgumentError("queries", "give one labelled query file (JSON Lines, or a description-pair spec .json); usage: plotline eval <queries.jsonl>");
    const set = await loadQueries(file);
    const modes = String(ctx.values.modes ?? DEFAULT_MODES.join(","))
      .split(",")
      .map((m) => m.trim())
      .filter(Boolean);
    const isFusionRow = (m: string): m is (typeof FUSION_ROWS)[number] => (FUSION_ROWS as readonly string[]).includes(m);
    for (const m of modes) if (!isFusionRow(m) && !(SEARCH_MODES as readonly string[]).includes(m)) throw new InvalidArgumentError("--modes", `unknown mode '${m}' (modes: ${[...SEARCH_MODES, ...FUSION_ROWS].join(", ")})`);
    // Bounds are the library's to check (search throws the one error naming the option).
    const { alpha, prior } = parseCli(RANKING_SPECS, ctx.values) as { alpha?: number; prior?: number };
    const parse = !ctx.values["no-parse"];
    const plotline = Plotline.open({ db: ctx.db, readonly: true, onNotice: ctx.notice });
    try {
      const search = (q: string, o: SearchOptions) => plotline.search(q, o);
      const reports: ModeReport[] = [];
      for (const m of modes) {
        const mode: SearchMode = isFusionRow(m) ? "hybrid" : (m as SearchMode);
        const options: Omit<SearchOptions, "mode" | "k"> = { parse };
        if (prior !== undefined) options.prior = prior;
        if (mode === "hybrid") {
          options.fusion = isFusionRow(m) ? m : "learned";
          // The learned model and Plotline's RRF take no alpha; every other fusion weighs the sides by it.
          if (m !== "rrf" && m !== "hybrid") options.alpha = alpha ?? (await plotline.defaultAlpha()) ?? DEFAULT_ALPHA;
        }
        reports.push(await evaluateMode(search, set, mode, options));
      }
      const sweep: { alpha: number; overall: QueryMetrics }[] = [];
      if (ctx.values["sweep-alpha"]) {
        for (const a of SWEEP) sweep.push({ alpha: a, overall: (await evaluateMode(search, set, "hybrid", { parse, fusion: "convex", alpha: a, ...(prior !== undefined ? { prior } : {}) })).overall });
      }
      if (ctx.json) {
        ctx.out(JSON.stringify({ file, queries: set.length, embedder: (await plotline.info()).embedder, modes: reports.map((r) => ({ ...r, label: label(r) })), ...(sweep.length ? { sweep } : {}) }));
        return;
      }
      const lines = [`${set.length} queries from ${file}; collection ${(await plotline.info()).embedder}`, "", table(["mode", ...HEAD], reports.map((r) => [label(r), ...cells(r.overall)]))];
      if (ctx.values["by-kind"]) {
        for (const r of reports) {
          lines.push("", `${label(r)} by kind:`, table(["kind", "queries", ...HEAD], Object.entries(r.byKind).map(([kind, m]) => [kind, m.queries, ...cells(m)])));
        }
      }
      if (sweep.length) lines.push("", "hybrid (convex) by alpha:", table(["alpha", ...HEAD], sweep.map((s) => [s.alpha.toFixed(2), ...cells(s.overall)])));
      ctx.out(lines.join("\n"));
    } finally {
      await plotline.close();
    }
  },
};
