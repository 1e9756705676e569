import type { FastifyInstance } from "fastify";
import { RECOMMEND_STRATEGIES, type RecommendOptions } from "../../recommend/types.js";
import { listingJson } from "../cards.js";
import { HttpError } from "../errors.js";
import { LIMITS } from "../limits.js";
import { FILTER_PROPERTIES, filtersFrom, type FilterQuery } from "../params.js";
import { ERROR_RESPONSES, LIST_SCHEMA } from "../schemas.js";
import { JSON_TYPE, type RouteContext } from "./context.js";
import { RANKING_PROPERTIES, rankingOptions, type RankingQuery } from "./movies.js";

interface RecommendBody extends FilterQuery, RankingQuery {
  like: string[];
  dislike: string[];
  strategy?: RecommendOptions["strategy"];
  k: number;
}

const ids = (description: string) =>
  ({ type: "array", items: { type: "string", minLength: 1, maxLength: LIMITS.idLength }, maxItems: LIMITS.examples, uniqueItems: true, default: [], description }) as const;

export function recommendRoutes(app: FastifyInstance, { live }: RouteContext): void {
  app.post<{ Body: RecommendBody }>(
    "/api/recommend",
    {
      schema: {
        summary: "Recommendations from liked and disliked movies",
        description:
          "`Plotline.recommend(options)`: the CLI's `recommend --json` shape. Examples never appear in the results; ids that are not in the collection are reported, not dropped silently.",
        tags: ["recommend"],
        body: {
          type: "object",
          additionalProperties: false,
          properties: {
            like: ids("Movies the user likes: ids, or titles (`Alien`, `Halloween (1978)`)."),
            dislike: ids("Movies the user dislikes: ids or titles."),
            strategy: { type: "string", enum: [...RECOMMEND_STRATEGIES], description: "`average`, `best` or `sum` (Qdrant's average_vector, best_score, sum_scores); the library's default when absent." },
            k: { type: "integer", minimum: 1, maximum: LIMITS.recommendK.max, default: LIMITS.recommendK.default, description: "Movies to return." },
            ...RANKING_PROPERTIES,
            ...FILTER_PROPERTIES,
          },
        },
        response: { 200: LIST_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const b = request.body;
      if (b.like.length + b.dislike.length > LIMITS.examples) throw new HttpError(400, "invalid_parameter", `like: at most ${LIMITS.examples} examples in all`, "like");
      const options: RecommendOptions = { like: b.like, dislike: b.dislike, k: b.k };
      if (b.strategy !== undefined) options.strategy = b.strategy;
      Object.assign(options, rankingOptions(b));
      const filters = filtersFrom(b);
      if (filters) options.filters = filters;
      const json = await live.use(async (p) => listingJson(p, await p.recommend(options)));
      return reply.type(JSON_TYPE).send(json);
    },
  );
}
