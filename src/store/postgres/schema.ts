import type { FieldWeights, TextField } from "../store.js";

/**
 * The Postgres backend's schema migrations, applied in order in one transaction under an
 * advisory lock (two processes opening a new collection at once apply them once);
 * `schema_version` records how many have run. Append new steps, never edit old ones:
 * collections in use depend on them. Each step is SQL for the collection's schema `s` (a
 * checked lower-case name, see `parsePostgresUrl`, so it is quoted rather than passed as a
 * parameter, which DDL does not take).
 *
 * The indexes that are quicker to build over loaded rows than to keep up row by row (GIN over
 * the tsvector, BM25, HNSW, which also needs the vectors' dimensions) are not made here: the
 * first write batch builds them in its own transaction once its rows are in (`ensureIndexes`).
 */
export const MIGRATIONS: readonly ((s: string) => string)[] = [
  (s) => `
  CREATE TABLE ${s}.meta (key text PRIMARY KEY, value jsonb NOT NULL);
  INSERT INTO ${s}.meta (key, value) VALUES ('collection', to_jsonb(gen_random_uuid()::text)), ('generation', '0');
  CREATE TABLE ${s}.movies (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- natural order: new movies after old, kept on update
    id text NOT NULL UNIQUE,                              -- imdb id or <source>:<source id>
    source text NOT NULL,
    source_id text NOT NULL,
    title text NOT NULL,
    year integer,
    overview text NOT NULL,
    plot text,
    tagline text,
    genres text[] NOT NULL,
    keywords text[] NOT NULL,
    cast_members text[] NOT NULL,
    directors text[] NOT NULL,
    companies text[] NOT NULL,
    runtime double precision,
    rating double precision,
    votes integer,
    popularity double precision,
    budget double precision,
    revenue double precision,
    poster_url text,
    language text,
    -- Lower-cased copies for filters (case-insensitive, as every backend matches them), GIN-indexed.
    genres_key text[] NOT NULL,
    cast_key text[] NOT NULL,
    directors_key text[] NOT NULL,
    language_key text,
    sentiment double precision NOT NULL,                  -- sentimentScore(overview), -1..1
    text_hash bytea NOT NULL,                             -- hash of the embedded text
    raw bytea NOT NULL,                                   -- the embedder's raw vector, float32 LE
    embedding vector,                                     -- the finished unit vector; typed vector(dims) by the first write
    tsv tsvector NOT NULL                                 -- weighted: title A; keywords, cast, directors B; genres, tagline C; overview, plot D
  );
  CREATE INDEX movies_year ON ${s}.movies (year);
  CREATE INDEX movies_genres ON ${s}.movies USING gin (genres_key);
  CREATE INDEX movies_cast ON ${s}.movies USING gin (cast_key);
  CREATE INDEX movies_directors ON ${s}.movies USING gin (directors_key);
  -- Porter stems of the indexed text with the movies holding each: what spelling correction checks words against.
  CREATE TABLE ${s}.vocabulary (stem text PRIMARY KEY, docs integer NOT NULL);
  CREATE TABLE ${s}.embedding_cache (
    embedder text NOT NULL,
    hash bytea NOT NULL,
    vector bytea NOT NULL,
    PRIMARY KEY (embedder, hash)
  );
  CREATE TABLE ${s}.ingests (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    files jsonb NOT NULL,
    report jsonb NOT NULL
  );
  CREATE TEXT SEARCH CONFIGURATION ${s}.plotline_text (COPY = pg_catalog.english);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * The field weights the BM25 index is built for: the engine's default weights
 * (`DEFAULT_FIELD_WEIGHTS` in `search/keyword.ts`; a test checks they agree). pg_textsearch
 * indexes one text per row, so the fields are weighted by repeating each in that text, the
 * integer number of times `BM25_REPEAT` gives; a query with other weights is ranked over the
 * tsvector, where weights apply at query time.
 */
export const BM25_WEIGHTS: Readonly<FieldWeights> = Object.freeze({
  title: 3,
  keywords: 2,
  cast: 1.5,
  directors: 1.5,
  genres: 1,
  tagline: 1,
  overview: 1,
  plot: 1,
  transcript: 0.5,
});

/**
 * How many times each field is repeated in the BM25 text: the weights scaled to the smallest
 * whole numbers (x2 for 1.5). Repeating a field w times multiplies its term frequency by w,
 * which is exactly how FTS5's bm25() weighs columns; scaling every weight by `scale` also
 * scales the weighted frequency, which `k1 * scale` cancels (BM25's saturation is
 * tf / (tf + k1 * norm)), so only the length normalisation (here over the repeated text)
 * differs from FTS5's.
 */
export function bm25Repeats(weights: Readonly<FieldWeights>): { repeats: Record<TextField, number>; scale: number } {
  for (let scale = 1; scale <= 20; scale++) {
    const repeats = {} as Record<TextField, number>;
    let whole = true;
    for (const [field, w] of Object.entries(weights) as [TextField, number][]) {
      // This backend keeps no trailers (capability `trailers` is false), so a movie's
      // `transcript` is always empty here: its weight repeats nothing and must not change
      // the scale of the others (0.5 would double every repeat and k1 with them).
      if (field === "transcript") {
        repeats[field] = 0;
        continue;
      }
      const r = w * scale;
      if (Math.abs(r - Math.round(r)) > 1e-9) whole = false;
      repeats[field] = Math.round(r);
    }
    if (whole) return { repeats, scale };
  }
  throw new Error("BM25 field weights must be multiples of 1/20");
}

/** BM25's k1 before scaling (FTS5's and pg_textsearch's default). */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/**
 * DDL of the IMMUTABLE function giving the text the BM25 index holds for a movie: each field
 * repeated per `bm25Repeats`. The index is an expression index over it, so nothing is stored
 * twice; queries name the same expression (`bm25Document`).
 */
export function bm25DocumentFunction(s: string): string {
  const { repeats } = bm25Repeats(BM25_WEIGHTS);
  const part = (field: TextField, sql: string) => (repeats[field] > 0 ? [`repeat(${sql} || ' ', ${repeats[field]})`] : []);
  const parts = [
    ...part("title", "title"),
    ...part("keywords", "array_to_string(keywords, ' ')"),
    ...part("cast", "array_to_string(cast_members, ' ')"),
    ...part("directors", "array_to_string(directors, ' ')"),
    ...part("genres", "array_to_string(genres, ' ')"),
    ...part("tagline", "coalesce(tagline, '')"),
    ...part("overview", "overview"),
    ...part("plot", "coalesce(plot, '')"),
  ];
  // array_to_string is only STABLE in general (it calls the element type's output function);
  // over text[] it depends on nothing but its input, so the function is declared IMMUTABLE.
  return `CREATE OR REPLACE FUNCTION ${s}.bm25_document(title text, keywords text[], cast_members text[], directors text[], genres text[], tagline text, overview text, plot text)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT concat_ws(' ', ${parts.join(", ")}) $$`;
}

/** The BM25 text of the row `m` (of the indexed table itself when `m` is empty), as the index expression names it. */
export function bm25Document(s: string, m = "m"): string {
  const c = m ? `${m}.` : "";
  return `${s}.bm25_document(${c}title, ${c}keywords, ${c}cast_members, ${c}directors, ${c}genres, ${c}tagline, ${c}overview, ${c}plot)`;
}

/** Names of the indexes the first write builds. */
export const INDEX_NAMES = { tsv: "movies_tsv", bm25: "movies_bm25", hnsw: "movies_embedding_hnsw" } as const;

/**
 * The weighted tsvector of a row of `x` (the columns of an upsert), over the collection's text
 * configuration: English stemming and stop words, accents folded when the server has unaccent.
 */
export function tsvectorSql(s: string, x = "x"): string {
  const cfg = `'${s}.plotline_text'::regconfig`;
  return `setweight(to_tsvector(${cfg}, ${x}.title), 'A')
    || setweight(to_tsvector(${cfg}, array_to_string(${x}.keywords || ${x}.cast_members || ${x}.directors, ' ')), 'B')
    || setweight(to_tsvector(${cfg}, concat_ws(' ', array_to_string(${x}.genres, ' '), ${x}.tagline)), 'C')
    || setweight(to_tsvector(${cfg}, concat_ws(' ', ${x}.overview, ${x}.plot)), 'D')`;
}
