import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { CapabilityError, CollectionError, InvalidArgumentError, PlotlineError } from "../errors.js";
import { RECOMMEND_OPTIONS, SEARCH_OPTIONS, SIMILAR_OPTIONS, TITLES_OPTIONS } from "../options/commands.js";
import { FILTER_OPTIONS } from "../options/filters.js";
import { httpName, httpNames } from "../options/option.js";
import { damagedCollection } from "../store/open.js";
import { RETRY_AFTER_SECONDS } from "./limits.js";

/** The body of every error response: `{ error: { code, message, parameter? } }`. */
export interface ApiErrorBody {
  error: { code: string; message: string; parameter?: string };
}

/** An error a route raises on purpose, with its status and machine-readable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function errorBody(code: string, message: string, parameter?: string): ApiErrorBody {
  return { error: parameter === undefined ? { code, message } : { code, message, parameter } };
}

/**
 * The library names some options differently from the HTTP parameters (`query` is `q`,
 * `minRating` is `min_rating`, `yearMin` is `year`); errors must name what the client sent.
 * Derived from the option definitions, so a new option is named right without a line here.
 */
const LIBRARY_TO_HTTP: Record<string, string> = {
  ...httpNames([...SEARCH_OPTIONS, ...TITLES_OPTIONS, ...SIMILAR_OPTIONS, ...RECOMMEND_OPTIONS], { query: "q", prefix: "prefix" }),
  ...Object.fromEntries(FILTER_OPTIONS.flatMap((spec) => (typeof spec.filter === "string" ? [[spec.filter, httpName(spec)]] : spec.filter.map((f) => [f, httpName(spec)])))),
};

export function httpParameter(libraryName: string): string {
  const bare = libraryName.replace(/^--/, "");
  return LIBRARY_TO_HTTP[bare] ?? bare.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * The parameter an ajv error is about. In a body, `/like/3` is `like[3]`; in a query string the
 * position means nothing to the client (`genre=a&genre=b`), so it is just `genre`. A missing or
 * unknown property names itself.
 */
function validationParameter(e: AjvError, context: string | undefined): string {
  const p = e.params ?? {};
  const extra = (p.missingProperty ?? p.additionalProperty) as string | undefined;
  const segments = (e.instancePath ?? "").split("/").filter(Boolean);
  if (extra !== undefined) segments.push(extra);
  let name = "";
  for (const s of segments) {
    if (/^\d+$/.test(s)) name += context === "body" ? `[${s}]` : "";
    else name += name ? `.${s}` : s;
  }
  return name;
}

function validationMessage(e: AjvError, parameter: string, context: string | undefined): string {
  const p = e.params ?? {};
  switch (e.keyword) {
    case "required":
      return `${parameter}: is required`;
    case "additionalProperties":
      return `${parameter}: unknown ${context === "body" ? "field" : "parameter"}`;
    case "enum":
      return `${parameter}: must be one of ${(p.allowedValues as unknown[]).join(", ")}`;
    case "type":
      return `${parameter || context || "request"}: must be ${/^[aeiou]/.test(String(p.type)) ? "an" : "a"} ${String(p.type)}`;
    default:
      return `${parameter || context || "request"}: ${e.message ?? "is invalid"}`;
  }
}

/** Maps any error to a status and a JSON body; unexpected errors never show their details. */
export function toHttpError(caught: unknown): { status: number; body: ApiErrorBody; unexpected: boolean } {
  const err = damagedCollection(caught) ?? caught;
  if (err instanceof HttpError) return { status: err.status, body: errorBody(err.code, err.message, err.parameter), unexpected: false };
  if (err instanceof InvalidArgumentError) {
    const parameter = httpParameter(err.parameter);
    const detail = err.message.slice(err.parameter.length).replace(/^:\s*/, "");
    return { status: 400, body: errorBody("invalid_parameter", `${parameter}: ${detail}`, parameter), unexpected: false };
  }
  if (err instanceof CollectionError) return { status: 503, body: errorBody("collection_unavailable", err.message), unexpected: false };
  // A valid request the collection's backend cannot serve (a capability it lacks).
  // A fusion the collection's backend has no query for is a bad value of `fusion` for this
  // collection, which the client can change: a 400 naming it, as schemathesis expects of a
  // value the document lists. Other missing capabilities are the server's: 501.
  if (err instanceof CapabilityError && err.capability === "nativeHybrid") return { status: 400, body: errorBody("invalid_parameter", `fusion: ${err.message}`, "fusion"), unexpected: false };
  if (err instanceof CapabilityError) return { status: 501, body: errorBody("not_supported", err.message), unexpected: false };
  if (err instanceof PlotlineError) return { status: 400, body: errorBody("bad_request", err.message), unexpected: false };
  const fe = err as Partial<FastifyError> & { validation?: AjvError[]; validationContext?: string };
  if (fe.validation?.length) {
    const first = fe.validation[0]!;
    const parameter = validationParameter(first, fe.validationContext) || (fe.validationContext === "body" ? "body" : "");
    return { status: 400, body: errorBody("invalid_parameter", validationMessage(first, parameter, fe.validationContext), parameter || undefined), unexpected: false };
  }
  switch (fe.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, body: errorBody("payload_too_large", fe.message ?? "request body is too large"), unexpected: false };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { status: 415, body: errorBody("unsupported_media_type", "the body must be application/json"), unexpected: false };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, body: errorBody("invalid_body", "body: is empty; send a JSON object", "body"), unexpected: false };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { status: 400, body: errorBody("invalid_body", "body: is not valid JSON", "body"), unexpected: false };
    case "FST_ERR_MAX_PARAM_LENGTH":
      return { status: 414, body: errorBody("uri_too_long", "a path segment (such as a movie id) is too long"), unexpected: false };
    case "FST_ERR_BAD_URL":
      return { status: 400, body: errorBody("bad_request", "the path is not a valid URL (bad percent-encoding?)"), unexpected: false };
    case "FST_ERR_HANDLER_TIMEOUT":
      return { status: 503, body: errorBody("timeout", "the request took too long; try a shorter query or a smaller k"), unexpected: false };
  }
  if (err instanceof SyntaxError && fe.statusCode === 400) return { status: 400, body: errorBody("invalid_body", "body: is not valid JSON", "body"), unexpected: false };
  const status = fe.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return { status, body: errorBody("bad_request", fe.message ?? "bad request"), unexpected: false };
  }
  return { status: 500, body: errorBody("internal", "internal error; the server log has the details"), unexpected: true };
}

/** A Fastify error handler: one JSON shape for every failure; stacks go to `log` only. */
export function errorHandler(log: (line: string) => void) {
  return function handle(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
    // A time limit hit while the body is still arriving is the client's slowness: 408, not 503.
    if ((err as FastifyError)?.code === "FST_ERR_HANDLER_TIMEOUT" && !request.raw.complete) {
      void reply.code(408).header("connection", "close").type("application/json; charset=utf-8").send(errorBody("request_timeout", "the request body was not received in time"));
      return;
    }
    const { status, body, unexpected } = toHttpError(err);
    // Load shedding and timeouts: the client may retry, and is told when.
    if (status === 503) reply.header("retry-after", String((err as { retryAfter?: number }).retryAfter ?? RETRY_AFTER_SECONDS));
    if (unexpected) log(`${request.method} ${request.url}: ${(err as Error)?.stack ?? String(err)}`);
    void reply.code(status).type("application/json; charset=utf-8").send(body);
  };
}
