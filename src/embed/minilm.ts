import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { PlotlineError } from "../errors.js";
import { DEFAULT_HUB, DEFAULT_HUB_TIMEOUT_MS, firstLine, probeHub, serialLoad, withSlash, type Transformers } from "../models/hub.js";
import { modelsDir } from "./cache-dir.js";
import type { Embedder, EmbedderState, EmbeddingTextKind } from "./embedder.js";
import { normalize } from "./embedder.js";

/** The default sentence-transformers model: all-MiniLM-L6-v2 as exported to ONNX by Xenova. */
export const DEFAULT_MODEL = "Xenova/all-MiniLM-L6-v2";
/**
 * all-MiniLM-L6-v2 converted from sentence-transformers' own checkpoint by `plotline models
 * import` (the name its model card loads). The same weights as `DEFAULT_MODEL` in another ONNX
 * file, so another embedder id: a collection keeps the export it was built with.
 */
export const IMPORTED_MINILM = "sentence-transformers/all-MiniLM-L6-v2";
/**
 * The exports the `minilm` embedder loads, in this order, whichever has every file on disk
 * first; with neither on disk, `DEFAULT_MODEL` from the hub (what users with a hub have
 * always loaded).
 */
export const MINILM_MODELS = [DEFAULT_MODEL, IMPORTED_MINILM] as const;
/**
 * Default hybrid (convex) weight of the semantic side on all-MiniLM-L6-v2 collections: 0.45,
 * from `plotline eval eval/tmdb-queries.jsonl --sweep-alpha` on the TMDB minilm collection
 * (95 queries, alpha 0 to 1 in steps of 0.05), by glove's rule (`GLOVE_HYBRID_ALPHA`): the best
 * Recall@10 within one query (1/95) of the sweep's best, then the best MRR. Recall@10 peaks at
 * 0.55 (0.934, MRR 0.720); 0.45 gives 0.926 and MRR 0.758 (0.35, glove's: 0.916 and 0.756;
 * keyword alone 0.869 and 0.702; semantic alone 0.801 and 0.588). The same rule on glove's
 * sweep gives its 0.35: a stronger semantic side earns more weight.
 */
export const MINILM_HYBRID_ALPHA = 0.45;
/** sentence-transformers' max_seq_length for all-MiniLM-L6-v2; longer texts are truncated. */
export const DEFAULT_MAX_TOKENS = 256;
/** Texts per forward pass; the seeds encode in batches of 32. */
export const DEFAULT_BATCH = 32;
// The hub and its timeout are those every transformers.js model shares (src/models/hub.ts).
export { DEFAULT_HUB, DEFAULT_HUB_TIMEOUT_MS };

export interface SentenceTransformerOptions {
  /** Hub-style name (`org/name`), looked up under `localModelPath`, then the cache, then the hub. */
  model?: string;
  /** A folder laid out as `<org>/<name>/...` (default: Plotline's models folder, `modelsDir()`: `PLOTLINE_MODELS`, else `~/.cache/plotline/models`). */
  localModelPath?: string;
  /** Whether the hub may be asked (default: true unless `PLOTLINE_OFFLINE=1`). */
  allowRemote?: boolean;
  /** `fp32` (default: `onnx/model.onnx`) or `q8` (`onnx/model_quantized.onnx`). */
  dtype?: "fp32" | "q8";
  /**
   * Tokens per text, [CLS] and [SEP] included (default: the model folder's
   * `sentence_bert_config.json` `max_seq_length` when it has one, as sentence-transformers
   * reads it, else {@link DEFAULT_MAX_TOKENS}).
   */
  maxTokens?: number;
  /** Texts per forward pass (default {@link DEFAULT_BATCH}). */
  batchSize?: number;
  /** Hub revision, part of the embedder id (default `main`). */
  revision?: string;
  /** Model hub base URL (default {@link DEFAULT_HUB}, or `HF_ENDPOINT`). */
  hubUrl?: string;
  /** See {@link DEFAULT_HUB_TIMEOUT_MS}. */
  hubTimeoutMs?: number;
  /** Told, in one line, when model files are about to be downloaded. */
  onNotice?: (message: string) => void;
}

type Tokenizer = Awaited<ReturnType<Transformers["AutoTokenizer"]["from_pretrained"]>>;
type Model = Awaited<ReturnType<Transformers["AutoModel"]["from_pretrained"]>>;

/** One text's token ids, attention mask and (for BERT-style models) token types. */
export interface Encoding {
  input_ids: number[];
  attention_mask: number[];
  token_type_ids?: number[];
}

