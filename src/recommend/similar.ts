import { InvalidArgumentError } from "../errors.js";
import { dot } from "../vector-index/flat.js";
import { blend, BLEND_POOL, blends } from "./blend.js";
import type { RecommendContext } from "./context.js";
import { admits, finish, nearest, plan, topPositions, type Candidate } from "./pipeline.js";
import { resolveRef, unknownRefError } from "./resolve.js";
import { decisionValues, exemplarSvm, type SvmOptions } from "./svm.js";
import { DEFAULT_SIMILAR_K, DEFAULT_SIMILAR_METHOD, SIMILAR_METHODS, type MovieRef, type SimilarOptions, type SimilarResponse } from "./types.js";

/**
 * More like this: the movies most like one movie, by `knn` (default), `svm` or `tfidf`, with
 * the popularity prior and the movie's own series blended in (`blend.ts`). The movie itself
 * and its exact duplicates (same normalised title and year, the same plot, or an identical
 * vector) are never listed; filters apply before top-k.
 */
export async function similar(ctx: RecommendContext, ref: MovieRef, options: SimilarOptions = {}, svmOptions: SvmOptions = {}): Promise<SimilarResponse> {
  const method = options.method ?? DEFAULT_SIMILAR_METHOD;
  if (!(SIMILAR_METHODS as readonly string[]).includes(method)) throw new InvalidArgumentError("method", `unknown method '${method}' (methods: ${SIMILAR_METHODS.join(", ")})`);
  const p = resolveRef(ctx, ref, "movie", options.year);
  if (p === null) throw unknownRefError(ctx, ref, "movie");
  const pl = plan(ctx, options, DEFAULT_SIMILAR_K);
  const excluded = ctx.selfAndDuplicates(p);
  const admit = await admits(ctx, pl, excluded);
  if (blends(pl)) await ctx.loadBlendSignals();
  // With a blend, more candidates by similarity are re-ranked; the series join them.
  const depth = blends(pl) ? Math.max(pl.pool, BLEND_POOL) : pl.pool;
  const blended = (candidates: Candidate[], similarityOf: (q: number) => number): Candidate[] => {
    if (!blends(pl)) return candidates;
    const own = pl.series ? ctx.series().scores(p) : new Map<number, number>();
    return blend(ctx, pl, candidates, own.keys(), similarityOf, (q) => own.get(q) ?? 0, admit);
  };
  let candidates: Candidate[];
  let results;
  if (method === "knn") {
    // The trailer article compares movies by what their trailers say: a movie with a transcript
    // is the query by its transcript, and every other movie answers by its closer vector.
    const transcript = ctx.transcriptAt(p);
    const query = transcript ? Float32Array.from(transcript) : null;
    const closer = (q: number) => Math.max(dot(query!, 0, ctx.matrix, q * ctx.dims, ctx.dims), ctx.transcripts.cosine(ctx.ids[q]!, query!) ?? -Infinity);
    candidates = blended(await nearest(ctx, query ? { vector: query } : { id: ctx.ids[p]! }, depth, pl, excluded), query ? closer : (q) => ctx.cosine(p, q));
    results = finish(ctx, pl, candidates, (a, b) => ctx.cosine(a, b), true, pl.storeDiversity);
  } else if (method === "svm") {
    const skip = new Set(excluded);
    skip.delete(p);
    const model = exemplarSvm(ctx.matrix, ctx.dims, ctx.size, p, skip, svmOptions);
    const values = decisionValues(model, ctx.matrix, ctx.dims, ctx.size);
    candidates = blended(topPositions(depth, values, admit), (q) => values[q]!);
    results = finish(ctx, pl, candidates, (a, b) => ctx.cosine(a, b), false);
  } else {
    const tfidf = await ctx.tfidf();
    const scores = new Float64Array(ctx.size);
    tfidf.similarTo(p, (q, s) => (scores[q] = s));
    // Movies sharing no term with the plot score 0: they are not similar, so they are not listed.
    candidates = blended(
      topPositions(depth, scores, (q) => scores[q]! > 0 && admit(q)),
      (q) => scores[q]!,
    );
    results = finish(ctx, pl, candidates, (a, b) => tfidf.cosine(a, b), true);
  }
  return { movie: ctx.summary(p), method, results };
}
