import { Plotline, type CollectionInfo } from "../../plotline.js";
import type { Command } from "../command.js";
import { bytes, n } from "../format.js";

function indexLine(index: CollectionInfo["index"]): string {
  if (!index) return "kept by the backend";
  const kind = index.config.type === "auto" ? `auto (${index.kind})` : index.kind;
  return `${kind}${index.file ? `, ${index.file} (${bytes(index.bytes ?? 0)}${index.fresh ? "" : ", stale: run plotline index"})` : ""}`;
}

export const infoCommand: Command = {
  name: "info",
  usage: "info",
  summary: "Show the collection: movie count, embedder, dimensions, size on disk.",
  options: {},
  async run(ctx) {
    const plotline = Plotline.open({ db: ctx.db, readonly: true });
    try {
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
            `updated     ${info.updatedAt ?? "-"}`,
            `index       ${indexLine(info.index)}`,
          ].join("\n"),
        );
    } finally {
      await plotline.close();
    }
  },
};
