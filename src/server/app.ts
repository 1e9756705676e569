import { yieldTurn } from "../time-slice.js";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type HTTPMethods } from "fastify";
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plotline } from "../plotline.js";
import { errorBody, errorHandler, HttpError, toHttpError } from "./errors.js";
import { LIMITS } from "./limits.js";
import { HeavyPool, type HeavyOptions } from "./heavy.js";
import { LivePlotline } from "./live.js";
import { apiOpenApiDocument, type DocumentedRoute, type RouteSchema } from "./openapi.js";
import type { RouteContext } from "./routes/context.js";
import { genreRoutes } from "./routes/genres.js";
import { metaRoutes } from "./routes/meta.js";
import { movieRoutes } from "./routes/movies.js";
import { recommendRoutes } from "./routes/recommend.js";
import { searchRoutes } from "./routes/search.js";
import { WebApp } from "./static.js";

export interface ServerOptions {
  /** The collection file, opened read-only. */
  db: string;
  /** The built web app's directory (default `web/dist`); null serves the API only. */
  webRoot?: string | null;
  /** How often, at most, to look for a newer collection, in ms (default 1,000). */
  checkEveryMs?: number;
  /** Server-side log lines: reloads, and the details of unexpected errors (default: none). */
  log?: (line: string) => void;
  /** Overrides of the time limits (defaults in `LIMITS`), e.g. shorter ones in tests. */
  timeouts?: { requestMs?: number; handlerMs?: number };
  /** Worker threads for heavy requests (SVM, TF-IDF, diversity, long pages; see `heavy.ts`); false runs them on the event loop. */
  heavy?: HeavyOptions | false;
  /**
   * Host names (the `Host` header, port aside) requests may name; others get 421 (default:
   * `localhost`, `127.0.0.1` and `::1`; `serve` adds the address it binds). A DNS-rebinding page
   * reaches a loopback server under its own host name, which this refuses. `["*"]` allows any.
   */
  allowedHosts?: readonly string[];
  /** The one origin cross-origin pages may call the API from (CORS); default none: no CORS headers at all. */
  cors?: string | null;
}

/** Host names every server answers to: the loopback ones. */
export const DEFAULT_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "::1"] as const;

/** The host name of a `Host` header: `[::1]:3000` is `::1`, `Example.org:80` is `example.org`. */
function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") > 0 ? h.indexOf("]") : undefined);
  const colon = h.lastIndexOf(":");
  return (colon >= 0 && h.indexOf(":") === colon ? h.slice(0, colon) : h).replace(/\.$/, "");
}

export interface PlotlineServer {
  app: FastifyInstance;
  live: LivePlotline;
  web: WebApp | null;
}

const VERSION = (JSON.parse(readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), "../../../package.json"), "utf8")) as { version: string }).version;

const ALL_METHODS: HTTPMethods[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Headers every response carries; the CSP lets the app load only its own code and any https image. */
const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};
const HTML_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  "x-frame-options": "DENY",
};

/**
 * Warms what a Plotline builds on first use (vector index, embedder, keyword and title indexes),
 * so no user waits for it; an empty collection (an ingest has not finished yet) is left cold.
 */
export async function warm(p: Plotline): Promise<void> {
  if ((await p.info()).count === 0) return;
  const [first] = await p.store.page({ fields: ["title"], limit: 1 });
  if (!first) return;
  // A turn of the event loop between the steps (and the builds slice their own long loops,
  // `time-slice.ts`): a server warming a new generation keeps answering with the old one.
  await yieldTurn();
  await p.search(first.title);
  await yieldTurn();
  await p.titles(first.title.slice(0, 1));
  await yieldTurn();
  await p.similar({ id: first.id }, { k: 1 });
}

/** A raw-socket answer for requests Node rejects before Fastify sees them (head too large, bad framing). */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === "ECONNRESET" || !socket.writable) return;
  const [status, reason, code, message] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", "header_too_large", `the request line and headers exceed ${LIMITS.headerBytes} bytes; shorten the URL`]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", "request_timeout", "the request was not received in time"]
        : [400, "Bad Request", "bad_request", "malformed HTTP request"];
  const body = JSON.stringify(errorBody(code, message));
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * Registers the API's routes and `/openapi.json` on `app`; returns the routes the document
 * lists, filled in as they register.
 */
