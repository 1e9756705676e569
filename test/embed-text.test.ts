import { test } from "node:test";
import assert from "node:assert/strict";
import type { Movie } from "../src/catalog/movie.js";
import { EMBEDDED_CAST, embeddingText, plotText } from "../src/embed/text.js";

const martian: Movie = {
  id: "tt3659388",
  source: "tmdb",
  sourceId: "286217",
  title: "The Martian",
  year: 2015,
  overview: "An astronaut is presumed dead and left behind on Mars.",
  tagline: "Bring Him Home",
  genres: ["Drama", "Adventure", "Science Fiction"],
  keywords: ["mars", "nasa", "isolation"],
  cast: ["Matt Damon", "Jessica Chastain", "Kristen Wiig", "Jeff Daniels", "Michael Peña"],
  directors: ["Ridley Scott"],
  companies: ["20th Century Fox"],
  runtime: 141,
  rating: 7.6,
  votes: 4572,
  popularity: 28.4,
  budget: 108000000,
  revenue: 595380321,
  posterUrl: null,
  language: "en",
};

test("the embedded text: title, tagline, overview, keywords and the top-billed cast, one a line", () => {
  assert.equal(EMBEDDED_CAST, 3);
  assert.equal(
    embeddingText(martian),
    "The Martian\nBring Him Home\nAn astronaut is presumed dead and left behind on Mars.\nmars, nasa, isolation\nMatt Damon, Jessica Chastain, Kristen Wiig",
  );
  const text = embeddingText(martian);
  for (const left of ["Drama", "Ridley Scott", "20th Century Fox", "Jeff Daniels"]) assert.ok(!text.includes(left), `${left} is not embedded`);
});

test("the embedded text leaves out empty fields and puts a merged plot after the overview", () => {
  const bare = { ...martian, tagline: null, keywords: [], cast: [] };
  assert.equal(embeddingText(bare), "The Martian\nAn astronaut is presumed dead and left behind on Mars.");
  const merged = { ...bare, plot: "Botanist Mark Watney grows potatoes." };
  assert.equal(embeddingText(merged), "The Martian\nAn astronaut is presumed dead and left behind on Mars.\nBotanist Mark Watney grows potatoes.");
  // A placeholder overview (cleaned to "") does not repeat the title and tagline.
  assert.equal(embeddingText({ ...martian, overview: "", keywords: [], cast: [] }), "The Martian\nBring Him Home");
});

test("the plot text (what TF-IDF reads) is the plot alone, or title and tagline when there is none", () => {
  assert.equal(plotText(martian), martian.overview);
  assert.equal(plotText({ ...martian, plot: "Botanist Mark Watney grows potatoes." }), `${martian.overview}\n\nBotanist Mark Watney grows potatoes.`);
  assert.equal(plotText({ ...martian, overview: "" }), "The Martian. Bring Him Home");
});
