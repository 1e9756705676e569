import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MINILM_TOKENIZER_DIR, VOCAB } from "./tiny-onnx.js";

/**
 * An independent BERT for checking `plotline models import`: a safetensors writer and reader of
 * its own, a random sentence-transformers checkpoint, and BertModel's forward pass in float64,
 * written from the BERT paper and Hugging Face's `modeling_bert.py` (not from the importer's
 * graph), one sequence at a time and without padding, so that it needs no attention mask.
 */

export interface Tensor {
  shape: number[];
  data: Float32Array;
}
export type Weights = Map<string, Tensor>;

export interface RefConfig {
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  maxPositions: number;
  types: number;
  eps: number;
  act: "gelu" | "gelu_new" | "relu";
}

/** Writes tensors as safetensors: u64 little-endian header length, JSON header, raw data (F32, or F16 when asked). */
export function writeSafetensors(file: string, weights: Weights, options: { dtype?: "F32" | "F16"; extra?: Record<string, unknown>; prefix?: string } = {}): void {
  const dtype = options.dtype ?? "F32";
  const size = dtype === "F32" ? 4 : 2;
  const header: Record<string, unknown> = { __metadata__: { format: "pt" }, ...options.extra };
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of weights) {
    const buf = Buffer.alloc(t.data.length * size);
    t.data.forEach((x, i) => (dtype === "F32" ? buf.writeFloatLE(x, i * 4) : buf.writeUInt16LE(toHalf(x), i * 2)));
    header[(options.prefix ?? "") + name] = { dtype, shape: t.shape, data_offsets: [offset, offset + buf.length] };
    chunks.push(buf);
    offset += buf.length;
  }
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(file, Buffer.concat([len, json, ...chunks]));
}

/** Reads the F32 tensors of a safetensors file (the real all-MiniLM-L6-v2 checkpoint holds nothing else we need). */
export function readSafetensors(file: string): Weights {
  const buf = readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8")) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out: Weights = new Map();
  for (const [name, h] of Object.entries(header)) {
    if (name === "__metadata__" || h.dtype !== "F32") continue;
    const [a, b] = h.data_offsets;
    const data = new Float32Array((b - a) / 4);
    for (let i = 0; i < data.length; i++) data[i] = buf.readFloatLE(8 + n + a + i * 4);
    out.set(name, { shape: h.shape, data });
  }
  return out;
}

/** float32 to IEEE binary16, round to nearest (normal range only: the random weights stay well inside it). */
const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);
function toHalf(x: number): number {
  scratch[0] = x;
  const u = scratchBits[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return sign;
  const mant = u & 0x7fffff;
  let h = sign | (exp << 10) | (mant >>> 13);
  if (mant & 0x1000) h++; // round half up on the dropped bits
  return h;
}

/** Value of a binary16 (to build the reference from the weights exactly as an F16 file stores them). */
export function roundToHalf(x: number): number {
  const h = toHalf(x);
  const exp = (h >> 10) & 0x1f;
  const v = exp === 0 ? 0 : 2 ** (exp - 15) * (1 + (h & 0x3ff) / 1024);
  return h & 0x8000 ? -v : v;
}

/** mulberry32: a small seeded generator, so a checkpoint is the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random BERT weights in BertModel's names and PyTorch layouts (Linear weights [out, in]). */
export function randomBert(c: RefConfig, seed = 7): Weights {
  const next = seeded(seed);
  const w: Weights = new Map();
  const put = (name: string, shape: number[], scale: number, center = 0) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = center + (next() * 2 - 1) * scale;
    w.set(name, { shape, data });
  };
  const H = c.hidden;
  put("embeddings.word_embeddings.weight", [c.vocab, H], 1);
  put("embeddings.position_embeddings.weight", [c.maxPositions, H], 0.5);
  put("embeddings.token_type_embeddings.weight", [c.types, H], 0.5);
  put("embeddings.LayerNorm.weight", [H], 0.2, 1);
  put("embeddings.LayerNorm.bias", [H], 0.1);
  const linear = (p: string, out: number, inDim: number) => {
    put(`${p}.weight`, [out, inDim], 1.5 / Math.sqrt(inDim));
    put(`${p}.bias`, [out], 0.1);
  };
  for (let i = 0; i < c.layers; i++) {
    const p = `encoder.layer.${i}`;
    for (const part of ["query", "key", "value"]) linear(`${p}.attention.self.${part}`, H, H);
    linear(`${p}.attention.output.dense`, H, H);
    put(`${p}.attention.output.LayerNorm.weight`, [H], 0.2, 1);
    put(`${p}.attention.output.LayerNorm.bias`, [H], 0.1);
    linear(`${p}.intermediate.dense`, c.intermediate, H);
    linear(`${p}.output.dense`, H, c.intermediate);
    put(`${p}.output.LayerNorm.weight`, [H], 0.2, 1);
    put(`${p}.output.LayerNorm.bias`, [H], 0.1);
  }
  // BertModel's pooler is not part of a sentence-transformers model; checkpoints carry it anyway.
  linear("pooler.dense", H, H);
  return w;
}

