import type { FastifyInstance } from "fastify";
import { SIMILAR_OPTIONS, similarOptions } from "../../options/commands.js";
import { fromJson, jsonProperties } from "../../options/option.js";
import { hasMovie, listingJson } from "../cards.js";
import { HttpError } from "../errors.js";
import { isHeavySimilar } from "../heavy.js";
import { LIMITS } from "../limits.js";
import { ERROR_RESPONSES, LIST_SCHEMA, MOVIE_SCHEMA } from "../schemas.js";
import { JSON_TYPE, type RouteContext } from "./context.js";

const ID_PARAMS = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", minLength: 1, maxLength: LIMITS.idLength, description: "Movie id: an IMDb id such as `tt3659388`, or `<source>:<id>`." } },
} as const;

export function movieRoutes(app: FastifyInstance, { live, heavy, db }: RouteContext): void {
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
      live.use(async (p) => {
        const movie = await p.movie(request.params.id);
        if (!movie) throw new HttpError(404, "not_found", `id: no movie '${request.params.id}' in the collection`, "id");
        return { ...movie, trailers: await p.movieTrailers(request.params.id) };
      }),
  );

  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(
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
          properties: jsonProperties(SIMILAR_OPTIONS),
        },
        response: { 200: LIST_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const options = similarOptions(fromJson(SIMILAR_OPTIONS, request.query));
      const json = await live.use(async (p, stamp) => {
        // The engine also takes titles; this path is for ids, so an unknown one is a 404.
        if (!(await hasMovie(p, request.params.id))) throw new HttpError(404, "not_found", `id: no movie '${request.params.id}' in the collection`, "id");
        if (heavy && db && isHeavySimilar(options)) return heavy.run({ kind: "similar", db, stamp, id: request.params.id, options });
        return listingJson(p, await p.similar({ id: request.params.id }, options));
      });
      return reply.type(JSON_TYPE).send(json);
    },
  );
}
