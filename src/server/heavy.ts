import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { CapabilityError, CollectionError, InvalidArgumentError, PlotlineError } from "../errors.js";
import type { RecommendOptions, SimilarOptions } from "../recommend/types.js";
import { HttpError } from "./errors.js";
import { RETRY_AFTER_SECONDS } from "./limits.js";

/**
 * Requests whose cost grows with the whole collection per call, not with k: an exemplar SVM
 * trains on every movie (~0.1-1 s), TF-IDF scores every plot, diversity (MMR) compares every
 * candidate with every pick, and long pages multiply both. Run on the event loop they stall
 * every other request of the process (16 connections of tfidf + diversity pushed
 * `/api/health` to 3.6 s p90); so they run in worker threads, a bounded number at a time, and
 * the rest are refused with 503 and `Retry-After` instead of queueing for seconds.
 */
export function isHeavySimilar(o: SimilarOptions): boolean {
  return (o.method !== undefined && o.method !== "knn") || (o.diversity ?? 0) > 0 || (o.k ?? 0) > HEAVY_PAGE;
}

export function isHeavyRecommend(o: RecommendOptions): boolean {
  return (o.diversity ?? 0) > 0 || (o.k ?? 0) > HEAVY_PAGE || (o.like?.length ?? 0) + (o.dislike?.length ?? 0) > HEAVY_EXAMPLES;
}

/** Pages longer than this (default 100 results) count as heavy. */
export const HEAVY_PAGE = 100;
/** Recommend calls with more examples than this (default 10) count as heavy: `best` is one pass per example. */
export const HEAVY_EXAMPLES = 10;

export interface HeavyOptions {
  /** Worker threads per server process (default 1: `serve --workers` already starts one process per core). */
  threads?: number;
  /**
   * Heavy requests waiting for a thread, at most, per thread (default 1: an SVM takes ~0.5 s on
   * TMDB, so a wait stays near a second); beyond it: 503. 0: only as many as there are threads.
   */
  queuePerThread?: number;
  /** Time one heavy request may run, in ms (default 8,000, under the 10 s handler timeout); past it its thread is stopped (and restarted) and the client gets a 503. */
  budgetMs?: number;
}

export const HEAVY_DEFAULTS = { threads: 1, queuePerThread: 1, budgetMs: 8_000 } as const;


/** One heavy request, as sent to a worker thread. */
export type HeavyTask =
  | { kind: "warm"; db: string; stamp: string }
  | { kind: "similar"; db: string; stamp: string; id: string; options: SimilarOptions }
  | { kind: "recommend"; db: string; stamp: string; options: RecommendOptions };

/** What a worker sends back: the listing's JSON, or an error to rethrow as the same class. */
export type HeavyResult = { json: string } | { error: { name: string; message: string; parameter?: string; capability?: string } };

/** Load shedding: a 503 the client may retry after `RETRY_AFTER_SECONDS`. */
export class BusyError extends HttpError {
  readonly retryAfter = RETRY_AFTER_SECONDS;
  constructor(message: string) {
    super(503, "busy", message);
  }
}

/** A pool of worker threads for heavy requests, with a bounded queue and a time budget per task. */
export class HeavyPool {
  private readonly pool: Piscina;
  readonly budgetMs: number;
  /** Tasks accepted and not settled (running or queued), and the most allowed. */
  private inFlight = 0;
  private readonly capacity: number;

  constructor(options: HeavyOptions = {}) {
    const threads = Math.max(1, Math.min(options.threads ?? HEAVY_DEFAULTS.threads, availableParallelism()));
    this.budgetMs = options.budgetMs ?? HEAVY_DEFAULTS.budgetMs;
    this.capacity = threads * (1 + (options.queuePerThread ?? HEAVY_DEFAULTS.queuePerThread));
    this.pool = new Piscina({
      filename: new URL("./heavy-worker.js", import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      // Admission is counted here (`capacity`), so piscina never refuses a task: its own refusal
      // left the task's abort listener behind, which failed later as an uncaught error.
      // Threads stay up: each keeps the collection's vectors and TF-IDF loaded.
      idleTimeout: 2 ** 31 - 1,
    });
  }

  /**
   * Opens the collection at `stamp` in every thread and builds what heavy requests use (vectors,
   * TF-IDF), so that no request pays for it within its budget. Called before a generation is
   * swapped in.
   */
  async warm(db: string, stamp: string): Promise<void> {
    const threads = this.pool.options.maxThreads as number;
    await Promise.all(Array.from({ length: threads }, () => this.pool.run({ kind: "warm", db, stamp } satisfies HeavyTask)));
  }

  async run(task: HeavyTask): Promise<string> {
    if (this.inFlight >= this.capacity) {
      const what = task.kind === "similar" ? `similar (method ${task.options.method ?? "knn"})` : task.kind;
      throw new BusyError(`too many heavy requests (${what}) at once; retry in ${RETRY_AFTER_SECONDS} s`);
    }
    this.inFlight++;
    // A timer cleared on completion, not AbortSignal.timeout: no abort may fire after the task.
    const budget = new AbortController();
    const timer = setTimeout(() => budget.abort(), this.budgetMs);
    let result: HeavyResult;
    try {
      result = (await this.pool.run(task, { signal: budget.signal })) as HeavyResult;
    } catch (err) {
      const e = err as Error;
      if (budget.signal.aborted) throw new BusyError(`the request took more than ${this.budgetMs / 1000} s and was stopped; try a smaller k or candidates`);
      if (/terminating worker thread/i.test(e.message)) throw new BusyError("the server is shutting down; retry");
      throw err;
    } finally {
      clearTimeout(timer);
      this.inFlight--;
    }
    if ("json" in result) return result.json;
    throw rebuild(result.error);
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** The worker's error as the class the HTTP layer maps (a 400 stays a 400 across the thread). */
function rebuild(e: { name: string; message: string; parameter?: string; capability?: string }): Error {
  switch (e.name) {
    case "InvalidArgumentError":
      return new InvalidArgumentError(e.parameter ?? "", e.message.slice((e.parameter ?? "").length).replace(/^:\s*/, ""));
    case "CollectionError":
      return new CollectionError(e.message);
    case "CapabilityError":
      return new CapabilityError(e.capability ?? "", e.message);
    case "HttpError":
      return new HttpError(404, "not_found", e.message, "id");
    case "PlotlineError":
    case "SourceError":
      return new PlotlineError(e.message);
    default:
      // Anything else is a bug: an unexpected error, logged and answered 500 like any other.
      return Object.assign(new Error(e.message), { name: e.name });
  }
}
