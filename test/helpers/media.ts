import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findExecutable } from "../../src/media/tools.js";

/** The Debian tools the trailer tests make and read videos with; the reason to skip when one is missing. */
export function missingMediaTools(): string | null {
  const missing = ["ffmpeg", "ffprobe", "espeak-ng"].filter((t) => !findExecutable(t));
  if (!findExecutable("pocketsphinx") && !findExecutable("pocketsphinx_continuous")) missing.push("pocketsphinx");
  return missing.length ? `not installed: ${missing.join(", ")} (Debian: apt-get install ffmpeg espeak-ng pocketsphinx pocketsphinx-en-us; .ci/run installs them)` : null;
}

export interface SpokenVideo {
  /** File name inside `dir`, with extension. */
  name: string;
  /** What espeak-ng says. */
  text: string;
  /** espeak-ng voice (default `en-us+klatt`). */
  voice?: string;
  /** ISO 639-2 tag written on the audio stream (`spa`); none when absent. */
  languageTag?: string;
}

/**
 * Makes a real trailer-like video: espeak-ng speaks `text` into a WAV, ffmpeg mixes in quiet
 * pink noise, generates a 160x120 test-pattern video track as long as the speech, and muxes
 * both into an MP4 (H.264 + AAC), with the audio stream's language tag when one is given.
 *
 * Why the voice and the noise: formant synthesis is far from the read speech pocketsphinx's
 * en-us model was trained on; of espeak-ng's voices the Klatt ones come closest (content words
 * recognised on four test sentences: en-us 47%, en-us+klatt 47% alone, 71% with noise). A real
 * recording never has the exact digital silence espeak-ng writes between words, and
 * pocketsphinx's noise tracking and voice detection misjudge it; a noise floor 40 dB down
 * (pink noise, amplitude 0.01) is what a microphone and a music bed leave. The noise has a
 * fixed seed, so every run makes the same video and recognition figures repeat.
 */
export function makeSpokenVideo(dir: string, v: SpokenVideo): string {
  const wav = join(dir, `${v.name}.speech.wav`);
  const out = join(dir, v.name);
  execFileSync("espeak-ng", ["-v", v.voice ?? "en-us+klatt", "-s", "145", "-w", wav, v.text]);
  const metadata = v.languageTag ? ["-metadata:s:a:0", `language=${v.languageTag}`] : [];
  execFileSync(
    "ffmpeg",
    [
      "-v", "error", "-y",
      "-i", wav,
      "-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.01:sample_rate=22050:seed=1",
      "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10",
      "-filter_complex", "[0:a][1:a]amix=inputs=2:duration=first:normalize=0[a]",
      "-map", "2:v", "-map", "[a]", "-shortest",
      "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
      "-c:a", "aac", "-b:a", "64k",
      ...metadata,
      out,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  rmSync(wav, { force: true });
  return out;
}

/** A one-second video with no audio stream at all. */
export function makeSilentVideo(dir: string, name: string): string {
  const out = join(dir, name);
  execFileSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", out]);
  return out;
}

/** An SRT file of one cue per sentence, two seconds each. */
export function writeSrt(path: string, sentences: string[]): void {
  const stamp = (s: number) => `00:00:${String(s).padStart(2, "0")},000`;
  writeFileSync(path, sentences.map((t, i) => `${i + 1}\n${stamp(2 * i)} --> ${stamp(2 * i + 2)}\n${t}\n`).join("\n"));
}

/** Word error rate of a hypothesis against a reference (word-level Levenshtein distance / reference words). */
export function wordErrorRate(reference: string[], hypothesis: string[]): number {
  const d = Array.from({ length: reference.length + 1 }, (_, i) => [i, ...new Array<number>(hypothesis.length).fill(0)]);
  for (let j = 1; j <= hypothesis.length; j++) d[0]![j] = j;
  for (let i = 1; i <= reference.length; i++) {
    for (let j = 1; j <= hypothesis.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1));
    }
  }
  return reference.length ? d[reference.length]![hypothesis.length]! / reference.length : 0;
}

/** Lower-case words, apostrophes kept ("don't"), everything else a separator. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
}
