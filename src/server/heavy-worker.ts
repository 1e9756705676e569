import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { CapabilityError, InvalidArgumentError } from "../errors.js";
import { Plotline } from "../plotline.js";
import { hasMovie, listingJson } from "./cards.js";
import type { HeavyResult, HeavyTask } from "./heavy.js";

/**
 * A worker thread of `HeavyPool`: keeps its own read-only Plotline over the collection (vectors,
 * TF-IDF, SVM state) and reopens it when the server's generation moved (the task's `stamp`).
 */

/** Niceness of heavy threads (default 5; 10 starved them on a machine loaded by other jobs): the event loops answering cheap requests win the CPU. */
const HEAVY_NICE = 5;

// Linux schedules threads one by one, and setpriority(2) on a thread id renices that thread
// only; Node names no thread id, /proc/thread-self does. Elsewhere the thread keeps the
// process's priority (the bounded queue still sheds load).
try {
  const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, HEAVY_NICE);
} catch {
  // not Linux, or not allowed: run at the process's priority
}

let open: { db: string; stamp: string; plotline: Plotline } | null = null;

async function plotlineFor(db: string, stamp: string): Promise<Plotline> {
  if (open && open.db === db && open.stamp === stamp) return open.plotline;
  const previous = open;
  open = null;
  await previous?.plotline.close().catch(() => undefined);
  const plotline = Plotline.open({ db, readonly: true });
  open = { db, stamp, plotline };
  return plotline;
}

export default async function run(task: HeavyTask): Promise<HeavyResult> {
  try {
    const p = await plotlineFor(task.db, task.stamp);
    if (task.kind === "warm") {
      const [first] = await p.store.page({ fields: ["title"], limit: 1 });
      if (first) for (const method of ["svm", "tfidf"] as const) await p.similar({ id: first.id }, { k: 1, method });
      return { json: "" };
    }
    if (task.kind === "similar") {
      if (!(await hasMovie(p, task.id))) return { error: { name: "HttpError", message: `id: no movie '${task.id}' in the collection` } };
      return { json: await listingJson(p, await p.similar({ id: task.id }, task.options)) };
    }
    return { json: await listingJson(p, await p.recommend(task.options)) };
  } catch (err) {
    const e = err as Error;
    return {
      error: {
        name: e?.name ?? "Error",
        message: e?.message ?? String(err),
        ...(err instanceof InvalidArgumentError ? { parameter: err.parameter } : {}),
        ...(err instanceof CapabilityError ? { capability: err.capability } : {}),
      },
    };
  }
}
