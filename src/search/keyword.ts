import type Database from "better-sqlite3";
import type { Collection } from "../store/collection.js";
import type { MatchField } from "./types.js";

/** Relative BM25 weight of each indexed field. */
export type FieldWeights = Record<MatchField, number>;

/**
 * Default field weights: a word in the title counts 3x one in the overview, a keyword 2x, a
 * cast or director name 1.5x (the weights of the Weaviate remake of Karpathy's movie search,
 * seed 004, where `title^3` and names sit beside the description and plot). A plot merged from
 * another catalog (`ingest --merge`) counts as the overview does.
 */
export const DEFAULT_FIELD_WEIGHTS: Readonly<FieldWeights> = Object.freeze({
  title: 3,
  keywords: 2,
  cast: 1.5,
  directors: 1.5,
  genres: 1,
  tagline: 1,
  overview: 1,
  plot: 1,
});

/** FTS5 columns in declaration order (schema migration 5), with the field each one is. */
const COLUMNS: readonly [MatchField, string][] = [
  ["title", "title"],
  ["keywords", "keywords"],
  ["cast", "cast_members"],
  ["directors", "directors"],
  ["genres", "genres"],
  ["tagline", "tagline"],
  ["overview", "overview"],
  ["plot", "plot"],
];

let instances = 0;

/** A keyword hit: `score` is BM25 (higher is better; FTS5's bm25() negated). */
export interface KeywordHit {
  id: number;
  score: number;
}

/**
 * BM25 keyword search over the collection's FTS5 index (`movies_fts`). Expressions come from
 * `ftsExpression`, never from user text. Statements are prepared once per filter shape.
 */
export class KeywordIndex {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly weights: number[];
  /** The filter's rowid set while a filtered query runs, read by the SQL function below. */
  private allowed: ReadonlySet<number> | null = null;
  /**
   * A per-instance SQL function testing a rowid against `allowed`. A JavaScript set lookup per
   * matching row is cheaper than re-reading the movie row (genre and cast tests in SQL go
   * through json_each: about twice the time of the whole unfiltered query).
   */
  private readonly allowedFn = `plotline_allowed_${++instances}`;

  constructor(
    private readonly collection: Collection,
    weights: Partial<FieldWeights> = {},
  ) {
    const w = { ...DEFAULT_FIELD_WEIGHTS, ...weights };
    this.weights = COLUMNS.map(([field]) => w[field]);
    collection.db.function(this.allowedFn, { deterministic: false, directOnly: true }, (id) => (this.allowed?.has(id as number) ? 1 : 0));
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.collection.db.prepare(sql)));
    return s;
  }

  private get bm25(): string {
    return `bm25(movies_fts, ${this.weights.map(() => "?").join(", ")})`;
  }

  /**
   * The best `limit` movies for an FTS5 expression, best first, ties by rowid. `allowed` (the
   * rowids passing the filters, from `filterRowids`) is tested inside the query, so filters
   * apply before the limit.
   */
  top(expression: string, limit: number, allowed?: ReadonlySet<number> | null): KeywordHit[] {
    if (limit <= 0) return [];
    let rows: [number, number][];
    if (allowed) {
      if (allowed.size === 0) return [];
      this.allowed = allowed;
      try {
        const sql = `SELECT rowid, ${this.bm25} AS s FROM movies_fts WHERE movies_fts MATCH ? AND ${this.allowedFn}(rowid) ORDER BY s, rowid LIMIT ?`;
        rows = this.statement(sql).raw().all(...this.weights, expression, limit) as [number, number][];
      } finally {
        this.allowed = null;
      }
    } else {
      const sql = `SELECT rowid, ${this.bm25} AS s FROM movies_fts WHERE movies_fts MATCH ? ORDER BY s, rowid LIMIT ?`;
      rows = this.statement(sql).raw().all(...this.weights, expression, limit) as [number, number][];
    }
    return rows.map(([id, s]) => ({ id, score: -s }));
  }
}