/** Where the tokenizer puts its special tokens around a single text, and the padding id. */
interface Specials {
  /** Special tokens after the text ([SEP] for BERT): they survive truncation. */
  tail: number;
  pad: number;
}

function tokenize(tokenizer: Tokenizer, text: string): Encoding {
  return tokenizer(text, { return_tensor: false, padding: false, truncation: false }) as unknown as Encoding;
}

/** Finds the special-token layout by tokenising "" and "a": BERT gives [CLS] [SEP] and [CLS] a [SEP]. */
function specialsOf(tokenizer: Tokenizer): Specials {
  const empty = tokenize(tokenizer, "").input_ids;
  const one = tokenize(tokenizer, "a").input_ids;
  let head = 0;
  while (head < empty.length && one[head] === empty[head]) head++;
  const tail = empty.length - head;
  const endsAlike = empty.slice(head).every((id, i) => one[one.length - tail + i] === id);
  return { tail: endsAlike ? tail : 0, pad: (tokenizer as unknown as { pad_token_id?: number }).pad_token_id ?? 0 };
}

/**
 * A sentence-transformers model run through transformers.js (ONNX Runtime): tokenise, run the
 * encoder, mean-pool the token states over the attention mask, L2-normalise; what
 * `SentenceTransformer.encode` does for models with a Pooling(mean) + Normalize head.
 * Batches are sorted by token count so that padding stays small; texts longer than `maxTokens`
 * are cut as sentence-transformers cuts them (see `encode`).
 */
export class SentenceTransformerEmbedder implements Embedder {
  /**
   * Title, tagline, plot, keywords and cast (`embeddingText`), as for glove, chosen by
   * measurement on the TMDB collection with all-MiniLM-L6-v2 against the plot alone (what the
   * seeds embed): semantic MRR 0.588 against 0.494 and Recall@10 0.801 against 0.679 on
   * `eval/tmdb-queries.jsonl`; a franchise sibling in the top 10 for 40/40 of
   * `eval/siblings.json` by kNN and by SVM, against 37 and 35. Hybrid search is the one use
   * the plot alone served a little better (best MRR 0.782 at alpha 0.40 against 0.761), since
   * its keyword side already matches titles, keywords and names. The same for every
   * sentence-transformers model until one is measured otherwise.
   */
  readonly text: EmbeddingTextKind = "full";
  readonly name: string;
  readonly id: string;
  private readonly specials: Specials;

  private constructor(
    readonly model: string,
    readonly dims: number,
    private readonly tokenizer: Tokenizer,
    private readonly encoder: Model,
    readonly maxTokens: number,
    private readonly batchSize: number,
    readonly dtype: string,
    revision: string,
    private readonly Tensor: Transformers["Tensor"],
  ) {
    this.specials = specialsOf(tokenizer);
    this.name = (MINILM_MODELS as readonly string[]).includes(model) ? (dtype === "q8" ? "minilm-q8" : "minilm") : model;
    this.id = `sentence-transformers/${model}@${revision}/${dtype}/mean-norm/${maxTokens}/${dims}`;
  }

  /**
   * Loads tokenizer and ONNX encoder from `localModelPath`, else the transformers.js cache, else
   * the hub. When every file is on disk the network is never touched; when some are missing and
   * the hub is allowed, the hub must answer within `hubTimeoutMs` or loading fails at once.
   * Throws a one-line PlotlineError saying what is missing and where it looked.
   */
  static load(options: SentenceTransformerOptions = {}): Promise<SentenceTransformerEmbedder> {
    // One queue with every other transformers.js load (whisper's too): they share its `env`.
    return serialLoad(() => SentenceTransformerEmbedder.loadNow(options));
  }

