import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { endianness } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import onnxProto from "onnx-proto";
import { InvalidArgumentError, PlotlineError, SourceError } from "../errors.js";
import { bertConfig, buildBertOnnx, type BertConfig } from "./bert-onnx.js";
import { modelsDir, PROVENANCE_FILE } from "./cache-dir.js";
import { SentenceTransformerEmbedder } from "./minilm.js";
import { quantizeMatMulWeights, type QuantizeReport } from "./quantize.js";
import { SafetensorsFile } from "./safetensors.js";

const { onnx } = onnxProto;

/**
 * `plotline models import`: a BERT sentence-transformers checkpoint (`model.safetensors`,
 * `config.json`, `tokenizer.json`, `modules.json` + `1_Pooling/config.json`) turned into the
 * layout transformers.js loads (`<org>/<name>/onnx/model.onnx` + tokenizer files), so the
 * sentence-transformers embedder runs it with no Python or PyTorch. The graph is written by
 * `bert-onnx.ts`; `--int8` adds `onnx/model_quantized.onnx` (`quantize.ts`).
 */

/** Files copied from the checkpoint when present: tokenizer (the first two required), pooling and model card. */
const REQUIRED_TOKENIZER = ["tokenizer.json", "tokenizer_config.json"];
const OPTIONAL_FILES = ["special_tokens_map.json", "vocab.txt", "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json", "README.md", "LICENSE"];
/** sentence-transformers module types this embedder reproduces: transformer, mean pooling, L2 normalisation. */
const TRANSFORMER = "sentence_transformers.models.Transformer";
const POOLING = "sentence_transformers.models.Pooling";
const NORMALIZE = "sentence_transformers.models.Normalize";
const POOLING_MODES = ["pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"];
/** A hub-style model name, as transformers.js accepts for local models. */
const MODEL_NAME = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

/**
 * Sentences the int8 copy is compared with fp32 on at import: plots and queries of several
 * lengths, not from any evaluation set.
 */
export const INT8_CHECK_SENTENCES = [
  "NASA tried to rescue an astronaut stranded on Mars.",
  "A young boy discovers he is a wizard and is invited to study at a school of magic.",
  "Two detectives hunt a serial killer who chooses his victims by the seven deadly sins.",
  "heist",
  "a romantic comedy set in Paris",
  "After his wife dies, a retired balloon salesman ties thousands of balloons to his house and flies to South America, with a boy scout stowed away on the porch.",
  "The crew of a deep-sea drilling platform is sent to destroy an asteroid heading for Earth.",
  "An aging mafia patriarch hands control of his clandestine empire to his reluctant son.",
  "Toys come to life when their owner leaves the room.",
  "A documentary about the last glaciers of the Alps, filmed over ten years.",
  "zombies overrun London",
  "A hacker learns from mysterious rebels that the world he lives in is a computer simulation, and joins their war against its controllers.",
];

export interface ImportOptions {
  /** `org/name` to install as (default: the name the model card loads, `SentenceTransformer('org/name')`). */
  name?: string;
  /** Models folder to install into (default `modelsDir()`: `PLOTLINE_MODELS`, else `~/.cache/plotline/models`). */
  out?: string;
  /** Also write `onnx/model_quantized.onnx`, MatMul weights in int8 (default false). */
  int8?: boolean;
}

export interface ImportedFile {
  file: string;
  bytes: number;
  sha256: string;
}

