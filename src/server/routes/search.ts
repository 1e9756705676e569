import type { FastifyInstance } from "fastify";
import { FUSIONS, SEARCH_MODES, type SearchOptions } from "../../search/types.js";
import { listingJson } from "../cards.js";
import { LIMITS } from "../limits.js";
import { FILTER_PROPERTIES, filtersFrom, type FilterQuery } from "../params.js";
import { ERROR_RESPONSES, LIST_SCHEMA } from "../schemas.js";
import { JSON_TYPE, type RouteContext } from "./context.js";

interface SearchQuery extends FilterQuery {
  q: string;
  mode?: SearchOptions["mode"];
  alpha?: number;
  fusion?: SearchOptions["fusion"];
  k: number;
  offset: number;
  parse: boolean;
}

interface TitlesQuery {
  prefix: string;
  k: number;
}

export function searchRoutes(app: FastifyInstance, { live }: RouteContext): void {
  app.get<{ Querystring: SearchQuery }>(
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
            mode: { type: "string", enum: [...SEARCH_MODES], description: "Search mode; the library's default when absent." },
            alpha: { type: "number", minimum: 0, maximum: 1, description: "Hybrid weight: 0 keyword only, 1 semantic only." },
            fusion: { type: "string", enum: [...FUSIONS], description: "Hybrid fusion: convex combination of normalised scores, or reciprocal rank fusion (Plotline's own); native-rrf or native-dbsf: the backend's own hybrid query, where it has one (Qdrant)." },
            k: { type: "integer", minimum: 1, maximum: LIMITS.searchK.max, default: LIMITS.searchK.default, description: "Results per page." },
            offset: { type: "integer", minimum: 0, maximum: LIMITS.maxOffset, default: 0, description: "Results to skip." },
            parse: { type: "boolean", default: true, description: "Turn phrases of the query into filters." },
            ...FILTER_PROPERTIES,
          },
        },
        response: { 200: LIST_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const options: SearchOptions = { k: q.k, offset: q.offset };
      if (q.mode !== undefined) options.mode = q.mode;
      if (q.alpha !== undefined) options.alpha = q.alpha;
      if (q.fusion !== undefined) options.fusion = q.fusion;
      const filters = filtersFrom(q);
      if (filters) options.filters = filters;
      if (!q.parse) options.parse = false;
      const json = await live.use(async (p) => listingJson(p, await p.search(q.q, options)));
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
            k: { type: "integer", minimum: 1, maximum: LIMITS.titlesK.max, default: LIMITS.titlesK.default, description: "Suggestions to return." },
          },
        },
        response: { 200: LIST_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request) => live.use((p) => p.titles(request.query.prefix, request.query.k)),
  );
}
