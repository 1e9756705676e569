import { Plotline } from "../../plotline.js";
import type { Command } from "../command.js";
import { bytes, n } from "../format.js";

export const infoCommand: Command = {
  name: "info",
  usage: "info",
  summary: "Show the collection: movie count, embedder, dimensions, size on disk.",
  options: {},
  async run(ctx) {
    const plotline = Plotline.open({ db: ctx.db, readonly: true });
    try {
      const info = plotline.info();
      if (ctx.json) ctx.out(JSON.stringify(info));
      else
        ctx.out(
          [
            `collection  ${info.path}`,
            `movies      ${n(info.count)}`,
            `embedder    ${info.embedder ?? "(none yet)"}`,
            `dimensions  ${info.dims ?? "-"}`,
            `size        ${bytes(info.sizeBytes)}`,
            `trailers    ${n(info.trailers.trailers)}${info.trailers.trailers ? ` (${n(info.trailers.attached)} attached to movies)` : ""}`,
            `updated     ${info.updatedAt ?? "-"}`,
            `index       ${info.index.config.type === "auto" ? `auto (${info.index.kind})` : info.index.kind}${info.index.file ? `, ${info.index.file} (${bytes(info.index.bytes ?? 0)}${info.index.fresh ? "" : ", stale: run plotline index"})` : ""}`,
          ].join("\n"),
        );
    } finally {
      await plotline.close();
    }
  },
};
