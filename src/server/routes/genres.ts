import type { FastifyInstance } from "fastify";
import type { Plotline } from "../../plotline.js";
import { requireCapability } from "../../store/store.js";
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

/** Genre counts per opened collection: a full count, so computed once per reload. */
const cache = new WeakMap<Plotline, Promise<{ name: string; count: number }[]>>();

function genreCounts(p: Plotline): Promise<{ name: string; count: number }[]> {
  let counts = cache.get(p);
  if (!counts) {
    // The genre facet is a property of the stored catalog: the store counts it.
    requireCapability(p.store, "facets", "/api/genres");
    counts = p.store.facets("genres").then((facets) => facets.map((f) => ({ name: f.value, count: f.count })));
    counts.catch(() => cache.delete(p));
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
    async () => live.use(async (p) => ({ genres: await genreCounts(p) })),
  );
}
