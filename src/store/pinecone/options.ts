import { InvalidArgumentError } from "../../errors.js";

/** Which Pinecone index and namespace a `pinecone://INDEX[/namespace]` URL names. */
export interface PineconeTarget {
  index: string;
  /** The namespace the movies go in ("" is the index's default namespace). */
  namespace: string;
  /** `PINECONE_API_KEY` (required). */
  apiKey: string;
  /**
   * The control plane's URL (`PINECONE_CONTROLLER_HOST`, the client's own variable; default
   * Pinecone's), which says where the index's data plane is. Tests point it at a local stub.
   */
  controllerHostUrl: string | undefined;
  /** The URL as given, for messages. */
  display: string;
}

/** Pinecone's rule for index names: lower-case letters, digits and hyphens, at most 45. */
const INDEX_NAME = /^[a-z0-9](?:[a-z0-9-]{0,43}[a-z0-9])?$/;

/** Reads `pinecone://INDEX[/namespace]`; the API key comes from `PINECONE_API_KEY`, never the URL. */
export function parsePineconeUrl(location: string, env: NodeJS.ProcessEnv = process.env): PineconeTarget {
  const m = /^pinecone:\/\/([^/?#]*)(?:\/([^?#]*))?$/i.exec(location);
  if (!m) throw new InvalidArgumentError("--db", `'${location}' is not a Pinecone URL; expected pinecone://INDEX[/namespace]`);
  const index = m[1]!;
  if (index.includes("@") || index.includes(":")) throw new InvalidArgumentError("--db", "put the Pinecone API key in PINECONE_API_KEY, not in the URL");
  if (!INDEX_NAME.test(index)) throw new InvalidArgumentError("--db", `'${index}' is not a Pinecone index name (lower-case letters, digits and hyphens, at most 45)`);
  const namespace = decodeURIComponent(m[2] ?? "").replace(/\/+$/, "");
  if (namespace.includes("/")) throw new InvalidArgumentError("--db", `'${namespace}': a namespace is one path segment`);
  const apiKey = env.PINECONE_API_KEY?.trim();
  if (!apiKey) throw new InvalidArgumentError("PINECONE_API_KEY", `is not set; ${location} needs a Pinecone API key`);
  return { index, namespace, apiKey, controllerHostUrl: env.PINECONE_CONTROLLER_HOST?.trim() || undefined, display: `pinecone://${index}${namespace ? `/${namespace}` : ""}` };
}
