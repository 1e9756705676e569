import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plotline } from "../src/plotline.js";
import { TRAILER_STEPS, type TrailersResult } from "../src/trailers.js";
import { makeSpokenVideo, missingMediaTools } from "../test/helpers/media.js";
import type { BenchSection } from "./lib.js";
import { ms } from "./lib.js";
import { ROOT } from "./paths.js";

/** Sentences spoken into the clips, three per clip (about 12 s of espeak-ng speech). */
const SENTENCES = [
  "An astronaut is stranded alone on Mars and must grow potatoes to survive until the rescue mission arrives.",
  "The police chief closes the beach because a great white shark is killing people in the water.",
  "A little robot cleans the garbage on an empty planet and falls in love.",
  "Two toys get lost in the city and must find their way back home before the family moves away.",
];
/** Clips named after movies of the fixture, so matching and attaching are measured too. */
const TITLES = ["The Martian (2015) Official Trailer", "Jaws Trailer", "WALL-E Trailer", "Toy Story Trailer", "Alien 1979 Trailer", "Moby Dick Trailer"];

/**
 * `npm run bench -- trailers`: speech recognition throughput (audio seconds transcribed per
 * wall-clock second, pocketsphinx) and what each trailer costs in the other steps (hash,
 * ffprobe, audio extraction, language, matching, embedding, the write), over spoken clips made
 * with espeak-ng and ffmpeg; then the cost of a re-run that finds every file done.
 */
export async function run(): Promise<BenchSection[]> {
  const missing = missingMediaTools();
  if (missing) return [{ title: "Trailers", columns: ["skipped"], rows: [[missing]] }];
  const dir = mkdtempSync(join(tmpdir(), "plotline-bench-trailers-"));
  try {
    const videos = join(dir, "videos");
    mkdirSync(videos);
    TITLES.forEach((title, i) => makeSpokenVideo(videos, { name: `${title}.mp4`, text: [0, 1, 2].map((k) => SENTENCES[(i + k) % SENTENCES.length]).join(" ") }));
    const db = join(dir, "bench.db");
    const p = Plotline.open({ db, create: true });
    try {
      await p.ingest([{ file: join(ROOT, "test/fixtures/movies.csv") }], { embedder: "glove" });
      const first = await p.trailers([videos]);
      const again = await p.trailers([videos]);
      return [speechSection(first), stepsSection(first, again)];
    } finally {
      await p.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function speechSection(r: TrailersResult): BenchSection {
  const { audioSeconds, seconds } = r.speech;
  return {
    title: "Trailers: speech recognition",
    columns: ["recogniser", "clips", "audio s", "wall s", "audio s per wall s"],
    rows: [[r.recognizer, r.files.length, audioSeconds.toFixed(1), seconds.toFixed(1), (audioSeconds / seconds).toFixed(2)]],
    notes: ["One pocketsphinx process per clip, one clip at a time; espeak-ng speech with a noise floor (test/helpers/media.ts)."],
  };
}

function stepsSection(first: TrailersResult, again: TrailersResult): BenchSection {
  const mean = (r: TrailersResult, step: (typeof TRAILER_STEPS)[number]) => r.files.reduce((a, f) => a + (f.timings?.[step] ?? 0), 0) / r.files.length;
  const rows = TRAILER_STEPS.filter((s) => s !== "speech").map((s) => [s, ms(mean(first, s)), ms(mean(again, s))]);
  const total = (r: TrailersResult) => (1000 * r.seconds) / r.files.length;
  rows.push(["whole run per trailer (speech included)", ms(total(first)), ms(total(again))]);
  return {
    title: "Trailers: milliseconds per trailer, other steps",
    columns: ["step", "first run", "re-run (all done)"],
    rows,
    notes: [
      `${first.files.length} clips of ${(first.speech.audioSeconds / first.files.length).toFixed(1)} s on average (H.264 160x120 + AAC) against the 10-movie fixture, glove embedder.`,
      "audio: ffmpeg decode to 16 kHz mono WAV; language: subtitles lookup + franc-min; write: the per-file transaction.",
    ],
  };
}
