import { tokenizerTest as test } from "./helpers/data.js";
import { NO_SHARED_TOKENIZER } from "./helpers/paths.js";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BertTokenizer } from "@huggingface/transformers";
import * as ort from "onnxruntime-node";
import onnxProto from "onnx-proto";
import { EMBEDDINGS_OUTPUT, layerOutput } from "../src/embed/bert-onnx.js";
import { PROVENANCE_FILE } from "../src/embed/cache-dir.js";
import { importModel } from "../src/embed/import-model.js";
import { IMPORTED_MINILM, SentenceTransformerEmbedder } from "../src/embed/minilm.js";
import { createEmbedder } from "../src/embed/registry.js";
import { bertForward, meanPoolNormalize, randomBert, readSafetensors, refConfigOf, roundToHalf, SMALL, writeCheckpoint, type RefConfig, type Weights } from "./helpers/bert-reference.js";
import { runCli } from "./helpers/cli.js";
import { importedMinilm } from "./helpers/real-minilm.js";
import { tempDir } from "./helpers/collections.js";
import { MINILM_TOKENIZER_DIR } from "./helpers/tiny-onnx.js";

const { onnx } = onnxProto;

const tokenizer = NO_SHARED_TOKENIZER ? (undefined as unknown as BertTokenizer) : new BertTokenizer(
  JSON.parse(readFileSync(join(MINILM_TOKENIZER_DIR, "tokenizer.json"), "utf8")),
  JSON.parse(readFileSync(join(MINILM_TOKENIZER_DIR, "tokenizer_config.json"), "utf8")),
);
const ids = (text: string): number[] => tokenizer.encode(text);

const TEXTS = [
  "NASA tried to rescue an astronaut stranded on Mars.",
  "Hi",
  "During a manned mission to Mars, Astronaut Mark Watney is presumed dead after a fierce storm and left behind by his crew.",
];

/**
 * Largest difference allowed between ONNX Runtime's float32 result and the float64 reference,
 * relative to the largest value (or 1). Measured: 2.4e-7 on the random models, 9.3e-7 on the
 * real all-MiniLM-L6-v2, i.e. float32 rounding. Even a subtle slip is far above it: the tanh
 * GELU in place of the erf one moves the small model's last layer by 4e-4; a swapped transpose,
 * a missing bias or LayerNorm, or an unmasked pad by far more.
 */
const TOLERANCE = 1e-5;

/** A model file with its named intermediate tensors added as graph outputs, in an ONNX Runtime session. */
async function sessionWithLayers(file: string, layers: number): Promise<ort.InferenceSession> {
  const model = onnx.ModelProto.decode(readFileSync(file));
  const names = [EMBEDDINGS_OUTPUT, ...Array.from({ length: layers - 1 }, (_, i) => layerOutput(i, layers))];
  for (const name of names) model.graph!.output!.push({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } });
  return ort.InferenceSession.create(onnx.ModelProto.encode(model).finish());
}

interface Run {
  seq: number;
  outputs: Record<string, Float32Array>;
}

/** Runs a right-padded batch (pad id 0, mask 0) of token id sequences. */
async function runBatch(session: ort.InferenceSession, batch: { ids: number[]; types: number[] }[]): Promise<Run> {
  const seq = Math.max(...batch.map((b) => b.ids.length));
  const tensor = (f: (b: (typeof batch)[number], s: number) => number) => {
    const data = new BigInt64Array(batch.length * seq);
    batch.forEach((b, i) => b.ids.forEach((_, s) => (data[i * seq + s] = BigInt(f(b, s)))));
    return new ort.Tensor("int64", data, [batch.length, seq]);
  };
  const result = await session.run({ input_ids: tensor((b, s) => b.ids[s]!), attention_mask: tensor(() => 1), token_type_ids: tensor((b, s) => b.types[s]!) });
  return { seq, outputs: Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v.data as Float32Array])) };
}

