import type { FieldWeights } from "../store/store.js";

/**
 * Default field weights: a word in the title counts 3x one in the overview, a keyword 2x, a
 * cast or director name 1.5x (the weights of the Weaviate remake of Karpathy's movie search,
 * seed 004, where `title^3` and names sit beside the description and plot). A plot merged from
 * another catalog (`ingest --merge`) counts as the overview does. A trailer's transcript
 * (`plotline trailers`) counts half: recognised speech carries recognition errors (pocketsphinx
 * missed about one content word in four of clear synthetic speech in test/trailers.test.ts),
 * and trailer dialogue talks around the story where a plot summary states it.
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
  transcript: 0.5,
});

