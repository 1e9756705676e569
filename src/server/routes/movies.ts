import type { FastifyInstance } from "fastify";
import { RERANKERS, SIMILAR_METHODS, type SimilarOptions } from "../../recommend/types.js";
import { hasMovie, listingJson } from "../cards.js";
import { HttpError } from "../errors.js";
import { LIMITS } from "../limits.js";
import { FILTER_PROPERTIES, filtersFrom, type FilterQuery } from "../params.js";
import { ERROR_RESPONSES, LIST_SCHEMA, MOVIE_SCHEMA } from "../schemas.js";
import { JSON_TYPE, type RouteContext } from "./context.js";

const ID_PARAMS = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", minLength: 1, maxLength: LIMITS.idLength, description: "Movie id: an IMDb id such as `tt3659388`, or `<source>:<id>`." } },
} as const;

interface SimilarQuery extends FilterQuery, RankingQuery {
  k: number;
  method?: SimilarOptions["method"];
}

/** Diversity and re-ranking parameters, shared with `/api/recommend`. */
export interface RankingQuery {
  diversity?: number;
  rerank?: SimilarOptions["rerank"];
  sentiment_weight?: number;
}

export const RANKING_PROPERTIES = {
  diversity: { type: "number", minimum: 0, maximum: 1, description: "Maximal marginal relevance: 0 (default) keeps the ranking, 1 is most diverse." },
  rerank: { type: "string", enum: [...RERANKERS], description: "`sentiment` re-ranks by (1 - w) x similarity + w x overview sentiment." },
  sentiment_weight: { type: "number", minimum: 0, maximum: 1, description: "w for `rerank=sentiment` (the library's default 0.3 when absent)." },
} as const;

export function rankingOptions(q: RankingQuery): Pick<SimilarOptions, "diversity" | "rerank" | "sentimentWeight"> {
  const o: Pick<SimilarOptions, "diversity" | "rerank" | "sentimentWeight"> = {};
  if (q.diversity !== undefined) o.diversity = q.diversity;
  if (q.rerank !== undefined) o.rerank = q.rerank;
  if (q.sentiment_weight !== undefined) o.sentimentWeight = q.sentiment_weight;
  return o;
}

export function movieRoutes(app: FastifyInstance, { live }: RouteContext): void {
  app.get<{ Params: { id: string } }>(
    "/api/movies/:id",
    {
      schema: {
        summary: "One movie",
        description: "`Plotline.movie(id)`: every stored field, and the movie's trailers (`Plotline.movieTrailers(id)`).",
        tags: ["movies"],
        params: ID_PARAMS,
        response: { 200: MOVIE_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      live.use((p) => {
        const movie = p.movie(request.params.id);
        if (!movie) throw new HttpError(404, "not_found", `id: no movie '${request.params.id}' in the collection`, "id");
        return { ...movie, trailers: p.movieTrailers(request.params.id) };
      }),
  );

  app.get<{ Params: { id: string }; Querystring: SimilarQuery }>(
    "/api/movies/:id/similar",
    {
      schema: {
        summary: "The movies most like this one",
        description: "`Plotline.similar(id, options)`: the CLI's `similar --json` shape; the movie itself never appears.",
        tags: ["movies"],
        params: ID_PARAMS,
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            k: { type: "integer", minimum: 1, maximum: LIMITS.similarK.max, default: LIMITS.similarK.default, description: "Movies to return." },
            method: { type: "string", enum: [...SIMILAR_METHODS], description: "`knn` (cosine), `svm` (exemplar SVM) or `tfidf`; the library's default when absent." },
            ...RANKING_PROPERTIES,
            ...FILTER_PROPERTIES,
          },
        },
        response: { 200: LIST_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const options: SimilarOptions = { k: q.k };
      if (q.method !== undefined) options.method = q.method;
      Object.assign(options, rankingOptions(q));
      const filters = filtersFrom(q);
      if (filters) options.filters = filters;
      const json = await live.use(async (p) => {
        // The engine also takes titles; this path is for ids, so an unknown one is a 404.
        if (!hasMovie(p, request.params.id)) throw new HttpError(404, "not_found", `id: no movie '${request.params.id}' in the collection`, "id");
        return listingJson(p, await p.similar({ id: request.params.id }, options));
      });
      return reply.type(JSON_TYPE).send(json);
    },
  );
}
