import type { IngestReport } from "../../catalog/clean.js";
import { createWriteStream, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { checkSha256, DEFAULT_MAX_DOWNLOAD_BYTES, download, isUrl } from "../../catalog/download.js";
import { FORMATS, openCatalog, type Format, type OpenOptions } from "../../catalog/formats.js";
import { FIELD_LIMITS } from "../../catalog/limits.js";
import { cacheDir } from "../../embed/cache-dir.js";
import { defaultDbPath } from "../../store/open.js";
import { InvalidArgumentError } from "../../errors.js";
import type { IngestResult } from "../../ingest.js";
import { DEFAULT_INDEX_CONFIG, resolveKind } from "../../vector-index/select.js";
import { Plotline } from "../../plotline.js";
import { intOption, type Command, type CommandContext } from "../command.js";
import { n } from "../format.js";
import { Progress } from "../progress.js";
import { DISTRIBUTION_OPTIONS, distributionOptions } from "../../options/distribution.js";
import { cliFlags, parseCli } from "../../options/option.js";
import { describeOpened, indexConfigFromOptions, INDEX_PARAM_OPTIONS } from "./index.js";

const PHASE_LABEL = { read: "reading", embed: "embedding", write: "writing" } as const;

export const ingestCommand: Command = {
  name: "ingest",
  usage: "ingest <file|url|-...> [--sha256 HEX] [--format auto] [--map field=Column,...] [--embedder auto] [--merge] [--index auto|exact|hnsw|ivfpq]",
  summary: "Read movie files, URLs or stdin (-) (CSV, JSON, JSON Lines; gzip or not), clean, embed and store them.",
  options: {
    format: { type: "string", arg: "FORMAT", help: `one of ${FORMATS.join(", ")}`, default: "auto" },
    map: { type: "string", arg: "SPEC", help: "column mapping for generic files: title=Name,overview=Plot,year=Year,id=Id,genres=Genres,..." },
    source: { type: "string", arg: "NAME", help: "source name recorded on mapped files' movies (default: the file name)" },
    embedder: { type: "string", arg: "NAME", help: "auto (minilm when its weights load, else glove), minilm, minilm-q8 (its int8 copy), glove, or a sentence-transformers ONNX model (org/name)", default: "auto" },
    merge: {
      type: "boolean",
      help: "merge the files by normalised title + year: the first file's movies gain the others' summaries as a searchable, embedded plot; unmatched films are added as their own movies",
    },
    encoding: { type: "string", arg: "NAME", help: "the files' text encoding: utf-8 (checked: a byte that is not UTF-8 is an error naming its line), latin1, windows-1252, iso-8859-15, ... (iconv-lite's names)", default: "utf-8" },
    strict: { type: "boolean", help: `refuse rows with a field over its cap (title ${FIELD_LIMITS.title} characters, overview ${FIELD_LIMITS.overview.toLocaleString("en-US")}, ...) instead of cutting it at a word` },
    sha256: { type: "string", arg: "HEX", help: "expected sha256 of the downloaded file (with one URL); a mismatch fails before anything is ingested" },
    "max-bytes": { type: "string", arg: "N", help: "largest download accepted, in bytes", default: DEFAULT_MAX_DOWNLOAD_BYTES },
    refresh: { type: "boolean", help: "download URLs again even when the download cache (~/.cache/plotline/downloads) holds them" },
    index: { type: "string", arg: "TYPE", help: "vector index to build and save: auto (exact below 50,000 movies, else hnsw), exact, hnsw, ivfpq (see plotline index)" },
    ...INDEX_PARAM_OPTIONS,
    ...cliFlags(DISTRIBUTION_OPTIONS),
  },
  examples: [
    "plotline ingest https://raw.githubusercontent.com/prust/wikipedia-movie-data/91ae721d3672e8ef4f15b213c763a634250ef61a/movies.json",
    "plotline ingest ../shared/data/tmdb-movies.csv",
    "gunzip -c movies.csv.gz | plotline ingest - --map title=Name,overview=Plot",
    "plotline ingest ../shared/data/wikipedia-movies.json.gz --embedder glove --db wiki.db",
    "plotline ingest films.csv --map title=Name,overview=Plot,year=Year",
    "plotline ingest ../shared/data/tmdb-movies.csv ../shared/data/wikipedia-movies.json.gz --merge --index hnsw --db merged.db",
    "plotline ingest ../shared/data/tmdb-movies.csv --db qdrant://127.0.0.1:6333/movies --shards 3 --replicas 2",
  ],
  async run(ctx) {
    const inputs = ctx.positionals;
    if (inputs.length === 0) throw new InvalidArgumentError("ingest", "give at least one file, URL or - (stdin) to read");
    const format = (ctx.values.format as string | undefined) ?? "auto";
    if (!(FORMATS as readonly string[]).includes(format)) throw new InvalidArgumentError("--format", `unknown format '${format}' (formats: ${FORMATS.join(", ")})`);
    // Imported here, like the readers (`openCatalog`): only ingest needs them.
    const map = ctx.values.map ? (await import("../../catalog/readers/mapped.js")).parseColumnMap(ctx.values.map as string) : undefined;
    const urls = inputs.filter(isUrl);
    const sha256 = ctx.values.sha256 !== undefined ? checkSha256(ctx.values.sha256 as string) : undefined;
    if (sha256 && urls.length !== 1) throw new InvalidArgumentError("--sha256", `checks one download; give exactly one URL (got ${urls.length})`);
    const maxBytes = ctx.values["max-bytes"] === undefined ? DEFAULT_MAX_DOWNLOAD_BYTES : intOption("max-bytes", ctx.values["max-bytes"], DEFAULT_MAX_DOWNLOAD_BYTES);
    if (maxBytes < 1) throw new InvalidArgumentError("--max-bytes", `must be at least 1, got ${maxBytes}`);
    if (inputs.filter((i) => i === "-").length > 1) throw new InvalidArgumentError("ingest", "stdin (-) can be read once");
    const progress = new Progress();
    const spool = inputs.includes("-") ? mkdtempSync(join(tmpdir(), "plotline-stdin-")) : null;
    try {
      // Every input is made a local file and opened (format, header, mapping checked) before the
      // collection is opened, so a missing file or wrong columns create nothing.
      const files: { file: string; shown: string }[] = [];
      for (const input of inputs) {
        if (input === "-") {
          const file = join(spool!, "stdin");
          await pipeline(process.stdin, createWriteStream(file));
          files.push({ file, shown: "stdin" });
        } else if (isUrl(input)) {
          const got = await download(input, {
            cacheDir: join(cacheDir(), "downloads"),
            sha256,
            maxBytes,
            refresh: Boolean(ctx.values.refresh),
            onNotice: ctx.notice,
            onProgress: (done, total) => progress.update("download", Math.floor(done / 1024), total === null ? null : Math.ceil(total / 1024), "KiB"),
          });
          progress.done();
          if (!got.cached) ctx.notice(`downloaded ${input} (${n(got.bytes)} bytes, sha256 ${got.sha256})`);
          files.push({ file: got.file, shown: input });
        } else files.push({ file: input, shown: input });
      }
      const open: OpenOptions = { format: format as Format, map, sourceName: ctx.values.source as string | undefined, encoding: ctx.values.encoding as string | undefined };
      for (const { file } of files) await openCatalog(file, inputOptions(open, file, spool));
      return await ingestFiles(ctx, files, open, progress, spool);
    } finally {
      if (spool) rmSync(spool, { recursive: true, force: true });
    }
  },
};

/** A mapped file read from stdin records its movies' source as `stdin` (not the spool file's name). */
function inputOptions(open: OpenOptions, file: string, spool: string | null): OpenOptions {
  return spool && file.startsWith(spool) && !open.sourceName ? { ...open, sourceName: "stdin" } : open;
}

/** A collection file that this run would create (SQLite, not there yet), removed again if the ingest fails. */
function newCollectionFile(db: string | undefined): string | null {
  const location = db ?? defaultDbPath();
  return location.includes("://") || existsSync(location) ? null : location;
}

async function ingestFiles(ctx: CommandContext, files: { file: string; shown: string }[], open: OpenOptions, progress: Progress, spool: string | null): Promise<void> {
  const created = newCollectionFile(ctx.db);
  const plotline = Plotline.open({ db: ctx.db, create: true, onNotice: ctx.notice, distribution: distributionOptions(parseCli(DISTRIBUTION_OPTIONS, ctx.values)) });
  let result: IngestResult;
  let indexLine: string | null = null;
  let indexJson: unknown = undefined;
  let ok = false;
  try {
    // Checked before any work, so a bad --index fails fast.
    const status = (await plotline.info()).index;
    const config = indexConfigFromOptions(ctx, status?.config ?? DEFAULT_INDEX_CONFIG, "index");
    if (config && !status) throw new InvalidArgumentError("--index", `the ${plotline.store.kind} store configures its vector index itself`);
    result = await plotline.ingest(
      files.map(({ file }) => ({ file, ...inputOptions(open, file, spool) })),
      {
        embedder: ctx.values.embedder as string | undefined,
        merge: Boolean(ctx.values.merge),
        strict: Boolean(ctx.values.strict),
        onNotice: ctx.notice,
        onProgress: (p) => progress.update(PHASE_LABEL[p.phase], p.done, p.total, p.phase === "read" ? "rows" : "movies"),
      },
    );
    // An approximate index is built and saved now, so that searches load it instead of building it.
    const type = config?.type ?? status?.config.type;
    if (type !== undefined && (config || resolveKind(type, result.total) !== "exact")) {
      const opened = await plotline.prepareIndex(config ?? undefined, { onProgress: (done, total) => progress.update("indexing", done, total, "vectors") });
      progress.done();
      indexLine = describeOpened(opened);
      indexJson = { kind: opened.kind, status: opened.status, seconds: opened.seconds, file: opened.saved };
    }
    ok = true;
  } finally {
    progress.done();
    await plotline.close();
    if (!ok && created) for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${created}${suffix}`, { force: true });
  }
  // Downloads and stdin are reported as given, not by their local copies.
  result = { ...result, files: result.files.map((f, i) => ({ ...f, file: files[i]?.shown ?? f.file })) };
  if (ctx.json) ctx.out(JSON.stringify({ db: plotline.store.location, ...result, ...(indexJson ? { index: indexJson } : {}) }));
  else ctx.out(summary(plotline.store.location, result, ctx.verbose) + (indexLine ? `\n${indexLine}` : ""));
}

function counts(record: Partial<Record<string, number>>): string {
  return Object.entries(record)
    .map(([k, v]) => `${k} ${n(v ?? 0)}`)
    .join(", ");
}

/** The human summary: every cleaning rule with its count, and the rows behind drops and merges. */
export function summary(db: string, r: IngestResult, verbose: boolean): string {
  const rep: IngestReport = r.report;
  const lines: string[] = [];
  for (const f of r.files) lines.push(`Read ${f.file} (${f.format})`);
  lines.push(`  rows read        ${n(rep.read)}`);
  lines.push(`  movies kept      ${n(rep.kept)}`);
  lines.push(`  rows dropped     ${n(rep.dropped)}${rep.dropped ? ` (${counts(rep.droppedByReason)})` : ""}`);
  const limit = verbose ? Infinity : 20;
  for (const d of rep.drops.slice(0, limit)) lines.push(`    row ${d.row}: ${d.reason}${d.title ? `: ${d.title}` : ""}${d.sourceId ? ` [${d.sourceId}]` : ""}`);
  if (rep.drops.length > limit) lines.push(`    ... and ${n(rep.drops.length - limit)} more (--verbose or --json lists all)`);
  lines.push(`  duplicates merged ${n(rep.merged.length)}`);
  for (const m of rep.merged.slice(0, limit)) lines.push(`    ${m.id} ${m.title}: rows ${m.rows.map((x) => x.row).join(", ")}`);
  if (rep.merged.length > limit) lines.push(`    ... and ${n(rep.merged.length - limit)} more`);
  lines.push(`  placeholder overviews ${n(rep.placeholders.length)} (kept; embedded from title and tagline)`);
  for (const p of rep.placeholders.slice(0, limit)) lines.push(`    row ${p.row}: ${p.id} ${p.title}: "${p.text}"`);
  if (rep.placeholders.length > limit) lines.push(`    ... and ${n(rep.placeholders.length - limit)} more`);
  lines.push(`  mojibake repaired ${n(rep.repairedRows)} rows${rep.repairedRows ? ` (${counts(rep.repairedByField)})` : ""}`);
  const truncated = Object.values(rep.truncatedByField).reduce((a, b) => a + (b ?? 0), 0);
  if (truncated) {
    lines.push(`  fields over their cap ${n(truncated)} (${counts(rep.truncatedByField)}; ${rep.droppedByReason["field too long"] ? "rows refused" : "cut at a word"})`);
    for (const t of rep.truncated.slice(0, limit)) lines.push(`    row ${t.row}: ${t.field} ${n(t.length)} > ${n(t.limit)}`);
  }
  if (Object.keys(rep.controlCharsByField).length) lines.push(`  control characters replaced by a space in ${counts(rep.controlCharsByField)}`);
  if (Object.keys(rep.unknownNumbers).length) lines.push(`  zero = unknown   ${counts(rep.unknownNumbers)}`);
  if (rep.invalidNumbers.length) {
    lines.push(`  invalid numbers  ${n(rep.invalidNumbers.length)} (stored as unknown)`);
    for (const x of rep.invalidNumbers.slice(0, limit)) lines.push(`    row ${x.row}: ${x.field} = '${x.value}'`);
  }
  if (r.merge) {
    const m = r.merge;
    lines.push(`Merged ${m.secondary.source} into ${m.primary.source} by title + year: ${n(m.primary.movies)} + ${n(m.secondary.movies)} movies`);
    lines.push(`  matched          ${n(m.matched)} (${n(m.matchedNearYear)} with the year off by one)`);
    lines.push(`  ambiguous        ${n(m.ambiguous)} (left unmerged)`);
    for (const a of m.ambiguousExamples.slice(0, verbose ? Infinity : 5)) lines.push(`    ${a.id} ${a.title} (${a.year ?? "?"}): ${a.candidates.join(", ")}`);
    lines.push(`  unmatched        ${n(m.unmatchedPrimary)} ${m.primary.source}, ${n(m.unmatchedSecondary)} ${m.secondary.source} (kept as their own movies)`);
    lines.push(`  movies after merge ${n(m.movies)}`);
  }
  if (r.written === false) lines.push("Nothing written: the files held no movies; the collection is unchanged");
  else lines.push(`Embedded ${n(r.embedded)} movies, ${n(r.cached)} from cache, with ${r.embedderId}`);
  lines.push(`Collection ${db}: ${n(r.total)} movies (${r.seconds.total.toFixed(1)} s)`);
  return lines.join("\n");
}
