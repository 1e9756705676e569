import { test } from "node:test";
import assert from "node:assert/strict";
import { parseTrailerName, TitleMatcher, type TitleEntry } from "../src/media/naming.js";

const name = (file: string) => {
  const p = parseTrailerName(file);
  return [p.title, p.year];
};

test("a trailer's file name gives its film's title and year, with video words and trailer numbers left out", () => {
  const cases: [string, string, number | null][] = [
    ["The Martian (2015) Official Trailer HD.mp4", "The Martian", 2015],
    ["Star Wars_ The Last Jedi Trailer (Official).mp4", "Star Wars The Last Jedi", null],
    ["jaws.1975.trailer.mkv", "jaws", 1975],
    ["Jaws - Trailer.mp4", "Jaws", null],
    ["Jaws [HD].mp4", "Jaws", null],
    ["Official Trailer - Jaws.mp4", "Jaws", null],
    ["Toy Story Trailer 2.mp4", "Toy Story", null],
    ["Toy Story 2 - Trailer 3.mp4", "Toy Story 2", null],
    ["Toy Story 2 Official Trailer #1 1080p.mp4", "Toy Story 2", null],
    ["Mission_Impossible_Fallout_Trailer_2.mp4", "Mission Impossible Fallout", null],
    ["Alien 1979 Tráiler Oficial.mp4", "Alien", 1979],
    ["Amélie - Bande-annonce.mp4", "Amélie", null],
    ["E.T. the Extra-Terrestrial Trailer.mp4", "E.T. the Extra-Terrestrial", null],
    ["Final Destination Trailer.mp4", "Final Destination", null],
    ["The International Trailer.mp4", "The International", null],
    ["2001 A Space Odyssey Trailer.mp4", "2001 A Space Odyssey", null],
    ["Blade Runner 2049 Official Trailer.mp4", "Blade Runner 2049", null],
    ["Jaws Red Band Trailer.mp4", "Jaws", null],
    ["Terminator 2 Judgment Day (1991) Trailer #1 - Arnold Schwarzenegger.mp4", "Terminator 2 Judgment Day", 1991],
  ];
  for (const [file, title, year] of cases) assert.deepEqual(name(file), [title, year], file);
});

const CATALOG: TitleEntry[] = [
  { key: 1, id: "tt1", title: "The Martian", year: 2015 },
  { key: 2, id: "tt2", title: "Halloween", year: 1978 },
  { key: 3, id: "tt3", title: "Halloween", year: 2007 },
  { key: 4, id: "tt4", title: "WALL·E", year: 2008 },
  { key: 5, id: "tt5", title: "Rocky II", year: 1979 },
  { key: 6, id: "tt6", title: "Toy Story", year: 1995 },
  { key: 7, id: "tt7", title: "Toy Story 2", year: 1999 },
  { key: 8, id: "tt8", title: "Blade Runner 2049", year: 2017 },
  { key: 9, id: "tt9", title: "Blade Runner", year: 1982 },
  { key: 10, id: "tt10", title: "Amélie", year: 2001 },
  { key: 11, id: "tt11", title: "Martian Child", year: 2007 },
];

test("file names match catalog titles by title and year; several films are ambiguous, none is unmatched", () => {
  const matcher = new TitleMatcher(CATALOG);
  const match = (file: string) => {
    const m = matcher.match(parseTrailerName(file));
    return m.kind === "matched" ? m.movie.id : m.kind === "ambiguous" ? `ambiguous:${m.candidates.map((c) => c.id).join(",")}` : m.kind;
  };
  assert.equal(match("The Martian (2015) Official Trailer HD.mp4"), "tt1");
  assert.equal(match("Martian Trailer.mp4"), "tt1", "a leading article may be left out");
  assert.equal(match("The Martian (2016) Trailer.mp4"), "tt1", "a year one off still matches");
  assert.equal(match("The Martian (1990) Trailer.mp4"), "unmatched", "a year far off does not");
  assert.equal(match("Halloween Trailer.mp4"), "ambiguous:tt2,tt3");
  assert.equal(match("Halloween (1978) Trailer.mp4"), "tt2");
  assert.equal(match("Halloween 2007 Official Trailer.mp4"), "tt3");
  assert.equal(match("Wall-E Trailer.mp4"), "tt4", "punctuation and spacing differ");
  assert.equal(match("Rocky 2 Trailer.mp4"), "tt5", "a sequel's number as digits or Roman numerals");
  assert.equal(match("Toy Story Trailer 2.mp4"), "tt6", "a trailer number is not a sequel number");
  assert.equal(match("Toy Story 2 Trailer.mp4"), "tt7");
  assert.equal(match("Blade Runner 2049 Trailer.mp4"), "tt8", "a year-like number that is part of a title");
  assert.equal(match("Blade Runner Trailer.mp4"), "tt9");
  assert.equal(match("Amelie Trailer.mp4"), "tt10", "accents differ");
  assert.equal(match("Potato Planet Trailer.mp4"), "unmatched");
});
