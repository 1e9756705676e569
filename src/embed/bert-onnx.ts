import onnxProto from "onnx-proto";
import { SourceError } from "../errors.js";

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/**
 * A BERT encoder as an ONNX graph, the layout transformers.js runs for BERT-family feature
 * extraction: inputs `input_ids`, `attention_mask`, `token_type_ids` (int64 [batch, sequence]),
 * output `last_hidden_state` (float [batch, sequence, hidden]). The graph is Hugging Face's
 * `BertModel.forward` (transformers 4.x, eager attention) op for op, so it gives PyTorch's
 * numbers to float32 rounding:
 *
 *   embeddings = LayerNorm(word[input_ids] + token_type[token_type_ids] + position[0..seq))
 *   each layer: x = LayerNorm(x + Dense(Attention(x, mask)));  x = LayerNorm(x + Dense(act(Dense(x))))
 *
 * with the attention mask added to the scores as `(1 - mask) * float32 min`, as `BertModel`
 * does. Named intermediate tensors (`EMBEDDINGS_OUTPUT`, `layerOutput(i)`) let tests check
 * every layer.
 */

/** ONNX opset: 17 is the first with LayerNormalization as a standard op. */
export const OPSET = 17;
/** The graph's output, as optimum / Xenova exports name it (transformers.js reads it by this name). */
export const LAST_HIDDEN_STATE = "last_hidden_state";
/** The embedding block's output (after its LayerNorm), before the first encoder layer. */
export const EMBEDDINGS_OUTPUT = "embeddings_output";
/** The output of encoder layer `i` (0-based); the last one is `last_hidden_state`. */
export function layerOutput(i: number, layers: number): string {
  return i === layers - 1 ? LAST_HIDDEN_STATE : `layer_${i}_output`;
}

/** Activations `BertIntermediate` may use (transformers' ACT2FN names) that this graph writes. */
const ACTIVATIONS = ["gelu", "gelu_new", "gelu_pytorch_tanh", "relu"] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** The parts of a BERT `config.json` the graph depends on, checked. */
export interface BertConfig {
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  maxPositions: number;
  typeVocab: number;
  /** LayerNorm epsilon (transformers' default 1e-12). */
  eps: number;
  activation: Activation;
}

/**
 * Reads and checks a BERT `config.json`; anything that is not a plain BERT encoder (another
 * `model_type`, relative positions, a decoder, an activation the graph does not write) is
 * refused with a SourceError naming the field.
 */
