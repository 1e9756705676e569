import { InvalidArgumentError } from "../../errors.js";
import { SIMILAR_OPTIONS, similarOptions } from "../../options/commands.js";
import { cliFlags, parseCli } from "../../options/option.js";
import { Plotline } from "../../plotline.js";
import type { Command } from "../command.js";
import { recommendTable, scoreLegend } from "../recommend-table.js";

export const similarCommand: Command = {
  name: "similar",
  usage: "similar <id|title|trailer file> [-k 40] [--method knn|svm|tfidf] [--movie-year Y] [--diversity 0.3] [--rerank sentiment | --sentiment 0.3] [filters]",
  summary: "List the movies most like one movie (by id, title or trailer file name); a table, or JSON with --json.",
  options: cliFlags(SIMILAR_OPTIONS),
  examples: [
    'plotline similar "Toy Story" -k 10',
    "plotline similar tt0114709 --method svm --json",
    'plotline similar "Halloween" --movie-year 1978 --diversity 0.3 --rerank sentiment',
    'plotline similar Alien --genre "Science Fiction" --year 1990..',
    'plotline similar "The Martian (2015) Official Trailer.mp4" --sentiment 0.3 --language en',
  ],
  async run(ctx) {
    const ref = ctx.positionals.join(" ").trim();
    if (!ref) throw new InvalidArgumentError("movie", 'is missing; usage: plotline similar <id|title>, e.g. plotline similar "Toy Story"');
    const values = parseCli(SIMILAR_OPTIONS, ctx.values);
    const options = similarOptions(values);
    const plotline = Plotline.open({ db: ctx.db, readonly: true, onNotice: ctx.notice });
    try {
      const response = await plotline.similar(ref, options);
      if (ctx.json) ctx.out(JSON.stringify(response));
      else {
        const m = response.movie;
        ctx.out(`More like ${m.title} (${m.year ?? "no year"}) ${m.id}, by ${response.method}:`);
        ctx.out(response.results.length ? `${recommendTable(response.results, Boolean(values.explain))}\n${scoreLegend(response.method, options, Boolean(values.explain))}` : "No results.");
      }
    } finally {
      await plotline.close();
    }
  },
};
