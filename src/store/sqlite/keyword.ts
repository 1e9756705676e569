import type Database from "better-sqlite3";
import { porterStem } from "../../search/porter.js";
import { TopK } from "../../vector-index/topk.js";
import { FIELD_GROUP_OF, FIELD_GROUPS, type FieldWeights, type KeywordQuery, type TextField } from "../store.js";
import { ftsExpression } from "./fts-expression.js";
import { TermPostings, type Postings } from "./postings.js";

/** The field each FTS5 column of `movies_fts` holds (`schema.ts`). */
const FIELD_OF_COLUMN: Readonly<Record<string, TextField>> = {
  title: "title",
  keywords: "keywords",
  cast_members: "cast",
  directors: "directors",
  genres: "genres",
  tagline: "tagline",
  overview: "overview",
  plot: "plot",
  transcript: "transcript",
};

/**
 * The columns of `movies_fts` in declaration order, read from the table itself: bm25() takes its
 * weights in that order, so the order is whatever the latest migration declared.
 */
function ftsColumns(db: Database.Database): [TextField, string][] {
  const names = db.prepare("SELECT name FROM pragma_table_info('movies_fts') ORDER BY cid").pluck().all() as string[];
  return names.map((name) => {
    const field = FIELD_OF_COLUMN[name];
    if (!field) throw new Error(`movies_fts has a column '${name}' that holds no known field`);
    return [field, name];
  });
}

/** FTS5 bm25()'s constants (ext/fts5/fts5_aux.c), which the in-memory scorer must share. */
const K1 = 1.2;
const B = 0.75;
/** Words the in-memory scorer tokenizes exactly as FTS5 does: unicode61 leaves them whole. */
const PLAIN_WORD = /^[a-z0-9]+$/;

let instances = 0;

/** A keyword hit by rowid: `score` is BM25 (higher is better; FTS5's bm25() negated). */
export interface RowHit {
  id: number;
  score: number;
}

