import { InvalidArgumentError } from "../../errors.js";
import { Plotline } from "../../plotline.js";
import type { Command } from "../command.js";

export const removeCommand: Command = {
  name: "remove",
  usage: "remove <id|title|'Title (1999)'...>",
  summary: "Delete movies by id or title; movies not in the collection are reported (with did-you-mean titles) and make the exit code 2.",
  options: {},
  examples: ["plotline remove tt0411951", 'plotline remove "The Martian (2015)"'],
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new InvalidArgumentError("remove", "give at least one movie id or title");
    const plotline = Plotline.open({ db: ctx.db, onNotice: ctx.notice });
    try {
      const { ids, missing, suggestions } = await plotline.resolveMovies(ctx.positionals);
      const { removed, missing: gone } = await plotline.remove([...new Set(ids)]);
      const notFound = [...missing, ...gone];
      if (ctx.json) ctx.out(JSON.stringify({ removed, missing: notFound }));
      else {
        if (removed.length) ctx.out(`Removed ${removed.join(", ")}`);
        for (const ref of notFound) ctx.notice(suggestions[ref] ?? `${ref}: not in the collection`);
      }
      return notFound.length ? 2 : 0;
    } finally {
      await plotline.close();
    }
  },
};
