import { testNeeding } from "./helpers/data.js";
import { NO_SHARED_TOKENIZER, NO_TMDB } from "./helpers/paths.js";

// The tiny test model borrows all-MiniLM-L6-v2's tokenizer from the shared models folder.
const test = testNeeding(NO_SHARED_TOKENIZER);
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { BertTokenizer, env } from "@huggingface/transformers";
import { parse } from "csv-parse/sync";
import { Cleaner } from "../src/catalog/clean.js";
import { openCatalog } from "../src/catalog/formats.js";
import { textHash } from "../src/embed/cache.js";
import { GLOVE_HYBRID_ALPHA } from "../src/embed/glove.js";
import { DEFAULT_MODEL, IMPORTED_MINILM, MINILM_HYBRID_ALPHA, SentenceTransformerEmbedder } from "../src/embed/minilm.js";
import { createEmbedder, embedderForId, hybridAlphaFor } from "../src/embed/registry.js";
import { textFor } from "../src/embed/text.js";
import { PlotlineError } from "../src/errors.js";
import { SEARCH_OPTIONS } from "../src/options/commands.js";
import { Plotline } from "../src/plotline.js";
import { sqliteOf, tempDir, tmdbMinilmDb } from "./helpers/collections.js";
import { FIXTURES, SHARED, TMDB_CSV } from "./helpers/paths.js";
import { MINILM_COLLECTION_TIMEOUT_MS, realMinilm } from "./helpers/real-minilm.js";
import { buildTinyModel, MINILM_TOKENIZER_DIR, type TinyModel } from "./helpers/tiny-onnx.js";

const root = tempDir("plotline-minilm-");
const tiny = NO_SHARED_TOKENIZER ? (undefined as unknown as TinyModel) : buildTinyModel(root);
const load = (extra: Parameters<typeof SentenceTransformerEmbedder.load>[0] = {}) =>
  SentenceTransformerEmbedder.load({ model: tiny.model, localModelPath: root, allowRemote: false, ...extra });

// The tokenizer the test computes token ids with, built straight from the JSON files rather
// than through the embedder's loader.
const tokenizer = NO_SHARED_TOKENIZER ? (undefined as unknown as BertTokenizer) : new BertTokenizer(
  JSON.parse(readFileSync(join(MINILM_TOKENIZER_DIR, "tokenizer.json"), "utf8")),
  JSON.parse(readFileSync(join(MINILM_TOKENIZER_DIR, "tokenizer_config.json"), "utf8")),
);
const tokenIds = (text: string): number[] => tokenizer.encode(text);
/** BERT truncation by hand: keep [CLS] and the first max - 2 pieces, end with [SEP]. */
const truncate = (ids: number[], max: number): number[] => (ids.length <= max ? ids : [...ids.slice(0, max - 1), ids[ids.length - 1]!]);

/** Sentence vector of the tiny model, in float64: mean over real tokens of tanh(E[id]·W + T[0]), L2-normalised. */
function expected(m: TinyModel, ids: number[]): number[] {
  const h = m.hidden;
  const sum = new Array<number>(h).fill(0);
  for (const id of ids) {
    for (let o = 0; o < h; o++) {
      let a = m.T[o]!; // segment 0: single sentences
      for (let i = 0; i < h; i++) a += m.E[id * h + i]! * m.W[i * h + o]!;
      sum[o]! += Math.tanh(a);
    }
  }
  const mean = sum.map((x) => x / ids.length);
  const norm = Math.hypot(...mean);
  return mean.map((x) => x / norm);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

const TEXTS = [
  "Mars.",
  "NASA tried to rescue an astronaut stranded on Mars.",
  "WALL·E is the last robot left on an abandoned Earth, cleaning up the garbage humanity left behind, until he meets a sleek search robot named EVE.",
  "A crew member of Tantalus Base believes he has made an astounding discovery â€“ fossilized evidence of bacterial life.",
  "Hi",
  "During a manned mission to Mars, Astronaut Mark Watney is presumed dead after a fierce storm and left behind by his crew. But Watney has survived and finds himself stranded and alone on the hostile planet.",
];
// Over 256 word pieces, so the default maxTokens cuts it.
const LONG = Array.from({ length: 90 }, (_, i) => `scene ${i} shows the crew repairing antennas`).join("; ");

test("minilm on a tiny ONNX BERT: masked mean pooling + L2 norm match an independent computation", async () => {
  const e = await load();
  assert.ok((env.backends.onnx as { versions?: { node?: string } }).versions?.node, "run by onnxruntime-node, not the WebAssembly build");
  const lengths = TEXTS.map((t) => tokenIds(t).length);
  assert.ok(new Set(lengths).size >= 5, `texts of different token counts, so the batch is padded: ${lengths}`);
  const vectors = await e.embed(TEXTS);
  for (const [i, text] of TEXTS.entries()) {
    const v = vectors[i]!;
    assert.equal(v.length, 8);
    const diff = maxDiff(v, expected(tiny, tokenIds(text)));
    assert.ok(diff < 1e-5, `"${text.slice(0, 30)}": max difference ${diff}`);
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-6, "unit length");
  }
  // Pooling over the padded positions too would give a different vector: the test can tell.
  const padded = [...tokenIds(TEXTS[0]!), ...new Array<number>(Math.max(...lengths) - lengths[0]!).fill(0)];
  assert.ok(maxDiff(vectors[0]!, expected(tiny, padded)) > 1e-3);
  assert.ok(maxDiff(await e.embedQuery(TEXTS[1]!), vectors[1]!) < 1e-6, "a query is embedded like a document");
  await e.close();
});

