import { RECOMMEND_OPTIONS, recommendOptions } from "../../options/commands.js";
import { cliFlags, parseCli } from "../../options/option.js";
import { Plotline } from "../../plotline.js";
import type { Command } from "../command.js";
import { recommendTable, scoreLegend } from "../recommend-table.js";

export const recommendCommand: Command = {
  name: "recommend",
  usage: "recommend --like <id|title> ... [--dislike <id|title> ...] [--strategy average|best|sum] [-k 10] [filters]",
  summary: "Recommend movies from liked and disliked ones; a table, or JSON with --json.",
  options: cliFlags(RECOMMEND_OPTIONS),
  examples: [
    'plotline recommend --like "Toy Story" --like "Finding Nemo" --dislike "Saw (2004)"',
    "plotline recommend --like tt0133093 --strategy best -k 20 --json",
  ],
  async run(ctx) {
    const values = parseCli(RECOMMEND_OPTIONS, ctx.values);
    const options = recommendOptions(values);
    // Bare words are taken as liked movies too, so `plotline recommend Alien` works.
    options.like = [...(options.like ?? []), ...(ctx.positionals.length ? [ctx.positionals.join(" ")] : [])];
    options.dislike ??= [];
    const plotline = Plotline.open({ db: ctx.db, readonly: true, onNotice: ctx.notice });
    try {
      const response = await plotline.recommend(options);
      if (response.unknown.length) ctx.notice(`not in the collection, ignored: ${response.unknown.map((u) => `'${u}'`).join(", ")}`);
      if (ctx.json) ctx.out(JSON.stringify(response));
      else {
        const list = (ms: typeof response.like) => ms.map((m) => `${m.title} (${m.year ?? "no year"})`).join(", ");
        ctx.out(`Recommended (${response.strategy}) for liking ${list(response.like) || "nothing"}${response.dislike.length ? `, disliking ${list(response.dislike)}` : ""}:`);
        ctx.out(response.results.length ? `${recommendTable(response.results, Boolean(values.explain))}\n${scoreLegend(response.strategy, options, Boolean(values.explain))}` : "No results.");
      }
    } finally {
      await plotline.close();
    }
  },
};
