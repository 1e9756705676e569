import { after, test } from "node:test";
import assert from "node:assert/strict";
import { Plotline } from "../src/plotline.js";
import { mainPart, SeriesIndex } from "../src/recommend/franchise.js";
import { tmdbGloveDb } from "./helpers/collections.js";
import { tmdbTest } from "./helpers/data.js";

const plotline = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
after(() => plotline.close());

const ALIEN = "tt0078748";
const TOY_STORY = "tt0114709";
const FINDING_NEMO = "tt0266543";

test("a title's main part: subtitles, articles and sequel markers cut, words stemmed", () => {
  for (const t of ["Alien", "Aliens", "Alien: Resurrection", "Alien³"]) assert.deepEqual(mainPart(t), ["alien"], t);
  assert.deepEqual(mainPart("Toy Story 2"), mainPart("Toy Story"));
  assert.deepEqual(mainPart("The Godfather: Part II"), mainPart("The Godfather"));
  assert.deepEqual(mainPart("Rocky IV"), mainPart("Rocky"));
  assert.notDeepEqual(mainPart("Alien Nation"), mainPart("Alien"));
  // Sequel numbers spelled out: one series; "One" stays a word of the title.
  for (const t of ["Ocean's Twelve", "Ocean's Thirteen", "Ocean's Eight"]) assert.deepEqual(mainPart(t), mainPart("Ocean's Eleven"), t);
  assert.deepEqual(mainPart("Air Force One"), ["air", "forc", "on"]);
  assert.deepEqual(mainPart("Seven"), ["seven"], "a title that is only a number keeps it");
});

test("series: same main part, or a rare two-word opening; a genre in common either way", () => {
  const titles = ["Alien", "Aliens", "Alien Nation", "Frozen", "Frozen", "Harry Potter and the Chamber of Secrets", "Harry Potter and the Goblet of Fire"];
  const genres = [["Horror", "Science Fiction"], ["Science Fiction", "Action"], ["Science Fiction"], ["Thriller"], ["Animation", "Family"], ["Fantasy"], ["Fantasy", "Family"]];
  const s = new SeriesIndex(titles, genres);
  assert.equal(s.score(0, 1), 1);
  assert.equal(s.score(0, 2), 0, "Alien Nation is another film");
  assert.equal(s.score(3, 4), 0, "two films called Frozen with no genre in common");
  assert.equal(s.score(5, 6), 0.5, "Harry Potter and the ...: a shared opening, weaker evidence");
  assert.deepEqual(s.members(0), [1]);
});

tmdbTest("more like Alien: its own series leads (at least two of Aliens, Alien: Resurrection, Prometheus in the top 10)", async () => {
  const r = await plotline.similar(ALIEN, { k: 40 });
  const top10 = r.results.slice(0, 10).map((h) => h.id);
  const found = ["tt0090605", "tt0118583", "tt1446714"].filter((id) => top10.includes(id));
  assert.ok(found.length >= 2, r.results.slice(0, 10).map((h) => h.title).join(", "));
  for (const h of r.results) {
    assert.equal(typeof h.prior, "number");
    assert.equal(typeof h.series, "number");
  }
  // Off, the list is the similarity alone.
  const plain = await plotline.similar(ALIEN, { k: 40, prior: 0, series: false });
  for (let i = 1; i < plain.results.length; i++) assert.ok(plain.results[i - 1]!.similarity >= plain.results[i]!.similarity);
  assert.ok(!plain.results.slice(0, 10).some((h) => h.id === "tt0118583"), "Alien: Resurrection is not among the nearest plots: the series brings it");
});

tmdbTest("more like Toy Story: Toy Story 2 and 3 first", async () => {
  const r = await plotline.similar(TOY_STORY, { k: 40 });
  assert.deepEqual(new Set(r.results.slice(0, 2).map((h) => h.id)), new Set(["tt0120363", "tt0435761"]), r.results.slice(0, 5).map((h) => h.title).join(", "));
});

tmdbTest("recommend from Toy Story + Finding Nemo, not Cars: at least two other Pixar films in the top 10", async () => {
  const r = await plotline.recommend({ like: ["Toy Story", "Finding Nemo"], dislike: ["Cars"], k: 10 });
  const pixar: string[] = [];
  for (const h of r.results) {
    const m = await plotline.movie(h.id);
    if (m!.companies.includes("Pixar Animation Studios") && h.id !== TOY_STORY && h.id !== FINDING_NEMO) pixar.push(h.title);
  }
  assert.ok(pixar.length >= 2, `Pixar: ${pixar.join(", ") || "none"}; all: ${r.results.map((h) => h.title).join(", ")}`);
  assert.ok(!r.results.some((h) => h.id === "tt0317219" || h.id === "tt1216475"), "not Cars, nor its series");
});
