import { InvalidArgumentError } from "../errors.js";
import type { RecommendContext } from "./context.js";
import { admits, finish, nearest, plan, topPositions, type Candidate } from "./pipeline.js";
import { resolveRef, unknownRefError } from "./resolve.js";
import { decisionValues, exemplarSvm, type SvmOptions } from "./svm.js";
import { DEFAULT_SIMILAR_K, DEFAULT_SIMILAR_METHOD, SIMILAR_METHODS, type MovieRef, type SimilarOptions, type SimilarResponse } from "./types.js";

/**
 * More like this: the movies most like one movie, by `knn` (default), `svm` or `tfidf`. The movie
 * itself and its exact duplicates (same normalised title and year, the same plot, or an identical
 * vector) are never listed; filters apply before top-k.
 */
export async function similar(ctx: RecommendContext, ref: MovieRef, options: SimilarOptions = {}, svmOptions: SvmOptions = {}): Promise<SimilarResponse> {
  const method = options.method ?? DEFAULT_SIMILAR_METHOD;
  if (!(SIMILAR_METHODS as readonly string[]).includes(method)) throw new InvalidArgumentError("method", `unknown method '${method}' (methods: ${SIMILAR_METHODS.join(", ")})`);
  const p = resolveRef(ctx, ref, "movie", options.year);
  if (p === null) throw unknownRefError(ctx, ref, "movie");
  const pl = plan(ctx, options, DEFAULT_SIMILAR_K);
  let candidates: Candidate[];
  let results;
  if (method === "knn") {
    // The trailer article compares movies by what their trailers say: a movie with a transcript
    // is the query by its transcript, and every other movie answers by its closer vector.
    const transcript = ctx.transcriptAt(p);
    candidates = await nearest(ctx, transcript ? { vector: Float32Array.from(transcript) } : { id: ctx.ids[p]! }, pl.pool, pl, ctx.selfAndDuplicates(p));
    results = finish(ctx, pl, candidates, (a, b) => ctx.cosine(a, b), true, pl.storeDiversity);
  } else if (method === "svm") {
    const excluded = ctx.selfAndDuplicates(p);
    const skip = new Set(excluded);
    skip.delete(p);
    const model = exemplarSvm(ctx.matrix, ctx.dims, ctx.size, p, skip, svmOptions);
    candidates = topPositions(pl.pool, decisionValues(model, ctx.matrix, ctx.dims, ctx.size), await admits(ctx, pl, excluded));
    results = finish(ctx, pl, candidates, (a, b) => ctx.cosine(a, b), false);
  } else {
    const tfidf = await ctx.tfidf();
    const excluded = ctx.selfAndDuplicates(p);
    const admit = await admits(ctx, pl, excluded);
    const scores = new Float64Array(ctx.size);
    tfidf.similarTo(p, (q, s) => (scores[q] = s));
    // Movies sharing no term with the plot score 0: they are not similar, so they are not listed.
    candidates = topPositions(pl.pool, scores, (q) => scores[q]! > 0 && admit(q));
    results = finish(ctx, pl, candidates, (a, b) => tfidf.cosine(a, b), true);
  }
  return { movie: ctx.summary(p), method, results };
}
