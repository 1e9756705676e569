import { InvalidArgumentError } from "../../errors.js";
import { Plotline } from "../../plotline.js";
import { DEFAULT_SIMILAR_K, DEFAULT_SIMILAR_METHOD, SIMILAR_METHODS, type SimilarMethod } from "../../recommend/types.js";
import { intOption, type Command } from "../command.js";
import { FILTER_OPTIONS, parseFilterOptions, parseRankingOptions, RANKING_OPTIONS } from "../list-options.js";
import { recommendTable } from "../recommend-table.js";

export const similarCommand: Command = {
  name: "similar",
  usage: "similar <id|title> [-k 40] [--method knn|svm|tfidf] [--year Y] [--diversity 0.3] [--rerank sentiment] [filters]",
  summary: "List the movies most like one movie (by id or title); a table, or JSON with --json.",
  options: {
    k: { type: "string", short: "k", arg: "N", help: "results", default: DEFAULT_SIMILAR_K },
    method: { type: "string", arg: "METHOD", help: `${SIMILAR_METHODS.join(" | ")}: embedding cosine, exemplar SVM, TF-IDF cosine`, default: DEFAULT_SIMILAR_METHOD },
    year: { type: "string", arg: "YEAR", help: "picks the movie when several share the title" },
    ...RANKING_OPTIONS,
    ...FILTER_OPTIONS,
  },
  examples: [
    'plotline similar "Toy Story" -k 10',
    "plotline similar tt0114709 --method svm --json",
    'plotline similar "Halloween" --year 1978 --diversity 0.3 --rerank sentiment',
    'plotline similar Alien --genre "Science Fiction" --year-range 1990..',
  ],
  async run(ctx) {
    const ref = ctx.positionals.join(" ").trim();
    if (!ref) throw new InvalidArgumentError("movie", 'is missing; usage: plotline similar <id|title>, e.g. plotline similar "Toy Story"');
    const v = ctx.values;
    const plotline = Plotline.open({ db: ctx.db, readonly: true, onNotice: ctx.notice });
    try {
      const response = await plotline.similar(ref, {
        k: intOption("k", v.k, DEFAULT_SIMILAR_K),
        method: v.method as SimilarMethod | undefined,
        year: v.year === undefined ? undefined : intOption("year", v.year, 0),
        ...parseRankingOptions(v),
        filters: parseFilterOptions(v),
      });
      if (ctx.json) ctx.out(JSON.stringify(response));
      else {
        const m = response.movie;
        ctx.out(`More like ${m.title} (${m.year ?? "no year"}) ${m.id}, by ${response.method}:`);
        ctx.out(response.results.length ? recommendTable(response.results) : "No results.");
      }
    } finally {
      await plotline.close();
    }
  },
};
