import { after, test } from "node:test";
import { tmdbTest } from "./helpers/data.js";
import assert from "node:assert/strict";
import { textHash } from "../src/embed/cache.js";
import { Plotline } from "../src/plotline.js";
import { DEFAULT_FIELD_WEIGHTS } from "../src/search/keyword.js";
import { MAX_QUERY_TERMS, parseKeywordQuery } from "../src/search/keyword-query.js";
import { porterStem } from "../src/search/porter.js";
import type { SearchOptions } from "../src/search/types.js";
import { ftsExpression } from "../src/store/sqlite/fts-expression.js";
import { ftsStems } from "../src/store/sqlite/postings.js";
import { join } from "node:path";
import { tempDir, tmdbGloveDb } from "./helpers/collections.js";
import { MOVIES_CSV } from "./helpers/paths.js";

const plotline = Plotline.open({ db: await tmdbGloveDb(), readonly: true });
after(() => plotline.close());

const keyword = (q: string, o: SearchOptions = {}) => plotline.search(q, { mode: "keyword", k: 10, parse: false, ...o });

test("natural-language queries drop stop words and OR the rest; a query of stop words is kept", () => {
  const q = parseKeywordQuery("A shark attacks the beach town.");
  assert.deepEqual(q.terms, ["shark", "attacks", "beach", "town"]);
  assert.equal(q.prefix, null, "a query ending in punctuation has no word being typed");
  assert.equal(ftsExpression(q), '"shark" OR "attacks" OR "beach" OR "town"');
  assert.deepEqual(parseKeywordQuery("It").terms, ["it"]);
  assert.deepEqual(parseKeywordQuery("the Café").terms, ["cafe"], "accents fold as the index folds them");
});

test("quoted phrases stay phrases and are required; straight and curly quotes; an unpaired quote is ignored", () => {
  const q = parseKeywordQuery('"great white shark" beach');
  assert.deepEqual(q.phrases, [["great", "white", "shark"]]);
  assert.equal(ftsExpression(q), '"great white shark" AND ("great white shark" OR "beach"*)');
  assert.deepEqual(parseKeywordQuery("“the dark knight”").phrases, [["the", "dark", "knight"]]);
  const unpaired = parseKeywordQuery('"unterminated phrase');
  assert.deepEqual(unpaired.phrases, []);
  assert.deepEqual(unpaired.terms, ["unterminated", "phrase"]);
});

test("the last word is a prefix while it is being typed", () => {
  assert.equal(parseKeywordQuery("space odys").prefix, "odys");
  assert.equal(ftsExpression(parseKeywordQuery("space odys")), '"space" OR "odys"*');
  assert.equal(parseKeywordQuery("space od").prefix, null, "two letters would match too much");
  assert.equal(parseKeywordQuery("space odys.").prefix, null);
});

test("FTS5 syntax in user text never reaches MATCH unquoted", () => {
  const hostile = ['title:mars NEAR(a b) AND OR NOT ^x* (', "'; DROP TABLE movies; --", 'say "hi" to "', "x".repeat(10_000), "🚀👽 🙂", "a-b c+d {e} [f]"];
  for (const text of hostile) {
    const expr = ftsExpression(parseKeywordQuery(text));
    if (expr === null) continue;
    // Remove every quoted string: what is left may only be operators and grouping.
    const rest = expr.replace(/"(?:[^"]|"")*"/g, "");
    assert.match(rest, /^[\s()*]*(?:(?:OR|AND)[\s()*]*)*$/, `${text.slice(0, 40)} -> ${expr.slice(0, 80)}`);
  }
  assert.ok(parseKeywordQuery("word ".repeat(2000) + Array.from({ length: 200 }, (_, i) => `w${i}`).join(" ")).terms.length <= MAX_QUERY_TERMS);
});

tmdbTest("the Porter stemmer gives SQLite's stems for every word of the real collection", async () => {
  const words = new Set<string>();
  for await (const batch of plotline.store.scan(["title", "overview", "tagline", "keywords"])) {
    for (const m of batch) for (const f of [m.title, m.overview, m.tagline, m.keywords.join(" ")]) for (const w of f?.toLowerCase().match(/[a-z0-9]+/g) ?? []) words.add(w);
  }
  const list = [...words];
  const differ: string[] = [];
  for (const [w, term] of ftsStems(list)) if (porterStem(w) !== term) differ.push(`${w}: sqlite ${term}, ours ${porterStem(w)}`);
  assert.ok(list.length > 30_000, `${list.length} words`);
  assert.deepEqual(differ.slice(0, 10), []);
});

tmdbTest("a description finds its film with OR semantics and BM25 ranking", async () => {
  const r = await keyword("a giant shark terrorizes a quiet island beach town and the police chief hunts it");
  assert.ok(r.results.slice(0, 5).some((h) => h.id === "tt0073195"), r.results.map((h) => h.title).join(", "));
});