export interface ImportResult {
  model: string;
  /** Where the model now is: `<out>/<org>/<name>`. */
  dir: string;
  /** The models folder: pass as `localModelPath` / `PLOTLINE_MODELS`. */
  root: string;
  source: { folder: string; safetensorsSha256: string };
  architecture: { type: "bert"; layers: number; hidden: number; heads: number; intermediate: number; activation: string; vocab: number };
  pooling: "mean";
  /** Whether the checkpoint ends in a Normalize module (Plotline's embedder normalises either way). */
  normalize: boolean;
  /** Tokens per text (sentence_bert_config.json's max_seq_length), which the embedder uses. */
  maxTokens: number;
  files: ImportedFile[];
  /** The int8 copy: what was quantized, and its sentence vectors' cosine to fp32's. */
  int8?: QuantizeReport & { sentences: number; minCosine: number; meanCosine: number };
  /** Whether an earlier import of the same name was replaced. */
  replaced: boolean;
}

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new SourceError(file, (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : `cannot read: ${(err as Error).message}`, { cause: err });
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== "object" || v === null) throw new Error("not a JSON object or array");
    return v as Record<string, unknown>;
  } catch (err) {
    throw new SourceError(file, `not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** The name a sentence-transformers model card loads itself by, when it names exactly one. */
function nameFromModelCard(folder: string): string | undefined {
  const card = join(folder, "README.md");
  if (!existsSync(card)) return undefined;
  const names = new Set([...readFileSync(card, "utf8").matchAll(/SentenceTransformer\(\s*['"]([\w.-]+\/[\w.-]+)['"]/g)].map((m) => m[1]!));
  return names.size === 1 ? [...names][0] : undefined;
}

/** Checks modules.json and the pooling config: transformer, mean pooling, optional Normalize, nothing else. */
function checkPipeline(folder: string, hidden: number): { normalize: boolean; poolingConfig: string } {
  const modulesFile = join(folder, "modules.json");
  if (!existsSync(modulesFile)) throw new SourceError(folder, "not a sentence-transformers checkpoint: modules.json not found (it says how token vectors are pooled)");
  const modules = readJson(modulesFile);
  if (!Array.isArray(modules)) throw new SourceError(modulesFile, "expected a JSON array of modules");
  const types = modules.map((m) => String((m as { type?: unknown }).type));
  const other = types.filter((t) => t !== TRANSFORMER && t !== POOLING && t !== NORMALIZE);
  if (other.length) throw new SourceError(modulesFile, `unsupported module ${other.join(", ")}; Plotline runs transformer -> mean pooling -> normalize`);
  if (types[0] !== TRANSFORMER || types[1] !== POOLING || types.length > 3 || (types.length === 3 && types[2] !== NORMALIZE)) {
    throw new SourceError(modulesFile, `unsupported module order ${types.map((t) => t.split(".").pop()).join(" -> ")}; Plotline runs Transformer -> Pooling -> Normalize`);
  }
  const poolingPath = String((modules[1] as { path?: unknown }).path ?? "1_Pooling");
  const poolingConfig = join(folder, poolingPath, "config.json");
  const pooling = readJson(poolingConfig);
  const modes = POOLING_MODES.filter((m) => pooling[m] === true);
  if (pooling.pooling_mode_mean_tokens !== true || modes.length) {
    throw new SourceError(poolingConfig, `unsupported pooling (${[...(pooling.pooling_mode_mean_tokens === true ? ["mean"] : []), ...modes.map((m) => m.replace("pooling_mode_", ""))].join(" + ") || "none"}); Plotline's embedder mean-pools token vectors only`);
  }
  if (pooling.word_embedding_dimension !== undefined && pooling.word_embedding_dimension !== hidden) {
    throw new SourceError(poolingConfig, `word_embedding_dimension ${String(pooling.word_embedding_dimension)} differs from config.json's hidden_size ${hidden}`);
  }
  return { normalize: types[2] === NORMALIZE, poolingConfig };
}

