import { after, test } from "node:test";
import { tmdbTest } from "./helpers/data.js";
import assert from "node:assert/strict";
import { Plotline } from "../src/plotline.js";
import { TitleIndex, titleWords, typoBudget } from "../src/search/title-index.js";
import { TypoTrie } from "../src/search/typo-trie.js";
import { tmdbGloveDb } from "./helpers/collections.js";

const plotline = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
after(() => plotline.close());

const titles = (entries: [string, number][]) => new TitleIndex(entries.map(([title, popularity], i) => ({ key: i + 1, title, popularity })));
const names = (index: TitleIndex, entries: [string, number][], q: string, k = 10) => index.search(q, k).map((m) => entries[m.key - 1]![0]);

test("typo budget: none below 5 letters, 1 from 5, 2 from 9", () => {
  assert.deepEqual([1, 4, 5, 8, 9, 20].map(typoBudget), [0, 0, 1, 1, 2, 2]);
  const trie = new TypoTrie(["star", "alien", "interstellar", "martian"]);
  const found = (q: string, max: number) => [...trie.hits(q, max, false).keys()];
  assert.deepEqual(found("stra", typoBudget(4)), [], "4 letters: no typo");
  assert.deepEqual(found("alein", typoBudget(5)), [1], "a swap of neighbours is one typo");
  assert.deepEqual(found("martain", typoBudget(7)), [3]);
  assert.deepEqual(found("intrstelar", typoBudget(10)), [2], "two typos from 9 letters");
  assert.deepEqual(found("intrstlar", typoBudget(9)), [], "three typos are too many");
});

test("exact beats prefix beats typo; popularity breaks ties; the whole title first", () => {
  const entries: [string, number][] = [
    ["Aliens", 9], // "alien" is its start
    ["Alien 3", 3],
    ["Alien", 5],
    ["Alien Nation", 4],
    ["Alein Wars", 50], // one typo, very popular
  ];
  const index = titles(entries);
  assert.deepEqual(names(index, entries, "alien"), ["Alien", "Alien Nation", "Alien 3", "Aliens", "Alein Wars"]);
  const hits = index.search("alien", 10);
  assert.ok(hits[0]!.covered && hits[0]!.typos === 0 && hits[0]!.prefixes === 0);
  assert.ok(hits[3]!.prefixes === 1 && hits[4]!.typos === 1);
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.score >= hits[i]!.score, "scores never rise down the list");
  // A trailing space ends the word: "aliens" is then one typo away, like "alein", but it is the
  // whole title, which beats the more popular "Alein Wars".
  assert.deepEqual(names(index, entries, "alien "), ["Alien", "Alien Nation", "Alien 3", "Aliens", "Alein Wars"]);
  assert.equal(index.search("alien ", 10)[3]!.typos, 1);
});

test("more matched words rank first; words spelt with apostrophes and accents match either way", () => {
  const entries: [string, number][] = [
    ["Schindler's List", 5],
    ["The List", 9],
    ["Café Society", 1],
  ];
  const index = titles(entries);
  assert.deepEqual(names(index, entries, "schindlers list").slice(0, 1), ["Schindler's List"]);
  assert.deepEqual(names(index, entries, "cafe"), ["Café Society"]);
  assert.deepEqual(titleWords("WALL·E"), ["wall", "e"]);
});

tmdbTest("as you type on the real titles: interstelar, teh martain, the dark kni", async () => {
  const top = async (q: string) => (await plotline.titles(q, 5)).results.map((r) => r.title);
  assert.equal((await top("interstelar"))[0], "Interstellar");
  assert.equal((await top("teh martain"))[0], "The Martian");
  assert.deepEqual((await top("the dark kni")).slice(0, 2), ["The Dark Knight", "The Dark Knight Rises"]);
  assert.equal((await top("jurasic park"))[0], "Jurassic Park");
  assert.equal((await top("star wars"))[0], "Star Wars");
  for (const q of ["inte", "inter", "interst", "interstel"]) assert.ok((await top(q)).includes("Interstellar"), `${q}: ${(await top(q)).join(", ")}`);
});

tmdbTest("titles() carries the result shape, with the matched title words", async () => {
  const r = await plotline.titles("godfahter", 3);
  assert.equal(r.query, "godfahter");
  const first = r.results[0]!;
  assert.deepEqual(Object.keys(first).slice(0, 4), ["id", "title", "year", "score"]);
  assert.equal(first.id, "tt0068646");
  assert.deepEqual(first.matches, { title: ["Godfather"] });
  assert.equal(first.scores.title, first.score);
  assert.deepEqual((await plotline.titles("🙂", 3)).results, []);
});

tmdbTest("title mode in search() takes filters and pages", async () => {
  const r = await plotline.search("star", { mode: "title", k: 5, filters: { yearMin: 1990, yearMax: 1999 } });
  assert.equal(r.results.length, 5);
  for (const h of r.results) assert.ok(h.year! >= 1990 && h.year! <= 1999, `${h.title} ${h.year}`);
  assert.deepEqual(r.parsed.extracted, [], "title mode reads the query literally");
});