tmdbTest("a title word outweighs the same word in an overview (title weight 3)", async () => {
  assert.equal(DEFAULT_FIELD_WEIGHTS.title, 3);
  // BM25 alone (the popularity prior off): the field weights decide.
  const r = await keyword("mars", { prior: 0 });
  for (const h of r.results.slice(0, 5)) assert.ok(h.matches.title?.some((w) => w.toLowerCase() === "mars"), `${h.title}: ${JSON.stringify(h.matches)}`);
});

tmdbTest("phrase queries match the words together and in order", async () => {
  const r = await keyword('"great white shark"');
  assert.ok(r.results.length > 0);
  for (const h of r.results) {
    const phrase = Object.values(h.matches).flat().some((w) => w!.toLowerCase() === "great white shark");
    assert.ok(phrase, `${h.title}: ${JSON.stringify(h.matches)}`);
  }
  assert.ok(r.results.some((h) => h.id === "tt0073195"), "Jaws says great white shark");
  const scrambled = await keyword('"shark white great"');
  assert.equal(scrambled.results.length, 0);
});

tmdbTest("prefix on the last word finds what is being typed; a finished word is not a prefix", async () => {
  const typing = await keyword("interstel");
  assert.equal(typing.results[0]?.id, "tt0816692");
  // "mars" is a word of the collection: searched as itself, not as the stem prefix "mar*" (Marvel).
  const done = await keyword("mars");
  assert.ok(done.results.every((h) => !JSON.stringify(h.matches).toLowerCase().includes("marvel")), done.results.map((h) => h.title).join(", "));
});

tmdbTest("misspelt words are searched with their corrections (1 typo from 5 letters, 2 from 9)", async () => {
  const r = await keyword("shawshenk redemtion");
  assert.equal(r.results[0]?.id, "tt0111161", r.results.map((h) => h.title).join(", "));
  const swapped = await keyword("inceptoin");
  assert.ok(swapped.results.slice(0, 3).some((h) => h.id === "tt1375666"), swapped.results.map((h) => h.title).join(", "));
  // Four letters get no typo: "mrs" stays as typed and matches nothing like "mars".
  const short = await keyword("jaws mras.");
  assert.ok(short.results.every((h) => !Object.values(h.matches).flat().some((w) => w!.toLowerCase() === "mars")));
});

tmdbTest("explanations: the BM25 score and the matched words per field, spelled as in the field", async () => {
  // BM25 alone (the popularity prior off, which blends into the score otherwise).
  const r = await keyword("astronaut stranded on Mars", { prior: 0 });
  assert.ok(r.results.length === 10);
  for (const h of r.results) {
    assert.equal(h.scores.keyword, h.score);
    assert.equal(h.scores.semantic, null);
    assert.ok(Object.keys(h.matches).length > 0, `${h.title} has matches`);
    const movie = (await plotline.movie(h.id))!;
    const fields: Record<string, string> = {
      title: movie.title,
      keywords: movie.keywords.join(" "),
      cast: movie.cast.join(" "),
      directors: movie.directors.join(" "),
      genres: movie.genres.join(" "),
      tagline: movie.tagline ?? "",
      overview: movie.overview,
      plot: movie.plot ?? "",
    };
    for (const [field, words] of Object.entries(h.matches)) for (const w of words!) assert.ok(fields[field]!.includes(w), `${h.title}: ${field} holds "${w}"`);
  }
  const martian = r.results.find((h) => h.id === "tt3659388");
  assert.ok(martian, "The Martian is on the first page");
  assert.deepEqual(martian.matches.keywords, ["mars"]);
  assert.ok(martian.matches.overview!.includes("stranded"));
});

test("the keyword index follows every write to the collection, merged plots included", async () => {
  const dir = tempDir();
  const p = Plotline.open({ db: join(dir, "fts.db"), create: true });
  try {
    await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
    const ids = async (q: string) => (await p.search(q, { mode: "keyword", parse: false })).results.map((h) => h.id);
    assert.deepEqual(await ids("shark"), ["tt1000005"]);
    // A plot merged from another catalog is searched like the overview, and shows as a match.
    const movie = (await p.movie("tt1000006"))!;
    const raw = (await p.store.vectors([movie.id])).get(movie.id)!;
    await p.store.write({ upsert: [{ movie: { ...movie, plot: "A submarine crew hunts a kraken." }, textHash: textHash("kraken"), raw }] });
    const kraken = await p.search("kraken", { mode: "keyword", parse: false });
    assert.equal(kraken.results[0]?.id, "tt1000006");
    assert.deepEqual(kraken.results[0]?.matches, { plot: ["kraken"] });
    await p.remove(["tt1000005"]);
    assert.deepEqual(await ids("shark"), []);
  } finally {
    await p.close();
  }
});
