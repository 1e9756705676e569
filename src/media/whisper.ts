import { PlotlineError } from "../errors.js";
import { firstLine, locateModel, serialLoad, type ModelLocation, type Transformers } from "../models/hub.js";
import { readWavSamples, SAMPLE_RATE } from "./ffmpeg.js";
import type { Recognizer, Transcription } from "./recognizer.js";

/** Whisper tiny, multilingual (39 M parameters), as exported to ONNX by Xenova: small enough for a CPU. */
export const DEFAULT_WHISPER_MODEL = "Xenova/whisper-tiny";
/** Whisper reads 30 s windows; longer audio is cut into overlapping windows of this length. */
export const WHISPER_CHUNK_SECONDS = 30;
/** Overlap on each side of a window, so words cut at a window's edge are read whole in the next. */
export const WHISPER_STRIDE_SECONDS = 5;

export interface WhisperOptions extends Omit<ModelLocation, "model"> {
  /** Hub-style name or folder (default {@link DEFAULT_WHISPER_MODEL}); names ending in `.en` are English-only. */
  model?: string;
  /** `fp32` (default: `onnx/encoder_model.onnx`, `onnx/decoder_model_merged.onnx`) or `q8` (their `_quantized` files). */
  dtype?: "fp32" | "q8";
}

type AsrPipeline = (audio: Float32Array, options: Record<string, unknown>) => Promise<{ text: string } | { text: string }[]>;

/**
 * OpenAI Whisper through transformers.js (ONNX Runtime), located and loaded as the `minilm`
 * embedder is: `PLOTLINE_MODELS`, then the transformers.js cache, then the hub (with a
 * timeout, and never when `PLOTLINE_OFFLINE=1`). Multilingual models take the file's language
 * as a hint when it is known, and detect it otherwise.
 */
export class WhisperRecognizer implements Recognizer {
  readonly name = "whisper" as const;
  readonly id: string;
  readonly languages: readonly string[] | null;

  private constructor(
    readonly model: string,
    private readonly asr: AsrPipeline & { dispose?: () => Promise<void> },
    dtype: string,
    revision: string,
  ) {
    this.id = `whisper/${model}@${revision}/${dtype}`;
    this.languages = model.endsWith(".en") ? ["en"] : null;
  }

  /** Loads the model; throws a one-line PlotlineError saying what is missing and where it looked. */
  static load(options: WhisperOptions = {}): Promise<WhisperRecognizer> {
    return serialLoad(() => WhisperRecognizer.loadNow(options));
  }

  private static async loadNow(options: WhisperOptions): Promise<WhisperRecognizer> {
    const model = options.model ?? DEFAULT_WHISPER_MODEL;
    const dtype = options.dtype ?? "fp32";
    const revision = options.revision ?? "main";
    const t: Transformers = await import("@huggingface/transformers");
    const suffix = dtype === "q8" ? "_quantized" : "";
    const files = [
      "config.json",
      "generation_config.json",
      "preprocessor_config.json",
      "tokenizer.json",
      "tokenizer_config.json",
      `onnx/encoder_model${suffix}.onnx`,
      `onnx/decoder_model_merged${suffix}.onnx`,
    ];
    const { places, missing } = await locateModel(t, files, { ...options, model, revision });
    try {
      const asr = (await t.pipeline("automatic-speech-recognition", model, { dtype, revision })) as unknown as AsrPipeline;
      return new WhisperRecognizer(model, asr, dtype, revision);
    } catch (err) {
      throw new PlotlineError(`cannot load model ${model} from ${places}${missing.length ? " or the hub" : ""}: ${firstLine(err)}`, { cause: err });
    }
  }

  async transcribe(wavPath: string, options: { language?: string | null } = {}): Promise<Transcription> {
    const samples = await readWavSamples(wavPath);
    const seconds = samples.length / SAMPLE_RATE;
    if (samples.length === 0) return { text: "", seconds };
    const base: Record<string, unknown> = { chunk_length_s: WHISPER_CHUNK_SECONDS, stride_length_s: WHISPER_STRIDE_SECONDS };
    const multilingual = this.languages === null;
    const hint = multilingual && options.language ? { language: options.language, task: "transcribe" } : multilingual ? { task: "transcribe" } : {};
    let out;
    try {
      out = await this.asr(samples, { ...base, ...hint });
    } catch (err) {
      // A language Whisper does not know is only a hint: detect it instead.
      if (!("language" in hint) || !/not supported/i.test(String((err as Error)?.message))) throw err;
      out = await this.asr(samples, { ...base, task: "transcribe" });
    }
    const text = (Array.isArray(out) ? out.map((o) => o.text).join(" ") : out.text).replace(/\s+/g, " ").trim();
    return { text, seconds };
  }

  async close(): Promise<void> {
    await this.asr.dispose?.();
  }
}
