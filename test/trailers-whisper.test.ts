import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { PlotlineError } from "../src/errors.js";
import { createRecognizer } from "../src/media/recognizer.js";
import { DEFAULT_WHISPER_MODEL } from "../src/media/whisper.js";
import { Plotline } from "../src/plotline.js";
import type { TrailersResult } from "../src/trailers.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";
import { makeSpokenVideo, missingMediaTools, wordsOf } from "./helpers/media.js";
import { MOVIES_CSV, SHARED } from "./helpers/paths.js";

const FILES = ["config.json", "generation_config.json", "preprocessor_config.json", "tokenizer.json", "tokenizer_config.json", "onnx/encoder_model.onnx", "onnx/decoder_model_merged.onnx"];

/** A folder holding Xenova/whisper-tiny's files: PLOTLINE_MODELS, or ../shared/models. */
function whisperFolder(): string | null {
  for (const dir of [process.env.PLOTLINE_MODELS, join(SHARED, "models")]) {
    if (dir && FILES.every((f) => existsSync(join(dir, DEFAULT_WHISPER_MODEL, f)))) return resolve(dir);
  }
  return null;
}
const weights = whisperFolder();
const noWeights = weights ? null : `no ${DEFAULT_WHISPER_MODEL} ONNX weights under PLOTLINE_MODELS or ../shared/models (no model hub is reachable here; see ../shared/models/README.md)`;
const skip = missingMediaTools() ?? noWeights;

test("whisper without weights: a one-line error naming the model and where it looked", async () => {
  const empty = tempDir("plotline-whisper-none-");
  await assert.rejects(
    createRecognizer("whisper", { whisper: { localModelPath: empty, allowRemote: false } }),
    (err: Error) => err instanceof PlotlineError && err.message.includes(DEFAULT_WHISPER_MODEL) && err.message.includes(empty) && !err.message.includes("\n"),
  );
  const db = join(empty, "movies.db");
  const p = Plotline.open({ db, create: true });
  await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
  await p.close();
  const run = await runCli(["trailers", empty, "--db", db, "--asr", "whisper"], { env: { PLOTLINE_MODELS: empty, PLOTLINE_OFFLINE: "1" } });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^plotline: no Xenova\/whisper-tiny files under .*, and downloads are off \(PLOTLINE_OFFLINE=1\)\n$/);
});

test("whisper transcribes English and, told the language by the stream tag, Spanish", { skip: skip ?? false, timeout: 600_000 }, async (t) => {
  const dir = tempDir("plotline-whisper-");
  const videos = join(dir, "videos");
  mkdirSync(videos);
  const english = "An astronaut is stranded alone on Mars and must grow potatoes to survive until the rescue mission arrives.";
  const spanish = "Una criatura mortal persigue a la tripulación de una nave espacial perdida en el espacio.";
  makeSpokenVideo(videos, { name: "The Martian Trailer.mp4", text: english });
  makeSpokenVideo(videos, { name: "Alien Trailer.mp4", text: spanish, voice: "es", languageTag: "spa" });
  const db = join(dir, "movies.db");
  const p = Plotline.open({ db, create: true });
  await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
  await p.close();
  const run = await runCli(["trailers", videos, "--db", db, "--asr", "whisper", "--json"], { env: { PLOTLINE_MODELS: weights!, PLOTLINE_OFFLINE: "1" } });
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as TrailersResult;
  assert.match(result.recognizer, /^whisper\/Xenova\/whisper-tiny@/);
  const plotline = Plotline.open({ db, readonly: true });
  try {
    for (const [id, said, language] of [["tt1000001", english, "en"], ["tt1000012", spanish, "es"]] as const) {
      const [trailer] = await plotline.movieTrailers(id);
      assert.equal(trailer?.transcriptSource, "speech");
      assert.equal(trailer?.language, language);
      const heard = new Set(wordsOf(trailer!.transcript.normalize("NFD").replace(/\p{M}/gu, "")));
      const content = wordsOf(said.normalize("NFD").replace(/\p{M}/gu, "")).filter((w) => w.length > 3);
      const found = content.filter((w) => heard.has(w)).length;
      t.diagnostic(`${language}: ${found}/${content.length} words of four letters or more: "${trailer!.transcript}"`);
      assert.ok(found / content.length > 0.6, `${language}: ${found}/${content.length}`);
    }
  } finally {
    await plotline.close();
  }
});
