import { InvalidArgumentError } from "../../errors.js";
import { Plotline } from "../../plotline.js";
import type { Command } from "../command.js";

export const removeCommand: Command = {
  name: "remove",
  usage: "remove <id...>",
  summary: "Delete movies by id; ids not in the collection are reported and make the exit code 2.",
  options: {},
  examples: ["plotline remove tt0411951"],
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new InvalidArgumentError("remove", "give at least one movie id");
    const plotline = Plotline.open({ db: ctx.db });
    try {
      const { removed, missing } = await plotline.remove(ctx.positionals);
      if (ctx.json) ctx.out(JSON.stringify({ removed, missing }));
      else {
        if (removed.length) ctx.out(`Removed ${removed.join(", ")}`);
        for (const id of missing) ctx.notice(`${id}: not in the collection`);
      }
      return missing.length ? 2 : 0;
    } finally {
      await plotline.close();
    }
  },
};
