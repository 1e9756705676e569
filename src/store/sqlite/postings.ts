import Database from "better-sqlite3";

/**
 * The movies holding one term (or any term under a prefix), by rowid ascending, with the term's
 * weighted frequency in each: Σ over its occurrences of the weight of the column it is in, the
 * `f(q, D)` of FTS5's bm25().
 */
export interface Postings {
  docs: Int32Array;
  freq: Float64Array;
  /** Bit c set: the term occurs in column c of that movie (the ranking model's per-field matches). */
  cols: Uint8Array;
}

/** What bm25() reads about the whole index and each row besides the postings. */
export interface IndexStats {
  /** Rows in the index (FTS5's `nTotalRow`). */
  rows: number;
  /** Mean tokens per row over every column (FTS5's `avgdl`). */
  avgdl: number;
  /** Tokens in each row over every column, by rowid (FTS5's `xColumnSize(-1)`). */
  length: Float64Array;
}

/** Most prefix lists kept: a new prefix per keystroke would otherwise grow the cache without end. */
export const MAX_CACHED_PREFIXES = 4096;

const EMPTY: Postings = { docs: new Int32Array(0), freq: new Float64Array(0), cols: new Uint8Array(0) };

/** SQLite's varint (as FTS5 writes column sizes in `%_docsize`): 7 bits a byte, high bit set on all but the last. */
function readVarints(blob: Uint8Array): number[] {
  const out: number[] = [];
  let value = 0;
  for (let i = 0, n = 0; i < blob.length; i++) {
    const byte = blob[i]!;
    if (n === 8) {
      out.push(value * 256 + byte);
      value = n = 0;
      continue;
    }
    value = value * 128 + (byte & 0x7f);
    n++;
    if ((byte & 0x80) === 0) {
      out.push(value);
      value = n = 0;
    }
  }
  return out;
}

/**
 * Every term of the collection's FTS5 index (a Porter stem) with the number of movies holding
 * it, read through a temporary `fts5vocab` table (works on read-only connections, needs no
 * schema change).
 */
export function ftsVocabulary(db: Database.Database): Map<string, number> {
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.plotline_fts_vocab USING fts5vocab(main, movies_fts, row)");
  return new Map(db.prepare("SELECT term, doc FROM temp.plotline_fts_vocab").raw().all() as [string, number][]);
}

/**
 * FTS5's own term for each word (unicode61 with diacritics removed, then Porter), through a
 * throwaway in-memory FTS5 table: what `porterStem` must give for the in-memory scorer to read
 * FTS5's postings (`test/search-keyword.test.ts` checks every word of a collection).
 */
export function ftsStems(words: readonly string[]): Map<string, string> {
  const mem = new Database(":memory:");
  try {
    mem.exec("CREATE VIRTUAL TABLE t USING fts5(w, tokenize = 'porter unicode61 remove_diacritics 2'); CREATE VIRTUAL TABLE v USING fts5vocab(t, instance);");
    const ins = mem.prepare("INSERT INTO t(rowid, w) VALUES (?, ?)");
    mem.transaction(() => words.forEach((w, i) => ins.run(i + 1, w)))();
    const out = new Map<string, string>();
    for (const [term, doc] of mem.prepare("SELECT term, doc FROM v").raw().iterate() as Iterable<[string, number]>) out.set(words[doc - 1]!, term);
    return out;
  } finally {
    mem.close();
  }
}

/**
 * The term postings of the collection's FTS5 index (`movies_fts`), read from FTS5's own index
 * through an `fts5vocab` instance table on a term's first use and kept: the tokens are exactly
 * the ones FTS5 made (unicode61 + Porter), with no second tokenizer to drift from it, and a
 * collection that never runs a keyword query pays nothing. A term is read once per collection
 * state (a few ms for the commonest words).
 *
 * Written by hand because FTS5 offers no way to score only the best rows: bm25() runs on every
 * row an OR query matches and reads each one's size from `%_docsize`. On the labelled queries
 * at 10,852 movies that costs 3.6 ms a query against 0.11 ms for summing these lists in memory
 * (`npm run bench -- search`, "BM25 scorer alone").
 */
