import type { FastifyInstance } from "fastify";
import { apiOpenApiDocument, type DocumentedRoute } from "../openapi.js";
import { ERROR_RESPONSES, HEALTH_SCHEMA } from "../schemas.js";
import type { RouteContext } from "./context.js";

export function metaRoutes(app: FastifyInstance, { live, version }: RouteContext, documented: DocumentedRoute[]): void {
  app.get(
    "/api/health",
    {
      schema: {
        summary: "Is the server up, and what is it serving",
        description: "Cheap: reads the collection's manifest and count; `status` is `empty` until a first ingest has finished.",
        tags: ["meta"],
        response: { 200: HEALTH_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async () =>
      live.use(async (p) => {
        const info = await p.info();
        return { status: info.count > 0 ? "ok" : "empty", movies: info.count, embedder: info.embedder, dims: info.dims, updatedAt: info.updatedAt, version };
      }),
  );

  let doc: Record<string, unknown> | null = null;
  app.get("/openapi.json", { schema: { hide: true } }, async () => {
    doc ??= apiOpenApiDocument(documented, version);
    return doc;
  });
}
