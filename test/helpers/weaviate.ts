import weaviate from "weaviate-client";

/** The test server (`WEAVIATE_URL`), or why the Weaviate tests skip. */
export const WEAVIATE_URL = process.env.WEAVIATE_URL;
export const WEAVIATE_SKIP = WEAVIATE_URL ? false : "WEAVIATE_URL is not set (no Weaviate server here; start one and set WEAVIATE_URL=http://127.0.0.1:8080)";

const base = () => new URL(WEAVIATE_URL!);

/** `--db` of a Plotline collection on the test server. */
export const weaviateDb = (name: string) => `weaviate://${base().host}/${name}`;

/** A client of the test server, for what the tests check or clean up beside Plotline. */
export function weaviateClient() {
  const b = base();
  return weaviate.connectToCustom({ httpHost: b.hostname, httpPort: Number(b.port || 8080), grpcPort: 50051 });
}

/** Deletes a Plotline collection from the test server: its alias, generations and records. */
export async function dropWeaviateCollection(name: string): Promise<void> {
  const client = await weaviateClient();
  try {
    for (const a of (await client.alias.listAll()) ?? []) if (a.alias === name) await client.alias.delete(name);
    for (const c of await client.collections.listAll()) if (c.name === name || c.name.startsWith(`${name}_`)) await client.collections.delete(c.name);
  } finally {
    await client.close();
  }
}
