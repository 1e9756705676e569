import onnxProto from "onnx-proto";

const { onnx } = onnxProto;
const D = onnx.TensorProto.DataType;

/**
 * Dynamic int8 quantization of an ONNX model's MatMul weights, as ONNX Runtime's
 * `quantize_dynamic` does for MatMul (written here because that tool is Python, and Plotline
 * needs none at run time): every MatMul whose second input is a float [K, N] initializer
 * becomes
 *
 *   DynamicQuantizeLinear(A) -> (A_q uint8, A_scale, A_zero)
 *   MatMulInteger(A_q, W_q int8, A_zero, W_zero) -> int32
 *   Cast(float) * (A_scale * W_scale)
 *
 * with the weight quantized per output column, symmetrically (W_zero = 0, W_scale = max |W[:, n]|
 * / 127). Activations are quantized per call, per tensor, from their own range. Activations
 * feeding several MatMuls (Q, K and V read the same input) are quantized once. ONNX Runtime
 * fuses each group into one MatMulIntegerToFloat kernel. Standard ops only, so the file runs
 * wherever ONNX Runtime does (CPU, WebAssembly).
 *
 * Per-column scales keep a column of small weights from losing all its precision to one large
 * weight elsewhere in the matrix; the measured cost against fp32 is in `plotline models
 * import --int8`'s output and in the README.
 */

/** Largest magnitude of an int8 weight (symmetric: -127..127, so that 0 is exact and the range is balanced). */
export const INT8_MAX = 127;

export interface QuantizeReport {
  /** MatMuls whose weights were quantized. */
  matmuls: number;
  /** Weight values quantized. */
  weights: number;
}

/** Quantizes `model` in place; returns what was done. */
export function quantizeMatMulWeights(model: onnxProto.onnx.ModelProto): QuantizeReport {
  const graph = model.graph!;
  const inits = new Map<string, onnxProto.onnx.ITensorProto>();
  for (const t of graph.initializer ?? []) inits.set(t.name!, t);
  const uses = new Map<string, number>();
  for (const n of graph.node ?? []) for (const i of n.input ?? []) uses.set(i, (uses.get(i) ?? 0) + 1);

  const quantizedInputs = new Map<string, [string, string, string]>();
  const removed = new Set<string>();
  const added: onnxProto.onnx.ITensorProto[] = [];
  const out: onnxProto.onnx.INodeProto[] = [];
  let matmuls = 0;
  let weights = 0;

  for (const n of graph.node ?? []) {
    const [a, b] = n.input ?? [];
    const w = n.opType === "MatMul" && b ? inits.get(b) : undefined;
    if (!w || !a || !b || w.dataType !== D.FLOAT || w.dims?.length !== 2) {
      out.push(n);
      continue;
    }
    const [K, N] = w.dims.map(Number) as [number, number];
    const data = floatsOf(w);
    const q = new Int8Array(K * N);
    const scale = new Float32Array(N);
    for (let c = 0; c < N; c++) {
      let max = 0;
      for (let r = 0; r < K; r++) max = Math.max(max, Math.abs(data[r * N + c]!));
      // An all-zero column keeps scale 1: its codes are all 0 either way.
      const s = max > 0 ? max / INT8_MAX : 1;
      scale[c] = s;
      for (let r = 0; r < K; r++) q[r * N + c] = Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(data[r * N + c]! / s)));
    }
    const base = b;
    added.push(
      { name: `${base}.quantized`, dims: [K, N], dataType: D.INT8, rawData: new Uint8Array(q.buffer) },
      { name: `${base}.scale`, dims: [N], dataType: D.FLOAT, rawData: new Uint8Array(scale.buffer) },
      { name: `${base}.zero_point`, dims: [N], dataType: D.INT8, rawData: new Uint8Array(N) },
    );
    if ((uses.get(b) ?? 0) <= 1) removed.add(b);

    let qa = quantizedInputs.get(a);
    if (!qa) {
      qa = [`${a}.quantized`, `${a}.scale`, `${a}.zero_point`];
      quantizedInputs.set(a, qa);
      out.push({ opType: "DynamicQuantizeLinear", input: [a], output: qa, name: `${a}.DynamicQuantizeLinear` });
    }
    const y = n.output![0]!;
    out.push(
      { opType: "MatMulInteger", input: [qa[0], `${base}.quantized`, qa[2], `${base}.zero_point`], output: [`${y}.int32`], name: `${n.name}.MatMulInteger` },
      { opType: "Cast", input: [`${y}.int32`], output: [`${y}.float`], name: `${n.name}.Cast`, attribute: [{ name: "to", type: onnx.AttributeProto.AttributeType.INT, i: D.FLOAT }] },
      { opType: "Mul", input: [qa[1], `${base}.scale`], output: [`${y}.scale`], name: `${n.name}.Scale` },
      { opType: "Mul", input: [`${y}.float`, `${y}.scale`], output: [y], name: `${n.name}.Dequantize` },
    );
    matmuls++;
    weights += K * N;
  }
  graph.node = out;
  graph.initializer = [...(graph.initializer ?? []).filter((t) => !removed.has(t.name!)), ...added];
  return { matmuls, weights };
}

function floatsOf(t: onnxProto.onnx.ITensorProto): Float32Array {
  if (t.rawData && t.rawData.length) {
    // Copied: raw data inside a decoded protobuf buffer need not be 4-byte aligned.
    return new Float32Array(new Uint8Array(t.rawData).buffer);
  }
  return Float32Array.from(t.floatData ?? []);
}