export class TermPostings {
  private readonly terms = new Map<string, Postings>();
  private readonly prefixes = new Map<string, Postings>();
  private readonly column: Map<string, number>;
  private stats_: IndexStats | null = null;
  private byTerm: Database.Statement | null = null;
  private byRange: Database.Statement | null = null;

  /**
   * @param columns the FTS5 column names in declaration order
   * @param weights the weight of each column, in the same order
   */
  constructor(
    private readonly db: Database.Database,
    columns: readonly string[],
    private readonly weights: readonly number[],
  ) {
    this.column = new Map(columns.map((c, i) => [c, i]));
  }

  private vocab(): void {
    if (this.byTerm) return;
    // A temporary table works on read-only connections and needs no schema change.
    this.db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.plotline_fts_instances USING fts5vocab(main, movies_fts, instance)");
    this.byTerm = this.db.prepare("SELECT doc, col FROM temp.plotline_fts_instances WHERE term = ?").raw();
    this.byRange = this.db.prepare("SELECT doc, col FROM temp.plotline_fts_instances WHERE term >= ? AND term < ?").raw();
  }

  stats(): IndexStats {
    if (this.stats_) return this.stats_;
    const rows = this.db.prepare("SELECT id, sz FROM movies_fts_docsize").raw().all() as [number, Buffer][];
    let maxId = 0;
    for (const [id] of rows) if (id > maxId) maxId = id;
    const length = new Float64Array(maxId + 1);
    let total = 0;
    for (const [id, sz] of rows) {
      const n = readVarints(sz).reduce((a, b) => a + b, 0);
      length[id] = n;
      total += n;
    }
    return (this.stats_ = { rows: rows.length, avgdl: rows.length ? total / rows.length : 0, length });
  }

  /** One row per occurrence, in rowid order, summed into per-movie weighted frequencies. */
  private collect(rows: Iterable<[number, string]>): Postings {
    const docs: number[] = [];
    const freq: number[] = [];
    const cols: number[] = [];
    const byDoc = new Map<number, number>();
    for (const [doc, col] of rows) {
      const c = this.column.get(col) ?? -1;
      const w = this.weights[c] ?? 1;
      const bit = c >= 0 && c < 8 ? 1 << c : 0;
      const at = byDoc.get(doc);
      if (at === undefined) {
        byDoc.set(doc, docs.length);
        docs.push(doc);
        freq.push(w);
        cols.push(bit);
      } else {
        freq[at]! += w;
        cols[at]! |= bit;
      }
    }
    if (docs.length === 0) return EMPTY;
    const order = docs.map((_, i) => i).sort((a, b) => docs[a]! - docs[b]!);
    return { docs: Int32Array.from(order, (i) => docs[i]!), freq: Float64Array.from(order, (i) => freq[i]!), cols: Uint8Array.from(order, (i) => cols[i]!) };
  }

  /** The postings of one term (a Porter stem, as FTS5 indexes it). */
  term(stem: string): Postings {
    let p = this.terms.get(stem);
    if (!p) {
      this.vocab();
      this.terms.set(stem, (p = this.collect(this.byTerm!.iterate(stem) as Iterable<[number, string]>)));
    }
    return p;
  }

  /** The postings of every term starting with `stem`, merged: what FTS5 matches for `"stem"*`. */
  prefix(stem: string): Postings {
    let p = this.prefixes.get(stem);
    if (!p) {
      this.vocab();
      if (this.prefixes.size >= MAX_CACHED_PREFIXES) this.prefixes.clear();
      // The range ends just past every string starting with `stem`.
      const end = stem + "\u{10FFFF}";
      this.prefixes.set(stem, (p = this.collect(this.byRange!.iterate(stem, end) as Iterable<[number, string]>)));
    }
    return p;
  }
}
