import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sparseMovie, type Movie } from "./catalog/movie.js";
import { textHash } from "./embed/cache.js";
import type { Embedder } from "./embed/embedder.js";
import { embeddingText } from "./embed/text.js";
import { CollectionError } from "./errors.js";
import { chooseEmbedder } from "./ingest.js";
import { checkFile, extractAudio, MediaFileError, probeMedia, type MediaProblem } from "./media/ffmpeg.js";
import { collectMediaFiles, contentHash } from "./media/job.js";
import { chooseLanguage, detectLanguage, tagLanguage, type LanguageFinding, type LanguageSource } from "./media/language.js";
import { parseTrailerName, TitleMatcher, type ParsedName, type TitleEntry } from "./media/naming.js";
import { canRecognize, createRecognizer, DEFAULT_RECOGNIZER, type Recognizer, type RecognizerOptions } from "./media/recognizer.js";
import { readSubtitles, subtitleFiles, type Subtitles } from "./media/subtitles.js";
import { requireCapability, type Store, type UpsertItem, type WriteBatch } from "./store/store.js";
import type { Trailer, TrailerMatchNote, TranscriptSource } from "./store/trailers.js";

export interface TrailersOptions extends RecognizerOptions {
  /** `pocketsphinx` (default) or `whisper`. */
  asr?: string;
  /** Use this recogniser instead of creating one (library use, tests). */
  recognizerInstance?: Recognizer;
  /** Add files that match no movie as movies of their own (default false: they are listed). */
  standalone?: boolean;
  /** Embedder of a new collection (`--standalone` on an empty one); default `auto`. An existing collection keeps its own. */
  embedder?: string;
  embedderInstance?: Embedder;
  /** Called before each file and once at the end (`done === total`). */
  onProgress?: (p: { done: number; total: number; file: string }) => void;
  onNotice?: (message: string) => void;
}

/** What happened to one file. */
export type TrailerStatus =
  /** Transcribed (or read from subtitles) in this run. */
  | "transcribed"
  /** Done in an earlier run with the same recogniser: skipped. */
  | "done"
  /** Transcribed earlier but matched no movie then; attached now, without a second transcription. */
  | "attached"
  /** Not usable: reported and skipped. */
  | "failed";

export interface TrailerFileResult {
  file: string;
  status: TrailerStatus;
  /** For failed files: what was wrong, and the one-line message. */
  problem?: MediaProblem;
  error?: string;
  match?: TrailerMatchNote;
  /** The movie the trailer is attached to, when it is. */
  movie?: { id: string; title: string; year: number | null } | null;
  language?: string | null;
  languageSource?: LanguageSource | null;
  languages?: LanguageFinding[];
  transcriptSource?: TranscriptSource;
  /** Words in the transcript. */
  words?: number;
  /** Seconds of audio. */
  seconds?: number;
  /** Milliseconds per step for this file (steps that ran). */
  timings?: Partial<Record<TrailerStep, number>>;
}

export const TRAILER_STEPS = ["hash", "probe", "audio", "speech", "language", "match", "embed", "write"] as const;
export type TrailerStep = (typeof TRAILER_STEPS)[number];

export interface TrailersResult {
  files: TrailerFileResult[];
  counts: Record<TrailerStatus, number> & { matched: number; ambiguous: number; unmatched: number; standalone: number };
  recognizer: string;
  embedderId: string;
  /** Audio seconds transcribed by the recogniser in this run, and the wall-clock seconds that took. */
  speech: { audioSeconds: number; seconds: number };
  seconds: number;
}

/**
 * The trailer pipeline: for each video, the audio (ffmpeg, 16 kHz mono), speech to text (the
 * recogniser, or the subtitles beside the video when the spoken language is one the
 * recogniser cannot do), the language with where it came from, the movie the file name
 * names, and the transcript's embedding; each file is written in a write batch of its own
 * once finished, so a killed run loses at most the file it was on, and a re-run skips every
 * file whose content hash is done. Bad files are reported in the result and never stop the run.
 */
