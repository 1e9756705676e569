import { InvalidArgumentError } from "../../errors.js";
import { HNSW_QUANTIZATIONS, type HnswParams } from "../../vector-index/hnsw.js";
import type { IvfPqParams } from "../../vector-index/ivfpq.js";
import { INDEX_TYPES, parseIndexType, type IndexConfig } from "../../vector-index/select.js";
import { CapabilityError } from "../../errors.js";
import { Plotline } from "../../plotline.js";
import type { PreparedIndex } from "../../store/store.js";
import { intOption, type Command, type CommandContext } from "../command.js";
import { bytes, n } from "../format.js";
import { Progress } from "../progress.js";

/** `--name value` options that set index parameters, with the parameter each sets. */
const HNSW_OPTIONS = { m: "M", "ef-construction": "efConstruction", "ef-search": "efSearch" } as const;
const IVFPQ_OPTIONS = { nlist: "nlist", "sub-vectors": "m", nbits: "nbits", nprobe: "nprobe", rerank: "rerank" } as const;

/** The index config the options ask for, on top of the collection's current one; null when none is given. */
export function indexConfigFromOptions(ctx: CommandContext, current: IndexConfig, typeOption = "type"): IndexConfig | null {
  const typeValue = ctx.values[typeOption] as string | undefined;
  const hnsw: Partial<HnswParams> = {};
  const ivfpq: Partial<IvfPqParams> = {};
  for (const [opt, key] of Object.entries(HNSW_OPTIONS)) if (ctx.values[opt] !== undefined) hnsw[key] = intOption(opt, ctx.values[opt], 0);
  for (const [opt, key] of Object.entries(IVFPQ_OPTIONS)) if (ctx.values[opt] !== undefined) ivfpq[key] = intOption(opt, ctx.values[opt], 0);
  const q = ctx.values.quantization as string | undefined;
  if (q !== undefined) {
    if (!(HNSW_QUANTIZATIONS as readonly string[]).includes(q)) throw new InvalidArgumentError("--quantization", `must be one of ${HNSW_QUANTIZATIONS.join(", ")}, got '${q}'`);
    hnsw.quantization = q as HnswParams["quantization"];
  }
  if (typeValue === undefined && !Object.keys(hnsw).length && !Object.keys(ivfpq).length) return null;
  const type = typeValue === undefined ? current.type : parseIndexType(typeValue, `--${typeOption}`);
  return { type, hnsw: { ...current.hnsw, ...hnsw }, ivfpq: { ...current.ivfpq, ...ivfpq } };
}

export const INDEX_PARAM_OPTIONS = {
  m: { type: "string", arg: "N", help: "HNSW links per node (M)", default: 32 },
  "ef-construction": { type: "string", arg: "N", help: "HNSW candidate list while building", default: 128 },
  "ef-search": { type: "string", arg: "N", help: "HNSW candidate list while searching (recall vs speed)", default: 128 },
  quantization: { type: "string", arg: "KIND", help: `HNSW graph's vector storage: ${HNSW_QUANTIZATIONS.join(", ")}`, default: "f32" },
  nlist: { type: "string", arg: "N", help: "IVF-PQ lists (default sqrt(n))" },
  "sub-vectors": { type: "string", arg: "N", help: "IVF-PQ sub-vectors per vector (default dims/8)" },
  nbits: { type: "string", arg: "N", help: "IVF-PQ bits per code", default: 8 },
  nprobe: { type: "string", arg: "N", help: "IVF-PQ lists searched per query (default max(8, nlist/4))" },
  rerank: { type: "string", arg: "N", help: "IVF-PQ candidates re-scored exactly", default: 256 },
} as const;

export function describeOpened(o: PreparedIndex): string {
  const what = { exact: "exact (the vectors are the index; nothing to save)", loaded: "loaded as saved", synced: `caught up with ${n(o.changes)} changed movies`, built: "built" }[o.status];
  return `Index ${o.kind}: ${n(o.size)} vectors, ${what} in ${o.seconds.toFixed(1)} s${o.saved ? `; saved ${o.saved}` : ""}`;
}

export const indexCommand: Command = {
  name: "index",
  usage: "index [--type auto|exact|hnsw|ivfpq] [--rebuild] [HNSW or IVF-PQ parameters]",
  summary: "Choose, build and save the collection's vector index; without options, show it.",
  options: {
    type: { type: "string", arg: "TYPE", help: `${INDEX_TYPES.join(" | ")} (auto: exact below 50,000 movies, else hnsw)` },
    rebuild: { type: "boolean", help: "build from the vectors even if the saved index is fresh" },
    ...INDEX_PARAM_OPTIONS,
  },
  examples: ["plotline index --type hnsw --ef-search 64", "plotline index --type ivfpq --nlist 200 --nprobe 16", "plotline index"],
  async run(ctx) {
    const plotline = Plotline.open({ db: ctx.db, onNotice: ctx.notice });
    const progress = new Progress();
    try {
      const status = (await plotline.info()).index;
      if (!status) throw new CapabilityError("vectorIndex", `the ${plotline.store.kind} store configures its vector index itself; plotline index applies to SQLite collections`);
      const config = indexConfigFromOptions(ctx, status.config);
      if (!config && !ctx.values.rebuild) {
        if (ctx.json) ctx.out(JSON.stringify(status));
        else
          ctx.out(
            [
              `index       ${status.config.type}${status.config.type === "auto" ? ` (${status.kind})` : ""}`,
              `file        ${status.file ?? "-"}${status.bytes !== null ? ` (${bytes(status.bytes)})` : ""}`,
              `fresh       ${status.fresh === null ? "-" : status.fresh ? "yes" : "no: run 'plotline index' to catch up"}`,
            ].join("\n"),
          );
        return;
      }
      const opened = await plotline.prepareIndex(config ?? status.config, {
        rebuild: Boolean(ctx.values.rebuild),
        onProgress: (done, total) => progress.update("indexing", done, total, "vectors"),
      });
      progress.done();
      if (ctx.json) ctx.out(JSON.stringify({ kind: opened.kind, status: opened.status, size: opened.size, changes: opened.changes, seconds: opened.seconds, file: opened.saved }));
      else ctx.out(describeOpened(opened));
    } finally {
      progress.done();
      await plotline.close();
    }
  },
};
