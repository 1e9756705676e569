/**
 * `node dist/scripts/record-rankings.js --db PATH [--out FILE] [--before]`: the top 10 of a fixed
 * set of searches (every mode), similar lists (every method) and recommendations, as JSON:
 * the shape of `test/fixtures/ranking-before-prior.json`.
 *
 * The fixture holds the rankings of the code before issue #12 (no popularity prior, no learned
 * fusion, no series), so that a test can check that switching those off (`prior: 0`,
 * `fusion: "convex"`, `series: false`) gives exactly the old rankings. It was made by building
 * this script against the sources of `main` before #12 (commit 021b10c: `git archive 021b10c`,
 * this file copied into its `scripts/`, `npx tsc -p .`) and running it with `--before` on the
 * glove TMDB collection (`plotline ingest ../shared/data/tmdb-movies.csv --embedder glove`).
 * Without `--before` it records the same lists with those switches off, on the current code:
 * the test does the same and compares.
 * Only the library API both versions share is used (`Plotline.open`, `search`, `similar`,
 * `recommend`); options the old code does not know are not passed to it.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Plotline } from "../src/plotline.js";

/**
 * Plot descriptions, keywords, typos, people and filters: every path of search but queries
 * that name films, which #12 reads differently ("Home Alone but in New York" is now Home Alone
 * as an example plus "New York" as text), so they are no test of switching the prior off.
 */
export const RECORDED_QUERIES = [
  "a huge great white shark keeps killing swimmers off a summer holiday island",
  "a cyborg assassin is sent back in time to kill the mother of the future resistance leader",
  "a cowboy doll gets jealous when a new space ranger toy becomes the favourite",
  "cloned dinosaurs break loose in an island theme park",
  "a kind simple man from Alabama ends up at the center of decades of American history",
  "explorers go through a wormhole looking for a new planet because earth is dying",
  "a retired hitman takes revenge on the gangsters who killed his dog",
  "a programmer is invited to test whether a humanoid robot woman is truly conscious",
  "a soldier lives the same day of an alien invasion battle again every time he dies",
  "the crew of a space freighter is hunted by a creature that got on board",
  "a masked anarchist fights a fascist government in a future Britain",
  "a man who cannot make new memories uses tattoos and polaroids to find his wife's killer",
  "a New York cop fights terrorists who take over a Los Angeles skyscraper on Christmas Eve",
  "a worker alone on a lunar mining base near the end of his contract meets his own clone",
  "submarine cold war nuclear standoff",
  "chess prodigy",
  "giant ape empire state building",
  "pulp fictoin",
  "gladiater",
  "Tom Hanks stranded on an island talking to a volleyball",
  "Pixar films directed by Pete Docter",
  "Keanu Reeves bus that will explode if it slows down",
  "Tom Cruise and Dustin Hoffman road trip with an autistic brother",
  "animated movies about toys that come alive",
  "a shark attacks a beach town",
  "jurasic prk",
  "astronauts and a computer that turns on them",
  "allied prisoners tunnel out of a german camp",
  "underdog boxer from philadelphia",
  "masked killer stalks babysitters on halloween night",
  "grandson of a mad scientist builds a monster, comedy",
  "five teenagers stuck in saturday detention",
  "bullied kid learns karate from the handyman",
  "inventor accidentally shrinks his kids",
  "kids find a treasure map and hunt for pirate gold",
  "giant worms under a desert town",
  "board game that lets jungle animals loose",
  "boy sets a captured killer whale free",
  "agents in black suits police aliens living on earth",
  "pirates of the carribean",
  "pregnant teenager looks for parents to adopt her baby",
  "london cop sent to a sleepy village",
  "blue aliens on a jungle moon",
  "drummer with an abusive jazz teacher",
  "video game bad guy wants to be a hero",
  "baseball manager builds a team with statistics",
];
/** Toy Story, Star Wars, Jaws and others with sequels, remakes or many look-alikes. */
export const RECORDED_SIMILAR = [
  "tt0114709", "tt0076759", "tt0075148", "tt0087800", "tt0068646", "tt0099785", "tt0063442",
  "tt0073195", "tt1099212", "tt0133093", "tt0100802", "tt0055824", "tt0077402", "tt0082186",
];
export const RECORDED_RECOMMEND: { like: string[]; dislike: string[]; strategy: "average" | "best" }[] = [
  { like: ["Toy Story", "Finding Nemo"], dislike: ["Cars"], strategy: "average" },
  { like: ["Toy Story", "Finding Nemo"], dislike: ["Cars"], strategy: "best" },
  { like: ["Alien"], dislike: [], strategy: "average" },
  { like: ["Die Hard", "Speed"], dislike: ["Titanic (1997)"], strategy: "average" },
];
const K = 10;

