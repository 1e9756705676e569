import { test } from "node:test";
import { tmdbTest } from "./helpers/data.js";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError } from "../src/errors.js";
import { Plotline } from "../src/plotline.js";
import { RecommendContext } from "../src/recommend/context.js";
import { recommend } from "../src/recommend/examples.js";
import { similar } from "../src/recommend/similar.js";
import { SIMILAR_METHODS } from "../src/recommend/types.js";
import type { Store } from "../src/store/store.js";
import { tempDir, tmdbGloveDb } from "./helpers/collections.js";
import { MOVIES_CSV } from "./helpers/paths.js";

const open = async () => Plotline.open({ db: await tmdbGloveDb(), readonly: true });

tmdbTest("the movie itself never appears in its own list, with every method", async () => {
  const p = await open();
  try {
    for (const method of SIMILAR_METHODS) {
      for (const id of ["tt0114709", "tt0076759", "tt0078748"]) {
        const r = await p.similar(id, { method, k: 40 });
        assert.equal(r.movie.id, id);
        assert.equal(r.method, method);
        assert.equal(r.results.length, 40, `${method} lists 40 by default`);
        assert.ok(!r.results.some((h) => h.id === id), `${method}: ${id} is not in its own list`);
        assert.equal(new Set(r.results.map((h) => h.id)).size, 40, "no movie twice");
        for (let i = 1; i < r.results.length; i++) assert.ok(r.results[i - 1]!.score >= r.results[i]!.score, "best first");
      }
    }
  } finally {
    await p.close();
  }
});

test("exact duplicates (same title and year, or the same overview) never appear", async () => {
  // The fixture plus three copies of Jaws: another id with the same title and year, a title
  // that differs only in case and punctuation, and another title with the very same overview.
  const dir = tempDir();
  const lines = readFileSync(MOVIES_CSV, "utf8").trimEnd().split(/\r?\n/);
  const jaws = lines.find((l) => l.includes(",Jaws,"))!;
  const csv = join(dir, "dups.csv");
  const copy = (id: string, title: string) => jaws.replace(/^5,tt1000005,/, `${id.slice(2)},${id},`).replace(",Jaws,", `,${title},`);
  writeFileSync(csv, [...lines, copy("tt2000001", "Jaws"), copy("tt2000002", "JAWS!"), copy("tt2000003", "Sharks of Amity")].join("\n") + "\n");
  const p = Plotline.open({ db: join(dir, "dups.db"), create: true });
  try {
    await p.ingest([{ file: csv }], { embedder: "glove" });
    const copies = ["tt1000005", "tt2000001", "tt2000002", "tt2000003"];
    for (const method of SIMILAR_METHODS) {
      for (const id of copies) {
        const r = await p.similar(id, { method, k: 20 });
        const listed = r.results.map((h) => h.id);
        assert.deepEqual(listed.filter((x) => copies.includes(x)), [], `${method}: no copy of Jaws in the list of ${id}`);
        if (method !== "tfidf") assert.equal(r.results.length, 10 - 1, `${method}: every other movie is listed`);
      }
    }
  } finally {
    await p.close();
  }
});

tmdbTest("a title matching several movies is an error listing them with years, unless a year picks one", async () => {
  const p = await open();
  try {
    await assert.rejects(
      () => p.similar("Halloween"),
      (err: Error) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.match(err.message, /^movie: 'Halloween' matches 2 movies: /);
        assert.match(err.message, /Halloween \(1978\) tt0077651/);
        assert.match(err.message, /Halloween \(2007\) tt0373883/);
        assert.ok(!err.message.includes("\n"), "one line");
        return true;
      },
    );
    assert.equal((await p.similar("Halloween", { year: 1978 })).movie.id, "tt0077651");
    assert.equal((await p.similar("Halloween (2007)")).movie.id, "tt0373883");
    assert.equal((await p.similar({ title: "halloween", year: 2007 })).movie.id, "tt0373883");
    await assert.rejects(() => p.similar("Halloween", { year: 1990 }), /movie: no 'Halloween' from 1990; there is Halloween \(\d{4}\)/);
  } finally {
    await p.close();
  }
});

tmdbTest("titles are found ignoring case, then accents and punctuation; ids first; unknown names are an error", async () => {
  const p = await open();
  try {
    assert.equal((await p.similar("toy story")).movie.id, "tt0114709");
    assert.equal((await p.similar("Wall-E")).movie.title, "WALL·E");
    assert.equal((await p.similar("tt0114709")).movie.title, "Toy Story");
    await assert.rejects(() => p.similar("Toy Stry"), /^InvalidArgumentError: movie: no movie has the id or title 'Toy Stry'; did you mean Toy Story \(1995\) tt0114709/);
    await assert.rejects(() => p.similar("Toy Story 9"), /movie: no movie has the id or title 'Toy Story 9'; did you mean Toy Story/);
    await assert.rejects(() => p.similar("Toy Sto"), /titles containing it: Toy Story \(1995\) tt0114709, Toy Story [23] /);
    await assert.rejects(() => p.similar("  "), /movie: give a movie id or title/);
  } finally {
    await p.close();
  }
});