/**
 * Writes a sentence-transformers checkpoint folder: config.json, model.safetensors, the real
 * all-MiniLM-L6-v2 tokenizer files, modules.json, 1_Pooling/config.json, sentence_bert_config.json.
 */
export function writeCheckpoint(dir: string, c: RefConfig, weights: Weights, options: { dtype?: "F32" | "F16"; prefix?: string; config?: Record<string, unknown> } = {}): void {
  mkdirSync(join(dir, "1_Pooling"), { recursive: true });
  const config = {
    architectures: ["BertModel"],
    model_type: "bert",
    hidden_act: c.act,
    hidden_size: c.hidden,
    intermediate_size: c.intermediate,
    layer_norm_eps: c.eps,
    max_position_embeddings: c.maxPositions,
    num_attention_heads: c.heads,
    num_hidden_layers: c.layers,
    pad_token_id: 0,
    position_embedding_type: "absolute",
    type_vocab_size: c.types,
    vocab_size: c.vocab,
    ...options.config,
  };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config, null, 2));
  writeSafetensors(join(dir, "model.safetensors"), weights, options);
  for (const f of ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]) copyFileSync(join(MINILM_TOKENIZER_DIR, f), join(dir, f));
  const st = (t: string) => `sentence_transformers.models.${t}`;
  writeFileSync(
    join(dir, "modules.json"),
    JSON.stringify([
      { idx: 0, name: "0", path: "", type: st("Transformer") },
      { idx: 1, name: "1", path: "1_Pooling", type: st("Pooling") },
      { idx: 2, name: "2", path: "2_Normalize", type: st("Normalize") },
    ]),
  );
  writeFileSync(join(dir, "1_Pooling/config.json"), JSON.stringify({ word_embedding_dimension: c.hidden, pooling_mode_cls_token: false, pooling_mode_mean_tokens: true, pooling_mode_max_tokens: false, pooling_mode_mean_sqrt_len_tokens: false }));
  writeFileSync(join(dir, "sentence_bert_config.json"), JSON.stringify({ max_seq_length: 256, do_lower_case: false }));
}

/** A small BERT: 2 layers, hidden 32, 4 heads, MiniLM's vocabulary (so its tokenizer applies). */
export const SMALL: RefConfig = { vocab: VOCAB, hidden: 32, layers: 2, heads: 4, intermediate: 64, maxPositions: 512, types: 2, eps: 1e-12, act: "gelu" };

// ----- the forward pass, float64 -------------------------------------------------------------

/** erf to double precision: its Maclaurin series below 3, the continued fraction of erfc above. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 100; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let k = ax;
  for (let n = 80; n >= 1; n--) k = ax + n / 2 / k;
  const erfc = Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * k);
  return Math.sign(x) * (1 - erfc);
}

function act(kind: RefConfig["act"], x: number): number {
  if (kind === "relu") return Math.max(0, x);
  if (kind === "gelu") return 0.5 * x * (1 + erf(x / Math.SQRT2));
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

/** y[s][o] = sum_i x[s][i] W[o][i] + b[o], with W in PyTorch's [out, in] layout. */
function dense(x: Float64Array, rows: number, inDim: number, w: Tensor, b: Tensor): Float64Array {
  const out = w.shape[0]!;
  const y = new Float64Array(rows * out);
  for (let s = 0; s < rows; s++) {
    for (let o = 0; o < out; o++) {
      let a = b.data[o]!;
      for (let i = 0; i < inDim; i++) a += x[s * inDim + i]! * w.data[o * inDim + i]!;
      y[s * out + o] = a;
    }
  }
  return y;
}

function layerNorm(x: Float64Array, rows: number, H: number, g: Tensor, b: Tensor, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let s = 0; s < rows; s++) {
    let mean = 0;
    for (let h = 0; h < H; h++) mean += x[s * H + h]!;
    mean /= H;
    let v = 0;
    for (let h = 0; h < H; h++) v += (x[s * H + h]! - mean) ** 2;
    v /= H; // biased variance, as torch.nn.LayerNorm
    const inv = 1 / Math.sqrt(v + eps);
    for (let h = 0; h < H; h++) y[s * H + h] = (x[s * H + h]! - mean) * inv * g.data[h]! + b.data[h]!;
  }
  return y;
}

