import { InvalidArgumentError } from "../../errors.js";
import { Plotline } from "../../plotline.js";
import { DEFAULT_K, SEARCH_MODES, type SearchMode } from "../../search/types.js";
import { intOption, type Command } from "../command.js";
import { table } from "../table.js";

export const searchCommand: Command = {
  name: "search",
  usage: 'search "<query>" [--mode semantic] [-k 10] [--offset 0]',
  summary: "Search the collection; prints a table, or JSON with --json.",
  options: {
    mode: { type: "string", arg: "MODE", help: SEARCH_MODES.join(" | "), default: "semantic" },
    k: { type: "string", short: "k", arg: "N", help: "results per page", default: DEFAULT_K },
    offset: { type: "string", arg: "N", help: "results to skip", default: 0 },
  },
  examples: ['plotline search "NASA tried to rescue an astronaut stranded on Mars." -k 10'],
  async run(ctx) {
    const query = ctx.positionals.join(" ");
    if (!query.trim()) throw new InvalidArgumentError("query", 'is empty; usage: plotline search "<query>"');
    const plotline = Plotline.open({ db: ctx.db, readonly: true, onNotice: ctx.notice });
    try {
      const response = await plotline.search(query, {
        mode: (ctx.values.mode as SearchMode | undefined) ?? "semantic",
        k: intOption("k", ctx.values.k, DEFAULT_K),
        offset: intOption("offset", ctx.values.offset, 0),
      });
      if (ctx.json) ctx.out(JSON.stringify(response));
      else if (response.results.length === 0) ctx.out("No results.");
      else {
        const offset = intOption("offset", ctx.values.offset, 0);
        ctx.out(table(["#", "score", "title", "year", "id"], response.results.map((r, i) => [offset + i + 1, r.score.toFixed(4), r.title, r.year, r.id])));
      }
    } finally {
      await plotline.close();
    }
  },
};
