import type { RecommendContext } from "./context.js";
import type { Candidate, Plan } from "./pipeline.js";

/**
 * The popularity prior and series membership, blended into `similar` and `recommend`:
 *
 *   score = (1 - prior - series) * similarity' + prior * prior(movie) + series * series(movie)
 *
 * where similarity' is the method's similarity min-max normalised over its best `BLEND_POOL`
 * (so the weights mean the same for cosines, SVM decision values and TF-IDF), `prior(movie)`
 * the popularity prior (`src/search/prior.ts`), and `series(movie)` 1 for a movie of the
 * example's own series or a remake (`franchise.ts`; 0.5 for a weaker title match), negative
 * for one of a disliked example's series. The series' members are added to the candidates
 * even when the similarity alone would not reach them ("Alien: Resurrection" is not among
 * Alien's 40 nearest plots).
 *
 * The weights are stated, not learned (the catalogue has no labels of "more like this"), and
 * were chosen from what the list should do (the issue's "a film's own series and its
 * best-known neighbours lead the 40"), not fitted to a check list:
 * - `series` 0.35: a series entry leads the list. Against the best non-series neighbour
 *   (similarity' 1) an entry with similarity' s gains 0.35 and loses 0.4 * (1 - s), so it
 *   leads unless it is among the least alike eighth of the pool;
 * - `prior` 0.25: among films about as alike, the well-known ones come first: the whole range
 *   of the prior (an unknown film against the best known) is worth five eighths of the
 *   similarity range (0.25 / 0.4), so a known film passes an obscure one that is somewhat more
 *   alike, but not one that is much more alike.
 * The `prior` option multiplies the prior's weight (0 turns it off); `series: false` turns the
 * series off. With both off, the ranking is the similarity alone, exactly as before.
 */
export const BLEND_WEIGHTS = { prior: 0.25, series: 0.35 } as const;
/** Candidates by similarity that the blend re-ranks (at least the plan's pool). */
export const BLEND_POOL = 200;

/** Whether the plan blends anything in (else the similarity ranking is kept as it is). */
export function blends(pl: Plan): boolean {
  return pl.prior > 0 || pl.series;
}

/**
 * Re-ranks `candidates` (best first by similarity, `BLEND_POOL` deep or as deep as there are)
 * with the prior and series, adding `extra` positions (series members) scored by
 * `similarityOf`; returns the best `pl.pool` by the blended score.
 */
export function blend(
  ctx: RecommendContext,
  pl: Plan,
  candidates: Candidate[],
  extra: Iterable<number>,
  similarityOf: (p: number) => number,
  seriesOf: (p: number) => number,
  admit: (p: number) => boolean,
): Candidate[] {
  const all = [...candidates];
  const seen = new Set(all.map((c) => c.p));
  for (const p of extra) {
    if (seen.has(p) || !admit(p)) continue;
    seen.add(p);
    all.push({ p, similarity: similarityOf(p) });
  }
  if (all.length === 0) return all;
  const top = candidates.length ? candidates[0]!.similarity : Math.max(...all.map((c) => c.similarity));
  const bottom = candidates.length ? candidates[candidates.length - 1]!.similarity : Math.min(...all.map((c) => c.similarity));
  const span = top - bottom;
  const wp = Math.min(1, BLEND_WEIGHTS.prior * pl.prior);
  const ws = pl.series ? Math.min(1 - wp, BLEND_WEIGHTS.series) : 0;
  const ww = 1 - wp - ws;
  for (const c of all) {
    const norm = span > 1e-12 ? Math.max(0, Math.min(1, (c.similarity - bottom) / span)) : 1;
    c.prior = ctx.priorAt(c.p);
    c.series = ws > 0 ? seriesOf(c.p) : 0;
    c.score = ww * norm + wp * c.prior + ws * c.series;
  }
  all.sort((a, b) => b.score! - a.score! || b.similarity - a.similarity || a.p - b.p);
  return all.slice(0, pl.pool);
}