test("minilm: length sorting and batching do not change vectors or their order", async () => {
  const e = await load({ batchSize: 2 });
  const shuffled = [TEXTS[3]!, TEXTS[0]!, LONG, TEXTS[5]!, TEXTS[4]!, TEXTS[1]!, TEXTS[2]!];
  const batched = await e.embed(shuffled);
  const done: number[] = [];
  await e.embed(shuffled, (n) => done.push(n));
  assert.deepEqual(done, [2, 4, 6, 7]);
  for (const [i, text] of shuffled.entries()) {
    const [alone] = await e.embed([text]);
    assert.ok(maxDiff(batched[i]!, alone!) < 1e-6, `text ${i} embedded alone and in a batch`);
  }
  await e.close();
});

test("minilm: texts are truncated at maxTokens, [SEP] kept", async () => {
  const ids = tokenIds(LONG);
  assert.ok(ids.length > 300, `long text has ${ids.length} tokens`);
  const e = await load();
  const [v] = await e.embed([LONG, "short"]);
  assert.ok(maxDiff(v!, expected(tiny, truncate(ids, 256))) < 1e-5, "cut at the default 256 tokens");
  assert.ok(maxDiff(v!, expected(tiny, ids)) > 1e-3, "and the cut matters");
  await e.close();

  const e16 = await load({ maxTokens: 16 });
  const [w] = await e16.embed([TEXTS[5]!]);
  assert.ok(maxDiff(w!, expected(tiny, truncate(tokenIds(TEXTS[5]!), 16))) < 1e-5, "cut at maxTokens 16");
  assert.match(e16.id, /\/mean-norm\/16\/8$/);
  await e16.close();
});

test("minilm tokenises like sentence-transformers (Hugging Face tokenizers), long texts included", async () => {
  // Ids made by the Python library the seed ran on; see the fixture's _about.
  const fixture = JSON.parse(readFileSync(join(FIXTURES, "hf-tokenizer-ids.json"), "utf8")) as { maxTokens: number; cases: { text: string; ids: number[] }[] };
  const e = await load({ maxTokens: fixture.maxTokens });
  assert.ok(fixture.cases.some((c) => c.ids.length === fixture.maxTokens), "a case is cut at maxTokens");
  for (const c of fixture.cases) assert.deepEqual(e.encode(c.text).input_ids, c.ids, c.text.slice(0, 40));
  await e.close();
});

test("minilm: the embedder id pins model, revision, dtype, pooling, max tokens and dims", async () => {
  const e = await load();
  assert.equal(e.id, "sentence-transformers/plotline-test/tiny-bert@main/fp32/mean-norm/256/8");
  assert.equal(e.dims, 8);
  assert.equal(e.name, tiny.model, "a model other than the default goes by its name");
  // A collection's recorded id loads the same embedder back.
  const again = await embedderForId(e.id, { localModelPath: root, allowRemote: false });
  assert.equal(again.id, e.id);
  assert.ok(maxDiff((await again.embed([TEXTS[2]!]))[0]!, (await e.embed([TEXTS[2]!]))[0]!) < 1e-7);
  await Promise.all([e.close(), again.close()]);
  // q8 needs onnx/model_quantized.onnx, which this model lacks: a one-line error says so.
  await assert.rejects(load({ dtype: "q8" }), (err: Error) => {
    assert.ok(err instanceof PlotlineError);
    assert.match(err.message, /^plotline-test\/tiny-bert: onnx\/model_quantized\.onnx not found under .*, and downloads are off$/);
    assert.ok(!err.message.includes("\n"));
    return true;
  });
});

