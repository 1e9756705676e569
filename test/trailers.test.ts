import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { sentimentScore } from "../src/catalog/sentiment.js";
import { Plotline } from "../src/plotline.js";
import type { TrailersResult } from "../src/trailers.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";
import { NO_CHROMIUM, openBrowser, SCREENSHOTS, startServe } from "./helpers/browser.js";
import { makeSpokenVideo, missingMediaTools, wordErrorRate, wordsOf, writeSrt } from "./helpers/media.js";
import { MOVIES_CSV } from "./helpers/paths.js";

const skip = missingMediaTools();

/** Trailers of movies in the shared fixture, named as downloaded trailers are. */
const ENGLISH = [
  { file: "The Martian (2015) Official Trailer HD.mp4", id: "tt1000001", text: "An astronaut is stranded alone on Mars and must grow potatoes to survive until the rescue mission arrives." },
  { file: "Jaws - Trailer.mp4", id: "tt1000005", text: "The police chief closes the beach because a great white shark is killing people in the water." },
  { file: "WALL-E Official Trailer.mp4", id: "tt1000004", text: "A little robot cleans the garbage on an empty planet and falls in love." },
  { file: "Toy Story (1995) Trailer 2.mp4", id: "tt1000010", text: "Two toys get lost in the city and must find their way back home before the family moves away." },
];
const SPANISH = { file: "Alien 1979 Tráiler Oficial.mp4", id: "tt1000012", lines: ["Una criatura mortal persigue a la tripulación", "de una nave espacial perdida en el espacio."] };

/** Words that carry no content: left out of the recognition score. */
const FUNCTION_WORDS = new Set("a an the is are and or on at of by in to it its must until his her he she they their them for with from as that this be".split(" "));

