import { InvalidArgumentError } from "../errors.js";
import type { Distribution } from "../store/store.js";
import { intOption, type CommandContext, type OptionSpec } from "./command.js";

/** The flags of commands that may create a collection on a backend that shards and replicates (`ingest`, `copy`). */
export const DISTRIBUTION_OPTIONS: Record<string, OptionSpec> = {
  shards: { type: "string", arg: "N", help: "a new Qdrant collection: shards to cut it into (default: the server's, 1 per node)" },
  replicas: { type: "string", arg: "R", help: "a new Qdrant collection: copies of each shard on distinct nodes (default 1)" },
  "write-consistency": { type: "string", arg: "W", help: "a new Qdrant collection: replicas that must confirm a write (default 1)" },
};

/** The `Distribution` the flags ask for, or undefined when none is given. */
export function distributionFromOptions(ctx: CommandContext): Distribution | undefined {
  const d: Distribution = {};
  const get = (flag: string) => {
    const v = ctx.values[flag];
    if (v === undefined) return undefined;
    const n = intOption(flag, v, 0);
    if (n < 1) throw new InvalidArgumentError(`--${flag}`, `must be at least 1, got ${n}`);
    return n;
  };
  const shards = get("shards");
  const replicas = get("replicas");
  const writeConsistency = get("write-consistency");
  if (shards !== undefined) d.shards = shards;
  if (replicas !== undefined) d.replicas = replicas;
  if (writeConsistency !== undefined) d.writeConsistency = writeConsistency;
  return Object.keys(d).length ? d : undefined;
}
