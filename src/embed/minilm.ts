import { PlotlineError } from "../errors.js";
import { firstLine, locateModel, serialLoad, type ModelLocation, type Transformers } from "../models/hub.js";
import type { Embedder, EmbedderState } from "./embedder.js";
import { normalize } from "./embedder.js";

/** The default sentence-transformers model: all-MiniLM-L6-v2 as exported to ONNX by Xenova. */
export const DEFAULT_MODEL = "Xenova/all-MiniLM-L6-v2";
/** sentence-transformers' max_seq_length for all-MiniLM-L6-v2; longer texts are truncated. */
export const DEFAULT_MAX_TOKENS = 256;
/** Texts per forward pass; the seeds encode in batches of 32. */
export const DEFAULT_BATCH = 32;
export { DEFAULT_HUB, DEFAULT_HUB_TIMEOUT_MS } from "../models/hub.js";

export interface SentenceTransformerOptions extends Omit<ModelLocation, "model"> {
  /** Hub-style name (`org/name`), looked up under `localModelPath`, then the cache, then the hub. */
  model?: string;
  /** `fp32` (default: `onnx/model.onnx`) or `q8` (`onnx/model_quantized.onnx`). */
  dtype?: "fp32" | "q8";
  /** Tokens per text, [CLS] and [SEP] included (default {@link DEFAULT_MAX_TOKENS}). */
  maxTokens?: number;
  /** Texts per forward pass (default {@link DEFAULT_BATCH}). */
  batchSize?: number;
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
    this.name = model === DEFAULT_MODEL ? "minilm" : model;
    this.id = `sentence-transformers/${model}@${revision}/${dtype}/mean-norm/${maxTokens}/${dims}`;
  }

  /**
   * Loads tokenizer and ONNX encoder from `localModelPath`, else the transformers.js cache, else
   * the hub. When every file is on disk the network is never touched; when some are missing and
   * the hub is allowed, the hub must answer within `hubTimeoutMs` or loading fails at once.
   * Throws a one-line PlotlineError saying what is missing and where it looked.
   */
  static load(options: SentenceTransformerOptions = {}): Promise<SentenceTransformerEmbedder> {
    return serialLoad(() => SentenceTransformerEmbedder.loadNow(options));
  }

  private static async loadNow(options: SentenceTransformerOptions): Promise<SentenceTransformerEmbedder> {
    const model = options.model ?? DEFAULT_MODEL;
    const dtype = options.dtype ?? "fp32";
    const revision = options.revision ?? "main";
    const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    if (!Number.isInteger(maxTokens) || maxTokens < 2) throw new PlotlineError(`maxTokens must be an integer of at least 2, got ${maxTokens}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new PlotlineError(`batchSize must be a positive integer, got ${batchSize}`);
    const t: Transformers = await import("@huggingface/transformers");
    const files = ["config.json", "tokenizer.json", "tokenizer_config.json", `onnx/model${dtype === "q8" ? "_quantized" : ""}.onnx`];
    const { places, missing } = await locateModel(t, files, { ...options, model, revision });

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
