import type { Movie } from "../../src/catalog/movie.js";
import { Cleaner } from "../../src/catalog/clean.js";
import { openCatalog } from "../../src/catalog/formats.js";
import { textHash } from "../../src/embed/cache.js";
import type { Embedder } from "../../src/embed/embedder.js";
import { createEmbedder } from "../../src/embed/registry.js";
import { embeddingText } from "../../src/embed/text.js";
import type { UpsertItem, WriteBatch } from "../../src/store/store.js";

/** The cleaned movies of a catalog file, in file order. */
export async function readMovies(file: string): Promise<Movie[]> {
  const src = await openCatalog(file);
  const cleaner = new Cleaner();
  for await (const record of src.records) cleaner.add(src.file, src.source, record);
  return cleaner.finish().movies;
}

let glove: Promise<Embedder> | null = null;
/** The offline GloVe embedder, loaded once per test process. */
export function gloveEmbedder(): Promise<Embedder> {
  glove ??= createEmbedder("glove");
  return glove;
}

/** Upsert items for movies: raw vectors from the embedder, hashes of the embedded text. */
export async function upsertItems(movies: Movie[], embedder: Embedder): Promise<UpsertItem[]> {
  const texts = movies.map(embeddingText);
  const raw = await embedder.embed(texts);
  return movies.map((movie, i) => ({ movie, textHash: textHash(texts[i]!), raw: raw[i]! }));
}

/** The write batch an ingest of these movies makes: upserts, and the manifest refitted on the whole collection. */
export async function ingestBatch(movies: Movie[], embedder: Embedder): Promise<WriteBatch> {
  return { upsert: await upsertItems(movies, embedder), manifest: { embedderId: embedder.id, dims: embedder.dims, fit: (raw) => embedder.fit(raw) } };
}
