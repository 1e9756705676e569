import { basename } from "node:path";
import { InvalidArgumentError } from "../../errors.js";
import { TRAILERS_OPTIONS, trailersOptions } from "../../options/commands.js";
import { cliFlags, parseCli } from "../../options/option.js";
import { Plotline } from "../../plotline.js";
import type { TrailersResult } from "../../trailers.js";
import type { Command } from "../command.js";
import { n } from "../format.js";
import { Progress } from "../progress.js";
import { table } from "../table.js";

export const trailersCommand: Command = {
  name: "trailers",
  usage: "trailers <dir|file...> [--asr pocketsphinx|whisper] [--asr-model PATH] [--standalone] [--embedder auto]",
  summary: "Transcribe movie trailers (video → audio → text), detect their language, attach them to their movies; searchable and filterable.",
  options: cliFlags(TRAILERS_OPTIONS),
  examples: [
    "plotline trailers ~/trailers --db movies.db",
    'plotline trailers "The Martian (2015) Official Trailer.mp4" --json',
    "plotline trailers ~/trailers --asr whisper --standalone --db trailers.db",
  ],
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new InvalidArgumentError("trailers", "give at least one video file or folder; usage: plotline trailers <dir|file...>");
    const options = trailersOptions(parseCli(TRAILERS_OPTIONS, ctx.values));
    const plotline = Plotline.open({ db: ctx.db, create: options.standalone, onNotice: ctx.notice });
    const progress = new Progress();
    let result: TrailersResult;
    try {
      result = await plotline.trailers(ctx.positionals, { ...options, onProgress: (p) => progress.update("trailers", p.done, p.total, "files") });
    } finally {
      progress.done();
      await plotline.close();
    }
    if (ctx.json) ctx.out(JSON.stringify({ db: plotline.store.location, ...result }));
    else ctx.out(trailersSummary(plotline.store.location, result, ctx.verbose));
  },
};

/** The summary table (one row per file), then the files that need a look: failed, ambiguous, unmatched. */
export function trailersSummary(db: string, r: TrailersResult, verbose: boolean): string {
  const lines: string[] = [];
  if (r.files.length === 0) return "No video files found.";
  const rows = r.files.map((f) => [
    basename(f.file),
    f.status === "failed" ? `failed: ${f.problem}` : f.status,
    f.movie ? `${f.movie.title} (${f.movie.year ?? "no year"})` : f.match ? f.match.kind : "",
    f.language ? `${f.language} (${f.languageSource})` : f.status === "failed" ? "" : "unknown",
    f.transcriptSource ?? "",
    f.words ?? "",
    f.seconds === undefined ? "" : f.seconds.toFixed(1),
  ]);
  lines.push(table(["file", "status", "movie", "language", "text from", "words", "audio s"], rows, 48));
  const failed = r.files.filter((f) => f.status === "failed");
  if (failed.length) lines.push("", `Skipped ${failed.length} file${failed.length === 1 ? "" : "s"}:`, ...failed.map((f) => `  ${f.error}`));
  const ambiguous = r.files.filter((f) => f.match?.kind === "ambiguous" && !f.movie);
  if (ambiguous.length) {
    lines.push("", "Ambiguous (several movies have the title; rename the file with the year, e.g. 'Title (1999) Trailer.mp4'):");
    for (const f of ambiguous) lines.push(`  ${basename(f.file)}: ${f.match!.candidates!.slice(0, verbose ? undefined : 5).join(", ")}`);
  }
  const unmatched = r.files.filter((f) => f.match?.kind === "unmatched");
  if (unmatched.length) {
    lines.push("", "Unmatched (no movie has the title; --standalone adds them as movies of their own):");
    for (const f of unmatched) lines.push(`  ${basename(f.file)}: '${f.match!.title}'${f.match!.year ? ` (${f.match!.year})` : ""}`);
  }
  const c = r.counts;
  lines.push(
    "",
    `${n(r.files.length)} files: ${n(c.transcribed)} transcribed, ${n(c.attached)} attached from an earlier run, ${n(c.done)} already done, ${n(c.failed)} skipped; ` +
      `${n(c.matched)} matched, ${n(c.standalone)} standalone, ${n(c.ambiguous)} ambiguous, ${n(c.unmatched)} unmatched`,
  );
  if (r.speech.audioSeconds > 0) lines.push(`Speech: ${r.speech.audioSeconds.toFixed(1)} s of audio in ${r.speech.seconds.toFixed(1)} s with ${r.recognizer} (${(r.speech.audioSeconds / Math.max(r.speech.seconds, 1e-9)).toFixed(2)} audio s per s)`);
  lines.push(`Collection ${db} (${r.seconds.toFixed(1)} s, embedder ${r.embedderId})`);
  return lines.join("\n");
}
