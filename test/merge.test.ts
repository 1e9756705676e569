import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cleaner } from "../src/catalog/clean.js";
import { openCatalog } from "../src/catalog/formats.js";
import { mergeCatalogs, normalizeTitle } from "../src/catalog/merge.js";
import { sparseMovie, type Movie } from "../src/catalog/movie.js";
import { embeddingText, plotText } from "../src/embed/text.js";
import { Plotline } from "../src/plotline.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";
import { MOVIES_CSV, TMDB_CSV, WIKIPEDIA_JSON } from "./helpers/paths.js";
import { tmdbWikipediaTest } from "./helpers/data.js";

const dir = tempDir();

function movie(source: string, id: string, title: string, year: number | null, overview = `${title} plot`): Movie {
  return sparseMovie({ id, source, sourceId: id, title, year, overview });
}

test("titles are normalised for matching: case, accents, punctuation, '&', a trailing article", () => {
  assert.equal(normalizeTitle("WALL·E"), "wall e");
  assert.equal(normalizeTitle("Wall-E"), "wall e");
  assert.equal(normalizeTitle("Amélie"), "amelie");
  assert.equal(normalizeTitle("Fast & Furious"), "fast and furious");
  assert.equal(normalizeTitle("Martian, The"), "the martian");
  assert.equal(normalizeTitle("  The   Martian! "), "the martian");
  assert.notEqual(normalizeTitle("Alien"), normalizeTitle("Aliens"));
});

test("merging counts matched, near-year, ambiguous and unmatched movies and enriches only clear matches", () => {
  const tmdb = [
    movie("tmdb", "tt1", "The Martian", 2015),
    movie("tmdb", "tt2", "Amélie", 2001),
    movie("tmdb", "tt3", "Dracula", 1931), // two Wikipedia films share title and year
    movie("tmdb", "tt4", "Solaris", 2002), // two TMDB movies claim one film
    movie("tmdb", "tt5", "Solaris", 2002),
    movie("tmdb", "tt6", "Unknown Indie", 2010),
    movie("tmdb", "tt7", "No Year", null),
  ];
  const wiki = [
    movie("wikipedia", "wikipedia:The_Martian_(film)", "The Martian", 2015, "An astronaut is stranded on Mars."),
    movie("wikipedia", "wikipedia:Amelie", "Amelie", 2002, "A shy waitress in Paris."), // a year later
    movie("wikipedia", "wikipedia:Dracula_(1931_English)", "Dracula", 1931),
    movie("wikipedia", "wikipedia:Dracula_(1931_Spanish)", "Dracula", 1931),
    movie("wikipedia", "wikipedia:Solaris_(2002)", "Solaris", 2002),
    movie("wikipedia", "wikipedia:Only_Here", "Only Here", 1950),
  ];
  wiki[0]!.posterUrl = "https://example.org/martian.jpg";
  const { movies, report } = mergeCatalogs(tmdb, wiki);
  assert.equal(report.matched, 2);
  assert.equal(report.matchedNearYear, 1);
  assert.equal(report.ambiguous, 3);
  assert.equal(report.unmatchedPrimary, 2);
  assert.equal(report.unmatchedSecondary, 4, "the Draculas, Solaris and Only Here");
  assert.equal(report.movies, 7 + 4);
  const martian = movies.find((m) => m.id === "tt1")!;
  assert.equal(martian.plot, "An astronaut is stranded on Mars.");
  assert.equal(martian.posterUrl, "https://example.org/martian.jpg");
  assert.equal(movies.find((m) => m.id === "tt2")!.plot, "A shy waitress in Paris.");
  assert.equal(movies.find((m) => m.id === "tt3")!.plot, undefined, "ambiguous: left alone");
  assert.ok(movies.some((m) => m.id === "wikipedia:Only_Here"), "unmatched films are kept");
  assert.equal(mergeCatalogs(tmdb, wiki, { keepUnmatched: false }).movies.length, 7);
  assert.equal(mergeCatalogs(tmdb, wiki, { yearTolerance: 0 }).report.matched, 1);
  // The merged plot follows the overview, in the plot text and in the embedded text; movies
  // without one read as before.
  assert.equal(plotText(martian), "The Martian plot\n\nAn astronaut is stranded on Mars.");
  assert.equal(embeddingText(martian), "The Martian\nThe Martian plot\nAn astronaut is stranded on Mars.");
  assert.equal(plotText(tmdb[5]!), "Unknown Indie plot");
  assert.equal(embeddingText(tmdb[5]!), "Unknown Indie\nUnknown Indie plot");
});

