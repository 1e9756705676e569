import { InvalidArgumentError } from "../../errors.js";
import { Plotline } from "../../plotline.js";
import { defaultDbPath } from "../../store/open.js";
import type { Command } from "../command.js";
import { DISTRIBUTION_OPTIONS, distributionOptions } from "../../options/distribution.js";
import { cliFlags, parseCli } from "../../options/option.js";
import { n } from "../format.js";
import { Progress } from "../progress.js";

export const copyCommand: Command = {
  name: "copy",
  usage: "copy --to <db|url> [--from <db|url>] [--replace] [--shards N --replicas R --write-consistency W]",
  summary: "Copy a collection to another file or backend (SQLite, Qdrant) with its vectors, without embedding again.",
  options: {
    from: { type: "string", arg: "DB", help: "the collection to copy (default: --db, $PLOTLINE_DB or ./plotline.db)" },
    to: { type: "string", arg: "DB", help: "where to copy it: an SQLite file or a qdrant:// URL (created when missing)" },
    replace: { type: "boolean", help: "replace the movies the target already holds (without it, a target with movies is an error)" },
    ...cliFlags(DISTRIBUTION_OPTIONS),
  },
  examples: [
    "plotline copy --from plotline.db --to qdrant://127.0.0.1:6333/movies",
    "plotline copy --from plotline.db --to qdrant://127.0.0.1:6343/movies --shards 3 --replicas 2 --write-consistency 2",
    "plotline copy --from qdrant://127.0.0.1:6333/movies --to backup.db",
  ],
  async run(ctx) {
    if (ctx.positionals.length) throw new InvalidArgumentError("copy", `unexpected argument '${ctx.positionals[0]}'; give --from and --to`);
    const to = ctx.values.to as string | undefined;
    if (!to) throw new InvalidArgumentError("--to", "give the collection to copy into (a file or a qdrant:// URL)");
    const from = (ctx.values.from as string | undefined) ?? ctx.db ?? defaultDbPath();
    const progress = new Progress();
    let result;
    try {
      result = await Plotline.copy(from, to, {
        replace: Boolean(ctx.values.replace),
        distribution: distributionOptions(parseCli(DISTRIBUTION_OPTIONS, ctx.values)),
        onNotice: ctx.notice,
        onProgress: (p) => progress.update(p.phase === "read" ? "reading" : "writing", p.done, p.total, "movies"),
      });
    } finally {
      progress.done();
    }
    if (ctx.json) ctx.out(JSON.stringify(result));
    else {
      ctx.out(
        `Copied ${n(result.copied)} movies from ${result.from} to ${result.to} (${result.embedderId}) in ${result.seconds.toFixed(1)} s` +
          (result.replaced ? `; ${n(result.replaced)} movies the target held were removed` : "") +
          (result.resumed ? "; an interrupted copy was finished" : ""),
      );
    }
  },
};