/** Maps BertModel tensor names to the checkpoint's (which may carry a `bert.` prefix, or old gamma/beta LayerNorm names). */
function tensorSource(weights: SafetensorsFile) {
  const prefix = weights.tensors.has("embeddings.word_embeddings.weight") ? "" : weights.tensors.has("bert.embeddings.word_embeddings.weight") ? "bert." : null;
  if (prefix === null) throw new SourceError(weights.path, "no embeddings.word_embeddings.weight tensor: not a BERT checkpoint");
  return (name: string, shape: number[]): Float32Array => {
    let stored = prefix + name;
    if (!weights.tensors.has(stored) && name.includes("LayerNorm.")) stored = prefix + name.replace(/LayerNorm\.weight$/, "LayerNorm.gamma").replace(/LayerNorm\.bias$/, "LayerNorm.beta");
    if (!weights.tensors.has(stored)) throw new SourceError(weights.path, `tensor ${prefix}${name} not found (config.json describes a model it does not hold)`);
    const t = weights.float32(stored);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new SourceError(weights.path, `tensor ${stored} has shape [${t.shape.join(", ")}], config.json implies [${shape.join(", ")}]`);
    }
    return t.data;
  };
}

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), base) : [join(dir, e.name).slice(base.length + 1)])).sort();
}

/** Removes staging folders of imports whose process is gone (killed mid-import). */
function removeStale(root: string): void {
  if (!existsSync(root)) return;
  for (const entry of readdirSync(root)) {
    const m = /^\.import-(\d+)-/.exec(entry);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH") rmSync(join(root, entry), { recursive: true, force: true });
    }
  }
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

/**
 * Converts the checkpoint in `folder` and installs it under `<out>/<name>`. Everything is
 * written into a staging folder inside `out`, loaded back and checked there, then renamed into
 * place: a failed or killed import leaves the models folder as it was. Bad input throws a
 * one-line PlotlineError (exit code 2) naming the file and what is wrong.
 */
