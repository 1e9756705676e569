import { LIST_FIELDS, NUMBER_FIELDS, type Movie, type NumberField, type RawRecord } from "./movie.js";
import { FIELD_LIMITS, LIST_ITEM_LIMIT, LIST_ITEMS_LIMIT, truncateAtWord, type CappedField } from "./limits.js";
import { repairMojibake } from "./mojibake.js";

/** Overviews that stand in for a missing plot. Kept movies, but reported and never embedded. */
const PLACEHOLDER_OVERVIEW = /^(no overview found|not available|no overview|overview not available|n\/a|tbd|no plot|plot unknown|none)\.?$/i;

/** Where a row came from, for every line of the report. */
export interface RowRef {
  file: string;
  row: number;
}

export type DropReason = "missing id" | "missing title" | "missing overview" | "field too long";

/**
 * Control characters: C0 (NUL included) but tab, newline and carriage return, DEL, and C1. Every
 * reader hands strings to the cleaner, so this is the one place they are handled: each becomes
 * a space (a NUL inside a title must not reach the store, a terminal or a JSON client) and is
 * counted. A NUL *byte* in a file never gets this far: the decoder refuses the file
 * (`source.ts`), since it means binary data or UTF-16.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Rows listed in full in a report (over-long fields); beyond it only the counts grow. */
const LISTED_ROWS = 100;

export interface CleanOptions {
  /** Refuse (drop and report) a row with a field over its cap instead of truncating it (default off). */
  strict?: boolean;
}

export interface IngestReport {
  /** Records the readers produced. */
  read: number;
  /** Distinct movies after drops and merges. */
  kept: number;
  dropped: number;
  droppedByReason: Partial<Record<DropReason, number>>;
  drops: (RowRef & { reason: DropReason; title: string | null; sourceId: string | null })[];
  /** Kept movies whose overview was a placeholder; their overview is stored empty. */
  placeholders: (RowRef & { id: string; title: string; text: string })[];
  /** Ids that appeared more than once; the rows were merged into one movie. */
  merged: { id: string; title: string; rows: RowRef[] }[];
  /** Rows with at least one double-encoded string repaired, and repairs per field. */
  repairedRows: number;
  repairedByField: Record<string, number>;
  /** Numbers that were 0 (and so unknown) or not numbers at all, per field. */
  unknownNumbers: Partial<Record<NumberField, number>>;
  invalidNumbers: (RowRef & { field: NumberField; value: string })[];
  /** Fields over their cap (`FIELD_LIMITS`), per field: cut at a word boundary, or the row dropped with `strict`. */
  truncatedByField: Partial<Record<CappedField, number>>;
  /** The first rows with an over-long field, with its length before the cut. */
  truncated: (RowRef & { field: CappedField; length: number; limit: number })[];
  /** Control characters replaced by a space, per field. */
  controlCharsByField: Record<string, number>;
}

export function emptyReport(): IngestReport {
  return {
    read: 0,
    kept: 0,
    dropped: 0,
    droppedByReason: {},
    drops: [],
    placeholders: [],
    merged: [],
    repairedRows: 0,
    repairedByField: {},
    unknownNumbers: {},
    invalidNumbers: [],
    truncatedByField: {},
    truncated: [],
    controlCharsByField: {},
  };
}

// Fields where 0 means "unknown" in movie datasets (TMDB writes 0 for a missing budget).
const ZERO_IS_UNKNOWN: ReadonlySet<NumberField> = new Set(["runtime", "budget", "revenue", "votes", "rating", "year"]);

const IMDB_ID = /^tt\d{5,}$/;

/**
 * Turns raw records into movies: drops rows without id, title or overview, repairs mojibake,
 * splits lists, parses numbers, and merges rows that share an id. Every rule is counted in the
 * report. Feed records with `add`, then call `finish` once.
 */
export class Cleaner {
  private readonly movies = new Map<string, { movie: Movie; rows: RowRef[] }>();
  readonly report: IngestReport = emptyReport();

  constructor(private readonly options: CleanOptions = {}) {}

