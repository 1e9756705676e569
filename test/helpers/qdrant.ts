/**
 * Tests against a real Qdrant: `QDRANT_URL` (e.g. `http://127.0.0.1:6333`) names the server;
 * unset, those tests skip with `QDRANT_SKIP` as the reason (CI has no Qdrant). Every
 * collection a test makes has a name starting with this run's prefix, and is dropped when the
 * process exits.
 */
import { after } from "node:test";
import { randomBytes } from "node:crypto";

export const QDRANT_URL = process.env.QDRANT_URL || "";
export const QDRANT_SKIP = QDRANT_URL ? false : "QDRANT_URL is not set (a Qdrant 1.16 server to test against, e.g. http://127.0.0.1:6333)";

const RUN = `plotline-test-${randomBytes(4).toString("hex")}`;
let made = 0;
const names: string[] = [];

/** The server's base URL as `qdrant://host:port` (HTTPS kept as `qdrants://`). */
export function qdrantBase(url: string = QDRANT_URL): string {
  return url.replace(/\/+$/, "").replace(/^http(s?):\/\//i, (_m, s: string) => (s ? "qdrants://" : "qdrant://"));
}

/** A new collection's `--db` location on `QDRANT_URL` (not created; the first write creates it), dropped after the tests. */
export function qdrantCollection(query = ""): string {
  const name = `${RUN}-${++made}`;
  names.push(name);
  return `${qdrantBase()}/${name}${query}`;
}

/** Drops the collections this run named (those never created answer 404, ignored). */
export async function dropQdrantCollections(url: string = QDRANT_URL): Promise<void> {
  await Promise.all(names.splice(0).map((n) => fetch(`${url.replace(/\/+$/, "")}/collections/${n}`, { method: "DELETE" }).catch(() => undefined)));
}

if (QDRANT_URL) after(() => dropQdrantCollections());
