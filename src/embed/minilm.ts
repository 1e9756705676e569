import { PlotlineError } from "../errors.js";
import type { Embedder, EmbedderState } from "./embedder.js";
import { normalize } from "./embedder.js";

/** The default sentence-transformers model: all-MiniLM-L6-v2 as exported to ONNX by Xenova. */
export const DEFAULT_MODEL = "Xenova/all-MiniLM-L6-v2";
/** sentence-transformers' max_seq_length for all-MiniLM-L6-v2; longer texts are truncated. */
export const DEFAULT_MAX_TOKENS = 256;
/** Texts per forward pass; the seeds encode in batches of 32. */
export const DEFAULT_BATCH = 32;

export interface SentenceTransformerOptions {
  /** Hub-style name (`org/name`), looked up under `localModelPath`, then the cache, then the hub. */
  model?: string;
  /** A folder laid out as `<org>/<name>/...` (default: `PLOTLINE_MODELS` when set). */
  localModelPath?: string;
  /** Whether the hub may be asked (default: true unless `PLOTLINE_OFFLINE=1`). */
  allowRemote?: boolean;
  /** `fp32` (default: `onnx/model.onnx`) or `q8` (`onnx/model_quantized.onnx`). */
  dtype?: "fp32" | "q8";
  maxTokens?: number;
  batchSize?: number;
  /** Hub revision, part of the embedder id (default `main`). */
  revision?: string;
}

type Transformers = typeof import("@huggingface/transformers");
type Tokenizer = Awaited<ReturnType<Transformers["AutoTokenizer"]["from_pretrained"]>>;
type Model = Awaited<ReturnType<Transformers["AutoModel"]["from_pretrained"]>>;

/**
 * A sentence-transformers model run through transformers.js (ONNX Runtime): tokenise, run the
 * encoder, mean-pool the token states over the attention mask, L2-normalise; what
 * `SentenceTransformer.encode` does for models with a Pooling(mean) + Normalize head.
 * Batches are sorted by length so that padding stays small.
 */
export class SentenceTransformerEmbedder implements Embedder {
  readonly name: string;
  readonly id: string;

  private constructor(
    readonly model: string,
    readonly dims: number,
    private readonly tokenizer: Tokenizer,
    private readonly encoder: Model,
    private readonly maxTokens: number,
    private readonly batchSize: number,
    dtype: string,
    revision: string,
  ) {
    this.name = model === DEFAULT_MODEL ? "minilm" : model;
    this.id = `sentence-transformers/${model}@${revision}/${dtype}/mean-norm/${maxTokens}/${dims}`;
  }

  static async load(options: SentenceTransformerOptions = {}): Promise<SentenceTransformerEmbedder> {
    const model = options.model ?? DEFAULT_MODEL;
    const dtype = options.dtype ?? "fp32";
    const revision = options.revision ?? "main";
    const t: Transformers = await import("@huggingface/transformers");
    const localPath = options.localModelPath ?? process.env.PLOTLINE_MODELS;
    if (localPath) t.env.localModelPath = localPath.endsWith("/") ? localPath : `${localPath}/`;
    t.env.allowLocalModels = true;
    t.env.allowRemoteModels = options.allowRemote ?? process.env.PLOTLINE_OFFLINE !== "1";
    try {
      const tokenizer = await t.AutoTokenizer.from_pretrained(model, { revision });
      const encoder = await t.AutoModel.from_pretrained(model, { dtype, revision });
      const config = encoder.config as unknown as { hidden_size?: number; dim?: number; d_model?: number };
      const dims = config.hidden_size ?? config.dim ?? config.d_model;
      if (!dims) throw new Error("config.json has no hidden_size");
      return new SentenceTransformerEmbedder(model, dims, tokenizer, encoder, options.maxTokens ?? DEFAULT_MAX_TOKENS, options.batchSize ?? DEFAULT_BATCH, dtype, revision);
    } catch (err) {
      const where = localPath ? `${localPath}, the transformers.js cache or the hub` : "the transformers.js cache or the hub";
      throw new PlotlineError(`cannot load model ${model} from ${where}: ${firstLine(err)}`, { cause: err });
    }
  }

  private async encodeBatch(texts: string[]): Promise<Float32Array[]> {
    const inputs = this.tokenizer(texts, { padding: true, truncation: true, max_length: this.maxTokens });
    const output = (await this.encoder(inputs)) as Record<string, { dims: number[]; data: Float32Array }>;
    const hidden = output.last_hidden_state ?? output.token_embeddings ?? Object.values(output)[0];
    if (!hidden) throw new PlotlineError(`model ${this.model} returned no token embeddings`);
    const [batch, seq, dims] = hidden.dims as [number, number, number];
    const mask = inputs.attention_mask.data as BigInt64Array;
    const out: Float32Array[] = [];
    for (let b = 0; b < batch; b++) {
      const v = new Float32Array(dims);
      let count = 0;
      for (let s = 0; s < seq; s++) {
        if (mask[b * seq + s] === 0n) continue;
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
    const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
    const out = new Array<Float32Array>(texts.length);
    for (let start = 0; start < order.length; start += this.batchSize) {
      const ids = order.slice(start, start + this.batchSize);
      const vectors = await this.encodeBatch(ids.map((i) => texts[i]!));
      ids.forEach((id, k) => (out[id] = vectors[k]!));
      onProgress?.(Math.min(start + this.batchSize, order.length));
    }
    return out;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return (await this.encodeBatch([text]))[0]!;
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

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split("\n")[0]!.slice(0, 300);
}