export interface Forward {
  /** [seq, hidden] after the embedding block's LayerNorm. */
  embeddings: Float64Array;
  /** [seq, hidden] after each encoder layer; the last is last_hidden_state. */
  layers: Float64Array[];
}

/** BertModel.forward for one unpadded sequence. */
export function bertForward(c: RefConfig, w: Weights, ids: number[], types: number[] = ids.map(() => 0)): Forward {
  const get = (name: string): Tensor => {
    const t = w.get(name);
    if (!t) throw new Error(`reference: no tensor ${name}`);
    return t;
  };
  const H = c.hidden;
  const S = ids.length;
  const dh = H / c.heads;
  const word = get("embeddings.word_embeddings.weight");
  const pos = get("embeddings.position_embeddings.weight");
  const typ = get("embeddings.token_type_embeddings.weight");
  const e = new Float64Array(S * H);
  for (let s = 0; s < S; s++) for (let h = 0; h < H; h++) e[s * H + h] = word.data[ids[s]! * H + h]! + typ.data[types[s]! * H + h]! + pos.data[s * H + h]!;
  let x = layerNorm(e, S, H, get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"), c.eps);
  const embeddings = x;
  const layers: Float64Array[] = [];
  for (let l = 0; l < c.layers; l++) {
    const p = `encoder.layer.${l}`;
    const q = dense(x, S, H, get(`${p}.attention.self.query.weight`), get(`${p}.attention.self.query.bias`));
    const k = dense(x, S, H, get(`${p}.attention.self.key.weight`), get(`${p}.attention.self.key.bias`));
    const v = dense(x, S, H, get(`${p}.attention.self.value.weight`), get(`${p}.attention.self.value.bias`));
    const ctx = new Float64Array(S * H);
    const scores = new Float64Array(S);
    for (let hd = 0; hd < c.heads; hd++) {
      for (let s = 0; s < S; s++) {
        let max = -Infinity;
        for (let t = 0; t < S; t++) {
          let d = 0;
          for (let j = 0; j < dh; j++) d += q[s * H + hd * dh + j]! * k[t * H + hd * dh + j]!;
          scores[t] = d / Math.sqrt(dh);
          max = Math.max(max, scores[t]!);
        }
        let sum = 0;
        for (let t = 0; t < S; t++) sum += (scores[t] = Math.exp(scores[t]! - max));
        for (let j = 0; j < dh; j++) {
          let a = 0;
          for (let t = 0; t < S; t++) a += (scores[t]! / sum) * v[t * H + hd * dh + j]!;
          ctx[s * H + hd * dh + j] = a;
        }
      }
    }
    const attn = dense(ctx, S, H, get(`${p}.attention.output.dense.weight`), get(`${p}.attention.output.dense.bias`));
    for (let i = 0; i < attn.length; i++) attn[i] = attn[i]! + x[i]!;
    x = layerNorm(attn, S, H, get(`${p}.attention.output.LayerNorm.weight`), get(`${p}.attention.output.LayerNorm.bias`), c.eps);
    const up = dense(x, S, H, get(`${p}.intermediate.dense.weight`), get(`${p}.intermediate.dense.bias`));
    for (let i = 0; i < up.length; i++) up[i] = act(c.act, up[i]!);
    const down = dense(up, S, c.intermediate, get(`${p}.output.dense.weight`), get(`${p}.output.dense.bias`));
    for (let i = 0; i < down.length; i++) down[i] = down[i]! + x[i]!;
    x = layerNorm(down, S, H, get(`${p}.output.LayerNorm.weight`), get(`${p}.output.LayerNorm.bias`), c.eps);
    layers.push(x);
  }
  return { embeddings, layers };
}

/** sentence-transformers' mean pooling over every (unpadded) token, then L2 normalisation. */
export function meanPoolNormalize(hidden: Float64Array, S: number, H: number): Float64Array {
  const v = new Float64Array(H);
  for (let s = 0; s < S; s++) for (let h = 0; h < H; h++) v[h] = v[h]! + hidden[s * H + h]! / S;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** The config as RefConfig from a checkpoint's config.json. */
export function refConfigOf(json: Record<string, number | string>): RefConfig {
  return {
    vocab: json.vocab_size as number,
    hidden: json.hidden_size as number,
    layers: json.num_hidden_layers as number,
    heads: json.num_attention_heads as number,
    intermediate: json.intermediate_size as number,
    maxPositions: json.max_position_embeddings as number,
    types: json.type_vocab_size as number,
    eps: json.layer_norm_eps as number,
    act: json.hidden_act as RefConfig["act"],
  };
}
