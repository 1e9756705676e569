import { seededRandom as random } from "../../src/vector-index/kmeans.js";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import { MINILM_TOKENIZER_DIR } from "./paths.js";

const { onnx } = onnxProto;

/** The real all-MiniLM-L6-v2 tokenizer files (text only, no weights), read in place. */
export { MINILM_TOKENIZER_DIR } from "./paths.js";
const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"];

/** bert-base-uncased's vocabulary size, which the all-MiniLM-L6-v2 tokenizer uses. */
export const VOCAB = 30522;
/** BERT's two segment types (token_type_ids 0 and 1). */
export const TYPES = 2;

export interface TinyModel {
  /** Pass as `localModelPath`: the model lives in `<root>/<model>/`. */
  root: string;
  /** `org/name`. */
  model: string;
  hidden: number;
  /** Token embeddings, VOCAB x hidden, row-major. */
  E: Float32Array;
  /** Projection, hidden x hidden, row-major (in x out). */
  W: Float32Array;
  /** Segment embeddings, TYPES x hidden. */
  T: Float32Array;
}


function uniform(n: number, scale: number, next: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() * 2 - 1) * scale;
  return out;
}

function initializer(name: string, dims: number[], data: Float32Array) {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), // ONNX raw data is little-endian, like this machine
  });
}

function valueInfo(name: string, elemType: number, dims: (string | number)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

/**
 * Writes a tiny sentence-transformers-shaped BERT model in the transformers.js local layout
 * `<root>/<org>/<name>/`: `config.json`, the real all-MiniLM-L6-v2 tokenizer files, and
 * `onnx/model.onnx` with the inputs a BERT export has (input_ids, attention_mask,
 * token_type_ids: int64 [batch, seq]) and its output `last_hidden_state` [batch, seq, hidden]:
 *
 *     last_hidden_state = Tanh(Gather(E, input_ids) · W + Gather(T, token_type_ids))
 *
 * with seeded random E, W, T, so a test can compute every vector by hand. attention_mask is
 * accepted and ignored, as padding positions of a real encoder also carry non-zero states:
 * pooling must leave them out.
 */
export function buildTinyModel(root: string, options: { model?: string; hidden?: number; seed?: number } = {}): TinyModel {
  const model = options.model ?? "plotline-test/tiny-bert";
  const hidden = options.hidden ?? 8;
  const next = random(options.seed ?? 42);
  const E = uniform(VOCAB * hidden, 1, next);
  const W = uniform(hidden * hidden, 1 / Math.sqrt(hidden), next);
  const T = uniform(TYPES * hidden, 0.5, next);

  const graph = onnx.GraphProto.create({
    name: "tiny-bert",
    node: [
      onnx.NodeProto.create({ opType: "Gather", input: ["E", "input_ids"], output: ["tok"], name: "gather_tok" }),
      onnx.NodeProto.create({ opType: "MatMul", input: ["tok", "W"], output: ["proj"], name: "project" }),
      onnx.NodeProto.create({ opType: "Gather", input: ["T", "token_type_ids"], output: ["seg"], name: "gather_seg" }),
      onnx.NodeProto.create({ opType: "Add", input: ["proj", "seg"], output: ["pre"], name: "add_seg" }),
      onnx.NodeProto.create({ opType: "Tanh", input: ["pre"], output: ["last_hidden_state"], name: "tanh" }),
    ],
    initializer: [initializer("E", [VOCAB, hidden], E), initializer("W", [hidden, hidden], W), initializer("T", [TYPES, hidden], T)],
    input: ["input_ids", "attention_mask", "token_type_ids"].map((name) => valueInfo(name, onnx.TensorProto.DataType.INT64, ["batch", "seq"])),
    output: [valueInfo("last_hidden_state", onnx.TensorProto.DataType.FLOAT, ["batch", "seq", hidden])],
  });
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 13 }],
    producerName: "plotline-tests",
    graph,
  });

  const dir = join(root, model);
  mkdirSync(join(dir, "onnx"), { recursive: true });
  writeFileSync(join(dir, "onnx/model.onnx"), onnx.ModelProto.encode(proto).finish());
  const config = {
    architectures: ["BertModel"],
    model_type: "bert",
    hidden_size: hidden,
    num_attention_heads: 1,
    num_hidden_layers: 1,
    intermediate_size: hidden,
    max_position_embeddings: 512,
    type_vocab_size: TYPES,
    vocab_size: VOCAB,
    pad_token_id: 0,
  };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config, null, 2));
  for (const f of TOKENIZER_FILES) copyFileSync(join(MINILM_TOKENIZER_DIR, f), join(dir, f));
  return { root, model, hidden, E, W, T };
}
