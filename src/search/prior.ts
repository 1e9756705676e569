import type { PriorInputs } from "./rank-inputs.js";
import { PRIOR_MIX } from "./rank-weights.js";

/**
 * The popularity prior: how likely a movie is to be the one people mean, before reading the
 * query, from what the catalogue itself records. Elasticsearch's `function_score`, Qdrant's
 * formula rescoring and Weaviate's `boost` all let such a prior shape a ranking; this is
 * Plotline's. It is a number in [0, 1] per movie, blended into every search mode and into
 * `similar` and `recommend` with the weight each states where it is defined (see
 * `rank-weights.ts`); the `prior` option scales that weight, and 0 turns it off.
 *
 * Its parts, each in [0, 1] whatever the catalogue's numbers look like:
 * - `votes`: how many people rated the film (TMDB `vote_count`), the best sign that a film is
 *   widely known, as a mid-rank percentile over the collection; `votesLog`: the same count on a
 *   log scale, `log(1 + v) / log(1 + max v)`, which keeps apart the films a percentile packs
 *   together at the top (2,600 votes against 700 are 0.98 and 0.92 as percentiles, 0.86 and
 *   0.72 on the log scale);
 * - `popularity`, `popularityLog`: TMDB's `popularity` (recent page views and activity), both ways;
 * - `rating`: the average rating shrunk towards the collection's mean by the number of votes
 *   (IMDb's weighted rating, `(v R + m C) / (v + m)` with `m` the median vote count), so a
 *   film rated 9 by 12 people does not outrank a film rated 8 by 10,000, as a percentile.
 * They are mixed with `PRIOR_MIX`, learned with the ranking model (`scripts/train-ranker.ts`).
 *
 * Sources without those figures (the Wikipedia dump: title, year, cast, genres, summary,
 * thumbnail) fall back on the signs of notability every movie has: how many cast members are
 * listed, how long the summary is, whether it has a poster, and whether a second catalogue
 * described it too (`ingest --merge`), each a percentile, averaged with equal weights over
 * those that vary in the collection. In a collection where some movies have votes, a movie
 * without them gets the mean prior of the movies with votes whose fallback score falls in
 * the same tenth (a binned calibration), so the two kinds share one scale. When nothing varies,
 * every movie gets 0.5: a uniform prior, which changes no ranking.
 */

/** The prior of a movie that has none of the signals (also the uniform prior). */
export const NEUTRAL_PRIOR = 0.5;
/** Bins of the fallback's calibration against the vote-based prior. */
const CALIBRATION_BINS = 10;

/**
 * Mid-rank percentiles in (0, 1) of the finite values; NaN where the value is NaN, and NaN
 * everywhere when fewer than two distinct values are known (a constant says nothing).
 */
export function percentiles(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length).fill(NaN);
  const known: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) known.push(i);
  known.sort((a, b) => values[a]! - values[b]!);
  const n = known.length;
  if (n < 2 || values[known[0]!] === values[known[n - 1]!]) return out;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && values[known[j]!] === values[known[i]!]) j++;
    const p = (i + j) / 2 / n; // ties share the middle of their run
    for (let t = i; t < j; t++) out[known[t]!] = p;
    i = j;
  }
  return out;
}

/** The catalogue's popularity figures on a log scale in [0, 1]: `log(1 + v) / log(1 + max)`; NaN where unknown, and everywhere when the largest is not above 0. */
export function logScale(values: Float64Array): Float64Array {
  let max = 0;
  for (const v of values) if (Number.isFinite(v) && v > max) max = v;
  const top = Math.log1p(max);
  return Float64Array.from(values, (v) => (Number.isFinite(v) && top > 0 ? Math.log1p(Math.max(0, v)) / top : NaN));
}

/** The parts of the prior from the catalogue's popularity figures (NaN where unknown). */
export const PRIOR_PARTS = ["votes", "votesLog", "popularity", "popularityLog", "rating"] as const;
export type PriorPart = (typeof PRIOR_PARTS)[number];
export type PriorParts = Record<PriorPart, Float64Array>;

