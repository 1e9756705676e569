import { test } from "node:test";
import assert from "node:assert/strict";
import { sparseMovie } from "../src/catalog/movie.js";
import { CollectionError } from "../src/errors.js";
import { movieUuid, MOVIE_ID_NAMESPACE } from "../src/store/remote/point-id.js";
import { batchDigest, chunks, OWNER, runResumable, type Checkpoint, type CheckpointStore, type Step } from "../src/store/remote/resumable.js";
import { isTransient, withRetry } from "../src/store/remote/retry.js";
import type { UpsertItem } from "../src/store/store.js";

test("point ids are UUIDv5 of the movie id: the same in every process, distinct per movie", () => {
  // Pinned: every point id ever written derives from these.
  assert.equal(MOVIE_ID_NAMESPACE, "c6eb2d36-94ad-54ca-9fca-4259e12d0485");
  const a = movieUuid("tt0114709");
  assert.equal(a, "46270d24-9a02-574c-b5f3-30fee8c7d90d");
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(movieUuid("tt0114709"), a);
  assert.notEqual(movieUuid("tt0114708"), a);
  assert.notEqual(movieUuid("wikipedia:Toy_Story"), a);
});

test("transient failures are 5xx, 408, 429, timeouts and broken connections; other 4xx are not", () => {
  assert.ok(isTransient({ status: 503 }));
  assert.ok(isTransient({ status: 429 }));
  assert.ok(isTransient(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } })));
  assert.ok(isTransient(Object.assign(new Error("timed out"), { name: "QdrantClientTimeoutError" })));
  assert.ok(!isTransient({ status: 400 }));
  assert.ok(!isTransient({ status: 401 }));
  assert.ok(!isTransient(new Error("bad vector")));
});

test("withRetry retries transient failures with backoff, and gives up after the last attempt", async () => {
  let calls = 0;
  const waits: number[] = [];
  const value = await withRetry(
    async () => {
      if (++calls < 3) throw { status: 502 };
      return "ok";
    },
    { attempts: 4, baseMs: 1, maxMs: 4, onRetry: (_e, _n, w) => waits.push(w) },
  );
  assert.equal(value, "ok");
  assert.equal(calls, 3);
  assert.equal(waits.length, 2);
  assert.ok(waits.every((w) => w >= 0 && w <= 4));
  calls = 0;
  await assert.rejects(
    withRetry(async () => {
      calls++;
      throw { status: 500 };
    }, { attempts: 3, baseMs: 1 }),
  );
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(
    withRetry(async () => {
      calls++;
      throw { status: 422 };
    }, { attempts: 3, baseMs: 1 }),
  );
  assert.equal(calls, 1, "a 4xx is not retried");
});

/** A checkpoint store in memory, as a backend keeps one in the engine. */
function memoryCheckpoints<P>(): CheckpointStore<P> & { value: Checkpoint<P> | null } {
  const s = {
    value: null as Checkpoint<P> | null,
    load: async () => (s.value ? structuredClone(s.value) : null),
    save: async (c: Checkpoint<P>) => void (s.value = structuredClone(c)),
  };
  return s;
}

test("a resumable write interrupted mid-way resumes after its last done step, with the first run's plan", async () => {
  const checkpoints = memoryCheckpoints<{ base: number }>();
  const sent: number[] = [];
  let plans = 0;
  const steps = (plan: { base: number }, failAt: number | null): Step[] =>
    chunks([1, 2, 3, 4, 5, 6, 7], 2).map((items, i) => ({
      size: items.length,
      run: async () => {
        if (i === failAt) throw new Error("killed");
        sent.push(...items.map((x) => x + plan.base));
      },
    }));
  const run = (failAt: number | null, base: number) =>
    runResumable({ digest: "d1", checkpoints, location: "test", plan: async () => (plans++, { base }), steps: (p) => steps(p, failAt), retry: { attempts: 1 } });
  await assert.rejects(run(2, 100), /killed/);
  assert.deepEqual(sent, [101, 102, 103, 104]);
  assert.equal(checkpoints.value?.done, 2);
  const progress: [number, number][] = [];
  const r = await runResumable({ digest: "d1", checkpoints, location: "test", plan: async () => (plans++, { base: 999 }), steps: (p) => steps(p, null), onProgress: (d, t) => progress.push([d, t]) });
  assert.equal(r.resumedFrom, 2);
  assert.equal(plans, 1, "the plan is not computed again");
  assert.deepEqual(sent, [101, 102, 103, 104, 105, 106, 107], "done steps are not sent again");
  assert.deepEqual(progress[0], [4, 7]);
  assert.deepEqual(progress.at(-1), [7, 7]);
});

test("another batch does not take over a live write, but does take over a dead one", async () => {
  const checkpoints = memoryCheckpoints<null>();
  const live: Checkpoint<null> = { digest: "other", plan: null, done: 1, total: 3, startedAt: new Date().toISOString(), savedAt: new Date().toISOString(), owner: "elsewhere:1" };
  checkpoints.value = live;
  const run = () => runResumable({ digest: "mine", checkpoints, location: "qdrant://h/c", plan: async () => null, steps: () => [] });
  await assert.rejects(run(), (e: unknown) => e instanceof CollectionError && /another write \(by elsewhere:1/.test(e.message));
  checkpoints.value = { ...live, savedAt: new Date(Date.now() - 120_000).toISOString() };
  const notices: string[] = [];
  await runResumable({ digest: "mine", checkpoints, location: "q", plan: async () => null, steps: () => [], onNotice: (m) => notices.push(m) });
  assert.match(notices[0]!, /superseded/);
  assert.equal(checkpoints.value?.digest, "mine");
  assert.equal(checkpoints.value?.owner, OWNER);
});

test("the batch digest changes with what the batch writes, not with its log", () => {
  const item = (title: string, v = 0.5): UpsertItem => ({
    movie: sparseMovie({ id: "tt1", source: "tmdb", sourceId: "1", title, year: 2000, overview: "o" }),
    textHash: Buffer.alloc(20, 1),
    raw: Float32Array.of(v, 1),
  });
  const a = batchDigest({ upsert: [item("A")], log: { files: ["x"], report: {} } });
  assert.equal(batchDigest({ upsert: [item("A")], log: { files: ["y"], report: { n: 1 } } }), a);
  assert.notEqual(batchDigest({ upsert: [item("B")] }), a);
  assert.notEqual(batchDigest({ upsert: [item("A", 0.25)] }), a);
  assert.notEqual(batchDigest({ upsert: [item("A")], remove: ["tt2"] }), a);
});
