import { InvalidArgumentError } from "../errors.js";
import { TopK } from "../vector-index/topk.js";
import { dot } from "../vector-index/flat.js";
import { blend, BLEND_POOL, blends } from "./blend.js";
import type { RecommendContext } from "./context.js";
import { admits, finish, nearest, plan, type Candidate, type Plan } from "./pipeline.js";
import { refText, resolveRef } from "./resolve.js";
import { DEFAULT_RECOMMEND_K, DEFAULT_RECOMMEND_STRATEGY, MAX_EXAMPLES, RECOMMEND_STRATEGIES, type MovieRef, type RecommendOptions, type RecommendResponse, type RecommendStrategy } from "./types.js";

/**
/**
 * Recommendations from liked and disliked movies, with Qdrant's three strategies (`average`,
 * the default, `best` and `sum`): ranked by the store's own recommendation query when it has
 * one (`nativeRecommend`: Qdrant's Query API `recommend`), else computed here from the vectors;
 * the popularity prior and the examples' series blended in (`blend.ts`: a movie of a liked
 * example's series counts up, of a disliked one's down). Examples that match no movie are
 * reported in `unknown` and the others used; when none matches, it is an error. Examples and
 * their exact duplicates are never listed.
 */
export async function recommend(ctx: RecommendContext, options: RecommendOptions): Promise<RecommendResponse> {
  const strategy = options.strategy ?? DEFAULT_RECOMMEND_STRATEGY;
  if (!(RECOMMEND_STRATEGIES as readonly string[]).includes(strategy)) throw new InvalidArgumentError("strategy", `unknown strategy '${strategy}' (strategies: ${RECOMMEND_STRATEGIES.join(", ")})`);
  const likeRefs = refList("like", options.like);
  const dislikeRefs = refList("dislike", options.dislike);
  if (likeRefs.length + dislikeRefs.length === 0) throw new InvalidArgumentError("like", "give at least one liked or disliked movie");
  const unknown: string[] = [];
  const resolve = (refs: MovieRef[], parameter: string): number[] => {
    const out: number[] = [];
    for (const ref of refs) {
      const p = resolveRef(ctx, ref, parameter);
      if (p === null) unknown.push(refText(ref));
      else if (!out.includes(p)) out.push(p);
    }
    return out;
  };
  const likes = resolve(likeRefs, "like");
  const dislikes = resolve(dislikeRefs, "dislike");
  if (likes.length + dislikes.length === 0) throw new InvalidArgumentError("like", `none of the examples is in the collection: ${unknown.map((u) => `'${u}'`).join(", ")}`);
  const both = likes.filter((p) => dislikes.includes(p));
  if (both.length) throw new InvalidArgumentError("dislike", `${both.map((p) => `'${ctx.titles[p]}'`).join(", ")} is both liked and disliked`);
  if (strategy === "average" && likes.length === 0) {
    throw new InvalidArgumentError("like", `the average strategy needs at least one liked movie in the collection${unknown.length ? ` (not found: ${unknown.map((u) => `'${u}'`).join(", ")})` : ""}; use --strategy best for dislikes only`);
  }
  const pl = plan(ctx, options, DEFAULT_RECOMMEND_K);
  if (blends(pl)) await ctx.loadBlendSignals();
  const excluded = new Set<number>();
  for (const p of [...likes, ...dislikes]) for (const q of ctx.selfAndDuplicates(p)) excluded.add(q);
  // With a blend, more candidates by the strategy are re-ranked; the series join them.
  const deep = blends(pl) ? { ...pl, pool: Math.max(pl.pool, BLEND_POOL) } : pl;
  // Average with diversity goes to the store's MMR, which only nearest-vector queries have.
  const native = ctx.store.capabilities.nativeRecommend && !(strategy === "average" && pl.storeDiversity);
  let candidates = native
    ? await storeRecommend(ctx, deep, strategy, likes, dislikes, excluded)
    : strategy === "average"
      ? await averageVector(ctx, deep, likes, dislikes, excluded)
      : strategy === "sum"
        ? await sumScores(ctx, deep, likes, dislikes, excluded)
        : await bestScore(ctx, deep, likes, dislikes, excluded);
  if (blends(pl)) {
    const series = ctx.series();
    const liked = pl.series ? likes.map((l) => series.scores(l)) : [];
    const disliked = pl.series ? dislikes.map((d) => series.scores(d)) : [];
    const seriesOf = (p: number) => {
      let up = 0;
      let down = 0;
      for (const m of liked) up = Math.max(up, m.get(p) ?? 0);
      for (const m of disliked) down = Math.max(down, m.get(p) ?? 0);
      return up - down;
    };
    const members = liked.flatMap((m) => [...m.keys()]);
    candidates = blend(ctx, pl, candidates, members, strategySimilarity(ctx, strategy, likes, dislikes), seriesOf, await admits(ctx, pl, excluded));
  }
  const diversified = !native && strategy !== "best" && pl.storeDiversity;
  const results = finish(ctx, pl, candidates, (a, b) => ctx.cosine(a, b), strategy === "average", diversified);
  return { strategy, like: likes.map((p) => ctx.summary(p)), dislike: dislikes.map((p) => ctx.summary(p)), unknown, results };
}

