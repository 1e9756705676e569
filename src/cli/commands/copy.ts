import { resolve } from "node:path";
import { copyCollection, type CopyResult } from "../../copy.js";
import { InvalidArgumentError } from "../../errors.js";
import { Plotline } from "../../plotline.js";
import { backendFor, displayLocation } from "../../store/backends.js";
import { resolveKind } from "../../vector-index/select.js";
import type { Command } from "../command.js";
import { n } from "../format.js";
import { Progress } from "../progress.js";
import { DISTRIBUTION_OPTIONS, distributionOptions } from "../../options/distribution.js";
import { cliFlags, parseCli } from "../../options/option.js";
import { describeOpened } from "./index.js";

const PHASE_LABEL = { read: "reading", write: "writing" } as const;

/** Two locations naming one collection (the same file, or the same URL). */
function sameCollection(a: string, b: string): boolean {
  const file = (x: string) => backendFor(x).schemes.length === 0;
  return file(a) && file(b) ? resolve(a) === resolve(b) : a === b;
}

export const copyCommand: Command = {
  name: "copy",
  usage: "copy --from LOCATION --to LOCATION [--replace] [--shards N --replicas R --write-consistency W]",
  summary: "Copy a collection to another backend or place (SQLite file, postgres://, qdrant://, weaviate:// or pinecone:// URL) with its vectors, without embedding again.",
  options: {
    from: { type: "string", arg: "LOCATION", help: "the collection to copy: a file path or a postgres://, qdrant://, weaviate:// or pinecone:// URL" },
    to: { type: "string", arg: "LOCATION", help: "where to copy it: a file path or a postgres://, qdrant://, weaviate:// or pinecone:// URL (created when missing)" },
    replace: { type: "boolean", help: "replace the movies the target already holds (without it, a target holding movies is an error)" },
    ...cliFlags(DISTRIBUTION_OPTIONS),
  },
  examples: [
    "plotline copy --from plotline.db --to postgres://plotline@db.internal:5432/movies",
    "plotline copy --from postgres://plotline@db.internal/movies --to backup.db",
    "plotline copy --from tmdb.db --to 'postgres://plotline@db.internal/movies?schema=tmdb' --replace",
    "plotline copy --from plotline.db --to qdrant://127.0.0.1:6343/movies --shards 3 --replicas 2 --write-consistency 2",
    "plotline copy --from plotline.db --to weaviate://127.0.0.1:8080/Movies",
    "PINECONE_API_KEY=... plotline copy --from plotline.db --to pinecone://movies/tmdb",
  ],
  async run(ctx) {
    const from = ctx.values.from as string | undefined;
    const to = ctx.values.to as string | undefined;
    if (!from) throw new InvalidArgumentError("--from", "give the collection to copy (a file path, a postgres:// or a qdrant:// URL)");
    if (!to) throw new InvalidArgumentError("--to", "give where to copy it (a file path, a postgres:// or a qdrant:// URL)");
    if (ctx.positionals.length) throw new InvalidArgumentError("copy", `takes no positional arguments (got '${ctx.positionals[0]}'); name the collections with --from and --to`);
    if (sameCollection(from, to)) throw new InvalidArgumentError("--to", `${displayLocation(to)} is the collection copied from`);
    const source = Plotline.open({ db: from, readonly: true, onNotice: ctx.notice });
    let target: Plotline | null = null;
    const progress = new Progress();
    let result: CopyResult;
    let indexLine: string | null = null;
    try {
      // The source's embedder finishes the raw vectors for a target that keeps finished ones
      // (pgvector, Qdrant) and builds a target's own index (SQLite): nothing is embedded.
      const embedder = await source.queryEmbedder();
      const distribution = distributionOptions(parseCli(DISTRIBUTION_OPTIONS, ctx.values));
      target = Plotline.open({ db: to, create: true, embedder, onNotice: ctx.notice, ...(distribution ? { distribution } : {}) });
      result = await copyCollection(source.store, target.store, {
        replace: Boolean(ctx.values.replace),
        finish: (raw, state) => embedder.finish(raw, state),
        onProgress: (p) => progress.update(PHASE_LABEL[p.phase], p.done, p.total, "movies"),
      });
      progress.done();
      // As after an ingest: an approximate index is built and saved now, not by the first search.
      const status = target.store.vectorIndex ? await target.store.vectorIndex.status() : null;
      if (status && resolveKind(status.config.type, result.copied) !== "exact") {
        const opened = await target.prepareIndex(undefined, { onProgress: (done, total) => progress.update("indexing", done, total, "vectors") });
        indexLine = describeOpened(opened);
      }
    } finally {
      progress.done();
      await target?.close();
      await source.close();
    }
    if (ctx.json) ctx.out(JSON.stringify(result));
    else {
      const replaced = result.replaced ? `, ${n(result.replaced)} movies it held no longer there` : "";
      ctx.out(`Copied ${n(result.copied)} movies (${result.embedderId}) from ${result.from} to ${result.to}${replaced} in ${result.seconds.toFixed(1)} s; nothing embedded${result.resumed ? "; an interrupted copy was finished" : ""}`);
      if (indexLine) ctx.out(indexLine);
    }
  },
};
