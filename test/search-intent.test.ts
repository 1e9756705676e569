import { after, test } from "node:test";
import assert from "node:assert/strict";
import { Plotline } from "../src/plotline.js";
import { personKey, understand, type UnderstandContext } from "../src/search/understand.js";
import { runCli } from "./helpers/cli.js";
import { tmdbGloveDb } from "./helpers/collections.js";
import { tmdbTest } from "./helpers/data.js";

const db = await tmdbGloveDb();
const plotline = Plotline.open({ db, readonly: true });
after(() => plotline.close());

/** A few titles, to test the rules alone. */
const TITLES: Record<string, { id: string; title: string; year: number }> = {
  alien: { id: "tt0078748", title: "Alien", year: 1979 },
  aliens: { id: "tt0090605", title: "Aliens", year: 1986 },
  "toy story": { id: "tt0114709", title: "Toy Story", year: 1995 },
  "die hard": { id: "tt0095016", title: "Die Hard", year: 1988 },
  "home alone": { id: "tt0099785", title: "Home Alone", year: 1990 },
  "the thing": { id: "tt0084787", title: "The Thing", year: 1982 },
};
const ctx: UnderstandContext = { person: () => null, title: (phrase) => TITLES[personKey(phrase)] ?? null };
const u = (q: string) => understand(q, ctx);
const ids = (list: { id: string }[] | undefined) => (list ?? []).map((m) => m.id);

test("like X but funny: X is the example, the mood a genre the results must have", () => {
  const r = u("a film like Alien but funny");
  assert.equal(r.like?.id, "tt0078748");
  assert.deepEqual(r.filters.genres, ["Comedy"]);
  assert.equal(r.text, "", "nothing else to search");
  assert.deepEqual(r.extracted.map((e) => e.as), ["like Alien (1979)", "genre Comedy"]);
  assert.deepEqual(u("something like Alien but scarier and more romantic").filters.genres, ["Horror", "Romance"]);
  assert.equal(u("something like Alien but scarier and more romantic").filters.genreMode, "all");
  assert.deepEqual(u("funny movies like Alien").filters.genres, ["Comedy"], "a mood word elsewhere in the query");
});

test("X meets Y: both films are liked examples", () => {
  for (const q of ["Alien meets Toy Story", "like Alien meets Toy Story", "Alien crossed with Toy Story", "like Alien and Toy Story"]) {
    assert.deepEqual(ids(u(q).likes), ["tt0078748", "tt0114709"], q);
  }
  assert.equal(u("a man meets a woman").likes, undefined, "meets between words that name no films");
});

test("without: a genre word excludes the genre, a film is a disliked example", () => {
  const r = u("something like Alien without the horror");
  assert.equal(r.like?.id, "tt0078748");
  assert.deepEqual(r.filters.excludeGenres, ["Horror"]);
  assert.deepEqual(r.extracted.map((e) => e.as), ["like Alien (1979)", "not genre Horror"]);
  const d = u("like Alien without Aliens");
  assert.deepEqual(ids(d.likes), ["tt0078748"]);
  assert.deepEqual(ids(d.dislikes), ["tt0090605"]);
  assert.deepEqual(u("The Thing without the gore").filters.excludeGenres, ["Horror"], "a film at the start, without 'like'");
  assert.deepEqual(u("like Alien but less scary").filters.excludeGenres, ["Horror"]);
});

test("the rest of the query stays text, searched near the examples", () => {
  const r = u("like Die Hard but on a bus");
  assert.equal(r.like?.id, "tt0095016");
  assert.equal(r.text, "bus");
  const h = u("Home Alone but in New York");
  assert.equal(h.like?.id, "tt0099785");
  assert.equal(h.text, "New York");
});

tmdbTest("a film like Alien but funny: science-fiction comedies lead", async () => {
  const r = await plotline.search("a film like Alien but funny", { k: 5 });
  assert.equal(r.parsed.likeId, "tt0078748");
  assert.deepEqual(r.parsed.filters.genres, ["Comedy"]);
  const genres = await Promise.all(r.results.map(async (h) => (await plotline.movie(h.id))!.genres));
  const scifiComedies = genres.filter((g) => g.includes("Comedy") && g.includes("Science Fiction")).length;
  assert.ok(scifiComedies >= 3, r.results.map((h, i) => `${h.title} (${genres[i]!.join(", ")})`).join("; "));
  assert.ok(!r.results.some((h) => h.id === "tt0078748"), "never the example itself");
});

tmdbTest("without the horror: no horror film is listed; X meets Y lists neither example", async () => {
  const r = await plotline.search("something like Alien without the horror", { k: 20 });
  assert.deepEqual(r.parsed.filters.excludeGenres, ["Horror"]);
  assert.equal(r.results.length, 20);
  for (const h of r.results) assert.ok(!(await plotline.movie(h.id))!.genres.includes("Horror"), h.title);
  const m = await plotline.search("Alien meets Toy Story", { k: 10 });
  assert.deepEqual(m.parsed.examples?.like.map((x) => x.id), ["tt0078748", "tt0114709"]);
  assert.ok(!m.results.some((h) => h.id === "tt0078748" || h.id === "tt0114709"));
  assert.equal(m.results.length, 10);
});

tmdbTest("--explain shows the examples and the genres understood; --exclude-genre filters", async () => {
  const r = await runCli(["search", "something like Alien without the horror", "-k", "3", "--explain", "--db", db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /like Alien \(1979\)/);
  assert.match(r.stdout, /not genre Horror/);
  const flag = await runCli(["search", "haunted house", "--exclude-genre", "Horror", "-k", "10", "--json", "--db", db]);
  assert.equal(flag.code, 0, flag.stderr);
  const body = JSON.parse(flag.stdout) as { results: { id: string }[] };
  assert.ok(body.results.length > 0);
  for (const h of body.results) assert.ok(!(await plotline.movie(h.id))!.genres.includes("Horror"));
});