function registerApi(app: FastifyInstance, ctx: RouteContext): DocumentedRoute[] {
  const documented: DocumentedRoute[] = [];
  app.addHook("onRoute", (route) => {
    const schema = route.schema as (RouteSchema & { hide?: boolean }) | undefined;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!schema || schema.hide || (route.config as { methodNotAllowed?: boolean } | undefined)?.methodNotAllowed) return;
    for (const m of methods) if (m !== "HEAD") documented.push({ method: m, url: route.url, schema });
  });
  searchRoutes(app, ctx);
  movieRoutes(app, ctx);
  recommendRoutes(app, ctx);
  genreRoutes(app, ctx);
  metaRoutes(app, ctx, documented);
  return documented;
}

/**
 * The API's OpenAPI document, as `/openapi.json` serves it, without opening a collection (the
 * routes are registered, never called): what the web client's types are generated from
 * (`npm run api-types`).
 */
export async function apiDocument(): Promise<Record<string, unknown>> {
  const app = Fastify({ logger: false });
  const notServing: RouteContext["live"] = {
    use: () => Promise.reject(new Error("the API document is built without a collection")),
  };
  const documented = registerApi(app, { live: notServing, version: VERSION });
  await app.ready();
  await app.close();
  return apiOpenApiDocument(documented, VERSION);
}

/**
 * The HTTP server: the JSON API under `/api`, its OpenAPI document at `/openapi.json`, and the
 * built web app for every other GET. Not listening yet: call `app.listen` (or `app.inject`).
 */