function refList(parameter: string, refs: MovieRef[] | undefined): MovieRef[] {
  if (refs === undefined) return [];
  if (!Array.isArray(refs)) throw new InvalidArgumentError(parameter, "must be a list of movie ids or titles");
  if (refs.length > MAX_EXAMPLES) throw new InvalidArgumentError(parameter, `at most ${MAX_EXAMPLES} movies, got ${refs.length}`);
  return refs;
}

/**
 * Qdrant's `average_vector` query: `avg(likes) + (avg(likes) - avg(dislikes))`, or `avg(likes)`
 * without dislikes (qdrant `lib/segment/src/vector_storage/query/reco_query.rs`,
 * `avg_vector_for_recommendation`), normalised, since it is searched by cosine.
 */
function averageQuery(ctx: RecommendContext, likes: number[], dislikes: number[]): Float32Array {
  const { dims } = ctx;
  const q = new Float32Array(dims);
  const add = (positions: number[], weight: number) => {
    for (const p of positions) {
      const v = ctx.vectorAt(p);
      for (let d = 0; d < dims; d++) q[d] = q[d]! + (weight / positions.length) * v[d]!;
    }
  };
  add(likes, dislikes.length ? 2 : 1);
  if (dislikes.length) add(dislikes, -1);
  let norm = 0;
  for (let d = 0; d < dims; d++) norm += q[d]! * q[d]!;
  if (norm < 1e-12) throw new InvalidArgumentError("dislike", "the liked and disliked movies cancel out; there is no direction to search in");
  const inv = 1 / Math.sqrt(norm);
  for (let d = 0; d < dims; d++) q[d] = q[d]! * inv;
  return q;
}

/** Qdrant's `average_vector`: the movies nearest `averageQuery` by cosine. */
async function averageVector(ctx: RecommendContext, pl: Plan, likes: number[], dislikes: number[], excluded: Set<number>): Promise<Candidate[]> {
  return nearest(ctx, { vector: averageQuery(ctx, likes, dislikes) }, pl.pool, pl, excluded);
}

/**
 * A strategy's similarity of any one movie, as its candidates are scored: what the blend gives
 * the series members it adds beside them.
 */
function strategySimilarity(ctx: RecommendContext, strategy: RecommendStrategy, likes: number[], dislikes: number[]): (p: number) => number {
  if (strategy === "best") return (p) => bestScoreOf(ctx, likes, dislikes, p).similarity;
  if (strategy === "sum") {
    return (p) => {
      let s = 0;
      for (const l of likes) s += ctx.cosine(l, p);
      for (const d of dislikes) s -= ctx.cosine(d, p);
      return s;
    };
  }
  const q = averageQuery(ctx, likes, dislikes);
  return (p) => dot(q, 0, ctx.matrix, p * ctx.dims, ctx.dims);
}

/**
 * The store ranks by the examples itself (Qdrant's `recommend` query with the strategy's
 * name), filters and duplicates of the examples passed down. With `best`, each candidate's
 * best like and dislike (the parts of its score) are worked out here for the explanation.
 */
async function storeRecommend(ctx: RecommendContext, pl: Plan, strategy: RecommendStrategy, likes: number[], dislikes: number[], excluded: Set<number>): Promise<Candidate[]> {
  const exclude: string[] = [];
  for (const p of excluded) exclude.push(ctx.ids[p]!);
  const hits = await ctx.store.recommendTop(
    { positive: likes.map((p) => ctx.ids[p]!), negative: dislikes.map((p) => ctx.ids[p]!), strategy },
    { k: pl.pool, filters: pl.filters, exclude },
  );
  const out: Candidate[] = [];
  for (const h of hits) {
    const p = ctx.positionOfHit(h);
    if (p === undefined) continue;
    const c: Candidate = { p, similarity: h.score };
    if (strategy === "best") {
      if (likes.length) c.like = Math.max(...likes.map((l) => ctx.cosine(l, p)));
      if (dislikes.length) c.dislike = Math.max(...dislikes.map((d) => ctx.cosine(d, p)));
    }
    out.push(c);
  }
  return out;
}

/**
 * Qdrant's `sum_scores`: `sum cos(like, x) - sum cos(dislike, x)`, which for unit vectors is
 * `x . s` with `s = sum(likes) - sum(dislikes)`: the nearest movies to `s` by cosine, each
 * scored `|s|` times its cosine. Exact, through the store's vector search.
 */
