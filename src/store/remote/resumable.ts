import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { CollectionError } from "../../errors.js";
import type { WriteBatch } from "../store.js";
import { withRetry, type RetryPolicy } from "./retry.js";

/**
 * A write to a remote engine that cannot apply a batch all or nothing (Qdrant: no
 * transactions across points), made resumable instead: the batch is cut into steps (upload
 * batches), each idempotent (upserts and deletes by deterministic id), and a checkpoint kept
 * in the engine itself records which steps are done. A run that is interrupted (the process
 * killed, the server gone) leaves the checkpoint; running the same batch again (same digest)
 * skips the steps done and finishes, with the plan the first run computed, so the result is
 * the one an uninterrupted run gives. The caller commits at the end (manifest, freshness
 * token, checkpoint cleared) in one request of its own.
 */
export interface Checkpoint<P> {
  /** `batchDigest` of the write batch: the same batch resumes, another one starts over. */
  digest: string;
  /** What the first run computed before sending anything, reused as is when resuming. */
  plan: P;
  /** Steps done, in order. */
  done: number;
  /** Steps in all. */
  total: number;
  /** ISO 8601 times: when the write started, and of the last checkpoint (a liveness signal). */
  startedAt: string;
  savedAt: string;
  /** `host:pid` of the process running it. */
  owner: string;
}

/** Where a backend keeps the checkpoint (Qdrant: the collection's metadata). */
export interface CheckpointStore<P> {
  load(): Promise<Checkpoint<P> | null>;
  save(checkpoint: Checkpoint<P>): Promise<void>;
}

/** One upload batch: `size` items (for progress), sent by `run` (retried on transient failures). */
export interface Step {
  size: number;
  run(): Promise<void>;
}

/**
 * A checkpoint older than this, in ms, belongs to a write taken as dead (default 60 s): a
 * different batch may then start over it. A live writer saves one after every step.
 */
export const DEFAULT_LEASE_MS = 60_000;

export interface ResumableOptions<P> {
  digest: string;
  checkpoints: CheckpointStore<P>;
  /** Computes the plan: called only when no checkpoint of this batch exists. */
  plan(): Promise<P>;
  /** The steps, in order; must be the same list for the same batch and plan. */
  steps(plan: P): Step[] | Promise<Step[]>;
  /** Items done of items in all, after each step (and once at the start). */
  onProgress?: (done: number, total: number) => void;
  onNotice?: (message: string) => void;
  retry?: RetryPolicy;
  /** See `DEFAULT_LEASE_MS`. */
  leaseMs?: number;
  /** For messages: the collection written. */
  location: string;
}

export interface ResumableResult<P> {
  plan: P;
  /** Steps skipped because an earlier run of the same batch had done them. */
  resumedFrom: number;
  steps: number;
}

/** This process, as a checkpoint's owner. */
export const OWNER = `${hostname()}:${process.pid}`;

/** Whether the owner of a checkpoint is a process on this machine that no longer runs. */
function ownerGone(owner: string): boolean {
  const at = owner.lastIndexOf(":");
  if (at < 0 || owner.slice(0, at) !== hostname()) return false;
  const pid = Number(owner.slice(at + 1));
  if (!Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Runs (or resumes) a resumable write; see `Checkpoint`. */
export async function runResumable<P>(o: ResumableOptions<P>): Promise<ResumableResult<P>> {
  const lease = o.leaseMs ?? DEFAULT_LEASE_MS;
  const found = await o.checkpoints.load();
  let checkpoint: Checkpoint<P>;
  let resumedFrom = 0;
  const now = () => new Date().toISOString();
  if (found && found.digest === o.digest) {
    checkpoint = { ...found, owner: OWNER, savedAt: now() };
    resumedFrom = found.done;
    o.onNotice?.(`resuming the interrupted write started ${found.startedAt}: ${found.done} of ${found.total} batches were done`);
  } else {
    if (found) {
      const age = Date.now() - Date.parse(found.savedAt);
      if (age < lease && found.owner !== OWNER && !ownerGone(found.owner)) {
        throw new CollectionError(
          `${o.location}: another write (by ${found.owner}, started ${found.startedAt}) is in progress, its last batch ${Math.round(age / 1000)} s ago; wait for it to finish, or if that process is gone, run again in ${Math.ceil((lease - age) / 1000)} s`,
        );
      }
      o.onNotice?.(`an interrupted write (started ${found.startedAt}, ${found.done} of ${found.total} batches done) is superseded by this one; what it wrote stays unless this batch replaces it`);
    }
    const plan = await o.plan();
    checkpoint = { digest: o.digest, plan, done: 0, total: 0, startedAt: now(), savedAt: now(), owner: OWNER };
  }
  const steps = await o.steps(checkpoint.plan);
  checkpoint.total = steps.length;
  const items = steps.reduce((s, step) => s + step.size, 0);
  let doneItems = steps.slice(0, checkpoint.done).reduce((s, step) => s + step.size, 0);
  const save = () => withRetry(() => o.checkpoints.save({ ...checkpoint, savedAt: now() }), o.retry);
  await save();
  o.onProgress?.(doneItems, items);
  for (let i = checkpoint.done; i < steps.length; i++) {
    const step = steps[i]!;
    await withRetry(() => step.run(), o.retry);
    checkpoint.done = i + 1;
    await save();
    doneItems += step.size;
    o.onProgress?.(doneItems, items);
  }
  return { plan: checkpoint.plan, resumedFrom, steps: steps.length };
}

/**
 * A digest of what a write batch changes (removals, upserts with their text hashes and raw
 * vectors, the embedder): equal for the same batch, so a re-run recognises the write it
 * resumes. The ingest log and progress callbacks are not part of it.
 */
export function batchDigest(batch: WriteBatch): string {
  const h = createHash("sha256");
  const part = (s: string) => h.update(`${s.length}:${s}`);
  part(JSON.stringify(batch.remove ?? []));
  for (const item of batch.upsert ?? []) {
    part(JSON.stringify(item.movie));
    h.update(item.textHash);
    h.update(new Uint8Array(item.raw.buffer, item.raw.byteOffset, item.raw.byteLength));
  }
  part(JSON.stringify(batch.manifest ? { embedderId: batch.manifest.embedderId, dims: batch.manifest.dims, fit: Boolean(batch.manifest.fit) } : null));
  return h.digest("hex");
}

/** `items` cut into consecutive pieces of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