test("auto picks minilm when all-MiniLM-L6-v2 files load", async () => {
  const dir = tempDir("plotline-minilm-auto-");
  buildTinyModel(dir, { model: DEFAULT_MODEL, hidden: 4 });
  const notices: string[] = [];
  const e = await createEmbedder("auto", { localModelPath: dir, allowRemote: false, onNotice: (m) => notices.push(m) });
  assert.equal(e.name, "minilm");
  assert.equal(e.id, "sentence-transformers/Xenova/all-MiniLM-L6-v2@main/fp32/mean-norm/256/4");
  assert.deepEqual(notices, []);
  await e.close();
});

test("minilm loads Xenova's export or the imported sentence-transformers one from the models folder, Xenova's first", async () => {
  const dir = tempDir("plotline-minilm-imported-");
  buildTinyModel(dir, { model: IMPORTED_MINILM, hidden: 4 });
  const imported = await createEmbedder("auto", { localModelPath: dir, allowRemote: false });
  assert.equal(imported.name, "minilm");
  assert.equal(imported.id, "sentence-transformers/sentence-transformers/all-MiniLM-L6-v2@main/fp32/mean-norm/256/4");
  await imported.close();
  // PLOTLINE_MODELS is the models folder when no localModelPath is given.
  await withEnv({ PLOTLINE_MODELS: dir }, async () => {
    const e = await createEmbedder("minilm", { allowRemote: false });
    assert.equal(e.id, imported.id);
    await e.close();
  });
  buildTinyModel(dir, { model: DEFAULT_MODEL, hidden: 6 });
  const xenova = await createEmbedder("minilm", { localModelPath: dir, allowRemote: false });
  assert.equal(xenova.id, "sentence-transformers/Xenova/all-MiniLM-L6-v2@main/fp32/mean-norm/256/6");
  await xenova.close();
  // A collection's recorded id loads that export, whatever else is on disk.
  const again = await embedderForId(imported.id, { localModelPath: dir, allowRemote: false });
  assert.equal(again.id, imported.id);
  await again.close();
});

test("the default hybrid alpha is each embedder's own", () => {
  assert.equal(hybridAlphaFor("glove-sif/wink-sg-100d@1.1.0/100"), GLOVE_HYBRID_ALPHA);
  assert.equal(hybridAlphaFor("sentence-transformers/Xenova/all-MiniLM-L6-v2@main/fp32/mean-norm/256/384"), MINILM_HYBRID_ALPHA);
  assert.equal(hybridAlphaFor("sentence-transformers/sentence-transformers/all-MiniLM-L6-v2@main/q8/mean-norm/256/384"), MINILM_HYBRID_ALPHA);
  assert.equal(hybridAlphaFor("sentence-transformers/someone/other-model@main/fp32/mean-norm/256/768"), undefined, "other models: the engine's DEFAULT_ALPHA");
  assert.equal(hybridAlphaFor(null), undefined);
  // A default on the option would be filled in by the HTTP API's validation and override the embedder's.
  const alpha = SEARCH_OPTIONS.find((o) => o.key === "alpha")!;
  assert.equal(alpha.default, undefined, "search's alpha option has no single default");
  assert.match(alpha.help, new RegExp(`glove ${GLOVE_HYBRID_ALPHA}, minilm ${MINILM_HYBRID_ALPHA}`));
});

