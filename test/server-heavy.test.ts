import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "../src/server/app.js";
import { isHeavyRecommend, isHeavySimilar } from "../src/server/heavy.js";
import { tmdbGloveDb } from "./helpers/collections.js";
import { NO_TMDB } from "./helpers/data.js";

// The Martian, in the TMDB collection or (without ../shared) the fixture one `tmdbGloveDb` builds.
const MARTIAN = NO_TMDB ? "tt1000001" : "tt3659388";
const db = await tmdbGloveDb();

// One thread, no queue: the second heavy request while one runs is shed.
const pooled = await createServer({ db, webRoot: null, heavy: { threads: 1, queuePerThread: 0 } });
const inline = await createServer({ db, webRoot: null, heavy: false });
await Promise.all([pooled.app.ready(), inline.app.ready()]);
after(() => Promise.all([pooled.app.close(), inline.app.close()]));

test("what counts as heavy: svm, tfidf, diversity, long pages, many examples", () => {
  assert.equal(isHeavySimilar({}), false);
  assert.equal(isHeavySimilar({ method: "knn", k: 40 }), false);
  assert.equal(isHeavySimilar({ method: "svm" }), true);
  assert.equal(isHeavySimilar({ method: "tfidf" }), true);
  assert.equal(isHeavySimilar({ diversity: 0.3 }), true);
  assert.equal(isHeavySimilar({ k: 200 }), true);
  assert.equal(isHeavyRecommend({ like: ["a"] }), false);
  assert.equal(isHeavyRecommend({ like: ["a"], diversity: 1 }), true);
  assert.equal(isHeavyRecommend({ like: Array.from({ length: 11 }, (_, i) => `m${i}`) }), true);
});

test("a heavy request run in a worker thread answers exactly what the event loop would", async () => {
  for (const url of [`/api/movies/${MARTIAN}/similar?method=svm&k=10`, `/api/movies/${MARTIAN}/similar?method=tfidf&diversity=0.5&k=10`]) {
    const [a, b] = await Promise.all([pooled.app.inject({ url }), inline.app.inject({ url })]);
    assert.equal(a.statusCode, 200, a.body);
    assert.deepEqual(a.json(), b.json(), url);
  }
  const body = { like: [MARTIAN], diversity: 0.5, k: 5 };
  const [a, b] = await Promise.all([pooled.app.inject({ method: "POST", url: "/api/recommend", payload: body }), inline.app.inject({ method: "POST", url: "/api/recommend", payload: body })]);
  assert.equal(a.statusCode, 200, a.body);
  assert.deepEqual(a.json(), b.json());
});

test("errors cross the thread as the same 4xx", async () => {
  const missing = await pooled.app.inject({ url: "/api/movies/tt0000000/similar?method=svm" });
  assert.equal(missing.statusCode, 404, missing.body);
  const payload = { like: ["no such movie at all"], diversity: 1 };
  const [bad, same] = await Promise.all([pooled.app.inject({ method: "POST", url: "/api/recommend", payload }), inline.app.inject({ method: "POST", url: "/api/recommend", payload })]);
  assert.equal(bad.statusCode, same.statusCode, bad.body);
  assert.deepEqual(bad.json(), same.json());
});

test("while an SVM runs, cheap requests are answered (the event loop is free)", async () => {
  let svmDone = false;
  const svm = pooled.app.inject({ url: `/api/movies/${MARTIAN}/similar?method=svm&k=200&candidates=1000` }).then((r) => {
    svmDone = true;
    return r;
  });
  // Give the request time to reach the thread (it is only dispatched after its validation).
  await new Promise((r) => setImmediate(r));
  const health = await pooled.app.inject({ url: "/api/health" });
  const knn = await pooled.app.inject({ url: `/api/movies/${MARTIAN}/similar?k=5` });
  assert.equal(health.statusCode, 200);
  assert.equal(knn.statusCode, 200);
  assert.equal(svmDone, false, "health and knn were answered before the SVM finished");
  assert.equal((await svm).statusCode, 200);
});

test("heavy requests beyond the pool's capacity get 503 with Retry-After, not a queue", async () => {
  const urls = Array.from({ length: 4 }, (_, i) => `/api/movies/${MARTIAN}/similar?method=svm&k=${10 + i}`);
  const responses = await Promise.all(urls.map((url) => pooled.app.inject({ url })));
  const statuses = responses.map((r) => r.statusCode).sort();
  assert.ok(statuses.includes(200), `one runs: ${statuses.join(",")}`);
  const shed = responses.filter((r) => r.statusCode === 503);
  assert.ok(shed.length >= 1, `some are shed: ${statuses.join(",")}`);
  for (const r of shed) {
    assert.equal(r.headers["retry-after"], "1");
    assert.equal((r.json() as { error: { code: string } }).error.code, "busy");
  }
});

test("a heavy request over its CPU budget is stopped: 503, and the pool keeps serving", async () => {
  const tight = await createServer({ db, webRoot: null, heavy: { threads: 1, budgetMs: 1 } });
  try {
    await tight.app.ready();
    const r = await tight.app.inject({ url: `/api/movies/${MARTIAN}/similar?method=svm` });
    assert.equal(r.statusCode, 503, r.body);
    assert.match(r.body, /took more than/);
    assert.equal(r.headers["retry-after"], "1");
  } finally {
    await tight.app.close();
  }
  const after = await pooled.app.inject({ url: `/api/movies/${MARTIAN}/similar?method=svm&k=3` });
  assert.equal(after.statusCode, 200);
});
