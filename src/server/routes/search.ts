import type { FastifyInstance } from "fastify";
import { SEARCH_OPTIONS, searchOptions, TITLES_OPTIONS } from "../../options/commands.js";
import { InvalidArgumentError } from "../../errors.js";
import { fromJson, jsonProperties } from "../../options/option.js";
import { listingJson } from "../cards.js";
import { LIMITS } from "../limits.js";
import { ERROR_RESPONSES, LIST_SCHEMA } from "../schemas.js";
import { JSON_TYPE, type RouteContext } from "./context.js";

type Query = Record<string, unknown> & { q: string };
type TitlesQuery = { q?: string; prefix?: string; k?: number };

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
            ...jsonProperties(SEARCH_OPTIONS),
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
        description: "`Plotline.titles(q, k)`: titles that start with, or nearly match, what was typed; exact beats prefix beats typo. `q` as in `/api/search`; `prefix` is its older name, still accepted.",
        tags: ["search"],
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            q: { type: "string", minLength: 1, maxLength: LIMITS.prefixLength, description: "What the user has typed so far." },
            prefix: { type: "string", minLength: 1, maxLength: LIMITS.prefixLength, description: "The same as q (its older name); give one of them." },
            ...jsonProperties(TITLES_OPTIONS),
          },
          anyOf: [{ required: ["q"] }, { required: ["prefix"] }],
        },
        response: { 200: LIST_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { q, prefix, k } = request.query;
      if (q !== undefined && prefix !== undefined && q !== prefix) throw new InvalidArgumentError("prefix", "is the older name of q; give one of them");
      return live.use((p) => p.titles((q ?? prefix)!, k));
    },
  );
}