test("trailers: spoken English and Spanish videos are transcribed, matched, searchable and filterable by language", { skip: skip ?? false, timeout: 600_000 }, async (t) => {
  const dir = tempDir("plotline-trailers-");
  const videos = join(dir, "videos");
  mkdirSync(videos);
  for (const v of ENGLISH) makeSpokenVideo(videos, { name: v.file, text: v.text });
  makeSpokenVideo(videos, { name: SPANISH.file, text: SPANISH.lines.join(" "), voice: "es", languageTag: "spa" });
  writeSrt(join(videos, SPANISH.file.replace(/\.mp4$/, ".srt")), SPANISH.lines);
  const db = join(dir, "movies.db");
  const p0 = Plotline.open({ db, create: true });
  await p0.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
  await p0.close();

  const run = await runCli(["trailers", videos, "--db", db, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as TrailersResult;
  assert.equal(result.files.length, 5);
  assert.match(result.recognizer, /^pocketsphinx\//);
  for (const f of result.files) {
    assert.equal(f.status, "transcribed", `${f.file}: ${f.error ?? ""}`);
    assert.equal(f.match?.kind, "matched", f.file);
  }
  const byName = new Map(result.files.map((f) => [f.file.split("/").pop()!, f]));
  for (const v of [...ENGLISH, SPANISH]) assert.equal(byName.get(v.file)?.movie?.id, v.id, `${v.file} attached to its movie`);

  const plotline = Plotline.open({ db, readonly: true });
  try {
    assert.deepEqual((await plotline.info()).trailers, { trailers: 5, attached: 5 });
    // Recognition: content words found, and the word error rate over every word.
    let found = 0;
    let content = 0;
    let errors = 0;
    let words = 0;
    for (const v of ENGLISH) {
      const [trailer] = await plotline.movieTrailers(v.id);
      assert.ok(trailer, `${v.file} stored`);
      assert.equal(trailer.transcriptSource, "speech");
      const heard = wordsOf(trailer.transcript);
      const said = wordsOf(v.text);
      const heardSet = new Set(heard);
      const spoken = said.filter((w) => !FUNCTION_WORDS.has(w));
      const hits = spoken.filter((w) => heardSet.has(w)).length;
      found += hits;
      content += spoken.length;
      const wer = wordErrorRate(said, heard);
      errors += wer * said.length;
      words += said.length;
      t.diagnostic(`${v.file}: ${hits}/${spoken.length} content words, WER ${(100 * wer).toFixed(0)}%: "${trailer.transcript}"`);
    }
    const recall = found / content;
    t.diagnostic(`pocketsphinx on espeak-ng speech: ${found}/${content} content words recognised (${(100 * recall).toFixed(0)}%), word error rate ${((100 * errors) / words).toFixed(0)}% over ${words} words`);
    assert.ok(recall > 0.6, `most spoken content words are recognised: ${found}/${content}`);

    // Languages, each with where it came from.
    for (const v of ENGLISH) {
      const [trailer] = await plotline.movieTrailers(v.id);
      assert.equal(trailer!.language, "en", v.file);
      assert.equal(trailer!.languageSource, "transcript", v.file);
    }
    const [spanish] = await plotline.movieTrailers(SPANISH.id);
    assert.equal(spanish!.language, "es");
    assert.equal(spanish!.languageSource, "audio-tag");
    assert.deepEqual(
      spanish!.languages.map((l) => [l.source, l.language, l.raw]),
      [
        ["audio-tag", "es", "spa"],
        ["subtitles", "es", "spa"],
      ],
    );
    // pocketsphinx's model is English: the Spanish trailer's words come from its subtitles.
    assert.equal(spanish!.transcriptSource, "subtitles");
    assert.match(spanish!.transcript, /criatura mortal/);

    // A word only the trailer says finds its movie; transcripts are a field of their own.
    const potatoes = await plotline.search("potatoes", { mode: "keyword" });
    assert.equal(potatoes.results[0]?.id, "tt1000001");
    assert.deepEqual(potatoes.results[0]?.matches, { transcript: ["potatoes"] });
    const criatura = await plotline.search("criatura", { mode: "keyword" });
    assert.equal(criatura.results[0]?.id, SPANISH.id);

    // --language en leaves the Spanish trailer's movie out of every mode and of similar/recommend.
    const english = new Set(ENGLISH.map((v) => v.id));
    for (const mode of ["keyword", "semantic", "hybrid", "title"] as const) {
      for (const q of ["criatura nave espacial", "Alien", "a deadly creature hunts the crew of a spaceship"]) {
        const r = await plotline.search(q, { mode, filters: { language: "en" }, k: 20 });
        for (const hit of r.results) assert.ok(english.has(hit.id), `${mode} "${q}" --language en listed ${hit.title}`);
      }
    }
    assert.ok((await plotline.search("criatura", { mode: "keyword", filters: { language: "es" } })).results.some((h) => h.id === SPANISH.id), "--language es finds it");
    const similarEn = await plotline.similar("Jaws", { filters: { language: "en" }, k: 10 });
    assert.ok(similarEn.results.length > 0);
    for (const hit of similarEn.results) assert.ok(english.has(hit.id), `similar --language en listed ${hit.title}`);
    const recommendEn = await plotline.recommend({ like: ["Toy Story"], filters: { language: "en" }, k: 10 });
    for (const hit of recommendEn.results) assert.ok(english.has(hit.id), `recommend --language en listed ${hit.title}`);

    // similar by a trailer's file name; the article's re-ranking on transcript sentiment (prior and series off: its definition over similarity alone).
    const cli = await runCli(["similar", "The Martian (2015) Official Trailer HD.mp4", "--db", db, "--sentiment", "0.3", "--prior", "0", "--no-series", "-k", "9", "--json"]);
    assert.equal(cli.code, 0, cli.stderr);
    const similar = JSON.parse(cli.stdout) as Awaited<ReturnType<Plotline["similar"]>>;
    assert.equal(similar.movie.id, "tt1000001");
    for (const hit of similar.results) {
      assert.ok(Math.abs(hit.score - (0.7 * hit.similarity + 0.3 * hit.sentiment)) < 1e-9, `opinion score of ${hit.title}`);
      const trailer = (await plotline.movieTrailers(hit.id))[0];
      if (trailer?.language === "en") assert.equal(hit.sentiment, Math.fround(sentimentScore(trailer.transcript)), `${hit.title}: transcript sentiment`);
    }
    for (let i = 1; i < similar.results.length; i++) assert.ok(similar.results[i - 1]!.score >= similar.results[i]!.score, "ranked by opinion score");
  } finally {
    await plotline.close();
  }

  await movieApiAndPage(db, t);

  // A second run finds every file done by its content hash and transcribes nothing.
  const again = await runCli(["trailers", videos, "--db", db, "--json"]);
  assert.equal(again.code, 0, again.stderr);
  const second = JSON.parse(again.stdout) as TrailersResult;
  assert.deepEqual(
    second.files.map((f) => f.status),
    result.files.map(() => "done"),
  );
  assert.equal(second.speech.audioSeconds, 0);
});

/** The HTTP API returns a movie's trailers, and the web app's movie page shows the transcript (in Chromium, when installed). */
async function movieApiAndPage(db: string, t: { diagnostic(message: string): void }): Promise<void> {
  const { url: base, server } = await startServe(db);
  try {
    const movie = (await (await fetch(`${base}/api/movies/tt1000001`)).json()) as { trailers: { file: string; transcript: string; language: string; languageSource: string }[] };
    assert.equal(movie.trailers.length, 1);
    assert.match(movie.trailers[0]!.transcript, /potatoes/);
    assert.deepEqual([movie.trailers[0]!.language, movie.trailers[0]!.languageSource], ["en", "transcript"]);
    if (NO_CHROMIUM) {
      t.diagnostic(`movie page not checked in a browser: ${NO_CHROMIUM}`);
      return;
    }
    const { context, page } = await openBrowser();
    try {
      await page.goto(`${base}/movie/tt1000012`);
      const transcript = page.getByTestId("transcript");
      await transcript.waitFor();
      assert.match((await transcript.textContent()) ?? "", /criatura mortal/);
      assert.equal(await transcript.getAttribute("lang"), "es");
      assert.match((await page.getByTestId("trailer").textContent()) ?? "", /ES \(from the audio track's tag\)/);
      await page.screenshot({ path: join(SCREENSHOTS, "trailer.png") });
    } finally {
      await context.close();
    }
  } finally {
    server.kill("SIGTERM");
  }
}