  private static async loadNow(options: SentenceTransformerOptions): Promise<SentenceTransformerEmbedder> {
    const model = options.model ?? DEFAULT_MODEL;
    const dtype = options.dtype ?? "fp32";
    const revision = options.revision ?? "main";
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new PlotlineError(`batchSize must be a positive integer, got ${batchSize}`);
    const offlineByEnv = process.env.PLOTLINE_OFFLINE === "1";
    const allowRemote = options.allowRemote ?? !offlineByEnv;
    const hub = withSlash(options.hubUrl ?? (process.env.HF_ENDPOINT || DEFAULT_HUB));

    const t: Transformers = await import("@huggingface/transformers");
    const { missing, localPath, places } = await modelFiles(model, options);
    t.env.localModelPath = withSlash(localPath);
    t.env.allowLocalModels = true;
    t.env.remoteHost = hub;
    const cacheDir = t.env.cacheDir ?? null;
    const maxTokens = options.maxTokens ?? maxSeqLength(model, localPath) ?? DEFAULT_MAX_TOKENS;
    if (!Number.isInteger(maxTokens) || maxTokens < 2) throw new PlotlineError(`maxTokens must be an integer of at least 2, got ${maxTokens}`);
    const files = modelFileNames(dtype);
    const lacking = missing.length === files.length ? `no ${model} files under ${places}` : `${model}: ${missing.join(", ")} not found under ${places}`;
    if (missing.length === 0) {
      // Everything is local: transformers.js would otherwise still ask the hub for optional files.
      t.env.allowRemoteModels = false;
    } else if (!allowRemote) {
      throw new PlotlineError(`${lacking}, and downloads are off${options.allowRemote === undefined && offlineByEnv ? " (PLOTLINE_OFFLINE=1)" : ""}`);
    } else {
      const unreachable = await probeHub(hub, model, revision, options.hubTimeoutMs ?? DEFAULT_HUB_TIMEOUT_MS);
      if (unreachable) throw new PlotlineError(`${lacking}, and the model hub ${hub} cannot be reached (${unreachable}); set PLOTLINE_MODELS to a folder holding ${model}/`);
      t.env.allowRemoteModels = true;
      options.onNotice?.(`downloading ${missing.join(", ")} of ${model} from ${hub}${cacheDir ? ` into ${cacheDir}` : ""}`);
    }

    try {
      const tokenizer = await t.AutoTokenizer.from_pretrained(model, { revision });
      const encoder = await t.AutoModel.from_pretrained(model, { dtype, revision });
      const config = encoder.config as unknown as { hidden_size?: number; dim?: number; d_model?: number };
      const dims = config.hidden_size ?? config.dim ?? config.d_model;
      if (!dims) {
        await (encoder as unknown as { dispose?: () => Promise<void> }).dispose?.();
        throw new Error("config.json has no hidden_size");
      }
      return new SentenceTransformerEmbedder(model, dims, tokenizer, encoder, maxTokens, batchSize, dtype, revision, t.Tensor);
    } catch (err) {
      throw new PlotlineError(`cannot load model ${model} from ${places}${missing.length ? " or the hub" : ""}: ${firstLine(err)}`, { cause: err });
    }
  }

  /**
   * Token ids of one text, cut to `maxTokens` the way sentence-transformers (Hugging Face
   * tokenizers) cuts: word pieces are dropped from the end of the text and the special tokens
   * around it stay, so a long text still ends in [SEP]. transformers.js's own `truncation` cuts
   * the finished sequence instead and drops [SEP], which changes the vector of every long text.
   */
  encode(text: string): Encoding {
    const enc = tokenize(this.tokenizer, text);
    const n = enc.input_ids.length;
    if (n <= this.maxTokens) return enc;
    const tail = this.specials.tail;
    const cut = (xs: number[]) => xs.slice(0, this.maxTokens - tail).concat(xs.slice(n - tail));
    return Object.fromEntries(Object.entries(enc).map(([k, xs]) => [k, cut(xs as number[])])) as unknown as Encoding;
  }

  private async encodeBatch(encodings: Encoding[]): Promise<Float32Array[]> {
    const batch = encodings.length;
    const seq = Math.max(...encodings.map((e) => e.input_ids.length));
    const inputs: Record<string, unknown> = {};
    for (const key of Object.keys(encodings[0]!) as (keyof Encoding)[]) {
      // Right padding: pad_token_id for ids, 0 for the mask and token types.
      const pad = key === "input_ids" ? BigInt(this.specials.pad) : 0n;
      const data = new BigInt64Array(batch * seq).fill(pad);
      encodings.forEach((e, b) => e[key]!.forEach((x, s) => (data[b * seq + s] = BigInt(x))));
      inputs[key] = new this.Tensor("int64", data, [batch, seq]);
    }
    const output = (await this.encoder(inputs)) as Record<string, { dims: number[]; data: Float32Array }>;
    const hidden = output.last_hidden_state ?? output.token_embeddings ?? Object.values(output)[0];
    if (!hidden) throw new PlotlineError(`model ${this.model} returned no token embeddings`);
    const dims = this.dims;
    if (hidden.dims.length !== 3 || hidden.dims[0] !== batch || hidden.dims[1] !== seq || hidden.dims[2] !== dims) {
      throw new PlotlineError(`model ${this.model} returned token embeddings of shape [${hidden.dims.join(", ")}], expected [${batch}, ${seq}, ${dims}]`);
    }
    const out: Float32Array[] = [];
    for (let b = 0; b < batch; b++) {
      const mask = encodings[b]!.attention_mask;
      const v = new Float32Array(dims);
      let count = 0;
      for (let s = 0; s < mask.length; s++) {
        if (mask[s] === 0) continue;
        count++;
        const base = (b * seq + s) * dims;
        for (let d = 0; d < dims; d++) v[d] = v[d]! + hidden.data[base + d]!;
      }
      // sentence-transformers clamps the token count at 1e-9 to avoid dividing by zero.
      const denom = Math.max(count, 1e-9);
      for (let d = 0; d < dims; d++) v[d] = v[d]! / denom;
      out.push(normalize(v));
    }
    return out;
  }

