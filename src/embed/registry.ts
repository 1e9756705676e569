import { InvalidArgumentError, PlotlineError } from "../errors.js";
import type { Embedder } from "./embedder.js";
import { GLOVE_HYBRID_ALPHA, GloveEmbedder } from "./glove.js";
import { firstOnDisk, MINILM_HYBRID_ALPHA, MINILM_MODELS, SentenceTransformerEmbedder, type SentenceTransformerOptions } from "./minilm.js";

/**
 * Embedder names users type. `minilm` is all-MiniLM-L6-v2: Xenova's ONNX export, or the one
 * `plotline models import` made from sentence-transformers' checkpoint, whichever is on disk
 * (Plotline's models folder, then the transformers.js cache), else Xenova's from the hub;
 * `minilm-q8` is its int8 copy (`onnx/model_quantized.onnx`, `plotline models import --int8`).
 * `auto` (the default) is `minilm` when its weights load, else `glove` with a notice saying
 * why; any other name containing `/` is a sentence-transformers ONNX model on the hub or in
 * the models folder.
 */
export const EMBEDDER_NAMES = ["auto", "minilm", "minilm-q8", "glove"] as const;
export const DEFAULT_EMBEDDER = "auto";

export interface CreateOptions extends SentenceTransformerOptions {
  onNotice?: (message: string) => void;
}

export async function createEmbedder(name: string = DEFAULT_EMBEDDER, options: CreateOptions = {}): Promise<Embedder> {
  switch (name) {
    case "glove":
      return new GloveEmbedder(options.onNotice);
    case "minilm":
      return loadMinilm(options);
    case "minilm-q8":
      return loadMinilm({ ...options, dtype: "q8" });
    case "auto":
      try {
        return await loadMinilm(options);
      } catch (err) {
        const why = err instanceof PlotlineError ? err.message : String((err as Error)?.message ?? err);
        options.onNotice?.(`using the offline glove embedder: ${why.replace(/\s+/g, " ").trim()}`);
        return new GloveEmbedder(options.onNotice);
      }
    default:
      if (name.includes("/")) return SentenceTransformerEmbedder.load({ ...options, model: name });
      throw new InvalidArgumentError("--embedder", `unknown embedder '${name}' (use auto, minilm, minilm-q8, glove, or a sentence-transformers model name like Xenova/all-MiniLM-L6-v2)`);
  }
}

/** all-MiniLM-L6-v2 from the first of `MINILM_MODELS` on disk; failing that, how to get it. */
async function loadMinilm(options: CreateOptions): Promise<Embedder> {
  const model = await firstOnDisk(MINILM_MODELS, options);
  try {
    return await SentenceTransformerEmbedder.load({ ...options, model });
  } catch (err) {
    if (!(err instanceof PlotlineError)) throw err;
    throw new PlotlineError(`${err.message}; or convert a sentence-transformers checkpoint with plotline models import <folder>`, { cause: err });
  }
}

/**
 * The embedder a collection was built with, from its recorded id: queries must use the same one.
 */
export async function embedderForId(id: string, options: CreateOptions = {}): Promise<Embedder> {
  if (id.startsWith("glove-sif/")) {
    const e = new GloveEmbedder(options.onNotice);
    if (e.id !== id) throw new PlotlineError(`collection was built with ${id} but this install has ${e.id}; re-ingest the collection`);
    return e;
  }
  const m = /^sentence-transformers\/(.+)@([^/]+)\/(fp32|q8)\/mean-norm\/(\d+)\/(\d+)$/.exec(id);
  if (m) {
    const e = await SentenceTransformerEmbedder.load({ ...options, model: m[1]!, revision: m[2]!, dtype: m[3] as "fp32" | "q8", maxTokens: Number(m[4]) });
    if (e.id !== id) throw new PlotlineError(`collection was built with ${id} but the model loaded as ${e.id}`);
    return e;
  }
  throw new PlotlineError(`collection was built with an unknown embedder '${id}'`);
}

/**
 * The default hybrid (convex) weight of the semantic side for a collection built with
 * `embedderId`: each embedder's own, measured where it is defined (`GLOVE_HYBRID_ALPHA`,
 * `MINILM_HYBRID_ALPHA`); undefined for other models, which get the engine's `DEFAULT_ALPHA`.
 */
export function hybridAlphaFor(embedderId: string | null | undefined): number | undefined {
  if (!embedderId) return undefined;
  if (embedderId.startsWith("glove-sif/")) return GLOVE_HYBRID_ALPHA;
  const m = /^sentence-transformers\/(.+)@/.exec(embedderId);
  return m && (MINILM_MODELS as readonly string[]).includes(m[1]!) ? MINILM_HYBRID_ALPHA : undefined;
}