export async function createServer(options: ServerOptions): Promise<PlotlineServer> {
  const log = options.log ?? (() => {});
  const heavy = options.heavy === false ? null : new HeavyPool(options.heavy);
  // Each generation is warmed in the worker threads too before it is swapped in.
  const warmAll = async (p: Plotline) => {
    await warm(p);
    if (heavy && (await p.info()).count > 0) await heavy.warm(options.db, await p.store.freshness());
  };
  let live: LivePlotline;
  try {
    live = await LivePlotline.open({ db: options.db, checkEveryMs: options.checkEveryMs, warm: warmAll, onNotice: log });
  } catch (err) {
    await heavy?.close();
    throw err;
  }
  const web = options.webRoot === null ? null : WebApp.load(options.webRoot ?? undefined);

  const requestTimeout = options.timeouts?.requestMs ?? LIMITS.requestTimeoutMs;
  const app = Fastify({
    logger: false,
    bodyLimit: LIMITS.bodyBytes,
    requestTimeout,
    handlerTimeout: options.timeouts?.handlerMs ?? LIMITS.handlerTimeoutMs,
    // Node checks request timeouts on this period (default 30 s), so a limit of 10 s could
    // otherwise take 40 s to act.
    http: { maxHeaderSize: LIMITS.headerBytes, connectionsCheckingInterval: Math.max(50, Math.min(1000, requestTimeout / 4)) },
    routerOptions: { maxParamLength: LIMITS.idLength, ignoreTrailingSlash: true },
    // Unknown parameters are errors (a typo such as `gnere` must not be silently ignored);
    // `array` coercion lets `genre=Drama` stand for a one-element list.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", useDefaults: true, allErrors: false } },
    return503OnClosing: true,
    clientErrorHandler,
    // Errors the router raises before any route runs (an over-long id, a malformed path).
    frameworkErrors: (err, _request, reply) => {
      const { status, body } = toHttpError(err);
      void (reply as FastifyReply).code(status).send(body);
    },
  });

  const anyHost = options.allowedHosts?.includes("*") ?? false;
  const hosts = new Set([...DEFAULT_ALLOWED_HOSTS, ...(options.allowedHosts ?? [])].map((h) => hostName(h)));
  const cors = options.cors ?? null;
  app.addHook("onRequest", (request, reply, done) => {
    const host = request.headers.host;
    if (!anyHost && (host === undefined || !hosts.has(hostName(host)))) {
      void reply.code(421).send(errorBody("host_not_allowed", `Host '${String(host ?? "").slice(0, 100)}' is not one this server answers to; start it with --allowed-hosts naming it`));
      return;
    }
    if (cors && request.headers.origin === cors) {
      reply.header("access-control-allow-origin", cors).header("vary", "origin");
      if (request.method === "OPTIONS") {
        void reply.code(204).header("access-control-allow-methods", "GET, HEAD, POST").header("access-control-allow-headers", "content-type").header("access-control-max-age", "600").send();
        return;
      }
    }
    done();
  });

  // A callback hook, not an async one: it runs on every response, and saves a promise each time.
  app.addHook("onSend", (_request, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS);
    done(null, payload);
  });
  app.setErrorHandler(errorHandler(log));
  // ajv turns "1e400" into Infinity, which passes its integer check and then fails the
  // library's own (wider) range: the client must hear the API's bounds, as for any other k.
  app.addHook("preValidation", (request, _reply, done) => {
    const properties = (request.routeOptions.schema?.querystring as { properties?: Record<string, { type?: string; minimum?: number; maximum?: number }> } | undefined)?.properties;
    const query = request.query as Record<string, unknown> | undefined;
    if (properties && query) {
      for (const [name, value] of Object.entries(query)) {
        const p = properties[name];
        if (!p || (p.type !== "integer" && p.type !== "number") || typeof value !== "string" || value.trim() === "") continue;
        const n = Number(value);
        if (!Number.isNaN(n) && !Number.isFinite(n)) {
          const bounds = p.minimum !== undefined && p.maximum !== undefined ? ` from ${p.minimum} to ${p.maximum}` : "";
          return done(new HttpError(400, "invalid_parameter", `${name}: must be ${p.type === "integer" ? "an integer" : "a number"}${bounds}, got ${value.slice(0, 40)}`, name));
        }
      }
    }
    done();
  });
  // The API reads JSON bodies only; anything else is a 415, not a string to validate.
  app.removeContentTypeParser("text/plain");

  const documented = registerApi(app, { live, version: VERSION, db: options.db, heavy });

  // A known path asked with a method it does not take is a 405 naming the ones it does.
  await app.after();
  const allowed = new Map<string, Set<string>>();
  for (const r of documented) allowed.set(r.url, (allowed.get(r.url) ?? new Set()).add(r.method));
  allowed.set("/openapi.json", new Set(["GET"]));
  for (const [url, set] of allowed) {
    if (set.has("GET")) set.add("HEAD");
    const allow = ALL_METHODS.filter((m) => set.has(m)).join(", ");
    const others = ALL_METHODS.filter((m) => !set.has(m));
    app.route({
      method: others,
      url,
      config: { methodNotAllowed: true },
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        reply.header("allow", allow);
        if (request.method === "OPTIONS") return reply.code(204).send();
        return reply.code(405).send(errorBody("method_not_allowed", `${request.method} ${url.replace(/:(\w+)/g, "{$1}")}: not allowed; use ${allow}`));
      },
    });
  }

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0]!;
    if (path === "/api" || path.startsWith("/api/")) {
      return reply.code(404).send(errorBody("not_found", `${request.method} ${path}: no such endpoint; see /openapi.json`));
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return reply.code(405).header("allow", "GET, HEAD").send(errorBody("method_not_allowed", `${request.method} ${path}: not allowed; use GET, HEAD`));
    }
    if (!web) return reply.code(404).send(errorBody("not_found", "the web app is not built; run: npm run build:web"));
    const file = web.lookup(path);
    if (!file) return reply.code(404).send(errorBody("not_found", `${path}: no such file`));
    reply.header("etag", file.etag).header("vary", "accept-encoding");
    reply.header("cache-control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (file.type.startsWith("text/html")) reply.headers(HTML_HEADERS);
    if (request.headers["if-none-match"] === file.etag) return reply.code(304).send();
    reply.type(file.type);
    if (file.gzip && /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""))) return reply.header("content-encoding", "gzip").send(file.gzip);
    return reply.send(file.body);
  });

  app.addHook("onClose", async () => {
    await heavy?.close();
    await live.close();
  });
  return { app, live, web };
}