export async function processTrailers(store: Store, inputs: readonly string[], options: TrailersOptions = {}): Promise<TrailersResult> {
  const t0 = performance.now();
  requireCapability(store, "trailers", "plotline trailers");
  const files = collectMediaFiles(inputs);
  if (!options.standalone && (await store.count()) === 0) {
    throw new CollectionError(`${store.location} has no movies to attach trailers to; ingest a catalog first (plotline ingest movies.csv --db ${store.location}), or add them as movies of their own with --standalone`);
  }
  const recognizer = options.recognizerInstance ?? (await createRecognizer(options.asr ?? DEFAULT_RECOGNIZER, options));
  const embedder = options.embedderInstance ?? (await chooseEmbedder(store, { embedder: options.embedder, onNotice: options.onNotice }));
  const work = mkdtempSync(join(tmpdir(), "plotline-trailers-"));
  const results: TrailerFileResult[] = [];
  const speech = { audioSeconds: 0, seconds: 0 };
  try {
    let matcher = new TitleMatcher(await titleEntries(store));
    for (const [i, file] of files.entries()) {
      options.onProgress?.({ done: i, total: files.length, file });
      const r = await processOne(file, { store, recognizer, embedder, matcher, standalone: options.standalone ?? false, work, speech, notice: options.onNotice });
      results.push(r.result);
      // A standalone movie is a new title later files may name.
      if (r.addedMovie) matcher = new TitleMatcher(await titleEntries(store));
    }
    options.onProgress?.({ done: files.length, total: files.length, file: "" });
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (!options.recognizerInstance) await recognizer.close();
    if (!options.embedderInstance) await embedder.close();
  }
  const counts = { transcribed: 0, done: 0, attached: 0, failed: 0, matched: 0, ambiguous: 0, unmatched: 0, standalone: 0 };
  for (const r of results) {
    counts[r.status]++;
    if (r.match) counts[r.match.kind]++;
  }
  return { files: results, counts, recognizer: recognizer.id, embedderId: embedder.id, speech, seconds: (performance.now() - t0) / 1000 };
}

/** Every movie's id, title and year: what file names are matched against. */
async function titleEntries(store: Store): Promise<TitleEntry[]> {
  const out: TitleEntry[] = [];
  for await (const batch of store.scan(["title", "year"])) for (const m of batch) out.push({ key: out.length, id: m.id, title: m.title, year: m.year });
  return out;
}

interface Step {
  store: Store;
  recognizer: Recognizer;
  embedder: Embedder;
  matcher: TitleMatcher;
  standalone: boolean;
  work: string;
  speech: { audioSeconds: number; seconds: number };
  notice?: (message: string) => void;
}

async function processOne(file: string, s: Step): Promise<{ result: TrailerFileResult; addedMovie: boolean }> {
  const timings: Partial<Record<TrailerStep, number>> = {};
  let last = performance.now();
  const lap = (step: TrailerStep) => {
    const now = performance.now();
    timings[step] = (timings[step] ?? 0) + (now - last);
    last = now;
  };
  try {
    // A file done before is known by its hash alone: a re-run never decodes it again.
    await checkFile(file);
    const hash = (await contentHash(file)).toString("hex");
    lap("hash");
    const existing = await s.store.trailer(hash);
    const parsed = parseTrailerName(file);
    if (existing && existing.recognizer === s.recognizer.id && (existing.embedder === s.embedder.id || existing.raw === null)) {
      if (existing.movie !== null) {
        return { result: { ...(await describe(s.store, existing)), status: "done", timings }, addedMovie: false };
      }
      // Transcribed before but not attached: the collection may have the movie now.
      const placed = await place(s, parsed, existing.transcript, hash, lap);
      const record: Trailer = { ...existing, file, movie: placed.movie, match: placed.match };
      // Still unmatched, under the same name: nothing to write (a write would make every server rebuild).
      if (placed.movie !== null || file !== existing.file || JSON.stringify(placed.match) !== JSON.stringify(existing.match)) {
        await s.store.write(placed.batch([record]));
        lap("write");
      }
      return { result: { ...(await describe(s.store, record)), status: placed.movie === null ? "done" : "attached", timings }, addedMovie: placed.upsert !== null };
    }

    const info = await probeMedia(file);
    lap("probe");
    if (!info.audio) throw new MediaFileError(file, "no-audio", "no audio stream");
    const findings: LanguageFinding[] = [];
    const tag = tagLanguage(info.audio.languageTag);
    if (tag) findings.push(tag);
    const subtitles: Subtitles[] = [];
    for (const sub of subtitleFiles(file)) {
      try {
        subtitles.push(await readSubtitles(sub));
      } catch (err) {
        s.notice?.(`${sub}: subtitles not read (${(err as Error).message.split("\n")[0]})`);
      }
    }
    for (const sub of subtitles) if (sub.language) findings.push(sub.language);
    lap("language");

    const spoken = chooseLanguage(findings)?.language ?? null;
    const wav = join(s.work, `${hash}.wav`);
    let seconds = await extractAudio(info, wav);
    lap("audio");
    let transcript = "";
    let transcriptSource: TranscriptSource = "none";
    try {
      if (canRecognize(s.recognizer, spoken)) {
        const started = performance.now();
        const heard = await s.recognizer.transcribe(wav, { language: spoken });
        s.speech.seconds += (performance.now() - started) / 1000;
        s.speech.audioSeconds += heard.seconds;
        seconds = heard.seconds || seconds;
        transcript = heard.text.trim();
        if (transcript) transcriptSource = "speech";
        lap("speech");
      } else if (subtitles.length === 0) {
        s.notice?.(`${file}: spoken language '${spoken}' is not one ${s.recognizer.name} recognises (${s.recognizer.languages?.join(", ")}) and there are no subtitles beside it; stored without a transcript (try --asr whisper)`);
      }
    } finally {
      rmSync(wav, { force: true });
    }
    // The subtitles' words stand in when speech gave none (music only, or a language the recogniser cannot do).
    const subtitleText = subtitles.map((x) => x.text).filter(Boolean).join(" ");
    if (!transcript && subtitleText) {
      transcript = subtitleText;
      transcriptSource = "subtitles";
    }
    if (transcriptSource === "speech") {
      const heard = detectLanguage(transcript, "transcript");
      if (heard) findings.push(heard);
    }
    const chosen = chooseLanguage(findings);
    lap("language");

    const placed = await place(s, parsed, transcript, hash, lap);
    let raw: Float32Array | null = null;
    if (transcript) raw = (await s.embedder.embed([transcript]))[0]!;
    lap("embed");
    const record: Trailer = {
      hash,
      file,
      bytes: info.bytes,
      movie: placed.movie,
      match: placed.match,
      seconds,
      recognizer: s.recognizer.id,
      transcript,
      transcriptSource,
      language: chosen?.language ?? null,
      languageSource: chosen?.source ?? null,
      languages: findings,
      embedder: raw ? s.embedder.id : null,
      raw,
      createdAt: new Date().toISOString(),
    };
    await s.store.write(placed.batch([record]));
    lap("write");
    return { result: { ...(await describe(s.store, record)), status: "transcribed", timings }, addedMovie: placed.upsert !== null };
  } catch (err) {
    if (err instanceof MediaFileError) return { result: { file, status: "failed", problem: err.problem, error: err.message, timings }, addedMovie: false };
    throw err;
  }
}

