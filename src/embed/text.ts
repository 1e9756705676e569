import type { Movie } from "../catalog/movie.js";
import type { EmbeddingTextKind } from "./embedder.js";

/** Leading cast members embedded with a movie: the top-billed names, not the whole list. */
export const EMBEDDED_CAST = 3;

/**
 * The plot text of a movie: its plot summary, followed by the plot merged in from another
 * catalog when there is one (`ingest --merge`). A movie whose overview was a placeholder falls
 * back to title and tagline (then its merged plot). TF-IDF "more like this" reads this text
 * (Karpathy's TF-IDF over plots); it is also the middle of what the embedders read.
 */
export function plotText(movie: Pick<Movie, "overview" | "title" | "tagline" | "plot">): string {
  const base = movie.overview || [movie.title, movie.tagline].filter(Boolean).join(". ");
  return movie.plot && movie.plot !== movie.overview ? `${base}\n\n${movie.plot}` : base;
}

/**
 * The text a movie is embedded from, one field a line (empty ones left out): title, tagline,
 * overview, merged plot (as in `plotText`), keywords, and the `EMBEDDED_CAST` top-billed actors.
 *
 * Which embedder reads this text and which the plot alone is each embedder's `text` (see
 * `textFor`), chosen by measurement. Why more than the plot the seeds embed: with the offline glove embedder, a plot alone made
 * "more like this" by kNN find a franchise sibling or remake in the top 10 for only 60% of
 * `eval/siblings.json`, because an average of word vectors blurs what a sequel shares with its
 * original (a title word, a character's name) into its general sense. The title, the TMDB
 * keywords and the leading actors are what a sequel most reliably repeats, and they also
 * describe the movie for search: on the glove TMDB collection this text took kNN siblings to
 * 85% and semantic search MRR from 0.277 to 0.405, hybrid MRR 0.716 to 0.724 (with a fusion
 * pool of 200; 0.729 with today's 100, README).
 * Other fields were measured and left out: genres (coarse labels shared by thousands of movies,
 * and already a filter) cost siblings (80%); directors cost siblings and pushed Mission to Mars
 * out of the hybrid top 5 for the seed's Mars query; companies hurt search (hybrid Recall@10
 * 0.869 against 0.896). Changing this text changes every movie's text hash, so the
 * next ingest re-embeds (movies not re-ingested keep their older vectors).
 */
export function embeddingText(movie: Pick<Movie, "overview" | "title" | "tagline" | "plot" | "keywords" | "cast">): string {
  // Title and tagline lead, so a placeholder overview adds nothing (plotText would repeat them).
  const merged = movie.plot && movie.plot !== movie.overview ? movie.plot : "";
  const fields = [movie.title, movie.tagline ?? "", movie.overview, merged, movie.keywords.join(", "), movie.cast.slice(0, EMBEDDED_CAST).join(", ")];
  return fields.filter((f) => f.length > 0).join("\n");
}

/** The text a movie is embedded from for an embedder's `text` choice. */
export function textFor(kind: EmbeddingTextKind): (movie: Pick<Movie, "overview" | "title" | "tagline" | "plot" | "keywords" | "cast">) => string {
  return kind === "plot" ? plotText : embeddingText;
}