export async function importModel(folder: string, options: ImportOptions = {}): Promise<ImportResult> {
  if (endianness() !== "LE") throw new PlotlineError("models import: ONNX raw tensors are little-endian and this machine is not");
  const src = resolve(folder);
  if (!existsSync(src)) throw new SourceError(folder, "folder not found");
  if (!statSync(src).isDirectory()) throw new SourceError(folder, "not a folder (give the checkpoint's folder, the one holding config.json and model.safetensors)");
  const configFile = join(src, "config.json");
  if (!existsSync(configFile)) throw new SourceError(folder, "not a model checkpoint: config.json not found");
  const configJson = readJson(configFile);
  const config: BertConfig = bertConfig(configJson, configFile);

  const weightsFile = join(src, "model.safetensors");
  if (!existsSync(weightsFile)) {
    const others = readdirSync(src).filter((f) => /\.(bin|pt|pth|h5|ckpt|onnx|msgpack)$|safetensors\.index\.json$/.test(f));
    const hint = others.some((f) => f.endsWith(".index.json"))
      ? `found ${others.join(", ")}: sharded checkpoints are not supported`
      : others.length
        ? `found ${others.join(", ")}, which is not read (PyTorch pickles can run code); save the model with safetensors`
        : "the checkpoint has no weights";
    throw new SourceError(folder, `model.safetensors not found (${hint})`);
  }
  for (const f of REQUIRED_TOKENIZER) if (!existsSync(join(src, f))) throw new SourceError(folder, `${f} not found (the tokenizer is needed to run the model)`);
  const { normalize, poolingConfig } = checkPipeline(src, config.hidden);
  const stConfig = existsSync(join(src, "sentence_bert_config.json")) ? readJson(join(src, "sentence_bert_config.json")) : {};
  const maxTokens = typeof stConfig.max_seq_length === "number" ? stConfig.max_seq_length : Math.min(config.maxPositions, Number(readJson(join(src, "tokenizer_config.json")).model_max_length) || config.maxPositions);
  if (!Number.isInteger(maxTokens) || maxTokens < 2 || maxTokens > config.maxPositions) throw new SourceError(join(src, "sentence_bert_config.json"), `max_seq_length ${maxTokens} must be an integer from 2 to max_position_embeddings (${config.maxPositions})`);

  const name = options.name ?? nameFromModelCard(src);
  if (!name) throw new InvalidArgumentError("--name", "give the name to install the model as (org/name); its model card names none");
  if (!MODEL_NAME.test(name)) throw new InvalidArgumentError("--name", `expected org/name (letters, digits, '.', '_', '-'), got '${name}'`);

  // The weights are read and the graph built before anything is written.
  const weights = SafetensorsFile.open(weightsFile);
  let model: onnxProto.onnx.ModelProto;
  try {
    model = buildBertOnnx(config, tensorSource(weights));
  } finally {
    weights.close();
  }
  const fp32 = onnx.ModelProto.encode(model).finish();

  const root = resolve(options.out ?? modelsDir());
  mkdirSync(root, { recursive: true });
  removeStale(root);
  const staging = mkdtempSync(join(root, `.import-${process.pid}-`));
  try {
    const staged = join(staging, name);
    mkdirSync(join(staged, "onnx"), { recursive: true });
    writeFileSync(join(staged, "onnx/model.onnx"), fp32);
    copyFileSync(configFile, join(staged, "config.json"));
    for (const f of [...REQUIRED_TOKENIZER, ...OPTIONAL_FILES]) if (existsSync(join(src, f))) copyFileSync(join(src, f), join(staged, f));
    const poolingDir = basename(dirname(poolingConfig));
    mkdirSync(join(staged, poolingDir), { recursive: true });
    copyFileSync(poolingConfig, join(staged, poolingDir, "config.json"));
    if (!existsSync(join(staged, "sentence_bert_config.json"))) writeFileSync(join(staged, "sentence_bert_config.json"), JSON.stringify({ max_seq_length: maxTokens }, null, 2));

    let int8: ImportResult["int8"];
    let quantReport: QuantizeReport | undefined;
    if (options.int8) {
      quantReport = quantizeMatMulWeights(model);
      writeFileSync(join(staged, "onnx/model_quantized.onnx"), onnx.ModelProto.encode(model).finish());
    }

    // Loaded back through the embedder before it is installed: a model that does not load or
    // gives no finite unit vectors is never put in place.
    const load = (dtype: "fp32" | "q8") => SentenceTransformerEmbedder.load({ model: name, localModelPath: staging, allowRemote: false, dtype });
    const e32 = await load("fp32");
    let v32: Float32Array[];
    try {
      v32 = await e32.embed(INT8_CHECK_SENTENCES);
    } finally {
      await e32.close();
    }
    for (const v of v32) if (v.length !== config.hidden || !v.every(Number.isFinite)) throw new PlotlineError(`models import: the converted model gives ${v.length}-d vectors with non-finite values; nothing was installed`, { exitCode: 1 });
    if (quantReport) {
      const e8 = await load("q8");
      try {
        const v8 = await e8.embed(INT8_CHECK_SENTENCES);
        const cos = v8.map((v, i) => cosine(v, v32[i]!));
        int8 = { ...quantReport, sentences: cos.length, minCosine: Math.min(...cos), meanCosine: cos.reduce((a, b) => a + b, 0) / cos.length };
      } finally {
        await e8.close();
      }
    }

    const source = { folder: src, safetensorsSha256: sha256(weightsFile) };
    const architecture = { type: "bert" as const, layers: config.layers, hidden: config.hidden, heads: config.heads, intermediate: config.intermediate, activation: config.activation, vocab: config.vocabSize };
    writeFileSync(join(staged, PROVENANCE_FILE), JSON.stringify({ model: name, source, architecture, pooling: "mean", normalize, maxTokens, ...(int8 ? { int8 } : {}) }, null, 2));
    const files = listFiles(staged).map((file) => ({ file, bytes: statSync(join(staged, file)).size, sha256: sha256(join(staged, file)) }));

    const dest = join(root, name);
    const replaced = existsSync(dest);
    mkdirSync(dirname(dest), { recursive: true });
    if (replaced) renameSync(dest, join(staging, ".previous"));
    try {
      renameSync(staged, dest);
    } catch (err) {
      if (replaced) renameSync(join(staging, ".previous"), dest);
      throw err;
    }
    return { model: name, dir: dest, root, source, architecture, pooling: "mean", normalize, maxTokens, files, ...(int8 ? { int8 } : {}), replaced };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
