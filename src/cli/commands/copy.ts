import { copyCollection } from "../../copy.js";
import { embedderForId } from "../../embed/registry.js";
import { InvalidArgumentError } from "../../errors.js";
import { defaultDbPath, openStore } from "../../store/open.js";
import type { Command } from "../command.js";
import { Progress } from "../progress.js";

export const copyCommand: Command = {
  name: "copy",
  usage: "copy --to <collection> [--db <collection>] [--replace]",
  summary: "Copy a collection to another store (SQLite, Weaviate, Pinecone) with its vectors, without embedding again.",
  options: {
    to: { type: "string", arg: "URL|PATH", help: "the target: an SQLite file, weaviate://host:8080/Name, or pinecone://INDEX[/namespace]" },
    replace: { type: "boolean", help: "replace the movies the target already holds (otherwise a target with movies is an error)" },
  },
  examples: [
    "plotline copy --to weaviate://127.0.0.1:8080/Movies",
    "plotline copy --db weaviate://127.0.0.1:8080/Movies --to movies.db",
    "PINECONE_API_KEY=... plotline copy --to pinecone://movies/tmdb",
  ],
  async run(ctx) {
    const to = typeof ctx.values.to === "string" ? ctx.values.to.trim() : "";
    if (!to) throw new InvalidArgumentError("--to", "name the target collection (a file path or a weaviate:// or pinecone:// URL)");
    const fromLocation = ctx.db ?? defaultDbPath();
    if (to === fromLocation) throw new InvalidArgumentError("--to", "is the collection being copied");
    const from = openStore(fromLocation, { readonly: true, onNotice: ctx.notice });
    const target = openStore(to, { create: true, onNotice: ctx.notice });
    const progress = new Progress();
    try {
      const manifest = await from.manifest();
      // The target keeps finished vectors (or builds its index from them): the source's embedder finishes them.
      const embedder = manifest ? await embedderForId(manifest.embedderId, { onNotice: ctx.notice }) : null;
      try {
        const result = await copyCollection(from, target, {
          replace: Boolean(ctx.values.replace),
          ...(embedder ? { finish: (raw: Float32Array, state: Parameters<typeof embedder.finish>[1]) => embedder.finish(raw, state) } : {}),
          onProgress: (p) => progress.update(p.phase === "read" ? "reading" : "writing", p.done, p.total, "movies"),
        });
        progress.done();
        if (ctx.json) ctx.out(JSON.stringify(result));
        else ctx.out(`Copied ${result.copied} movies from ${result.from} to ${result.to}${result.replaced ? ` (replaced ${result.replaced})` : ""} in ${result.seconds.toFixed(1)} s`);
      } finally {
        await embedder?.close();
      }
    } finally {
      progress.done();
      await from.close();
      await target.close();
    }
  },
};
