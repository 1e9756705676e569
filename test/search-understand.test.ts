import { after, test } from "node:test";
import { tmdbTest } from "./helpers/data.js";
import assert from "node:assert/strict";
import { Plotline } from "../src/plotline.js";
import { personKey, understand, type UnderstandContext } from "../src/search/understand.js";
import { tmdbGloveDb } from "./helpers/collections.js";

const plotline = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
after(() => plotline.close());

/** A tiny world: a few people and titles, to test the rules alone. */
const PEOPLE: Record<string, { name: string; cast: number; directed: number }> = {
  "jim carrey": { name: "Jim Carrey", cast: 30, directed: 0 },
  "tom hanks": { name: "Tom Hanks", cast: 40, directed: 2 },
  "meg ryan": { name: "Meg Ryan", cast: 20, directed: 0 },
  "christopher nolan": { name: "Christopher Nolan", cast: 0, directed: 9 },
  "steven spielberg": { name: "Steven Spielberg", cast: 1, directed: 30 },
  "j j abrams": { name: "J.J. Abrams", cast: 0, directed: 5 },
};
const TITLES: Record<string, { id: string; title: string; year: number }> = {
  alien: { id: "tt0078748", title: "Alien", year: 1979 },
  "the matrix": { id: "tt0133093", title: "The Matrix", year: 1999 },
  "2001 a space odyssey": { id: "tt0062622", title: "2001: A Space Odyssey", year: 1968 },
};
const ctx: UnderstandContext = {
  person: (key) => PEOPLE[key] ?? null,
  title: (phrase) => TITLES[personKey(phrase)] ?? null,
};
const u = (q: string) => understand(q, ctx);

test("the issue's examples", () => {
  assert.deepEqual(u("90s sci-fi about time travel"), {
    text: "time travel",
    filters: { yearMin: 1990, yearMax: 1999, genres: ["Science Fiction"] },
    like: undefined,
    extracted: [
      { phrase: "90s", as: "year 1990..1999" },
      { phrase: "sci-fi", as: "genre Science Fiction" },
    ],
  });
  const carrey = u("comedies after 2005 starring Jim Carrey");
  assert.equal(carrey.text, "");
  assert.deepEqual(carrey.filters, { genres: ["Comedy"], yearMin: 2006, cast: ["Jim Carrey"] });
  const like = u("movies like Alien");
  assert.deepEqual(like.like, TITLES.alien);
  assert.equal(like.text, "");
});

test("years and decades", () => {
  const f = (q: string) => u(q).filters;
  assert.deepEqual(f("1980s horror"), { yearMin: 1980, yearMax: 1989, genres: ["Horror"] });
  assert.deepEqual(f("'80s movies"), { yearMin: 1980, yearMax: 1989 });
  assert.deepEqual(f("nineties thrillers"), { yearMin: 1990, yearMax: 1999, genres: ["Thriller"] });
  assert.deepEqual(f("early 2000s movies"), { yearMin: 2000, yearMax: 2003 });
  assert.deepEqual(f("late 70s movies"), { yearMin: 1977, yearMax: 1979 });
  assert.deepEqual(f("heist movies before 1990"), { yearMax: 1989 });
  assert.deepEqual(f("heist since 2010"), { yearMin: 2010 });
  assert.deepEqual(f("westerns after the 60s"), { yearMin: 1970, genres: ["Western"] });
  assert.deepEqual(f("heists released between 1995 and 1990"), { yearMin: 1990, yearMax: 1995 });
  assert.deepEqual(f("heists from 1990 to 1995"), { yearMin: 1990, yearMax: 1995 });
  assert.deepEqual(f("heists 1990-1995"), { yearMin: 1990, yearMax: 1995 });
  assert.deepEqual(f("movies in 1995 about a heist"), { yearMin: 1995, yearMax: 1995 });
  // The story's time is not the release year.
  assert.deepEqual(u("a teenager goes back to the 1950s in a time machine").filters, {});
  assert.deepEqual(u("a love story set in 1944").filters, {});
  assert.deepEqual(u("2012").filters, {}, "a bare year can be a title");
});

test("genres: unambiguous words always, ordinary words only beside film words", () => {
  const f = (q: string) => u(q).filters;
  assert.deepEqual(f("a horror about a doll"), { genres: ["Horror"] });
  assert.deepEqual(f("war movies about vietnam"), { genres: ["War"] });
  assert.deepEqual(u("war movies about vietnam").text, "vietnam");
  assert.deepEqual(f("a soldier comes home from the war"), {});
  assert.deepEqual(f("a family moves into a haunted house"), {});
  assert.deepEqual(f("action comedies"), { genres: ["Action", "Comedy"], genreMode: "all" });
  assert.deepEqual(f("romantic comedy in new york"), { genres: ["Romance", "Comedy"], genreMode: "all" });
  assert.deepEqual(f("horror or thriller movies"), { genres: ["Horror", "Thriller"], genreMode: "any" });
  assert.deepEqual(f("science fiction about robots"), { genres: ["Science Fiction"] });
  assert.deepEqual(f("animated films"), { genres: ["Animation"] });
});

