import type { FastifyInstance } from "fastify";
import type { Plotline } from "../../plotline.js";
import { ERROR_RESPONSES } from "../schemas.js";
import type { RouteContext } from "./context.js";

const GENRES_SCHEMA = {
  type: "object",
  required: ["genres"],
  properties: {
    genres: {
      type: "array",
      items: { type: "object", required: ["name", "count"], properties: { name: { type: "string" }, count: { type: "integer" } } },
    },
  },
} as const;

/** Genre counts per opened collection: a full scan, so computed once per reload. */
const cache = new WeakMap<Plotline, { name: string; count: number }[]>();

function genreCounts(p: Plotline): { name: string; count: number }[] {
  let counts = cache.get(p);
  if (!counts) {
    // The genre facet is a property of the stored catalog, read straight from the store's JSON
    // lists; no engine method computes it.
    counts = p.collection.db
      .prepare("SELECT json_each.value AS name, count(*) AS count FROM movies, json_each(movies.genres) GROUP BY json_each.value ORDER BY count DESC, name")
      .all() as { name: string; count: number }[];
    cache.set(p, counts);
  }
  return counts;
}

export function genreRoutes(app: FastifyInstance, { live }: RouteContext): void {
  app.get(
    "/api/genres",
    {
      schema: {
        summary: "The collection's genres with their movie counts",
        description: "For filter menus: every genre in the collection, most common first.",
        tags: ["movies"],
        response: { 200: GENRES_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async () => live.use((p) => ({ genres: genreCounts(p) })),
  );
}
