import { InvalidArgumentError } from "../../errors.js";

/** Where a Weaviate collection is and how to reach it: what `weaviate://host:8080/Movies` says. */
export interface WeaviateTarget {
  httpHost: string;
  /** REST port (default 8080, or 443 over TLS). */
  httpPort: number;
  /** gRPC port (`?grpc=`; default 50051, or 443 over TLS). */
  grpcPort: number;
  /** TLS for both (`weaviates://`, or `?tls=true`; default false). */
  secure: boolean;
  /**
   * The collection's name as Weaviate users see it: an alias to the physical collection that
   * holds the current state (see `WeaviateStore`). Weaviate names start with a capital letter.
   */
  name: string;
  /** `WEAVIATE_API_KEY`, when set: sent as a bearer token. */
  apiKey: string | null;
  /** The URL without credentials, for messages. */
  display: string;
}

/** Weaviate's rule for collection (class) names, and so for aliases. */
const NAME = /^[A-Z][_0-9A-Za-z]*$/;
/**
 * Longest name accepted: Weaviate allows 255 characters, and the physical collections add a
 * generation suffix (`_G12_a1b2c3`) to it.
 */
const MAX_NAME = 200;

/**
 * Reads `weaviate://host[:port]/Name[?grpc=50051&tls=false]` (or `weaviates://` for TLS). The
 * API key comes from the environment (`WEAVIATE_API_KEY`), never from the URL, so that it is
 * not printed with the location or kept in shell history.
 */
export function parseWeaviateUrl(location: string, env: NodeJS.ProcessEnv = process.env): WeaviateTarget {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new InvalidArgumentError("--db", `'${location}' is not a URL; expected weaviate://host:8080/Collection`);
  }
  if (url.username || url.password) throw new InvalidArgumentError("--db", "put the Weaviate API key in WEAVIATE_API_KEY, not in the URL");
  const tlsParam = url.searchParams.get("tls");
  if (tlsParam !== null && tlsParam !== "true" && tlsParam !== "false") throw new InvalidArgumentError("--db", `?tls= must be true or false, got '${tlsParam}'`);
  const secure = url.protocol === "weaviates:" || tlsParam === "true";
  const name = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ""));
  if (!name) throw new InvalidArgumentError("--db", `${location}: name the collection, as in weaviate://host:8080/Movies`);
  if (!NAME.test(name) || name.length > MAX_NAME) {
    throw new InvalidArgumentError("--db", `'${name}' is not a Weaviate collection name (a capital letter, then letters, digits or _; at most ${MAX_NAME} characters)`);
  }
  const port = (value: string | null, fallback: number, what: string) => {
    if (value === null || value === "") return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError("--db", `${what} must be a port number, got '${value}'`);
    return n;
  };
  const httpPort = port(url.port, secure ? 443 : 8080, "the port");
  const grpcPort = port(url.searchParams.get("grpc"), secure ? 443 : 50051, "?grpc=");
  for (const key of url.searchParams.keys()) {
    if (key !== "grpc" && key !== "tls") throw new InvalidArgumentError("--db", `unknown parameter '${key}' (known: grpc, tls)`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!host) throw new InvalidArgumentError("--db", `${location}: no host`);
  const apiKey = env.WEAVIATE_API_KEY?.trim() || null;
  return {
    httpHost: host,
    httpPort,
    grpcPort,
    secure,
    name,
    apiKey,
    display: `${secure ? "weaviates" : "weaviate"}://${url.host}/${name}`,
  };
}
