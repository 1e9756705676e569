import { test } from "node:test";
import assert from "node:assert/strict";
import { repairMojibake } from "../src/catalog/mojibake.js";
import { Cleaner } from "../src/catalog/clean.js";
import { openCatalog } from "../src/catalog/formats.js";
import { MOVIES_CSV, TMDB_CSV } from "./helpers/paths.js";
import { tmdbTest } from "./helpers/data.js";

test("mojibake: double-encoded UTF-8 is repaired", () => {
  assert.equal(repairMojibake("WALLÂ·E"), "WALL·E");
  assert.equal(repairMojibake("Michael PeÃ±a"), "Michael Peña");
  assert.equal(repairMojibake("Melvilleâ€™s"), "Melville’s");
  assert.equal(repairMojibake("Slavoj Å½iÅ¾ek"), "Slavoj Žižek");
  assert.equal(repairMojibake("Ã©tÃ© and Ã¼ber"), "été and über");
  // The closing quote's last byte (0x9D) has no Windows-1252 character and was lost.
  assert.equal(repairMojibake("from â€œcaptureâ€ to â€œkillâ€ just"), "from “capture” to “kill” just");
  // Encoded twice over.
  assert.equal(repairMojibake("Melvilleâ€™s".replace("â€™", "Ã¢â‚¬â„¢")), "Melville’s");
});

test("mojibake: text that is already right is never touched", () => {
  for (const text of ["Café Society", "Amélie", "Noël", "naïve façade", "Â", "São Paulo", "WALL·E", "Ñandú", "½ price", "a – b — c", "£5 ©2010", "Žižek", "Mötley Crüe"]) {
    assert.equal(repairMojibake(text), text, text);
  }
});

async function clean(file: string) {
  const src = await openCatalog(file);
  const cleaner = new Cleaner();
  for await (const r of src.records) cleaner.add(src.file, src.source, r);
  return cleaner.finish();
}

test("cleaning the fixture: drops, merges, placeholders, lists, zeros, repairs", async () => {
  const { movies, report } = await clean(MOVIES_CSV);
  assert.equal(report.read, 13);
  assert.deepEqual(report.droppedByReason, { "missing id": 1, "missing overview": 1 });
  assert.equal(report.merged.length, 1);
  assert.equal(report.merged[0]!.id, "tt1000010");
  assert.deepEqual(report.merged[0]!.rows.map((r) => r.row), [10, 11]);
  assert.equal(movies.length, 10);
  assert.equal(report.kept, 10);
  assert.equal(report.placeholders.length, 1);
  const placeholder = movies.find((m) => m.id === "tt1000009")!;
  assert.equal(placeholder.overview, "");
  assert.equal(placeholder.runtime, null, "runtime 0 means unknown");
  const martian = movies.find((m) => m.id === "tt1000001")!;
  assert.deepEqual(martian.cast, ["Matt Damon", "Jessica Chastain", "Michael Peña"]);
  assert.deepEqual(martian.genres, ["Science Fiction", "Adventure", "Drama"]);
  assert.equal(martian.year, 2015);
  assert.equal(martian.sourceId, "1");
  assert.equal(martian.budget, 108000000);
  assert.equal(martian.rating, 7.6);
  assert.equal(movies.find((m) => m.id === "tt1000004")!.title, "WALL·E");
  assert.match(movies.find((m) => m.id === "tt1000006")!.overview, /Melville’s/);
  // Correct accents stay as they are while a mojibake title in the same file is repaired.
  const cafe = movies.find((m) => m.id === "tt1000011")!;
  assert.equal(cafe.title, "Café Society");
  assert.match(cafe.overview, /nightclub café\.$/);
  assert.equal(movies.find((m) => m.id === "tt1000003")!.budget, null);
  assert.ok(report.repairedRows >= 4);
});

tmdbTest("cleaning the real TMDB file matches the seed: 10,852 movies", async () => {
  const { movies, report } = await clean(TMDB_CSV);
  assert.equal(report.read, 10866);
  assert.equal(report.dropped, 13);
  assert.deepEqual(report.droppedByReason, { "missing id": 10, "missing overview": 3 });
  assert.equal(report.drops.length, 13);
  assert.ok(report.drops.some((d) => d.title === "Sense8: Creating the World" && d.reason === "missing id"));
  assert.ok(report.drops.some((d) => d.title === "Freshman Father" && d.reason === "missing overview"));
  assert.deepEqual(report.merged.map((m) => m.id), ["tt0411951"]);
  assert.equal(movies.length, 10852);
  assert.equal(report.kept, 10852);
  // 13 "No overview found." and 1 "not available" (data README).
  assert.equal(report.placeholders.length, 14);
  assert.equal(report.placeholders.filter((p) => p.text === "No overview found.").length, 13);
  assert.equal(report.placeholders.filter((p) => p.text === "not available").length, 1);
  const byId = new Map(movies.map((m) => [m.id, m]));
  assert.equal(byId.get("tt0910970")!.title, "WALL·E");
  assert.equal(byId.get("tt3659388")!.title, "The Martian");
  assert.equal(byId.get("tt3659388")!.year, 2015);
  assert.equal(byId.get("tt3659388")!.sourceId, "286217");
  assert.ok(byId.get("tt3659388")!.cast.includes("Michael Peña"));
  assert.equal(byId.get("tt0183523")!.year, 2000);
  // The data README counts 1,027 overviews with mojibake by its own pattern; the repair finds
  // those plus a few its pattern missed (Ê¼, Ð¯, Å½, Î”).
  assert.ok((report.repairedByField.overview ?? 0) >= 1027, `overview repairs ${report.repairedByField.overview}`);
  assert.ok(!movies.some((m) => /Ã[\u0080-\u00bf]|â€/.test(m.overview + m.title + m.cast.join())), "no mojibake left");
  assert.equal(report.unknownNumbers.budget! > 5000, true);
});
