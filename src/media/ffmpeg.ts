import { constants } from "node:fs";
import { access, readFile, stat } from "node:fs/promises";
import { lastErrorLine, runTool } from "./tools.js";

/** Audio handed to speech recognition: 16 kHz mono 16-bit PCM, what pocketsphinx and Whisper expect. */
export const SAMPLE_RATE = 16_000;
/** Longest a probe or an extraction may run before the file is reported as unreadable (10 minutes). */
export const TOOL_TIMEOUT_MS = 600_000;

/** Why a file was skipped; one reason per bad-input case the pipeline reports. */
export type MediaProblem = "missing" | "unreadable" | "empty" | "not-media" | "no-audio" | "decode-failed";

/** A file the pipeline cannot use: reported, skipped, never fatal to the batch. */
export class MediaFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: MediaProblem,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = "MediaFileError";
  }
}

/** What ffprobe says about a file: its container, and its first audio stream when it has one. */
export interface MediaInfo {
  file: string;
  bytes: number;
  /** ffprobe's format name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`. */
  format: string;
  /** Container duration in seconds, when known. */
  duration: number | null;
  videoStreams: number;
  audio: {
    /** The stream's index in the container (`-map 0:<index>`). */
    index: number;
    codec: string;
    /** The stream's `language` tag as written (ISO 639-2, e.g. `spa`); null when absent or `und`. */
    languageTag: string | null;
  } | null;
}

interface ProbeJson {
  format?: { format_name?: string; duration?: string };
  streams?: { index: number; codec_type?: string; codec_name?: string; tags?: Record<string, string>; disposition?: { attached_pic?: number } }[];
}

/**
 * Checks a file before any decoding: it must exist, be a readable regular file and not be
 * empty. Returns its size; throws `MediaFileError` naming the problem.
 */
export async function checkFile(file: string): Promise<number> {
  let bytes: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new MediaFileError(file, "unreadable", "not a regular file");
    bytes = s.size;
    await access(file, constants.R_OK);
  } catch (err) {
    if (err instanceof MediaFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new MediaFileError(file, "missing", "no such file");
    throw new MediaFileError(file, "unreadable", code === "EACCES" ? "permission denied" : (err as Error).message);
  }
  if (bytes === 0) throw new MediaFileError(file, "empty", "zero-byte file");
  return bytes;
}

/** Checks the file (`checkFile`), then asks ffprobe for its streams. Throws `MediaFileError` naming the problem. */
export async function probeMedia(file: string): Promise<MediaInfo> {
  const bytes = await checkFile(file);
  const r = await runTool("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", "--", file], { timeoutMs: TOOL_TIMEOUT_MS, debianPackage: "ffmpeg" });
  if (r.code !== 0) {
    const why = r.signal ? `ffprobe killed after ${TOOL_TIMEOUT_MS / 1000} s` : `ffprobe: ${lastErrorLine(r.stderr).replace(`${file}: `, "")}`;
    throw new MediaFileError(file, "not-media", `not a video (${why})`);
  }
  let json: ProbeJson;
  try {
    json = JSON.parse(r.stdout.toString("utf8")) as ProbeJson;
  } catch {
    throw new MediaFileError(file, "not-media", "not a video (ffprobe gave no stream list)");
  }
  const streams = json.streams ?? [];
  if (!json.format || streams.length === 0) throw new MediaFileError(file, "not-media", "not a video (no streams)");
  // Cover art in an audio file is a "video" stream with the attached_pic disposition.
  const video = streams.filter((s) => s.codec_type === "video" && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === "audio");
  const tag = audio?.tags?.language ?? audio?.tags?.LANGUAGE;
  const duration = json.format.duration === undefined ? NaN : Number(json.format.duration);
  return {
    file,
    bytes,
    format: json.format.format_name ?? "unknown",
    duration: Number.isFinite(duration) ? duration : null,
    videoStreams: video.length,
    audio: audio ? { index: audio.index, codec: audio.codec_name ?? "unknown", languageTag: tag && tag.toLowerCase() !== "und" ? tag.toLowerCase() : null } : null,
  };
}

/**
 * Decodes the first audio stream to a 16 kHz mono 16-bit WAV file at `out` and returns the
 * audio's length in seconds. A file without audio, or whose audio does not decode, throws
 * `MediaFileError`.
 */
export async function extractAudio(info: MediaInfo, out: string): Promise<number> {
  if (!info.audio) throw new MediaFileError(info.file, "no-audio", "no audio stream");
  const args = ["-nostdin", "-v", "error", "-y", "-i", info.file, "-map", `0:${info.audio.index}`, "-vn", "-ac", "1", "-ar", String(SAMPLE_RATE), "-c:a", "pcm_s16le", "-f", "wav", out];
  const r = await runTool("ffmpeg", args, { timeoutMs: TOOL_TIMEOUT_MS, debianPackage: "ffmpeg" });
  if (r.code !== 0) {
    throw new MediaFileError(info.file, "decode-failed", r.signal ? `ffmpeg killed after ${TOOL_TIMEOUT_MS / 1000} s` : `audio does not decode (ffmpeg: ${lastErrorLine(r.stderr)})`);
  }
  const { bytes } = wavData(await readFile(out), out);
  const seconds = bytes / (2 * SAMPLE_RATE);
  if (seconds <= 0) throw new MediaFileError(info.file, "no-audio", "the audio stream is empty");
  return seconds;
}

/**
 * Where the samples of a WAV file start and how many bytes they take: the `data` chunk, found
 * by walking the RIFF chunks, so any header layout ffmpeg writes (with or without LIST/INFO)
 * is read correctly.
 */
function wavData(buf: Buffer, path: string): { offset: number; bytes: number } {
  if (buf.toString("ascii", 0, 4) !== "RIFF" || buf.toString("ascii", 8, 12) !== "WAVE") throw new Error(`${path}: not a WAV file`);
  let at = 12;
  while (at + 8 <= buf.length) {
    const size = buf.readUInt32LE(at + 4);
    if (buf.toString("ascii", at, at + 4) === "data") return { offset: at + 8, bytes: Math.min(size, buf.length - at - 8) };
    at += 8 + size + (size % 2);
  }
  throw new Error(`${path}: WAV file without a data chunk`);
}

/** The samples of a 16-bit PCM mono WAV file as floats in -1..1 (what Whisper's feature extractor reads). */
export async function readWavSamples(path: string): Promise<Float32Array> {
  const buf = await readFile(path);
  const { offset, bytes } = wavData(buf, path);
  const out = new Float32Array(Math.floor(bytes / 2));
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(offset + 2 * i) / 32768;
  return out;
}
