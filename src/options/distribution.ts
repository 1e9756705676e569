import type { Distribution } from "../store/store.js";
import type { OptionSpec, Values } from "./option.js";

/**
 * How a new collection is spread over a backend that shards and replicates (Qdrant): the
 * options of the commands that may create one (`ingest`, `copy`). No defaults here: absent, the
 * server's own apply (Qdrant: one shard per node, one replica, one confirming write); bounds are
 * checked by the store, which knows the backend's.
 */
export const DISTRIBUTION_OPTIONS: readonly OptionSpec[] = [
  { key: "shards", type: { kind: "integer", min: 1, max: 1024 }, arg: "N", surfaces: ["cli"], help: "a new Qdrant collection: shards to cut it into (default: the server's, 1 per node)" },
  { key: "replicas", type: { kind: "integer", min: 1, max: 64 }, arg: "R", surfaces: ["cli"], help: "a new Qdrant collection: copies of each shard on distinct nodes (default 1)" },
  { key: "writeConsistency", type: { kind: "integer", min: 1, max: 64 }, arg: "W", surfaces: ["cli"], help: "a new Qdrant collection: replicas that must confirm a write (default 1)" },
];

/** The `Distribution` the values ask for, or undefined when none is given. */
export function distributionOptions(v: Values): Distribution | undefined {
  const d: Distribution = {};
  for (const key of ["shards", "replicas", "writeConsistency"] as const) if (typeof v[key] === "number") d[key] = v[key];
  return Object.keys(d).length ? d : undefined;
}
