import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { PlotlineError } from "../errors.js";

/**
 * Where transformers.js models (the `minilm` embedder, the `whisper` recogniser) are found: a
 * local folder, the transformers.js cache, or the model hub. Shared so that every model is
 * located, reported and kept offline by the same rules.
 */

/** The model hub: `HF_ENDPOINT` (the variable huggingface_hub reads) when set, else huggingface.co. */
export const DEFAULT_HUB = "https://huggingface.co/";
/**
 * How long the hub may take to answer one request before loading gives up (4 s). Without it a
 * machine without network would wait for the operating system's connect timeout.
 */
export const DEFAULT_HUB_TIMEOUT_MS = 4000;

export interface ModelLocation {
  /** Hub-style name (`org/name`) or a folder path (absolute, `./` or `../`). */
  model: string;
  /** A folder laid out as `<org>/<name>/...` (default: `PLOTLINE_MODELS` when set). */
  localModelPath?: string;
  /** Whether the hub may be asked (default: true unless `PLOTLINE_OFFLINE=1`). */
  allowRemote?: boolean;
  /** Hub revision (default `main`). */
  revision?: string;
  /** Model hub base URL (default {@link DEFAULT_HUB}, or `HF_ENDPOINT`). */
  hubUrl?: string;
  /** See {@link DEFAULT_HUB_TIMEOUT_MS}. */
  hubTimeoutMs?: number;
  /** Told, in one line, when model files are about to be downloaded. */
  onNotice?: (message: string) => void;
}

export type Transformers = typeof import("@huggingface/transformers");

// transformers.js keeps its settings in one process-wide `env`; loads are serialised so that two
// concurrent loads with different folders cannot see each other's settings.
let loading: Promise<unknown> = Promise.resolve();
let defaultLocalModelPath: string | undefined;

/** Runs `fn` after every earlier model load has finished, so each load sees its own settings. */
export function serialLoad<T>(fn: () => Promise<T>): Promise<T> {
  const next = loading.then(fn);
  loading = next.catch(() => undefined);
  return next;
}

/**
 * Points transformers.js at the model's files: every file on disk (local folder or cache)
 * means the network is never touched; otherwise, when the hub is allowed, it must answer
 * within `hubTimeoutMs`. Throws a one-line PlotlineError saying what is missing and where it
 * looked. Returns where it looked, for later error messages. Call inside `serialLoad`.
 */
export async function locateModel(t: Transformers, files: readonly string[], o: ModelLocation): Promise<{ places: string; missing: string[] }> {
  const revision = o.revision ?? "main";
  const offlineByEnv = process.env.PLOTLINE_OFFLINE === "1";
  const allowRemote = o.allowRemote ?? !offlineByEnv;
  const hub = withSlash(o.hubUrl ?? (process.env.HF_ENDPOINT || DEFAULT_HUB));
  const transformersDefault = (defaultLocalModelPath ??= t.env.localModelPath);
  const localPath = o.localModelPath ?? (process.env.PLOTLINE_MODELS || undefined);
  t.env.localModelPath = localPath ? withSlash(resolve(localPath)) : transformersDefault;
  t.env.allowLocalModels = true;
  t.env.remoteHost = hub;
  const cacheDir = t.env.cacheDir ?? null;
  const { model } = o;
  // A model given as a folder path is read from there; a hub name from the local folder or cache.
  const isFolder = isAbsolute(model) || model.startsWith("./") || model.startsWith("../");
  const onDisk = (file: string) =>
    existsSync(isFolder ? join(model, file) : join(t.env.localModelPath, model, file)) ||
    (cacheDir !== null && existsSync(revision === "main" ? join(cacheDir, model, file) : join(cacheDir, model, revision, file)));
  const missing = files.filter((f) => !onDisk(f));
  const places = `${localPath ? `${resolve(localPath)} or ` : ""}the transformers.js cache${cacheDir ? ` (${cacheDir})` : ""}`;
  const lacking = missing.length === files.length ? `no ${model} files under ${places}` : `${model}: ${missing.join(", ")} not found under ${places}`;
  if (missing.length === 0) {
    // Everything is local: transformers.js would otherwise still ask the hub for optional files.
    t.env.allowRemoteModels = false;
  } else if (!allowRemote) {
    throw new PlotlineError(`${lacking}, and downloads are off${o.allowRemote === undefined && offlineByEnv ? " (PLOTLINE_OFFLINE=1)" : ""}`);
  } else {
    const unreachable = await probeHub(hub, model, revision, o.hubTimeoutMs ?? DEFAULT_HUB_TIMEOUT_MS);
    if (unreachable) throw new PlotlineError(`${lacking}, and the model hub ${hub} cannot be reached (${unreachable}); set PLOTLINE_MODELS to a folder holding ${model}/`);
    t.env.allowRemoteModels = true;
    o.onNotice?.(`downloading ${missing.join(", ")} of ${model} from ${hub}${cacheDir ? ` into ${cacheDir}` : ""}`);
  }
  return { places, missing };
}

/**
 * Null when the hub answers (any HTTP status: a missing model is reported by the load itself),
 * else why not. One HEAD request without following redirects, bounded by `timeoutMs`.
 */
export async function probeHub(hub: string, model: string, revision: string, timeoutMs: number): Promise<string | null> {
  try {
    const res = await fetch(`${hub}${model}/resolve/${encodeURIComponent(revision)}/config.json`, {
      method: "HEAD",
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return null;
  } catch (err) {
    const e = err as Error & { cause?: { message?: string } };
    if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs / 1000} s`;
    return e.cause?.message ?? e.message;
  }
}

export function withSlash(path: string): string {
  return path.endsWith("/") ? path : `${path}/`;
}

/** The first line of an error, bounded: transformers.js errors can carry whole stack dumps. */
export function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split("\n")[0]!.slice(0, 300);
}