  add(file: string, source: string, record: RawRecord): void {
    this.report.read++;
    const ref: RowRef = { file, row: record.row };
    const f = record.fields;
    let repaired = false;
    const overLong: { field: CappedField; length: number; limit: number }[] = [];
    const text = (field: string, value: unknown, limit?: number): string => {
      if (value === null || value === undefined) return "";
      let raw = String(value).trim();
      // Cut first, so a 50 MB field costs no more than a capped one in what follows.
      if (limit !== undefined && raw.length > limit) {
        overLong.push({ field: field as CappedField, length: raw.length, limit });
        raw = truncateAtWord(raw, limit);
      }
      let fixed = repairMojibake(raw);
      if (fixed !== raw) {
        repaired = true;
        this.report.repairedByField[field] = (this.report.repairedByField[field] ?? 0) + 1;
      }
      // After the repair: double-encoded UTF-8 passes through C1 code points on its way back.
      if (HAS_CONTROL.test(fixed)) {
        this.report.controlCharsByField[field] = (this.report.controlCharsByField[field] ?? 0) + 1;
        fixed = fixed.replace(CONTROL, " ").trim();
      }
      return fixed;
    };
    const field = (name: keyof typeof FIELD_LIMITS, value: unknown): string => text(name, value, FIELD_LIMITS[name]);
    const list = (name: string, value: unknown): string[] => {
      const items = Array.isArray(value) ? value.map(String) : value === null || value === undefined ? [] : String(value).split("|");
      const seen = new Set<string>();
      for (const item of items) {
        const t = text(name, item, LIST_ITEM_LIMIT);
        if (t) seen.add(t);
      }
      const all = [...seen];
      if (all.length <= LIST_ITEMS_LIMIT) return all;
      overLong.push({ field: name as CappedField, length: all.length, limit: LIST_ITEMS_LIMIT });
      return all.slice(0, LIST_ITEMS_LIMIT);
    };

    const rawId = field("id", f.id);
    const title = field("title", f.title);
    let overview = field("overview", f.overview);
    const reason: DropReason | null = !rawId ? "missing id" : !title ? "missing title" : !overview ? "missing overview" : null;
    if (reason) {
      this.report.dropped++;
      this.report.droppedByReason[reason] = (this.report.droppedByReason[reason] ?? 0) + 1;
      this.report.drops.push({ ...ref, reason, title: title || null, sourceId: rawId || null });
      return;
    }
    const id = IMDB_ID.test(rawId) || rawId.startsWith(`${source}:`) ? rawId : `${source}:${rawId}`;
    if (PLACEHOLDER_OVERVIEW.test(overview)) {
      this.report.placeholders.push({ ...ref, id, title, text: overview });
      overview = "";
    }

    const numbers = {} as Record<NumberField, number | null>;
    for (const field of NUMBER_FIELDS) numbers[field] = this.number(ref, field, f[field]);
    const movie: Movie = {
      id,
      source,
      sourceId: f.sourceId === undefined ? rawId : field("sourceId", f.sourceId),
      title,
      year: numbers.year,
      overview,
      tagline: field("tagline", f.tagline) || null,
      genres: list("genres", f.genres),
      keywords: list("keywords", f.keywords),
      cast: list("cast", f.cast),
      directors: list("directors", f.directors),
      companies: list("companies", f.companies),
      runtime: numbers.runtime,
      rating: numbers.rating,
      votes: numbers.votes,
      popularity: numbers.popularity,
      budget: numbers.budget,
      revenue: numbers.revenue,
      posterUrl: field("posterUrl", f.posterUrl) || null,
      language: field("language", f.language) || null,
    };
    if (overLong.length) {
      // A cut id would be another movie's id: such a row is refused even without strict.
      const refuse = this.options.strict || overLong.some((o) => o.field === "id" || o.field === "sourceId");
      for (const o of overLong) {
        this.report.truncatedByField[o.field] = (this.report.truncatedByField[o.field] ?? 0) + 1;
        if (this.report.truncated.length < LISTED_ROWS) this.report.truncated.push({ ...ref, ...o });
      }
      if (refuse) {
        this.report.dropped++;
        this.report.droppedByReason["field too long"] = (this.report.droppedByReason["field too long"] ?? 0) + 1;
        this.report.drops.push({ ...ref, reason: "field too long", title: title || null, sourceId: rawId || null });
        return;
      }
    }
    if (repaired) this.report.repairedRows++;

    const existing = this.movies.get(id);
    if (existing) {
      mergeInto(existing.movie, movie);
      existing.rows.push(ref);
    } else {
      this.movies.set(id, { movie, rows: [ref] });
    }
  }

  private number(ref: RowRef, field: NumberField, value: unknown): number | null {
    if (value === null || value === undefined || value === "") return null;
    let n: number;
    if (typeof value === "number") n = value;
    else {
      const s = String(value).trim();
      // Years also arrive as dates ("2015-09-30", "9/30/15" is not used: release_year is preferred).
      const m = field === "year" ? /\b(1[89]\d\d|20\d\d)\b/.exec(s) : null;
      n = m ? Number(m[1]) : Number(s.replace(/[$,]/g, ""));
    }
    if (!Number.isFinite(n)) {
      this.report.invalidNumbers.push({ ...ref, field, value: String(value).slice(0, 40) });
      return null;
    }
    if (n === 0 && ZERO_IS_UNKNOWN.has(field)) {
      this.report.unknownNumbers[field] = (this.report.unknownNumbers[field] ?? 0) + 1;
      return null;
    }
    return n;
  }

  /** The cleaned movies, in first-seen order, and the completed report. */
  finish(): { movies: Movie[]; report: IngestReport } {
    const movies: Movie[] = [];
    for (const { movie, rows } of this.movies.values()) {
      movies.push(movie);
      if (rows.length > 1) this.report.merged.push({ id: movie.id, title: movie.title, rows });
    }
    this.report.kept = movies.length;
    return { movies, report: this.report };
  }
}

/** Fills what `target` lacks from `other`; lists are unioned. The first row wins on conflicts. */
function mergeInto(target: Movie, other: Movie): void {
  const t = target as unknown as Record<string, unknown>;
  const o = other as unknown as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if ((LIST_FIELDS as readonly string[]).includes(key)) {
      const merged = new Set([...(t[key] as string[]), ...(o[key] as string[])]);
      t[key] = [...merged];
    } else if ((t[key] === null || t[key] === "") && o[key] !== null && o[key] !== "") {
      t[key] = o[key];
    }
  }
}
