import { existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { PlotlineError } from "../errors.js";
import { SAMPLE_RATE } from "./ffmpeg.js";
import type { Recognizer, Transcription } from "./recognizer.js";
import { findExecutable, lastErrorLine, missingTool, runTool } from "./tools.js";

/**
 * Where the US English model is installed: Debian's `pocketsphinx-en-us` package, then a
 * source build's default prefix. Each holds `en-us/` (acoustic model), `en-us.lm.bin` and
 * `cmudict-en-us.dict`.
 */
export const POCKETSPHINX_MODEL_DIRS = ["/usr/share/pocketsphinx/model/en-us", "/usr/local/share/pocketsphinx/model/en-us"] as const;
/** Longest one file may take to decode (1 hour): a hung decoder must not stop the batch. */
export const POCKETSPHINX_TIMEOUT_MS = 3_600_000;

export interface PocketsphinxOptions {
  /** A model folder laid out as Debian's (default: the first of `POCKETSPHINX_MODEL_DIRS` that exists). */
  modelDir?: string;
}

/** The two command-line programs pocketsphinx has shipped, newest first. */
type Flavor = "pocketsphinx" | "pocketsphinx_continuous";

/**
 * CMU PocketSphinx through its command-line program: `pocketsphinx` of 5.x (`live` mode, one
 * JSON object per detected utterance) or `pocketsphinx_continuous` of 0.8 / 5prealpha (what
 * Debian 12 ships: one hypothesis line per utterance). Both segment the audio by voice
 * activity, so a whole trailer is decoded in one run. The model files are passed explicitly,
 * so the model used is the one recorded in `id`. Offline; English only (the en-us model).
 */
export class PocketsphinxRecognizer implements Recognizer {
  readonly name = "pocketsphinx" as const;
  readonly id: string;
  readonly languages = ["en"] as const;

  private constructor(
    private readonly binary: string,
    private readonly flavor: Flavor,
    private readonly model: { hmm: string; lm: string; dict: string },
    modelDir: string,
  ) {
    this.id = `pocketsphinx/${flavor}/${basename(modelDir)}`;
  }

  /** Finds the program and the model; throws a one-line error saying what to install. */
  static create(options: PocketsphinxOptions = {}): PocketsphinxRecognizer {
    let flavor: Flavor = "pocketsphinx";
    let binary = findExecutable(flavor);
    if (!binary) {
      flavor = "pocketsphinx_continuous";
      binary = findExecutable(flavor);
    }
    if (!binary) throw missingTool("pocketsphinx (or pocketsphinx_continuous)", "pocketsphinx pocketsphinx-en-us");
    const dirs = options.modelDir ? [resolve(options.modelDir)] : [...POCKETSPHINX_MODEL_DIRS];
    for (const dir of dirs) {
      const model = { hmm: join(dir, "en-us"), lm: join(dir, "en-us.lm.bin"), dict: join(dir, "cmudict-en-us.dict") };
      if (existsSync(model.hmm) && statSync(model.hmm).isDirectory() && existsSync(model.lm) && existsSync(model.dict)) return new PocketsphinxRecognizer(binary, flavor, model, dir);
    }
    throw new PlotlineError(
      `pocketsphinx's US English model not found (looked for en-us/, en-us.lm.bin and cmudict-en-us.dict in ${dirs.join(", ")}); ` +
        (options.modelDir ? "check --asr-model" : "install it (Debian: apt-get install pocketsphinx-en-us)"),
    );
  }

  async transcribe(wavPath: string): Promise<Transcription> {
    const model = ["-hmm", this.model.hmm, "-lm", this.model.lm, "-dict", this.model.dict, "-samprate", String(SAMPLE_RATE)];
    const args = this.flavor === "pocketsphinx" ? [...model, "-loglevel", "ERROR", "live", wavPath] : [...model, "-infile", wavPath, "-logfn", "/dev/null"];
    const r = await runTool(this.binary, args, { timeoutMs: POCKETSPHINX_TIMEOUT_MS, debianPackage: "pocketsphinx" });
    if (r.code !== 0) throw new PlotlineError(`${basename(this.binary)} failed on ${wavPath}: ${r.signal ? `killed (${r.signal})` : lastErrorLine(r.stderr)}`);
    const out = r.stdout.toString("utf8");
    const text = this.flavor === "pocketsphinx" ? parseLiveJson(out) : parseHypothesisLines(out);
    return { text, seconds: wavSeconds(wavPath) };
  }

  async close(): Promise<void> {}
}

/** Audio seconds of a 16-bit mono WAV from its size (the header is a few dozen bytes). */
function wavSeconds(path: string): number {
  return Math.max(0, statSync(path).size - 44) / (2 * SAMPLE_RATE);
}

/** Tokens that are not words: sentence marks, silence and filler models (`<sil>`, `[NOISE]`, `++BREATH++`). */
const NOT_A_WORD = /^(<.*>|\[.*\]|\+\+.*\+\+)$/;

/** A decoded word without its pronunciation-variant suffix: `the(2)` is "the". */
function cleanWord(w: string): string {
  return w.replace(/\(\d+\)$/, "");
}

function words(text: string): string[] {
  return text
    .split(/\s+/)
    .filter((w) => w && !NOT_A_WORD.test(w))
    .map(cleanWord);
}

/**
 * `pocketsphinx live` (5.x) writes one JSON object per utterance: `{"b": start, "d": duration,
 * "p": probability, "t": "text", "w": [...]}`. Lines that are not such objects are skipped.
 */
export function parseLiveJson(stdout: string): string {
  const out: string[] = [];
  for (const line of stdout.split("\n")) {
    const l = line.trim();
    if (!l.startsWith("{")) continue;
    try {
      const o = JSON.parse(l) as { t?: unknown };
      if (typeof o.t === "string") out.push(...words(o.t));
    } catch {
      // a partial line from a killed run
    }
  }
  return out.join(" ");
}

/** `pocketsphinx_continuous -infile` writes one hypothesis per utterance, a line each. */
export function parseHypothesisLines(stdout: string): string {
  return stdout
    .split("\n")
    .flatMap((l) => words(l.trim()))
    .join(" ");
}