/** The search options of each recorded column: hybrid was convex fusion at alpha 0.35 before #12. */
export const SEARCH_COLUMNS = {
  hybrid: { mode: "hybrid", fusion: "convex" },
  rrf: { mode: "hybrid", fusion: "rrf" },
  keyword: { mode: "keyword" },
  semantic: { mode: "semantic" },
  title: { mode: "title" },
} as const;
export const SIMILAR_METHODS = ["knn", "svm", "tfidf"] as const;

/** What the fixture holds. */
export interface RecordedRankings {
  description?: string;
  search: ({ query: string } & Record<keyof typeof SEARCH_COLUMNS, string[]>)[];
  similar: ({ movie: string } & Record<(typeof SIMILAR_METHODS)[number], string[]>)[];
  recommend: { like: string[]; dislike: string[]; strategy: string; results: string[] }[];
}

/** The recorded lists; `off` holds the options that switch #12's additions off (none for the old code). */
export async function record(plotline: Plotline, off: { prior?: number; series?: boolean }): Promise<RecordedRankings> {
  const ids = (r: { results: { id: string }[] }) => r.results.map((h) => h.id);
  const search: RecordedRankings["search"] = [];
  for (const query of RECORDED_QUERIES) {
    const row = { query } as RecordedRankings["search"][number];
    for (const [column, options] of Object.entries(SEARCH_COLUMNS) as [keyof typeof SEARCH_COLUMNS, (typeof SEARCH_COLUMNS)[keyof typeof SEARCH_COLUMNS]][]) {
      row[column] = ids(await plotline.search(query, { ...options, k: K, ...(off.prior !== undefined ? { prior: off.prior } : {}) }));
    }
    search.push(row);
  }
  const similar: RecordedRankings["similar"] = [];
  for (const movie of RECORDED_SIMILAR) {
    const row = { movie } as RecordedRankings["similar"][number];
    for (const method of SIMILAR_METHODS) row[method] = ids(await plotline.similar(movie, { method, k: K, ...off }));
    similar.push(row);
  }
  const recommend: RecordedRankings["recommend"] = [];
  for (const r of RECORDED_RECOMMEND) recommend.push({ ...r, results: ids(await plotline.recommend({ ...r, k: K, ...off })) });
  return { search, similar, recommend };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { db: { type: "string" }, out: { type: "string" }, before: { type: "boolean" } } });
  if (!values.db) throw new Error("--db: the glove TMDB collection to record from");
  const plotline = Plotline.open({ db: values.db, readonly: true });
  try {
    const rankings = await record(plotline, values.before ? {} : { prior: 0, series: false });
    const description = values.before
      ? "Rankings of the code before issue #12 (main 021b10c) on the glove TMDB collection, top 10 ids; hybrid is convex fusion at alpha 0.35. Recorded by scripts/record-rankings.ts --before (see its comment); test/search-prior.test.ts checks that the current code with the prior, learned fusion and series off gives exactly these."
      : "Rankings with the prior and series off (scripts/record-rankings.ts).";
    const json = JSON.stringify({ description, ...rankings });
    if (values.out) writeFileSync(values.out, `${json}\n`);
    else process.stdout.write(`${json}\n`);
  } finally {
    await plotline.close();
  }
}

if (process.argv[1] && /record-rankings\.[jt]s$/.test(process.argv[1])) await main();