async function sumScores(ctx: RecommendContext, pl: Plan, likes: number[], dislikes: number[], excluded: Set<number>): Promise<Candidate[]> {
  const { dims } = ctx;
  const s = new Float64Array(dims);
  for (const [positions, sign] of [[likes, 1], [dislikes, -1]] as const) {
    for (const p of positions) {
      const v = ctx.vectorAt(p);
      for (let d = 0; d < dims; d++) s[d] = s[d]! + sign * v[d]!;
    }
  }
  let norm = 0;
  for (let d = 0; d < dims; d++) norm += s[d]! * s[d]!;
  norm = Math.sqrt(norm);
  if (norm < 1e-6) throw new InvalidArgumentError("dislike", "the liked and disliked movies cancel out; there is no direction to search in");
  const q = Float32Array.from(s, (x) => x / norm);
  const found = await nearest(ctx, { vector: q }, pl.pool, pl, excluded);
  return found.map((c) => ({ ...c, similarity: c.similarity * norm }));
}

/** Qdrant's `scaled_fast_sigmoid`: maps a similarity into (0, 1), keeping its order. */
function scaledFastSigmoid(x: number): number {
  return 0.5 * (x / (1 + Math.abs(x)) + 1);
}

/** Qdrant's best_score of the movie at p (see `bestScore`). */
function bestScoreOf(ctx: RecommendContext, likes: number[], dislikes: number[], p: number): Candidate {
  const base = p * ctx.dims;
  let pos = -Infinity;
  for (const l of likes) pos = Math.max(pos, dot(ctx.matrix, base, ctx.matrix, l * ctx.dims, ctx.dims));
  let neg = -Infinity;
  for (const d of dislikes) neg = Math.max(neg, dot(ctx.matrix, base, ctx.matrix, d * ctx.dims, ctx.dims));
  const c: Candidate = { p, similarity: pos > neg ? scaledFastSigmoid(pos) : -scaledFastSigmoid(neg) };
  if (likes.length) c.like = pos;
  if (dislikes.length) c.dislike = neg;
  return c;
}

/**
 * Qdrant's `best_score`: each movie takes its highest similarity to a liked movie; when a
 * disliked movie is closer than every liked one, it scores below all such movies instead, the
 * closer to the dislike the lower. Qdrant's API reference words it as "If the max_neg_score is
 * chosen then it is squared and negated, otherwise it is just the max_pos_score"; its current
 * code (`RecoBestScoreQuery::score_by` in `reco_query.rs`) returns
 * `scaled_fast_sigmoid(max_pos)` if `max_pos > max_neg`, else `-scaled_fast_sigmoid(max_neg)`,
 * which keeps the order also for negative similarities (squaring would not). This follows the
 * code.
 *
 * Exact, without scoring every movie: a movie outside the top `n` of every liked movie has a
 * best like of at most T, the highest of those lists' n-th similarities, so once `pool` of the
 * movies found there have a best like above T (and above their best dislike) they are the top
 * `pool` overall. Otherwise n grows; with dislikes only, every movie is scored.
 */
async function bestScore(ctx: RecommendContext, pl: Plan, likes: number[], dislikes: number[], excluded: Set<number>): Promise<Candidate[]> {
  const admit = await admits(ctx, pl, excluded);
  const score = (p: number): Candidate => bestScoreOf(ctx, likes, dislikes, p);
  const best = (positions: Iterable<number>): Candidate[] => {
    const top = new TopK(pl.pool);
    const byPosition = new Map<number, Candidate>();
    for (const p of positions) {
      const c = score(p);
      byPosition.set(p, c);
      top.push(p, c.similarity);
    }
    return top.result().map((h) => byPosition.get(h.id)!);
  };
  const everything = function* () {
    for (let p = 0; p < ctx.size; p++) if (admit(p)) yield p;
  };
  if (likes.length === 0) return best(everything());
  for (let n = Math.min(ctx.size, pl.pool + excluded.size + 16); n < ctx.size; n *= 4) {
    const seen = new Set<number>();
    let T = -Infinity;
    for (const l of likes) {
      const hits = await ctx.store.vectorTop({ id: ctx.ids[l]! }, { k: n, filters: pl.filters });
      if (hits.length === n) T = Math.max(T, hits[n - 1]!.score);
      for (const h of hits) {
        const p = ctx.positionOfId(h.id);
        if (p !== undefined && admit(p)) seen.add(p);
      }
    }
    const found = best(seen);
    // T stays -Infinity when every list ended early: then every admitted movie was seen.
    const sure = found.filter((c) => c.like! > T && c.like! > (c.dislike ?? -Infinity)).length;
    if (T === -Infinity || sure >= pl.pool) return found;
  }
  return best(everything());
}