test("people: cues, known names only, chains with and, names before film words", () => {
  const f = (q: string) => u(q).filters;
  assert.deepEqual(f("directed by Christopher Nolan"), { directors: ["Christopher Nolan"] });
  assert.deepEqual(f("space movies by J.J. Abrams"), { directors: ["J.J. Abrams"] });
  assert.deepEqual(f("starring Tom Hanks and Meg Ryan"), { cast: ["Tom Hanks", "Meg Ryan"] });
  assert.deepEqual(f("a man with a hook"), {}, "with + unknown name stays text");
  assert.deepEqual(f("Tom Hanks movies"), { cast: ["Tom Hanks"] });
  assert.deepEqual(f("Steven Spielberg films"), { directors: ["Steven Spielberg"] });
  assert.deepEqual(f("Tom Hanks stranded on an island"), {}, "a name alone is searched as words");
});

test("ratings, runtime, and what is left of the text", () => {
  assert.deepEqual(u("highly rated thrillers under 100 minutes").filters, { minRating: 7, runtimeMax: 100, genres: ["Thriller"] });
  assert.deepEqual(u("heists rated above 8").filters, { minRating: 8 });
  assert.deepEqual(u("epics over 3 hours").filters, { runtimeMin: 180 });
  assert.equal(u('90s movies about "time travel"').text, '"time travel"', "quotes survive");
  assert.equal(u("The Day After Tomorrow").text, "The Day After Tomorrow", "nothing understood: the query as typed");
});

test("more like this: the words after like must name a title", () => {
  assert.equal(u("something similar to The Matrix but funnier").like?.id, "tt0133093");
  // "but funnier" is what the query changes about the example: a genre (`search-intent.test.ts`).
  assert.equal(u("something similar to The Matrix but funnier").text, "");
  assert.deepEqual(u("something similar to The Matrix but funnier").filters.genres, ["Comedy"]);
  assert.equal(u("movies like 2001: A Space Odyssey").like?.id, "tt0062622", "a title with a year in it");
  assert.equal(u("a movie like a fever dream").like, undefined);
  assert.equal(u("I like dogs").like, undefined, "like as a verb");
});

tmdbTest("in search: filters from the query apply and are shown; parse: false turns them off", async () => {
  const r = await plotline.search("comedies after 2005 starring Jim Carrey");
  assert.deepEqual(r.parsed.filters, { genres: ["Comedy"], yearMin: 2006, cast: ["Jim Carrey"] });
  assert.ok(r.results.length >= 4, r.results.map((h) => h.title).join(", "));
  for (const h of r.results) {
    const m = (await plotline.movie(h.id))!;
    assert.ok(m.cast.includes("Jim Carrey") && m.genres.includes("Comedy") && m.year! >= 2006, h.title);
  }
  const raw = await plotline.search("comedies after 2005 starring Jim Carrey", { parse: false });
  assert.deepEqual(raw.parsed, { text: "comedies after 2005 starring Jim Carrey", filters: {}, extracted: [] });

  const scifi = await plotline.search("90s sci-fi about time travel");
  assert.equal(scifi.parsed.text, "time travel");
  for (const h of scifi.results) {
    const m = (await plotline.movie(h.id))!;
    assert.ok(m.year! >= 1990 && m.year! <= 1999 && m.genres.includes("Science Fiction"), h.title);
  }
  // Explicit filters win over understood ones.
  const explicit = await plotline.search("90s sci-fi about time travel", { filters: { yearMin: 1995 } });
  assert.deepEqual(explicit.parsed.filters, { yearMin: 1995, yearMax: 1999, genres: ["Science Fiction"] });
});

tmdbTest("in search: movies like Alien lists others like it, never Alien itself", async () => {
  const r = await plotline.search("movies like Alien", { k: 10 });
  assert.equal(r.parsed.like, "Alien");
  assert.equal(r.parsed.likeId, "tt0078748");
  assert.equal(r.results.length, 10);
  assert.ok(!r.results.some((h) => h.id === "tt0078748"));
  const typo = await plotline.search("films like interstelar");
  assert.equal(typo.parsed.likeId, "tt0816692");
});
