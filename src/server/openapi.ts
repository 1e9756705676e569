import { ERROR_SCHEMA } from "./schemas.js";

// The documentation keys route schemas carry for /openapi.json; Fastify ignores them.
declare module "fastify" {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: readonly string[];
    /** Leave the route out of the OpenAPI document. */
    hide?: boolean;
  }
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: readonly string[]; description?: string };

/** What a route registers: Fastify's own schema keys plus the documentation ones. */
export interface RouteSchema {
  summary?: string;
  description?: string;
  tags?: readonly string[];
  querystring?: JsonSchema;
  params?: JsonSchema;
  body?: JsonSchema;
  response?: Record<string, JsonSchema>;
}

export interface DocumentedRoute {
  method: string;
  url: string;
  schema: RouteSchema;
}

const STATUS_TEXT: Record<string, string> = {
  "200": "OK",
  "4XX": "Client error: a bad parameter (400), an unknown movie (404), a method the path does not take (405), a body over the limit (413)",
  "5XX": "The collection is not ready (503), the request timed out (503), the collection's backend cannot do what was asked (501), or an internal error (500)",
};

function parameters(where: "query" | "path", schema: JsonSchema | undefined): unknown[] {
  if (!schema?.properties) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === "path" || required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
      ...(rest.type === "array" ? { style: "form", explode: true } : {}),
    };
  });
}

/**
 * OpenAPI 3.1 for the registered routes, built from the very schemas Fastify validates and
 * serialises with, so the document cannot drift from what the server does. (OpenAPI 3.1 uses
 * JSON Schema, so the route schemas go in unchanged.)
 */
export function openApiDocument(routes: DocumentedRoute[], info: { title: string; version: string; description: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z_]\w*)/g, "{$1}");
    const s = r.schema;
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(s.response ?? {})) {
      const code = status.toUpperCase();
      const isError = schema === ERROR_SCHEMA;
      responses[code] = {
        description: STATUS_TEXT[code] ?? code,
        content: { "application/json": { schema: isError ? { $ref: "#/components/schemas/Error" } : schema } },
      };
    }
    const op: Record<string, unknown> = {
      operationId: `${r.method.toLowerCase()}${path.replace(/\{(\w+)\}/g, "By_$1").replace(/[^A-Za-z0-9]+(\w)/g, (_, c: string) => c.toUpperCase())}`,
      ...(s.summary ? { summary: s.summary } : {}),
      ...(s.description ? { description: s.description } : {}),
      ...(s.tags ? { tags: s.tags } : {}),
      parameters: [...parameters("path", s.params), ...parameters("query", s.querystring)],
      ...(s.body ? { requestBody: { required: true, content: { "application/json": { schema: s.body } } } } : {}),
      responses,
    };
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: { schemas: { Error: ERROR_SCHEMA } },
  };
}

/** Plotline's own document for its routes: `/openapi.json`, and the web client's types. */
export function apiOpenApiDocument(routes: DocumentedRoute[], version: string): Record<string, unknown> {
  return openApiDocument(routes, {
    title: "Plotline",
    version,
    description: "Search and recommend movies by meaning. Every error is `{ error: { code, message, parameter? } }`.",
  });
}
