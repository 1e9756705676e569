import { CollectionError } from "../../errors.js";
import { Plotline, type CollectionInfo } from "../../plotline.js";
import type { Command } from "../command.js";
import { bytes, n } from "../format.js";

function indexLine(index: CollectionInfo["index"]): string {
  if (!index) return "kept by the backend";
  const kind = index.config.type === "auto" ? `auto (${index.kind})` : index.kind;
  return `${kind}${index.file ? `, ${index.file} (${bytes(index.bytes ?? 0)}${index.fresh ? "" : ", stale: run plotline index"})` : ""}`;
}

function trailersLine(t: CollectionInfo["trailers"]): string {
  if (!t) return "not kept by the backend";
  return t.trailers ? `${n(t.trailers)} (${n(t.attached)} attached to movies)` : "0";
}

/** The backend's own details, one per line, named as the backend names them (`sizes` in bytes, shown as sizes). */
function detailLines(details: CollectionInfo["details"]): string[] {
  if (!details) return [];
  const width = Math.max(10, ...Object.keys(details).map((k) => k.length));
  return Object.entries(details).map(([key, value]) => {
    const shown =
      value !== null && typeof value === "object"
        ? Object.entries(value)
            .map(([name, b]) => `${name} ${key === "sizes" ? bytes(b) : String(b)}`)
            .join(", ")
        : value === null
          ? "-"
          : String(value);
    return `${key.padEnd(width)} ${shown}`;
  });
}

export const infoCommand: Command = {
  name: "info",
  usage: "info",
  summary: "Show the collection: movie count, embedder, dimensions, size on disk.",
  options: {},
  async run(ctx) {
    const plotline = Plotline.open({ db: ctx.db, readonly: true });
    try {
      // A quick integrity check first: a damaged file must not be shown as a healthy collection.
      if (plotline.store.capabilities.check) {
        const damage = (await plotline.check({ quick: true })).find((f) => !f.ok && f.severity === "error");
        if (damage) throw new CollectionError(`the collection ${plotline.store.location} is damaged: ${damage.check}: ${damage.detail}; run \`plotline check --db ${plotline.store.location}\``);
      }
      const info = await plotline.info();
      if (ctx.json) ctx.out(JSON.stringify(info));
      else
        ctx.out(
          [
            `collection  ${info.path}`,
            `movies      ${n(info.count)}`,
            `embedder    ${info.embedder ?? "(none yet)"}`,
            `dimensions  ${info.dims ?? "-"}`,
            `backend     ${info.backend}`,
            `size        ${info.sizeBytes === null ? "-" : bytes(info.sizeBytes)}`,
            `trailers    ${trailersLine(info.trailers)}`,
            `updated     ${info.updatedAt ?? "-"}`,
            `index       ${indexLine(info.index)}`,
            ...detailLines(info.details),
          ].join("\n"),
        );
    } finally {
      await plotline.close();
    }
  },
};