async function clean(file: string): Promise<Movie[]> {
  const src = await openCatalog(file);
  const cleaner = new Cleaner();
  for await (const r of src.records) cleaner.add(src.file, src.source, r);
  return cleaner.finish().movies;
}

tmdbWikipediaTest("the real TMDB and Wikipedia files merge into about 40,000 movies", async (t) => {
  const [tmdb, wiki] = await Promise.all([clean(TMDB_CSV), clean(WIKIPEDIA_JSON)]);
  assert.equal(tmdb.length, 10_852);
  assert.ok(wiki.length > 34_000 && wiki.length <= 34_532, `Wikipedia films with a summary: ${wiki.length}`);
  const { movies, report } = mergeCatalogs(tmdb, wiki);
  t.diagnostic(JSON.stringify({ ...report, ambiguousExamples: report.ambiguousExamples.length }));
  assert.ok(report.matched > 4000 && report.matched < 7000, `matched ${report.matched}`);
  assert.ok(report.ambiguous > 0 && report.ambiguous < 100, `ambiguous ${report.ambiguous}`);
  assert.equal(report.matched + report.ambiguous + report.unmatchedPrimary, 10_852);
  assert.equal(report.unmatchedSecondary + report.matched, wiki.length);
  assert.ok(movies.length > 38_000 && movies.length < 42_000, `merged ${movies.length}`);
  const martian = movies.find((m) => m.id === "tt3659388")!;
  assert.match(martian.plot ?? "", /Mars/);
  assert.ok(!movies.some((m) => m.source === "wikipedia" && m.title === "The Martian" && m.year === 2015), "matched films are not kept twice");
});

test("plotline ingest --merge stores the plot, reports the counts, and embeds the merged text", async () => {
  const wiki = join(dir, "wiki.json");
  writeFileSync(
    wiki,
    JSON.stringify([
      { title: "The Martian", year: 2015, cast: [], genres: [], href: "The_Martian_(film)", extract: "Botanist Mark Watney grows potatoes in his own waste to survive on Mars." },
      { title: "A Wikipedia Only Film", year: 1950, cast: ["Someone"], genres: ["Drama"], href: "Only_Film", extract: "A lighthouse keeper befriends a whale." },
      { title: "No Summary", year: 1960, cast: [], genres: [], href: "No_Summary" },
    ]),
  );
  const db = join(dir, "merged.db");
  const r = await runCli(["ingest", MOVIES_CSV, wiki, "--merge", "--embedder", "glove", "--db", db, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { total: number; merge: { matched: number; unmatchedSecondary: number; movies: number } };
  assert.equal(out.merge.matched, 1);
  assert.equal(out.merge.unmatchedSecondary, 1, "the film without a summary was dropped by cleaning");
  assert.equal(out.total, 11);
  const human = await runCli(["ingest", MOVIES_CSV, wiki, "--merge", "--db", join(dir, "merged2.db"), "--embedder", "glove"]);
  assert.match(human.stdout, /Merged wikipedia into tmdb by title \+ year: 10 \+ 2 movies\n\s+matched\s+1 /);
  const p = Plotline.open({ db, readonly: true });
  try {
    const martian = (await p.movie("tt1000001"))!;
    assert.match(martian.plot ?? "", /potatoes/);
    assert.equal((await p.movie("tt1000002"))!.plot, undefined);
    const hits = await p.search("a lighthouse keeper and a whale", { k: 1 });
    assert.equal(hits.results[0]!.id, "wikipedia:Only_Film");
  } finally {
    await p.close();
  }
  const same = await runCli(["ingest", MOVIES_CSV, MOVIES_CSV, "--merge", "--db", join(dir, "x.db"), "--embedder", "glove"]);
  assert.notEqual(same.code, 0);
  assert.match(same.stderr, /--merge: every file is of source 'tmdb'/);
});
