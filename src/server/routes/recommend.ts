import type { FastifyInstance } from "fastify";
import { RECOMMEND_OPTIONS, recommendOptions } from "../../options/commands.js";
import { fromJson, jsonProperties } from "../../options/option.js";
import { listingJson } from "../cards.js";
import { HttpError } from "../errors.js";
import { isHeavyRecommend } from "../heavy.js";
import { LIMITS } from "../limits.js";
import { ERROR_RESPONSES, LIST_SCHEMA } from "../schemas.js";
import { JSON_TYPE, type RouteContext } from "./context.js";

export function recommendRoutes(app: FastifyInstance, { live, heavy, db }: RouteContext): void {
  app.post<{ Body: Record<string, unknown> }>(
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
          properties: jsonProperties(RECOMMEND_OPTIONS),
        },
        response: { 200: LIST_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const options = recommendOptions(fromJson(RECOMMEND_OPTIONS, request.body));
      options.like ??= [];
      options.dislike ??= [];
      if (options.like.length + options.dislike.length > LIMITS.examples) throw new HttpError(400, "invalid_parameter", `like: at most ${LIMITS.examples} examples in all`, "like");
      const json = await live.use(async (p, stamp) =>
        heavy && db && isHeavyRecommend(options) ? heavy.run({ kind: "recommend", db, stamp, options }) : listingJson(p, await p.recommend(options)),
      );
      return reply.type(JSON_TYPE).send(json);
    },
  );
}
