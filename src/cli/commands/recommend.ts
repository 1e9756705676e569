import { Plotline } from "../../plotline.js";
import { DEFAULT_RECOMMEND_K, RECOMMEND_STRATEGIES, type RecommendStrategy } from "../../recommend/types.js";
import { intOption, type Command } from "../command.js";
import { FILTER_OPTIONS, parseFilterOptions, parseRankingOptions, RANKING_OPTIONS } from "../list-options.js";
import { recommendTable } from "../recommend-table.js";

export const recommendCommand: Command = {
  name: "recommend",
  usage: "recommend --like <id|title> ... [--dislike <id|title> ...] [--strategy average|best|sum] [-k 10] [filters]",
  summary: "Recommend movies from liked and disliked ones; a table, or JSON with --json.",
  options: {
    like: { type: "string", multiple: true, arg: "MOVIE", help: "a liked movie: id, title, or 'Title (1999)' (repeat)" },
    dislike: { type: "string", multiple: true, arg: "MOVIE", help: "a disliked movie (repeat)" },
    strategy: { type: "string", arg: "NAME", help: `${RECOMMEND_STRATEGIES.join(" | ")}: near 2 x mean(likes) - mean(dislikes), best like pushed down by dislikes, or sum of like cosines minus dislike cosines`, default: "average" },
    k: { type: "string", short: "k", arg: "N", help: "results", default: DEFAULT_RECOMMEND_K },
    ...RANKING_OPTIONS,
    ...FILTER_OPTIONS,
  },
  examples: [
    'plotline recommend --like "Toy Story" --like "Finding Nemo" --dislike "Saw (2004)"',
    "plotline recommend --like tt0133093 --strategy best -k 20 --json",
  ],
  async run(ctx) {
    const v = ctx.values;
    // Bare words are taken as liked movies too, so `plotline recommend Alien` works.
    const like = [...((v.like as string[] | undefined) ?? []), ...(ctx.positionals.length ? [ctx.positionals.join(" ")] : [])];
    const plotline = Plotline.open({ db: ctx.db, readonly: true, onNotice: ctx.notice });
    try {
      const response = await plotline.recommend({
        like,
        dislike: (v.dislike as string[] | undefined) ?? [],
        strategy: v.strategy as RecommendStrategy | undefined,
        k: intOption("k", v.k, DEFAULT_RECOMMEND_K),
        ...parseRankingOptions(v),
        filters: parseFilterOptions(v),
      });
      if (response.unknown.length) ctx.notice(`not in the collection, ignored: ${response.unknown.map((u) => `'${u}'`).join(", ")}`);
      if (ctx.json) ctx.out(JSON.stringify(response));
      else {
        const list = (ms: typeof response.like) => ms.map((m) => `${m.title} (${m.year ?? "no year"})`).join(", ");
        ctx.out(`Recommended (${response.strategy}) for liking ${list(response.like) || "nothing"}${response.dislike.length ? `, disliking ${list(response.dislike)}` : ""}:`);
        ctx.out(response.results.length ? recommendTable(response.results) : "No results.");
      }
    } finally {
      await plotline.close();
    }
  },
};
