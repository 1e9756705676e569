import Sentiment from "sentiment";

/**
 * How strongly the mean valence per token is stretched before `tanh` bounds it to -1..1. AFINN
 * gives words a valence from -5 to 5; a plot summary whose mean valence per token is ±0.25 (one
 * strongly charged word, valence ±3, in twelve) reads as clearly positive or negative, and maps
 * to tanh(1) = ±0.76. On the TMDB overviews the 10th and 90th percentiles come out near -0.58
 * and +0.42, so the score spreads over the range instead of piling up at its ends.
 */
export const SENTIMENT_SCALE = 4;

let analyzer: Sentiment | null = null;

/**
 * Opinion score of a text in -1..1 (the trailer article's sentiment polarity), from the AFINN-165
 * lexicon through the `sentiment` package: `tanh(SENTIMENT_SCALE * comparative)`, where
 * `comparative` is the package's sum of word valences (negation-aware) divided by the number of
 * tokens. Dividing by length keeps a long overview from scoring as more emotional than a short
 * one with the same tone; `tanh` keeps the result bounded whatever the text. A text without
 * tokens scores 0 (neutral).
 */
export function sentimentScore(text: string): number {
  analyzer ??= new Sentiment();
  const { comparative } = analyzer.analyze(text);
  return Number.isFinite(comparative) ? Math.tanh(SENTIMENT_SCALE * comparative) : 0;
}