tmdbTest("filters apply before top-k: a filtered list is full and every result passes", async () => {
  const p = await open();
  try {
    for (const method of SIMILAR_METHODS) {
      const r = await p.similar("tt0076759", { method, k: 15, filters: { genres: ["Comedy"], yearMin: 1990 } });
      assert.equal(r.results.length, 15, `${method}: a full page`);
      const movies = await Promise.all(r.results.map(async (h) => (await p.movie(h.id))!));
      for (const m of movies) {
        assert.ok(m.genres.includes("Comedy"), `${method}: ${m.title} is a comedy`);
        assert.ok(m.year! >= 1990, `${method}: ${m.title} is from 1990 on`);
      }
    }
  } finally {
    await p.close();
  }
});

test("bad options are one-line errors naming the option", async () => {
  const p = await open();
  try {
    await assert.rejects(() => p.similar("Alien", { method: "lsa" as never }), /^InvalidArgumentError: method: unknown method 'lsa' \(methods: knn, svm, tfidf\)$/);
    await assert.rejects(() => p.similar("Alien", { k: 0 }), /k: must be an integer from 1 to 1000, got 0/);
    await assert.rejects(() => p.similar("Alien", { diversity: 1.5 }), /diversity: must be a number from 0 to 1, got 1.5/);
    await assert.rejects(() => p.similar("Alien", { rerank: "mood" as never }), /rerank: unknown re-ranker 'mood'/);
    await assert.rejects(() => p.similar("Alien", { rerank: "sentiment", sentimentWeight: -1 }), /sentimentWeight: must be a number from 0 to 1/);
  } finally {
    await p.close();
  }
});

test("on the fixture collection: never the movie itself with any method, best first, and knn is the plain cosine scan", async () => {
  const db = join(tempDir(), "fixture.db");
  const p = Plotline.open({ db, create: true });
  try {
    await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
    const ctx = await p.recommendContext();
    for (const id of ["tt1000001", "tt1000010"]) {
      for (const method of SIMILAR_METHODS) {
        const r = await p.similar(id, { method, k: 5 });
        // TF-IDF lists only movies sharing a term with it, few in a 12-movie collection.
        if (method === "tfidf") assert.ok(r.results.length <= 5);
        else assert.equal(r.results.length, 5, method);
        assert.ok(!r.results.some((h) => h.id === id), `${method}: ${id} is not in its own list`);
        for (let i = 1; i < r.results.length; i++) assert.ok(r.results[i - 1]!.score >= r.results[i]!.score, `${method}: best first`);
      }
      const q = ctx.positionOfId(id)!;
      const scan = [...Array(ctx.size).keys()].filter((i) => i !== q).map((i) => ({ i, s: ctx.cosine(q, i) })).sort((a, b) => b.s - a.s).slice(0, 5);
      const knn = await p.similar(id, { k: 5, prior: 0, series: false });
      assert.deepEqual(knn.results.map((h) => h.id), scan.map((e) => ctx.ids[e.i]));
    }
  } finally {
    await p.close();
  }
});

tmdbTest("knn lists the nearest vectors by cosine, as a plain scan finds them", async () => {
  const p = await open();
  try {
    const ctx = await p.recommendContext();
    // The nearest vectors alone: the prior and series blends off.
    const r = await p.similar("tt0133093", { k: 10, prior: 0, series: false });
    const q = ctx.positionOfId("tt0133093")!;
    const expected = [...Array(ctx.size).keys()]
      .filter((i) => i !== q)
      .map((i) => ({ i, s: ctx.cosine(q, i) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, 10);
    assert.deepEqual(r.results.map((h) => h.id), expected.map((e) => ctx.ids[e.i]));
    r.results.forEach((h, i) => assert.ok(Math.abs(h.similarity - expected[i]!.s) < 1e-5));
  } finally {
    await p.close();
  }
});

tmdbTest("hits map to movies by the store's ordinals, dense or sparse, as by id", async () => {
  const p = await open();
  try {
    const { store } = p;
    assert.ok((await store.allVectors()).ordinals, "SQLite gives its rowids as ordinals");
    // The same store with its ordinals dropped (lookups by id), or spread out (a map, not a table).
    const reshaped = (ordinal: (o: number) => number | undefined): Store =>
      new Proxy(store, {
        get(target, name) {
          const strip = <T extends { ordinal?: number }>(h: T): T => ({ ...h, ordinal: h.ordinal === undefined ? undefined : ordinal(h.ordinal) });
          if (name === "allVectors") return async () => {
            const all = await target.allVectors();
            const ordinals = all.ordinals?.map(ordinal);
            return { ...all, ordinals: ordinals?.every((o) => o !== undefined) ? (ordinals as number[]) : undefined };
          };
          if (name === "vectorTop") return async (...args: Parameters<Store["vectorTop"]>) => (await target.vectorTop(...args)).map(strip);
          const value = Reflect.get(target, name) as unknown;
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    const contexts = [await RecommendContext.build(store), await RecommendContext.build(reshaped(() => undefined)), await RecommendContext.build(reshaped((o) => o * 1_000_003 + 7))];
    for (const id of ["tt0133093", "tt0114709", "tt0076759"]) {
      const lists = await Promise.all(contexts.map((ctx) => similar(ctx, id, { k: 20 })));
      assert.equal(lists[0]!.results.length, 20);
      assert.deepEqual(lists[1], lists[0], `${id}: by id as by dense ordinal`);
      assert.deepEqual(lists[2], lists[0], `${id}: by sparse ordinal as by dense ordinal`);
      const recs = await Promise.all(contexts.map((ctx) => recommend(ctx, { like: [id], k: 10 })));
      assert.deepEqual(recs[1], recs[0]);
      assert.deepEqual(recs[2], recs[0]);
    }
  } finally {
    await p.close();
  }
});
