import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chooseLanguage, detectLanguage, tagLanguage, toIso6391 } from "../src/media/language.js";
import { parseHypothesisLines, parseLiveJson } from "../src/media/pocketsphinx.js";
import { readSubtitles, subtitleFiles } from "../src/media/subtitles.js";
import { tempDir } from "./helpers/collections.js";

test("language codes as tags and detectors write them become ISO 639-1", () => {
  const cases: [string | null, string | null][] = [
    ["spa", "es"],
    ["SPA", "es"],
    ["es", "es"],
    ["es-MX", "es"],
    ["fre", "fr"],
    ["fra", "fr"],
    ["ger", "de"],
    ["deu", "de"],
    ["chi", "zh"],
    ["cmn", "zh"],
    ["eng", "en"],
    ["und", null],
    ["zxx", null],
    ["xx1", null],
    ["", null],
    [null, null],
  ];
  for (const [code, iso] of cases) assert.equal(toIso6391(code), iso, String(code));
});

test("a text's language is detected with franc-min; short texts are not guessed", () => {
  assert.equal(detectLanguage("An astronaut is stranded alone on Mars and must grow potatoes to survive.", "transcript")?.language, "en");
  assert.equal(detectLanguage("Una criatura mortal persigue a la tripulación de una nave espacial perdida en el espacio.", "subtitles")?.language, "es");
  assert.equal(detectLanguage("Un astronaute est abandonné seul sur Mars et doit cultiver des pommes de terre.", "subtitles")?.language, "fr");
  assert.equal(detectLanguage("Hello there", "transcript"), null);
  const f = detectLanguage("Two toys get lost in the city and must find their way back home before the family moves away.", "transcript")!;
  assert.deepEqual([f.source, f.raw], ["transcript", "eng"]);
  assert.ok(f.confidence > 0 && f.confidence <= 1);
});

test("the stream tag wins over subtitles, which win over the transcript", () => {
  const tag = tagLanguage("spa")!;
  const subs = detectLanguage("Una criatura mortal persigue a la tripulación de una nave espacial.", "subtitles")!;
  const heard = detectLanguage("An astronaut is stranded alone on Mars and must grow potatoes.", "transcript")!;
  assert.equal(chooseLanguage([heard, subs, tag]), tag);
  assert.equal(chooseLanguage([heard, subs]), subs);
  assert.equal(chooseLanguage([heard]), heard);
  assert.equal(chooseLanguage([]), null);
  assert.equal(tagLanguage("und"), null);
});

test("subtitles beside a video are read as text (SRT and WebVTT, markup removed), their language from the name or the text", async () => {
  const dir = tempDir("plotline-subtitles-");
  const video = join(dir, "Alien Trailer.mp4");
  writeFileSync(video, "");
  writeFileSync(join(dir, "Alien Trailer.srt"), "\uFEFF1\r\n00:00:00,000 --> 00:00:02,000\r\n<i>Una criatura mortal</i> persigue\r\na la tripulación\r\n\r\n2\r\n00:00:02,000 --> 00:00:04,000\r\n{\\an8}de una nave espacial.\r\n");
  writeFileSync(join(dir, "Alien Trailer.fr.vtt"), "WEBVTT\n\n00:00.000 --> 00:02.000\nUne créature <c.yellow>mortelle</c>\n");
  writeFileSync(join(dir, "Alien Trailer 2.srt"), "1\n00:00:00,000 --> 00:00:01,000\nanother video's subtitles\n");
  const files = subtitleFiles(video);
  assert.deepEqual(files.map((f) => f.split("/").pop()), ["Alien Trailer.fr.vtt", "Alien Trailer.srt"]);
  const srt = await readSubtitles(files[1]!);
  assert.equal(srt.text, "Una criatura mortal persigue a la tripulación de una nave espacial.");
  assert.deepEqual([srt.language?.language, srt.language?.source], ["es", "subtitles"]);
  const vtt = await readSubtitles(files[0]!);
  assert.equal(vtt.text, "Une créature mortelle");
  assert.deepEqual([vtt.language?.language, vtt.language?.raw, vtt.language?.confidence], ["fr", "fr", 1], "named: Alien Trailer.fr.vtt");
});

test("pocketsphinx output is read from both command-line programs, fillers and pronunciation variants dropped", () => {
  // pocketsphinx 5.x `live`: one JSON object per utterance.
  const live = [
    '{"b":0.240,"d":3.100,"p":0.412,"t":"an astronaut is stranded","w":[{"b":0.240,"d":0.070,"p":1.000,"t":"<s>"}]}',
    '{"b":3.500,"d":2.000,"p":0.300,"t":"on mars [NOISE] the(2) rescue <sil>","w":[]}',
    "INFO: a log line",
    '{"b":5.6',
  ].join("\n");
  assert.equal(parseLiveJson(live), "an astronaut is stranded on mars the rescue");
  // pocketsphinx_continuous (0.8 / 5prealpha, Debian 12): one hypothesis line per utterance.
  assert.equal(parseHypothesisLines("an astronaut is stranded\n\non mars\n"), "an astronaut is stranded on mars");
});