interface Placement {
  /** The movie's id, or null when the file matches none. */
  movie: string | null;
  match: TrailerMatchNote;
  /** The standalone movie to add with the trailer, or null. */
  upsert: UpsertItem | null;
  /** The write batch of these trailers: with the standalone movie (and the embedder's state refitted) when there is one. */
  batch: (trailers: Trailer[]) => WriteBatch;
}

/**
 * Where a trailer goes: the movie its file name matches, or (with `--standalone`, for a name
 * that matches nothing) a new movie made from it.
 */
async function place(s: Step, parsed: ParsedName, transcript: string, hash: string, lap: (step: TrailerStep) => void): Promise<Placement> {
  const m = s.matcher.match(parsed);
  lap("match");
  const note = { title: parsed.title || parsed.name, year: parsed.year };
  const only = (trailers: Trailer[]): WriteBatch => ({ trailers });
  if (m.kind === "matched") return { movie: m.movie.id, match: { kind: "matched", ...note, how: m.how }, upsert: null, batch: only };
  if (m.kind === "ambiguous") {
    return { movie: null, match: { kind: "ambiguous", ...note, candidates: m.candidates.map((c) => `${c.title} (${c.year ?? "no year"}) ${c.id}`) }, upsert: null, batch: only };
  }
  if (!s.standalone) return { movie: null, match: { kind: "unmatched", ...note }, upsert: null, batch: only };
  const movie = standaloneMovie(parsed, hash);
  // Nothing but a title describes it, so its own vector is embedded from the title and what the trailer says.
  const text = [embeddingText(movie), transcript].filter(Boolean).join("\n");
  const [raw] = await s.embedder.embed([text]);
  lap("embed");
  const upsert: UpsertItem = { movie, textHash: textHash(text), raw: raw! };
  const { embedder } = s;
  return {
    movie: movie.id,
    match: { kind: "standalone", ...note },
    upsert,
    // As ingest does: the fitted post-processing (GloVe's common component) is refitted with the new vector.
    batch: (trailers) => ({ upsert: [upsert], trailers, manifest: { embedderId: embedder.id, dims: embedder.dims, fit: (all) => embedder.fit(all) } }),
  };
}

/** A movie for a trailer that matches none: its id is the file's content hash, its title the file name's. */
function standaloneMovie(parsed: ParsedName, hex: string): Movie {
  return sparseMovie({ id: `trailer:${hex.slice(0, 16)}`, source: "trailer", sourceId: hex, title: parsed.title || parsed.name, year: parsed.year });
}

async function describe(store: Store, t: Trailer): Promise<Omit<TrailerFileResult, "status">> {
  const m = t.movie === null ? null : ((await store.movies([t.movie], ["title", "year"]))[0] ?? null);
  return {
    file: t.file,
    match: t.match,
    movie: m ? { id: m.id, title: m.title, year: m.year } : null,
    language: t.language,
    languageSource: t.languageSource,
    languages: t.languages,
    transcriptSource: t.transcriptSource,
    words: t.transcript ? t.transcript.split(/\s+/).length : 0,
    seconds: t.seconds,
  };
}