/** Runs `fn` with environment variables set, restoring them after. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) delete process.env[k];
      else process.env[k] = x;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

test("auto without loadable weights falls back to glove with a one-line notice saying why", async () => {
  const models = join(SHARED, "models"); // the tokenizer is there, the ONNX weights are not
  await withEnv({ PLOTLINE_MODELS: models, PLOTLINE_OFFLINE: "1" }, async () => {
    const notices: string[] = [];
    const e = await createEmbedder("auto", { onNotice: (m) => notices.push(m) });
    assert.equal(e.name, "glove");
    const fallback = notices.filter((m) => m.startsWith("using the offline glove embedder"));
    assert.equal(fallback.length, 1, notices.join(" | "));
    const notice = fallback[0]!;
    assert.ok(!notice.includes("\n"), "one line");
    assert.ok(notice.includes("onnx/model.onnx") && notice.includes(models) && notice.includes("PLOTLINE_OFFLINE=1"), notice);
    assert.ok(!notice.includes("tokenizer.json"), `only what is missing is named: ${notice}`);
    await e.close();
    // Asked for by name, minilm fails with the same reason instead of falling back.
    await assert.rejects(createEmbedder("minilm"), /Xenova\/all-MiniLM-L6-v2: onnx\/model\.onnx not found under/);
  });
});

/** A TCP server on 127.0.0.1 that accepts connections and never answers: a hub that hangs. */
async function silentHub(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((s) => {
    count++;
    sockets.add(s);
    s.on("error", () => undefined);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    connections: () => count,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

test("a hub that does not answer makes loading fail after hubTimeoutMs, and auto falls back", { timeout: 60_000 }, async (t) => {
  const hub = await silentHub();
  try {
    const empty = tempDir("plotline-minilm-empty-");
    await assert.rejects(
      createEmbedder("plotline-test/not-on-disk", { localModelPath: empty, hubUrl: hub.url, hubTimeoutMs: 300, allowRemote: true }),
      /: no plotline-test\/not-on-disk files under .*, and the model hub http:\/\/127\.0\.0\.1:\d+\/ cannot be reached \(no answer within 0\.3 s\)/,
    );
    // At most one: under load the 0.3 s timeout can end the probe before the hub's own event
    // loop (this process) has counted the connection; what matters is that there is no retry.
    assert.ok(hub.connections() <= 1, `one probe, no retries (saw ${hub.connections()} connections)`);

    const cached = env.cacheDir ? join(env.cacheDir, DEFAULT_MODEL, "onnx/model.onnx") : null;
    if (cached && existsSync(cached)) return t.skip(`${cached} is in the transformers.js cache, so auto would not ask the hub`);
    const notices: string[] = [];
    const e = await createEmbedder("auto", { localModelPath: empty, hubUrl: hub.url, hubTimeoutMs: 300, allowRemote: true, onNotice: (m) => notices.push(m) });
    assert.equal(e.name, "glove");
    assert.match(notices.find((m) => m.startsWith("using the offline glove embedder")) ?? "", /cannot be reached \(no answer within 0\.3 s\); set PLOTLINE_MODELS/);
    await e.close();
  } finally {
    await hub.close();
  }
});

test("with every file on disk, loading never asks the hub", async () => {
  const hub = await silentHub();
  try {
    const e = await load({ allowRemote: true, hubUrl: hub.url, hubTimeoutMs: 300 });
    assert.equal(e.dims, 8);
    await e.close();
    assert.equal(hub.connections(), 0);
  } finally {
    await hub.close();
  }
});

// ---------------------------------------------------------------------------------------------
// The seed's table, with the real weights when Plotline's models folder has them
// (`npm run models:fetch`, run by .ci/run; see test/helpers/real-minilm.ts).

const QUERY = "NASA tried to rescue an astronaut stranded on Mars.";
const SEED_TOP10: [string, number][] = [
  ["Mission to Mars", 0.6767248],
  ["Red Planet", 0.6620594],
  ["Robinson Crusoe on Mars", 0.651513],
  ["The Martian", 0.55047977],
  ["Capricorn One", 0.5192548],
  ["My Favorite Martian", 0.49691725],
  ["The Last Days on Mars", 0.4924257],
  ["Infini", 0.46683484],
  ["(T)Raumschiff Surprise - Periode 1", 0.46024293],
  ["My Stepmother is an Alien", 0.44739127],
];
function top(query: Float32Array, ids: string[], vectors: Float32Array[], k: number): { id: string; score: number }[] {
  const scored = vectors.map((v, i) => {
    let dot = 0;
    for (let d = 0; d < v.length; d++) dot += v[d]! * query[d]!;
    return { id: ids[i]!, score: dot };
  });
  return scored.sort((a, b) => b.score - a.score).slice(0, k);
}

testNeeding(NO_SHARED_TOKENIZER || NO_TMDB)("minilm with the real all-MiniLM-L6-v2 weights reproduces the seed's table on tmdb-movies.csv", { timeout: MINILM_COLLECTION_TIMEOUT_MS }, async (t) => {
  const real = await realMinilm();
  if (typeof real === "string") return t.skip(`no real all-MiniLM-L6-v2 for the minilm embedder (${real})`);

  // The collection `plotline ingest --embedder minilm` builds (shared with the other test files that need it).
  const p = Plotline.open({ db: await tmdbMinilmDb(real.file), readonly: true });
  assert.equal((await p.info()).count, 10852);
  const embedder = await p.queryEmbedder();
  assert.equal(embedder.name, "minilm");
  assert.match(embedder.id, new RegExp(`^sentence-transformers/${real.model}@`));
  // A read-only store hands out no embedding cache (it could not write); this test only reads the SQLite one.
  const cache = sqliteOf(p).collection.embeddingCache();
  const vectorsOf = async (texts: string[]): Promise<Float32Array[]> => {
    const found = await cache.getMany(embedder.id, texts.map(textHash));
    const out = texts.map((text) => found.get(textHash(text).toString("hex")));
    const todo = out.flatMap((v, i) => (v ? [] : [i]));
    const fresh = await embedder.embed(todo.map((i) => texts[i]!));
    todo.forEach((i, k) => (out[i] = fresh[k]));
    return out as Float32Array[];
  };
  const query = await embedder.embedQuery(QUERY);

  // 1. The seed's own computation: pandas drops rows with an empty imdb_id, original_title or
  // overview; a dict keyed by imdb_id keeps the later of two rows; the raw overview is embedded
  // as it is in the file (mojibake and placeholders included).
  const rows = parse(readFileSync(TMDB_CSV), { columns: true }) as Record<string, string>[];
  const seed = new Map<string, { title: string; overview: string }>();
  for (const r of rows) if (r.imdb_id && r.original_title && r.overview) seed.set(r.imdb_id, { title: r.original_title, overview: r.overview });
  assert.equal(seed.size, 10852);
  const seedIds = [...seed.keys()];
  const seedVectors = await vectorsOf(seedIds.map((id) => seed.get(id)!.overview));
  const seedTop = top(query, seedIds, seedVectors, 10);
  assert.deepEqual(
    seedTop.map((h) => seed.get(h.id)!.title),
    SEED_TOP10.map(([title]) => title),
  );
  seedTop.forEach((h, i) => assert.ok(Math.abs(h.score - SEED_TOP10[i]![1]) < 1e-4, `${SEED_TOP10[i]![0]}: ${h.score} vs the seed's ${SEED_TOP10[i]![1]}`));
  t.diagnostic(`seed's table: largest score difference ${Math.max(...seedTop.map((h, i) => Math.abs(h.score - SEED_TOP10[i]![1]))).toExponential(2)}`);

  // 2. Plotline's search on the collection equals an exact scan over the vectors of the texts
  // Plotline embeds (mojibake repaired, placeholders replaced by title and tagline).
  const source = await openCatalog(TMDB_CSV);
  const cleaner = new Cleaner();
  for await (const record of source.records) cleaner.add(source.file, source.source, record);
  const { movies } = cleaner.finish();
  const texts = movies.map(textFor(embedder.text));
  const expectedTop = top(query, movies.map((m) => m.id), await vectorsOf(texts), 10);
  // The prior and query parsing off: the seed ranks by cosine alone.
  const got = await p.search(QUERY, { mode: "semantic", k: 10, prior: 0, parse: false });
  assert.deepEqual(got.results.map((r) => r.id), expectedTop.map((h) => h.id));
  got.results.forEach((r, i) => assert.ok(Math.abs(r.score - expectedTop[i]!.score) < 1e-5, `${r.title}: ${r.score} vs ${expectedTop[i]!.score}`));
  // Where cleaning changed a seed top-10 movie's text, say how its score moved.
  const byId = new Map(movies.map((m, i) => [m.id, texts[i]!]));
  for (const h of seedTop) {
    if (byId.get(h.id) !== seed.get(h.id)!.overview) {
      const [v] = await vectorsOf([byId.get(h.id)!]);
      t.diagnostic(`${seed.get(h.id)!.title}: cleaned text scores ${top(query, [h.id], [v!], 1)[0]!.score}, the seed's raw text ${h.score}`);
    }
  }
  t.diagnostic(`Plotline top 10: ${got.results.map((r) => `${r.title} ${r.score.toFixed(4)}`).join("; ")}`);
  await p.close();
});