/**
 * BM25 keyword search over the collection's FTS5 index (`movies_fts`), scored exactly as FTS5's
 * bm25() scores it (same IDF, field weights, lengths, k1 and b; ties by rowid).
 *
 * Queries of plain words (the usual case, prefix and corrections included) are scored in memory
 * from term postings read out of FTS5's index (`TermPostings`); queries with quoted phrases, or
 * words FTS5 would cut differently, go to FTS5 itself, since phrase matching needs positions.
 * `test/search-bm25.test.ts` checks both paths give the same movies, order and scores.
 * Expressions come from `ftsExpression`, never from user text; statements are prepared once.
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
  private readonly postings: TermPostings;
  /** Per-rowid score accumulator, the query that last wrote each slot, and the slots written (reused across queries). */
  private scores = new Float64Array(0);
  private stamp = new Uint32Array(0);
  private touched = new Int32Array(0);
  /** Term scores of each posting list read so far (see `partsOf`); a list dropped by the postings cache drops its entry. */
  private readonly parts = new WeakMap<Postings, Float64Array>();
  private epoch = 0;
  /** Each of `FIELD_GROUPS`' bit mask over the columns (the bits of `Postings.cols`). */
  private readonly groupMasks: number[];

  constructor(
    private readonly db: Database.Database,
    weights: Readonly<FieldWeights>,
  ) {
    const columns = ftsColumns(db);
    this.weights = columns.map(([field]) => weights[field]);
    // `any` is every grouped column.
    this.groupMasks = FIELD_GROUPS.map((g) => columns.reduce((m, [field], c) => ((g === "any" ? FIELD_GROUP_OF[field] !== null : FIELD_GROUP_OF[field] === g) && c < 8 ? m | (1 << c) : m), 0));
    this.postings = new TermPostings(
      db,
      columns.map(([, column]) => column),
      this.weights,
    );
    db.function(this.allowedFn, { deterministic: false, directOnly: true }, (id) => (this.allowed?.has(id as number) ? 1 : 0));
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  private get bm25(): string {
    return `bm25(movies_fts, ${this.weights.map(() => "?").join(", ")})`;
  }

  /**
   * The best `limit` movies for a keyword query, best first, ties by rowid. `allowed` (the rowids
   * passing the filters) applies before the limit.
   */
  top(query: KeywordQuery, limit: number, allowed?: ReadonlySet<number> | null): RowHit[] {
    const phrases = this.plainPhrases(query);
    if (phrases) return this.topInMemory(phrases, limit, allowed);
    const expression = ftsExpression(query);
    return expression ? this.topFts(expression, limit, allowed) : [];
  }

  /**
   * Per-field matches of a keyword query, for the ranking model: a function that takes the
   * candidate pool's rowids, sorted ascending and distinct, and gives for each the share of the
   * query's words (weighted by bm25()'s IDF, a word's corrections counting as the word) found
   * in each of `FIELD_GROUPS` (`store.ts`): `FIELD_GROUPS.length` numbers per rowid, in the pool's order.
   * Null for queries the in-memory scorer does not take (quoted phrases, other scripts): the
   * model then reads zeros. Posting lists are sorted by rowid too, so the pool is merged with
   * each list, skipping ahead by galloping: a pool of 200 against lists of thousands costs a
   * few steps per candidate.
   */
  fieldShares(query: KeywordQuery): ((pool: Int32Array) => Float64Array) | null {
    const phrases = this.plainPhrases(query);
    if (!phrases || phrases.length === 0) return null;
    const { rows } = this.postings.stats();
    // One entry per query word: the lists of the word and of its corrections, and its IDF.
    const groups: { lists: Postings[]; idf: number }[] = [];
    let at = 0;
    for (const t of query.terms) {
      const n = 1 + (query.corrections?.[t]?.length ?? 0);
      const lists = phrases.slice(at, at + n).map((p) => (p.prefix ? this.postings.prefix(p.stem) : this.postings.term(p.stem)));
      at += n;
      const hits = Math.max(...lists.map((l) => l.docs.length));
      let idf = Math.log((rows - hits + 0.5) / (hits + 0.5));
      if (!(idf > 0)) idf = 1e-6;
      groups.push({ lists, idf });
    }
    let total = 0;
    for (const g of groups) total += g.idf;
    const G = FIELD_GROUPS.length;
    return (pool) => {
      const out = new Float64Array(pool.length * G);
      const masks = new Uint8Array(pool.length);
      for (const g of groups) {
        masks.fill(0);
        for (const { docs, cols } of g.lists) {
          let lo = 0;
          for (let i = 0; i < pool.length && lo < docs.length; i++) {
            const r = pool[i]!;
            // Gallop to the first posting >= r, then binary search the last step.
            let step = 1;
            let hi = lo;
            while (hi < docs.length && docs[hi]! < r) {
              lo = hi + 1;
              hi += step;
              step *= 2;
            }
            if (hi > docs.length) hi = docs.length;
            while (lo < hi) {
              const mid = (lo + hi) >>> 1;
              if (docs[mid]! < r) lo = mid + 1;
              else hi = mid;
            }
            if (lo < docs.length && docs[lo] === r) masks[i]! |= cols[lo]!;
          }
        }
        const share = g.idf / total;
        for (let i = 0; i < pool.length; i++) {
          const mask = masks[i]!;
          if (mask === 0) continue;
          for (let f = 0; f < G; f++) if (mask & this.groupMasks[f]!) out[i * G + f]! += share;
        }
      }
      return out;
    };
  }

  /**
   * The phrases of FTS5's expression for a query of plain words, in its order (the IDF and
   * frequency of each count separately, a repeated one twice, as in bm25()), each a stem and
   * whether it is a prefix; null when the query needs FTS5 (quoted phrases, other scripts).
   */
  private plainPhrases(query: KeywordQuery): { stem: string; prefix: boolean }[] | null {
    if (query.phrases.length > 0) return null;
    const out: { stem: string; prefix: boolean }[] = [];
    for (const t of query.terms) {
      for (const [word, prefix] of [[t, t === query.prefix], ...(query.corrections?.[t] ?? []).map((c) => [c, false])] as [string, boolean][]) {
        if (!PLAIN_WORD.test(word)) return null;
        out.push({ stem: porterStem(word), prefix });
      }
    }
    return out;
  }

  /**
   * Each posting's term score, which depends only on the collection (IDF, the movie's length):
   * worked out once per list, so a query only adds. The same expression, in the same order, as
   * fts5Bm25Function, so scores agree to the bit.
   */
  private partsOf(list: Postings): Float64Array {
    let parts = this.parts.get(list);
    if (parts) return parts;
    const { rows, avgdl, length } = this.postings.stats();
    const { docs, freq } = list;
    const hits = docs.length;
    // bm25()'s IDF, floored at 1e-6 for words in more than half the rows.
    let idf = Math.log((rows - hits + 0.5) / (hits + 0.5));
    if (idf <= 0) idf = 1e-6;
    parts = new Float64Array(hits);
    for (let i = 0; i < hits; i++) {
      const f = freq[i]!;
      parts[i] = idf * ((f * (K1 + 1.0)) / (f + K1 * (1 - B + (B * length[docs[i]!]!) / avgdl)));
    }
    this.parts.set(list, parts);
    return parts;
  }

  private topInMemory(phrases: { stem: string; prefix: boolean }[], limit: number, allowed?: ReadonlySet<number> | null): RowHit[] {
    if (limit <= 0 || phrases.length === 0 || allowed?.size === 0) return [];
    const { length } = this.postings.stats();
    if (this.scores.length < length.length) {
      this.scores = new Float64Array(length.length);
      this.stamp = new Uint32Array(length.length);
      this.touched = new Int32Array(length.length);
    }
    const { scores, stamp, touched } = this;
    const epoch = (this.epoch = (this.epoch + 1) >>> 0 || 1);
    let count = 0;
    for (const p of phrases) {
      const list = p.prefix ? this.postings.prefix(p.stem) : this.postings.term(p.stem);
      const { docs } = list;
      const parts = this.partsOf(list);
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i]!;
        if (stamp[doc] !== epoch) {
          stamp[doc] = epoch;
          scores[doc] = 0.0 + parts[i]!;
          touched[count++] = doc;
        } else scores[doc]! += parts[i]!;
      }
    }
    const top = new TopK(limit);
    for (let i = 0; i < count; i++) {
      const doc = touched[i]!;
      if (!allowed || allowed.has(doc)) top.push(doc, scores[doc]!);
    }
    return top.result();
  }

  /**
   * The best `limit` movies for an FTS5 expression, best first, ties by rowid. `allowed` (the
   * rowids passing the filters) is tested inside the query, so filters
   * apply before the limit.
   */
  topFts(expression: string, limit: number, allowed?: ReadonlySet<number> | null): RowHit[] {
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

