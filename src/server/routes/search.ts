import type { FastifyInstance } from "fastify";
import { SEARCH_OPTIONS, searchOptions, TITLES_OPTIONS } from "../../options/commands.js";
import { fromJson, jsonProperties } from "../../options/option.js";
import { listingJson } from "../cards.js";
import { LIMITS } from "../limits.js";
import { ERROR_RESPONSES, LIST_SCHEMA } from "../schemas.js";
import { JSON_TYPE, type RouteContext } from "./context.js";

type Query = Record<string, unknown> & { q: string };
type TitlesQuery = { prefix: string; k?: number };

export function searchRoutes(app: FastifyInstance, { live }: RouteContext): void {
  app.get<{ Querystring: Query }>(
    "/api/search",
    {
      schema: {
        summary: "Search movies by title, keywords or a description in your own words",
        description:
          "`Plotline.search(q, options)`: the CLI's `search --json` shape, each result also carrying the fields a card shows. Phrases in `q` such as `90s` or `starring Jim Carrey` become filters (listed in `parsed`) unless `parse=false`.",
        tags: ["search"],
        querystring: {
          type: "object",
          required: ["q"],
          additionalProperties: false,
          properties: {
            q: { type: "string", minLength: 1, maxLength: LIMITS.queryLength, description: `The query (at most ${LIMITS.queryLength} characters).` },
            ...jsonProperties(SEARCH_OPTIONS, { k: LIMITS.searchK.max, offset: LIMITS.maxOffset }),
          },
        },
        response: { 200: LIST_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const options = searchOptions(fromJson(SEARCH_OPTIONS, request.query));
      const json = await live.use(async (p) => listingJson(p, await p.search(request.query.q, options)));
      return reply.type(JSON_TYPE).send(json);
    },
  );

  app.get<{ Querystring: TitlesQuery }>(
    "/api/titles",
    {
      schema: {
        summary: "Title suggestions as you type",
        description: "`Plotline.titles(prefix, k)`: titles that start with, or nearly match, what was typed; exact beats prefix beats typo.",
        tags: ["search"],
        querystring: {
          type: "object",
          required: ["prefix"],
          additionalProperties: false,
          properties: {
            prefix: { type: "string", minLength: 1, maxLength: LIMITS.prefixLength, description: "What the user has typed so far." },
            ...jsonProperties(TITLES_OPTIONS, { k: LIMITS.titlesK.max }),
          },
        },
        response: { 200: LIST_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request) => live.use((p) => p.titles(request.query.prefix, request.query.k)),
  );
}