export function bertConfig(json: Record<string, unknown>, file: string): BertConfig {
  const type = json.model_type;
  const arch = Array.isArray(json.architectures) ? (json.architectures as unknown[]).map(String) : [];
  if (type !== "bert") {
    const what = typeof type === "string" ? `model_type '${type}'` : "no model_type";
    throw new SourceError(file, `unsupported architecture: ${what}${arch.length ? ` (${arch.join(", ")})` : ""}; only BERT models (model_type bert, e.g. all-MiniLM-L6-v2) can be imported`);
  }
  const notBert = arch.filter((a) => !a.startsWith("Bert"));
  if (notBert.length) throw new SourceError(file, `unsupported architecture: ${notBert.join(", ")}; only BERT models (BertModel) can be imported`);
  if (json.is_decoder === true || json.add_cross_attention === true) throw new SourceError(file, "unsupported architecture: a BERT decoder (is_decoder / add_cross_attention); only encoders can be imported");
  const position = json.position_embedding_type ?? "absolute";
  if (position !== "absolute") throw new SourceError(file, `unsupported position_embedding_type '${String(position)}'; only 'absolute' can be imported`);
  const activation = json.hidden_act ?? "gelu";
  if (!(ACTIVATIONS as readonly unknown[]).includes(activation)) throw new SourceError(file, `unsupported hidden_act ${JSON.stringify(activation)} (supported: ${ACTIVATIONS.join(", ")})`);
  const int = (key: string, fallback?: number): number => {
    const v = json[key] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new SourceError(file, `${key} must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const config: BertConfig = {
    vocabSize: int("vocab_size"),
    hidden: int("hidden_size"),
    layers: int("num_hidden_layers"),
    heads: int("num_attention_heads"),
    intermediate: int("intermediate_size"),
    maxPositions: int("max_position_embeddings", 512),
    typeVocab: int("type_vocab_size", 2),
    eps: typeof json.layer_norm_eps === "number" && json.layer_norm_eps > 0 ? json.layer_norm_eps : 1e-12,
    activation: activation as Activation,
  };
  if (config.hidden % config.heads !== 0) throw new SourceError(file, `hidden_size ${config.hidden} is not a multiple of num_attention_heads ${config.heads}`);
  return config;
}

/** Gives a checkpoint tensor by its `BertModel` name (without a `bert.` prefix), checked against `shape`. */
export type TensorSource = (name: string, shape: number[]) => Float32Array;

type Attr = { name: string; type: number; i?: number; f?: number; ints?: number[] };
const A = onnx.AttributeProto.AttributeType;
const intAttr = (name: string, i: number): Attr => ({ name, type: A.INT, i });
const floatAttr = (name: string, f: number): Attr => ({ name, type: A.FLOAT, f });
const intsAttr = (name: string, ints: number[]): Attr => ({ name, type: A.INTS, ints });

/** float32's most negative finite value: `torch.finfo(torch.float32).min`, what BertModel fills masked scores with. */
const FLOAT32_MIN = -3.4028234663852886e38;

/** Builds the graph; `tensor` supplies each weight in PyTorch's layout (Linear weights [out, in]). */
export function buildBertOnnx(config: BertConfig, tensor: TensorSource, producer = "plotline models import"): onnxProto.onnx.ModelProto {
  const { hidden: H, heads, intermediate: I, layers } = config;
  const headSize = H / heads;
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  let count = 0;

  const node = (opType: string, inputs: string[], output: string | string[], attribute: Attr[] = []): string => {
    const outputs = Array.isArray(output) ? output : [output];
    nodes.push({ opType, input: inputs, output: outputs, name: `${opType}_${count++}`, attribute });
    return outputs[0]!;
  };
  const named = new Set<string>();
  const floats = (name: string, dims: number[], data: Float32Array): string => {
    // Constants are asked for by every layer that uses them, and stored once.
    if (!named.has(name)) initializers.push({ name, dims, dataType: FLOAT, rawData: bytesOf(data) });
    named.add(name);
    return name;
  };
  const int64s = (name: string, dims: number[], values: number[]): string => {
    initializers.push({ name, dims, dataType: INT64, rawData: bytesOf(BigInt64Array.from(values.map(BigInt))) });
    return name;
  };
  const weight = (name: string, shape: number[]): string => floats(name, shape, tensor(name, shape));
  /** A Linear layer's weight, transposed from PyTorch's [out, in] to MatMul's [in, out]. */
  const linear = (prefix: string, input: string, inDim: number, outDim: number, out: string): string => {
    const w = floats(`${prefix}.weight.T`, [inDim, outDim], transpose(tensor(`${prefix}.weight`, [outDim, inDim]), outDim, inDim));
    const b = weight(`${prefix}.bias`, [outDim]);
    return node("Add", [node("MatMul", [input, w], `${out}.matmul`), b], out);
  };
  const layerNorm = (prefix: string, input: string, out: string): string =>
    node("LayerNormalization", [input, weight(`${prefix}.weight`, [H]), weight(`${prefix}.bias`, [H])], out, [intAttr("axis", -1), floatAttr("epsilon", config.eps)]);

  // Scalars the graph uses.
  const one = floats("const.one", [], Float32Array.of(1));
  const half = floats("const.half", [], Float32Array.of(0.5));
  const maskFill = floats("const.float32_min", [], Float32Array.of(FLOAT32_MIN));
  const scoreScale = floats("const.sqrt_head_size", [], Float32Array.of(Math.sqrt(headSize)));

  // Embeddings: word + token type + absolute position, then LayerNorm.
  const word = node("Gather", [weight("embeddings.word_embeddings.weight", [config.vocabSize, H]), "input_ids"], "embeddings.word");
  const types = node("Gather", [weight("embeddings.token_type_embeddings.weight", [config.typeVocab, H]), "token_type_ids"], "embeddings.token_type");
  const shape = node("Shape", ["input_ids"], "input_shape");
  const seq = node("Gather", [shape, int64s("const.index_1", [], [1])], "sequence_length", [intAttr("axis", 0)]);
  const positionIds = node("Range", [int64s("const.zero_i64", [], [0]), seq, int64s("const.one_i64", [], [1])], "position_ids");
  const positions = node("Gather", [weight("embeddings.position_embeddings.weight", [config.maxPositions, H]), positionIds], "embeddings.position");
  const summed = node("Add", [node("Add", [word, types], "embeddings.word_type"), positions], "embeddings.sum");
  let x = layerNorm("embeddings.LayerNorm", summed, EMBEDDINGS_OUTPUT);

  // The additive attention mask, [batch, 1, 1, sequence].
  const maskFloat = node("Cast", ["attention_mask"], "mask.float", [intAttr("to", FLOAT)]);
  const mask4 = node("Unsqueeze", [maskFloat, int64s("const.axes_1_2", [2], [1, 2])], "mask.4d");
  const maskBias = node("Mul", [node("Sub", [one, mask4], "mask.inverted"), maskFill], "mask.bias");

  const headsShape = int64s("const.heads_shape", [4], [0, 0, heads, headSize]);
  const mergedShape = int64s("const.merged_shape", [3], [0, 0, H]);
  const toHeads = (input: string, perm: number[], out: string) => node("Transpose", [node("Reshape", [input, headsShape], `${out}.split`)], out, [intsAttr("perm", perm)]);

  for (let i = 0; i < layers; i++) {
    const p = `encoder.layer.${i}`;
    const q = toHeads(linear(`${p}.attention.self.query`, x, H, H, `${p}.q`), [0, 2, 1, 3], `${p}.q.heads`);
    const k = toHeads(linear(`${p}.attention.self.key`, x, H, H, `${p}.k`), [0, 2, 3, 1], `${p}.k.heads_t`);
    const v = toHeads(linear(`${p}.attention.self.value`, x, H, H, `${p}.v`), [0, 2, 1, 3], `${p}.v.heads`);
    const scores = node("Div", [node("MatMul", [q, k], `${p}.scores.raw`), scoreScale], `${p}.scores`);
    const probs = node("Softmax", [node("Add", [scores, maskBias], `${p}.scores.masked`)], `${p}.probs`, [intAttr("axis", -1)]);
    const context = node("Transpose", [node("MatMul", [probs, v], `${p}.context.heads`)], `${p}.context.t`, [intsAttr("perm", [0, 2, 1, 3])]);
    const merged = node("Reshape", [context, mergedShape], `${p}.context`);
    const attended = linear(`${p}.attention.output.dense`, merged, H, H, `${p}.attention.dense`);
    x = layerNorm(`${p}.attention.output.LayerNorm`, node("Add", [attended, x], `${p}.attention.residual`), `${p}.attention_output`);
    const up = linear(`${p}.intermediate.dense`, x, H, I, `${p}.intermediate`);
    const act = activation(config.activation, up, `${p}.intermediate.act`, { node, floats, one, half });
    const down = linear(`${p}.output.dense`, act, I, H, `${p}.output.dense`);
    x = layerNorm(`${p}.output.LayerNorm`, node("Add", [down, x], `${p}.output.residual`), layerOutput(i, layers));
  }

  const valueInfo = (name: string, elemType: number, dims: (string | number)[]) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } },
  });
  return onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: OPSET }],
    producerName: producer,
    graph: {
      name: "bert",
      node: nodes,
      initializer: initializers,
      input: ["input_ids", "attention_mask", "token_type_ids"].map((n) => valueInfo(n, INT64, ["batch_size", "sequence_length"])),
      output: [valueInfo(LAST_HIDDEN_STATE, FLOAT, ["batch_size", "sequence_length", H])],
    },
  });
}

interface Builders {
  node: (opType: string, inputs: string[], output: string, attribute?: Attr[]) => string;
  floats: (name: string, dims: number[], data: Float32Array) => string;
  one: string;
  half: string;
}

/**
 * transformers' activations: `gelu` is the exact erf form x/2 (1 + erf(x / sqrt 2)); `gelu_new`
 * and `gelu_pytorch_tanh` the tanh approximation x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
 * Written from primitive ops, which ONNX Runtime fuses into its Gelu kernels.
 */
function activation(kind: Activation, x: string, out: string, b: Builders): string {
  if (kind === "relu") return b.node("Relu", [x], out);
  if (kind === "gelu") {
    const erf = b.node("Erf", [b.node("Div", [x, b.floats("const.sqrt2", [], Float32Array.of(Math.SQRT2))], `${out}.scaled`)], `${out}.erf`);
    return b.node("Mul", [b.node("Mul", [x, b.node("Add", [erf, b.one], `${out}.erf1`)], `${out}.prod`), b.half], out);
  }
  const cube = b.node("Mul", [x, b.node("Mul", [x, x], `${out}.sq`)], `${out}.cube`);
  const inner = b.node("Add", [x, b.node("Mul", [cube, b.floats("const.gelu_c", [], Float32Array.of(0.044715))], `${out}.cube_c`)], `${out}.inner`);
  const t = b.node("Tanh", [b.node("Mul", [inner, b.floats("const.sqrt_2_over_pi", [], Float32Array.of(Math.sqrt(2 / Math.PI)))], `${out}.scaled`)], `${out}.tanh`);
  return b.node("Mul", [b.node("Mul", [x, b.node("Add", [t, b.one], `${out}.tanh1`)], `${out}.prod`), b.half], out);
}

/** [rows, cols] row-major to [cols, rows]. */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/** A typed array's bytes: ONNX raw data is little-endian, as the typed arrays of every platform Node runs on here. */
function bytesOf(a: Float32Array | BigInt64Array | Int8Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