/** Max |ONNX - reference| over the real (unpadded) positions of sequence `b`, and the reference's largest magnitude. */
function compare(run: Run, name: string, b: number, ref: Float64Array, hidden: number): { diff: number; scale: number } {
  const got = run.outputs[name];
  assert.ok(got, `output ${name} present`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    const s = Math.floor(i / hidden);
    const h = i % hidden;
    diff = Math.max(diff, Math.abs(got[(b * run.seq + s) * hidden + h]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return { diff, scale };
}

/** Checks every layer of the imported model against the reference on TEXTS (token types given by `types`). */
async function checkLayers(t: { diagnostic: (m: string) => void }, modelFile: string, c: RefConfig, weights: Weights, types: (n: number, i: number) => number[]): Promise<number> {
  const session = await sessionWithLayers(modelFile, c.layers);
  const batch = TEXTS.map((text, i) => ({ ids: ids(text), types: types(ids(text).length, i) }));
  const run = await runBatch(session, batch);
  let worst = 0;
  for (const [b, { ids: x, types: ty }] of batch.entries()) {
    const ref = bertForward(c, weights, x, ty);
    const checks: [string, Float64Array][] = [[EMBEDDINGS_OUTPUT, ref.embeddings], ...ref.layers.map((l, i): [string, Float64Array] => [layerOutput(i, c.layers), l])];
    for (const [name, want] of checks) {
      const { diff, scale } = compare(run, name, b, want, c.hidden);
      worst = Math.max(worst, diff / Math.max(1, scale));
      assert.ok(diff <= TOLERANCE * Math.max(1, scale), `${name}, text ${b} (${x.length} tokens): max difference ${diff} (values up to ${scale.toFixed(2)})`);
    }
  }
  // The comparison can tell: with the other segment's token types the reference is far off.
  const other = bertForward(c, weights, batch[0]!.ids, batch[0]!.types.map((x) => 1 - x));
  assert.ok(compare(run, layerOutput(c.layers - 1, c.layers), 0, other.layers.at(-1)!, c.hidden).diff > 100 * TOLERANCE, "a wrong input is seen");
  await session.release();
  t.diagnostic(`worst difference / max(1, |value|): ${worst.toExponential(2)}`);
  return worst;
}

const root = tempDir("plotline-import-");
const smallWeights = randomBert(SMALL);
const smallCheckpoint = join(root, "checkpoints/small");
if (!NO_SHARED_TOKENIZER) writeCheckpoint(smallCheckpoint, SMALL, smallWeights);
const out = join(root, "models");

test("models import: a random BERT's embeddings, every encoder layer and last_hidden_state match a float64 BERT forward pass", async (t) => {
  const r = await importModel(smallCheckpoint, { name: "plotline-test/small-bert", out });
  assert.equal(r.dir, join(out, "plotline-test/small-bert"));
  assert.deepEqual(r.architecture, { type: "bert", layers: 2, hidden: 32, heads: 4, intermediate: 64, activation: "gelu", vocab: SMALL.vocab });
  assert.equal(r.maxTokens, 256);
  for (const f of ["onnx/model.onnx", "config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "1_Pooling/config.json", PROVENANCE_FILE]) assert.ok(existsSync(join(r.dir, f)), f);
  const onnxFile = r.files.find((f) => f.file === "onnx/model.onnx")!;
  assert.equal(onnxFile.sha256, createHash("sha256").update(readFileSync(join(r.dir, "onnx/model.onnx"))).digest("hex"));
  // Segment ids 0 and 1 both used, so the token-type table is checked too; texts of 3 lengths pad the batch.
  await checkLayers(t, join(r.dir, "onnx/model.onnx"), SMALL, smallWeights, (n, i) => Array.from({ length: n }, (_, s) => (i === 2 && s >= n / 2 ? 1 : 0)));
});

test("models import: the minilm embedder's sentence vectors (masked mean pooling, L2 norm) of the imported model match the reference", async () => {
  const e = await SentenceTransformerEmbedder.load({ model: "plotline-test/small-bert", localModelPath: out, allowRemote: false });
  assert.equal(e.id, "sentence-transformers/plotline-test/small-bert@main/fp32/mean-norm/256/32");
  const vectors = await e.embed(TEXTS);
  for (const [i, text] of TEXTS.entries()) {
    const x = ids(text);
    const want = meanPoolNormalize(bertForward(SMALL, smallWeights, x).layers.at(-1)!, x.length, SMALL.hidden);
    const diff = Math.max(...want.map((w, d) => Math.abs(w - vectors[i]![d]!)));
    assert.ok(diff < 1e-5, `text ${i}: max difference ${diff}`);
  }
  await e.close();
});

test("models import: gelu_new, a bert. name prefix and F16 weights convert as well", async (t) => {
  const c: RefConfig = { ...SMALL, act: "gelu_new", layers: 3, eps: 1e-7 };
  const weights = randomBert(c, 11);
  // The reference reads the weights as the F16 file stores them.
  for (const w of weights.values()) w.data = w.data.map(roundToHalf);
  const dir = join(root, "checkpoints/half");
  writeCheckpoint(dir, c, weights, { dtype: "F16", prefix: "bert.", config: { architectures: ["BertForMaskedLM"] } });
  // sentence-transformers' max_seq_length becomes the embedder's token limit.
  writeFileSync(join(dir, "sentence_bert_config.json"), JSON.stringify({ max_seq_length: 128, do_lower_case: false }));
  const r = await importModel(dir, { name: "plotline-test/half-bert", out });
  assert.equal(r.architecture.activation, "gelu_new");
  assert.equal(r.maxTokens, 128);
  const e = await SentenceTransformerEmbedder.load({ model: "plotline-test/half-bert", localModelPath: out, allowRemote: false });
  assert.equal(e.maxTokens, 128);
  await e.close();
  await checkLayers(t, join(r.dir, "onnx/model.onnx"), c, weights, (n) => new Array<number>(n).fill(0));
});

test("models import --int8: every MatMul weight in int8, sentence vectors measured against fp32", async () => {
  const r = await importModel(smallCheckpoint, { name: "plotline-test/small-bert-q8", out, int8: true });
  const q8File = join(r.dir, "onnx/model_quantized.onnx");
  const model = onnx.ModelProto.decode(readFileSync(q8File));
  const ops = model.graph!.node!.map((n) => n.opType);
  // Q, K, V, attention output, intermediate and output dense in each layer.
  assert.equal(ops.filter((o) => o === "MatMulInteger").length, 6 * SMALL.layers);
  // Only the two attention products (activations by activations) stay float MatMuls.
  assert.equal(ops.filter((o) => o === "MatMul").length, 2 * SMALL.layers);
  assert.equal(r.int8!.matmuls, 6 * SMALL.layers);
  const fp32 = await SentenceTransformerEmbedder.load({ model: "plotline-test/small-bert-q8", localModelPath: out, allowRemote: false });
  const q8 = await SentenceTransformerEmbedder.load({ model: "plotline-test/small-bert-q8", localModelPath: out, allowRemote: false, dtype: "q8" });
  assert.match(q8.id, /\/q8\/mean-norm\/256\/32$/);
  const a = await fp32.embed(TEXTS);
  const b = await q8.embed(TEXTS);
  const cos = a.map((v, i) => v.reduce((s, x, d) => s + x * b[i]![d]!, 0));
  // 8-bit codes carry about 2 decimal digits: close to fp32, and not equal to it.
  for (const c of cos) assert.ok(c > 0.98 && c < 0.999999, `cosine to fp32 ${c}`);
  assert.ok(r.int8!.minCosine > 0.98 && r.int8!.minCosine <= r.int8!.meanCosine, JSON.stringify(r.int8));
  await Promise.all([fp32.close(), q8.close()]);
  // Installed as all-MiniLM-L6-v2, the int8 copy is the minilm-q8 embedder.
  const asMinilm = join(root, "as-minilm");
  await importModel(smallCheckpoint, { name: IMPORTED_MINILM, out: asMinilm, int8: true });
  const named = await createEmbedder("minilm-q8", { localModelPath: asMinilm, allowRemote: false });
  assert.equal(named.name, "minilm-q8");
  assert.equal(named.id, "sentence-transformers/sentence-transformers/all-MiniLM-L6-v2@main/q8/mean-norm/256/32");
  await named.close();
});

test("plotline models import and list: --json, the name from the model card, the models folder", async () => {
  const dir = join(root, "checkpoints/carded");
  cpSync(smallCheckpoint, dir, { recursive: true });
  writeFileSync(join(dir, "README.md"), "# small\n\n```python\nmodel = SentenceTransformer('someone/carded-bert')\nembeddings = model.encode(sentences)\n```\n");
  const models = join(root, "cli-models");
  const r = await runCli(["models", "import", dir, "--json"], { env: { PLOTLINE_MODELS: models } });
  assert.equal(r.code, 0, r.stderr);
  const body = JSON.parse(r.stdout) as { model: string; dir: string; files: { file: string }[] };
  assert.equal(body.model, "someone/carded-bert");
  assert.equal(body.dir, join(models, "someone/carded-bert"));
  assert.ok(body.files.some((f) => f.file === "onnx/model.onnx"));
  const human = await runCli(["models", "import", dir, "--name", "someone/other"], { env: { PLOTLINE_MODELS: models } });
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^Imported someone\/other \(BERT, 2 layers, hidden 32, 4 heads, gelu; mean pooling \+ normalize; 256 tokens\)/);
  assert.match(human.stdout, /onnx\/model\.onnx .* sha256 [0-9a-f]{64}/);
  const again = await runCli(["models", "import", dir, "--name", "someone/other"], { env: { PLOTLINE_MODELS: models } });
  assert.match(again.stdout, /^Replaced someone\/other/);
  const list = await runCli(["models", "list", "--json"], { env: { PLOTLINE_MODELS: models } });
  assert.equal(list.code, 0, list.stderr);
  const listed = JSON.parse(list.stdout) as { root: string; models: { model: string; dtypes: string[]; source: string }[] };
  assert.equal(listed.root, models);
  assert.deepEqual(listed.models.map((m) => [m.model, m.dtypes, m.source]), [["someone/carded-bert", ["fp32"], dir], ["someone/other", ["fp32"], dir]]);
  assert.deepEqual(readdirSync(models).sort(), ["someone"], "no staging folder left behind");
  const help = await runCli(["models", "--help"]);
  assert.match(help.stdout, /^Usage: plotline models import <folder>/);
  assert.match(help.stdout, /--int8/);
});

/** A user error: one line on stderr, exit code 2, no stack trace, stdout empty. */
function assertUserError(r: { code: number | null; stderr: string; stdout: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  assert.equal(r.stdout, "");
}

/** Every file under `dir` with its sha256: what "nothing half-written" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(dir.length + 1)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

test("models import bad input: no weights, a truncated safetensors, another architecture -> one line, exit 2, the models folder untouched", async () => {
  const models = join(root, "bad-models");
  // An earlier good import under the same name must survive every failed one.
  const ok = await runCli(["models", "import", smallCheckpoint, "--name", "plotline-test/bad", "--out", models]);
  assert.equal(ok.code, 0, ok.stderr);
  const before = snapshot(models);
  const variant = (name: string, change: (dir: string) => void): string => {
    const dir = join(root, "checkpoints", name);
    cpSync(smallCheckpoint, dir, { recursive: true });
    change(dir);
    return dir;
  };
  const importing = (dir: string) => runCli(["models", "import", dir, "--name", "plotline-test/bad", "--out", models, "--int8"]);

  const noWeights = variant("no-weights", (d) => rmSync(join(d, "model.safetensors")));
  assertUserError(await importing(noWeights), /^plotline: .*no-weights: model\.safetensors not found \(the checkpoint has no weights\)$/);
  const pickle = variant("pickle", (d) => {
    rmSync(join(d, "model.safetensors"));
    writeFileSync(join(d, "pytorch_model.bin"), "not read");
  });
  assertUserError(await importing(pickle), /pickle: model\.safetensors not found \(found pytorch_model\.bin, which is not read/);

  const truncated = variant("truncated", (d) => truncateSync(join(d, "model.safetensors"), 200_000));
  assertUserError(await importing(truncated), /^plotline: .*truncated\/model\.safetensors: truncated: tensor [\w.]+ ends at byte \d+ but the file has 200000 bytes$/);
  const cutHeader = variant("cut-header", (d) => truncateSync(join(d, "model.safetensors"), 100));
  assertUserError(await importing(cutHeader), /cut-header\/model\.safetensors: truncated: the header needs \d+ bytes but the file has 100$/);

  const roberta = variant("roberta", (d) => {
    const config = JSON.parse(readFileSync(join(d, "config.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(d, "config.json"), JSON.stringify({ ...config, model_type: "roberta", architectures: ["RobertaModel"] }));
  });
  assertUserError(await importing(roberta), /^plotline: .*roberta\/config\.json: unsupported architecture: model_type 'roberta' \(RobertaModel\); only BERT models .* can be imported$/);
  const clsPooling = variant("cls", (d) => writeFileSync(join(d, "1_Pooling/config.json"), JSON.stringify({ word_embedding_dimension: 32, pooling_mode_cls_token: true, pooling_mode_mean_tokens: false })));
  assertUserError(await importing(clsPooling), /cls\/1_Pooling\/config\.json: unsupported pooling \(cls_token\); Plotline's embedder mean-pools token vectors only$/);
  const wrongShape = variant("shape", (d) => {
    const config = JSON.parse(readFileSync(join(d, "config.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(d, "config.json"), JSON.stringify({ ...config, intermediate_size: 48 }));
  });
  assertUserError(await importing(wrongShape), /shape\/model\.safetensors: tensor encoder\.layer\.0\.intermediate\.dense\.weight has shape \[64, 32\], config\.json implies \[48, 32\]$/);
  assertUserError(await runCli(["models", "import", join(root, "nowhere"), "--out", models]), /nowhere: folder not found$/);
  assertUserError(await runCli(["models", "import", smallCheckpoint, "--out", models]), /^plotline: --name: give the name to install the model as \(org\/name\); its model card names none$/);
  assertUserError(await runCli(["models", "import", smallCheckpoint, "--name", "no-slash", "--out", models]), /--name: expected org\/name/);
  assertUserError(await runCli(["models", "frobnicate"]), /^plotline: models: unknown subcommand 'frobnicate' \(import, list\)/);

  assert.deepEqual(snapshot(models), before, "the models folder is as it was");
});

// ---------------------------------------------------------------------------------------------
// The real all-MiniLM-L6-v2, when `npm run models:fetch` (or .ci/run) has imported it.

test("models import on the real all-MiniLM-L6-v2: every layer and the sentence vectors match the float64 reference", { timeout: 10 * 60_000 }, async (t) => {
  const found = importedMinilm();
  if (typeof found === "string") return t.skip(`no imported all-MiniLM-L6-v2 (${found})`);
  const c = refConfigOf(JSON.parse(readFileSync(join(found.source, "config.json"), "utf8")) as Record<string, number | string>);
  const weights = readSafetensors(join(found.source, "model.safetensors"));
  const worst = await checkLayers(t, join(found.dir, "onnx/model.onnx"), c, weights, (n) => new Array<number>(n).fill(0));
  assert.ok(worst < TOLERANCE);
  const e = await SentenceTransformerEmbedder.load({ model: IMPORTED_MINILM, allowRemote: false });
  assert.equal(e.id, "sentence-transformers/sentence-transformers/all-MiniLM-L6-v2@main/fp32/mean-norm/256/384");
  assert.equal(e.name, "minilm");
  const vectors = await e.embed(TEXTS);
  for (const [i, text] of TEXTS.entries()) {
    const x = ids(text);
    const want = meanPoolNormalize(bertForward(c, weights, x).layers.at(-1)!, x.length, c.hidden);
    const diff = Math.max(...want.map((w, d) => Math.abs(w - vectors[i]![d]!)));
    assert.ok(diff < 1e-5, `text ${i}: max difference ${diff}`);
  }
  await e.close();
});
