import type * as WeaviateClientModule from "weaviate-client";

/**
 * weaviate-client, imported on first use. Importing it (gRPC, protobuf codecs) took 3.3 s of a
 * one-shot CLI command on the loaded 2-core machine, paid by every command, SQLite ones too,
 * when the store registry imported it at start; Qdrant's and Postgres's clients are loaded the
 * same way.
 */
export type WeaviateSdk = typeof WeaviateClientModule;

let loaded: WeaviateSdk | undefined;

/** Loads the client module (once); every path to the server awaits this before building requests. */
export async function loadWeaviateSdk(): Promise<WeaviateSdk> {
  return (loaded ??= await import("weaviate-client"));
}

/** The loaded client module, for the synchronous builders (filters, uuids, schema) used after `loadWeaviateSdk`. */
export function weaviateSdk(): WeaviateSdk {
  if (!loaded) throw new Error("weaviate-client used before loadWeaviateSdk()");
  return loaded;
}
