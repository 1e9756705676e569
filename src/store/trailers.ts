import type { LanguageFinding, LanguageSource } from "../media/language.js";

/**
 * Trailers as every store keeps them (`plotline trailers`, capability `trailers`): one record
 * per video file, keyed by the SHA-1 of its bytes, attached to a movie or not yet. A trailer
 * keeps its transcript and language findings while it matches no movie, so attaching it later
 * needs no second transcription. What a movie's trailers say is visible on the movie itself as
 * the derived field `transcript` (searched by keyword with its own weight), and their languages
 * count for `Filters.language`.
 */

/** Where a trailer's text came from: recognised speech, the subtitles beside it, or nothing usable. */
export type TranscriptSource = "speech" | "subtitles" | "none";

/** How a file name was matched to a movie, kept for the summary and for re-runs. */
export interface TrailerMatchNote {
  kind: "matched" | "ambiguous" | "unmatched" | "standalone";
  /** The title and year read from the file name. */
  title: string;
  year: number | null;
  /** How the match was made ("title and year"), for matched files. */
  how?: string;
  /** The candidates of an ambiguous name, as `Title (year) id`. */
  candidates?: string[];
}

/** One trailer file and what was learnt from it. */
export interface Trailer {
  /** SHA-1 of the file's bytes, lower-case hex: the key. */
  hash: string;
  /** The path as last given. */
  file: string;
  bytes: number;
  /** Id of the movie it is attached to; null while the file matches no movie (or its movie was removed). */
  movie: string | null;
  match: TrailerMatchNote;
  /** Seconds of audio. */
  seconds: number;
  /** Recogniser id, e.g. `pocketsphinx/pocketsphinx_continuous/en-us`: a re-run with another one transcribes again. */
  recognizer: string;
  transcript: string;
  transcriptSource: TranscriptSource;
  /** ISO 639-1, chosen from `languages` (see `media/language.ts`); null when nothing told. */
  language: string | null;
  languageSource: LanguageSource | null;
  /** Every finding, with its source and confidence. */
  languages: LanguageFinding[];
  /** Embedder id of `raw`; null when the transcript is empty (nothing to embed). */
  embedder: string | null;
  /** The embedder's raw vector of the transcript (before the collection-level finish step). */
  raw: Float32Array | null;
  /** ISO 8601 time it was written. */
  createdAt: string;
}

/** A trailer as a movie page shows it: everything but its vector. */
export type TrailerInfo = Omit<Trailer, "raw">;

/** What search and recommendations read about one movie that has trailers. */
export interface MovieTranscripts {
  /** The movie's id. */
  id: string;
  /** Its trailers' transcripts joined (the derived field `transcript`); "" when none has words. */
  transcript: string;
  /** Its trailers' languages (ISO 639-1), each once. */
  languages: string[];
  /** Its trailers' file paths, as last given. */
  files: string[];
  /** Raw transcript vectors made with the embedder asked for, one per trailer that has one. */
  raws: Float32Array[];
}

/** How many trailers a collection holds, and how many are attached to a movie. */
export interface TrailerCounts {
  trailers: number;
  attached: number;
}
