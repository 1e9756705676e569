import { createHash } from "node:crypto";
import type { Embedder } from "./embedder.js";

/**
 * Raw vectors keyed by (embedder id, text hash), so re-ingesting unchanged movies embeds
 * nothing. Each store keeps one with its collection (SQLite in its file, answering at once;
 * Postgres in a table, Qdrant in the points themselves, answering with a promise); tests use a Map. `getMany` keys
 * its answer by the hash in hex.
 */
export interface EmbeddingCache {
  getMany(embedderId: string, hashes: Buffer[]): Map<string, Float32Array> | Promise<Map<string, Float32Array>>;
  putMany(embedderId: string, entries: { hash: Buffer; vector: Float32Array }[]): void | Promise<void>;
}

/** SHA-1 of the text: 20 bytes, ample against accidental collisions, cheap to compute. */
export function textHash(text: string): Buffer {
  return createHash("sha1").update(text, "utf8").digest();
}

export interface CachedEmbedResult {
  vectors: Float32Array[];
  /** Texts that had to be embedded (not found in the cache). */
  embedded: number;
}

/** Chunk size for embed + cache write, so a killed run keeps most of what it computed. */
export const CACHE_CHUNK = 512;

/**
 * Embeds `texts`, taking what it can from the cache and writing new vectors back in chunks.
 * `onProgress` counts texts done, cached ones included.
 */
export async function embedWithCache(
  embedder: Embedder,
  texts: string[],
  cache: EmbeddingCache | null,
  onProgress?: (done: number, embedded: number) => void,
): Promise<CachedEmbedResult> {
  const hashes = texts.map(textHash);
  const found = cache ? await cache.getMany(embedder.id, hashes) : new Map<string, Float32Array>();
  const vectors = new Array<Float32Array>(texts.length);
  const missing: number[] = [];
  hashes.forEach((h, i) => {
    const v = found.get(h.toString("hex"));
    if (v) vectors[i] = v;
    else missing.push(i);
  });
  let done = texts.length - missing.length;
  onProgress?.(done, 0);
  for (let start = 0; start < missing.length; start += CACHE_CHUNK) {
    const ids = missing.slice(start, start + CACHE_CHUNK);
    const out = await embedder.embed(ids.map((i) => texts[i]!), (n) => onProgress?.(done + n, start + n));
    ids.forEach((id, k) => (vectors[id] = out[k]!));
    await cache?.putMany(embedder.id, ids.map((id, k) => ({ hash: hashes[id]!, vector: out[k]! })));
    done += ids.length;
  }
  return { vectors, embedded: missing.length };
}