/** The parts of the prior for every movie of `inputs` (see the module comment). */
export function priorParts(inputs: PriorInputs): PriorParts {
  const { votes, rating } = inputs;
  const rated: number[] = [];
  let sum = 0;
  for (let i = 0; i < rating.length; i++) {
    if (Number.isFinite(rating[i]!) && Number.isFinite(votes[i]!)) {
      rated.push(votes[i]!);
      sum += rating[i]!;
    }
  }
  const weighted = new Float64Array(rating.length).fill(NaN);
  if (rated.length) {
    rated.sort((a, b) => a - b);
    const m = rated[rated.length >> 1]!;
    const c = sum / rated.length;
    for (let i = 0; i < rating.length; i++) {
      if (!Number.isFinite(rating[i]!)) continue;
      const v = Number.isFinite(votes[i]!) ? votes[i]! : 0;
      weighted[i] = v + m > 0 ? (v * rating[i]! + m * c) / (v + m) : c;
    }
  }
  return {
    votes: percentiles(votes),
    votesLog: logScale(votes),
    popularity: percentiles(inputs.popularity),
    popularityLog: logScale(inputs.popularity),
    rating: percentiles(weighted),
  };
}

/** The fallback score of every movie: the mean percentile of the notability signs that vary (NaN when none does). */
export function fallbackScore(inputs: PriorInputs): Float64Array {
  const signs = [inputs.cast, inputs.summaryLength, inputs.poster, inputs.merged].map(percentiles).filter((p) => p.some(Number.isFinite));
  const out = new Float64Array(inputs.positions.length).fill(NaN);
  if (signs.length === 0) return out;
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    let k = 0;
    for (const p of signs) {
      if (Number.isFinite(p[i]!)) {
        s += p[i]!;
        k++;
      }
    }
    if (k) out[i] = s / k;
  }
  return out;
}

/** Mixes the parts with `mix` (weights over the parts a movie has), NaN when it has none. */
export function mixParts(parts: PriorParts, i: number, mix: Readonly<Record<PriorPart, number>>): number {
  let s = 0;
  let w = 0;
  for (const key of PRIOR_PARTS) {
    const v = parts[key][i]!;
    if (Number.isFinite(v) && mix[key] > 0) {
      s += mix[key] * v;
      w += mix[key];
    }
  }
  return w > 0 ? s / w : NaN;
}

/** The prior of every movie of `inputs`, in their order (see the module comment). */
export function computePrior(inputs: PriorInputs, mix: Readonly<Record<PriorPart, number>> = PRIOR_MIX): Float64Array {
  const n = inputs.positions.length;
  const parts = priorParts(inputs);
  const prior = new Float64Array(n);
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < n; i++) {
    prior[i] = mixParts(parts, i, mix);
    (Number.isFinite(prior[i]!) ? known : unknown).push(i);
  }
  if (unknown.length === 0) return prior;
  const fallback = fallbackScore(inputs);
  if (known.length === 0) {
    const p = percentiles(fallback);
    for (let i = 0; i < n; i++) prior[i] = Number.isFinite(p[i]!) ? p[i]! : NEUTRAL_PRIOR;
    return prior;
  }
  // Calibration: the movies with votes, by fallback score, in equal-count bins; each bin's mean prior.
  const scored = known.filter((i) => Number.isFinite(fallback[i]!)).sort((a, b) => fallback[a]! - fallback[b]!);
  const bins = Math.min(CALIBRATION_BINS, scored.length);
  const upper: number[] = [];
  const means: number[] = [];
  for (let b = 0; b < bins; b++) {
    const from = Math.floor((b * scored.length) / bins);
    const to = Math.floor(((b + 1) * scored.length) / bins);
    let s = 0;
    for (let t = from; t < to; t++) s += prior[scored[t]!]!;
    upper.push(fallback[scored[to - 1]!]!);
    means.push(s / (to - from));
  }
  for (const i of unknown) {
    const f = fallback[i]!;
    if (!Number.isFinite(f) || bins === 0) {
      prior[i] = NEUTRAL_PRIOR;
      continue;
    }
    let b = 0;
    while (b < bins - 1 && f > upper[b]!) b++;
    prior[i] = means[b]!;
  }
  return prior;
}

/** The prior by position, for the engine's and the recommender's inner loops. */
export class PriorTable {
  /** Indexed by position; NEUTRAL_PRIOR past the end. */
  private readonly byRowid: Float32Array;

  constructor(inputs: PriorInputs, mix?: Readonly<Record<PriorPart, number>>) {
    const values = computePrior(inputs, mix);
    let max = 0;
    for (const r of inputs.positions) if (r > max) max = r;
    this.byRowid = new Float32Array(max + 1).fill(NEUTRAL_PRIOR);
    inputs.positions.forEach((r, i) => (this.byRowid[r] = values[i]!));
  }

  of(position: number): number {
    return position >= 0 && position < this.byRowid.length ? this.byRowid[position]! : NEUTRAL_PRIOR;
  }
}