  async embed(texts: string[], onProgress?: (done: number) => void): Promise<Float32Array[]> {
    const encodings = texts.map((t) => this.encode(t));
    // Sorted by token count so that each batch pads little; ties keep input order.
    const order = texts.map((_, i) => i).sort((a, b) => encodings[a]!.input_ids.length - encodings[b]!.input_ids.length || a - b);
    const out = new Array<Float32Array>(texts.length);
    for (let start = 0; start < order.length; start += this.batchSize) {
      const ids = order.slice(start, start + this.batchSize);
      const vectors = await this.encodeBatch(ids.map((i) => encodings[i]!));
      ids.forEach((id, k) => (out[id] = vectors[k]!));
      onProgress?.(Math.min(start + this.batchSize, order.length));
    }
    return out;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return (await this.encodeBatch([this.encode(text)]))[0]!;
  }

  fit(): EmbedderState | null {
    return null;
  }

  finish(raw: Float32Array): Float32Array {
    return normalize(Float32Array.from(raw));
  }

  async close(): Promise<void> {
    await (this.encoder as unknown as { dispose?: () => Promise<void> }).dispose?.();
  }
}

/** The files a model needs on disk (or from the hub) for `dtype`. */
function modelFileNames(dtype: "fp32" | "q8"): string[] {
  return ["config.json", "tokenizer.json", "tokenizer_config.json", `onnx/model${dtype === "q8" ? "_quantized" : ""}.onnx`];
}

function isFolderPath(model: string): boolean {
  return isAbsolute(model) || model.startsWith("./") || model.startsWith("../");
}

/**
 * Which of a model's files are on disk: under the local models folder (`localModelPath`, by
 * default `modelsDir()`) or in the transformers.js cache. A model given as a folder path is
 * read from there.
 */
export async function modelFiles(model: string, options: Pick<SentenceTransformerOptions, "localModelPath" | "dtype" | "revision"> = {}): Promise<{ missing: string[]; localPath: string; places: string }> {
  const t: Transformers = await import("@huggingface/transformers");
  const localPath = resolve(options.localModelPath ?? modelsDir());
  const revision = options.revision ?? "main";
  const cacheDir = t.env.cacheDir ?? null;
  const onDisk = (file: string) =>
    existsSync(isFolderPath(model) ? join(model, file) : join(localPath, model, file)) ||
    (cacheDir !== null && existsSync(revision === "main" ? join(cacheDir, model, file) : join(cacheDir, model, revision, file)));
  const missing = modelFileNames(options.dtype ?? "fp32").filter((f) => !onDisk(f));
  return { missing, localPath, places: `${localPath} or the transformers.js cache${cacheDir ? ` (${cacheDir})` : ""}` };
}

/** The first of `models` with every file on disk, else the first of them (to be fetched from the hub). */
export async function firstOnDisk(models: readonly string[], options: Pick<SentenceTransformerOptions, "localModelPath" | "dtype" | "revision"> = {}): Promise<string> {
  for (const m of models) if ((await modelFiles(m, options)).missing.length === 0) return m;
  return models[0]!;
}

/** `max_seq_length` from the model folder's `sentence_bert_config.json`, when there is one. */
function maxSeqLength(model: string, localPath: string): number | undefined {
  const file = isFolderPath(model) ? join(model, "sentence_bert_config.json") : join(localPath, model, "sentence_bert_config.json");
  if (!existsSync(file)) return undefined;
  try {
    const v = (JSON.parse(readFileSync(file, "utf8")) as { max_seq_length?: unknown }).max_seq_length;
    return typeof v === "number" ? v : undefined;
  } catch (err) {
    throw new PlotlineError(`${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

