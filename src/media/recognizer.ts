import { InvalidArgumentError } from "../errors.js";
import { PocketsphinxRecognizer, type PocketsphinxOptions } from "./pocketsphinx.js";
import { WhisperRecognizer, type WhisperOptions } from "./whisper.js";

/** What a recogniser heard in one audio file. */
export interface Transcription {
  /** The words, lower or mixed case as the recogniser writes them, utterances joined by spaces. */
  text: string;
  /** Seconds of audio the recogniser was given. */
  seconds: number;
}

/**
 * Speech to text. Every implementation reads the 16 kHz mono 16-bit WAV file that
 * `extractAudio` writes, so the pipeline never depends on how a recogniser takes its input.
 */
export interface Recognizer {
  /** What users type: `pocketsphinx` or `whisper`. */
  readonly name: RecognizerName;
  /** Pins engine, model and settings, e.g. `pocketsphinx/pocketsphinx_continuous/en-us`; recorded with every transcript. */
  readonly id: string;
  /**
   * ISO 639-1 codes of the languages it can transcribe, or null when it takes any language
   * (multilingual Whisper). Speech in another language is not sent to it: its output would be
   * words of the wrong language, which search would then match.
   */
  readonly languages: readonly string[] | null;
  /** Transcribes a WAV file; `language` (ISO 639-1) is a hint for multilingual models. */
  transcribe(wavPath: string, options?: { language?: string | null }): Promise<Transcription>;
  close(): Promise<void>;
}

export const RECOGNIZERS = ["pocketsphinx", "whisper"] as const;
export type RecognizerName = (typeof RECOGNIZERS)[number];
/** Offline with Debian's packages alone, so the default needs no model download. */
export const DEFAULT_RECOGNIZER: RecognizerName = "pocketsphinx";

export interface RecognizerOptions {
  pocketsphinx?: PocketsphinxOptions;
  whisper?: WhisperOptions;
}

/** The recogniser a name stands for, ready to transcribe (its model checked or loaded). */
export async function createRecognizer(name: string = DEFAULT_RECOGNIZER, options: RecognizerOptions = {}): Promise<Recognizer> {
  switch (name) {
    case "pocketsphinx":
      return PocketsphinxRecognizer.create(options.pocketsphinx);
    case "whisper":
      return WhisperRecognizer.load(options.whisper);
    default:
      throw new InvalidArgumentError("--asr", `unknown recogniser '${name}' (recognisers: ${RECOGNIZERS.join(", ")})`);
  }
}

/** Whether a recogniser can transcribe speech in `language` (unknown language: yes, it is tried). */
export function canRecognize(recognizer: Pick<Recognizer, "languages">, language: string | null): boolean {
  return language === null || recognizer.languages === null || recognizer.languages.includes(language);
}
