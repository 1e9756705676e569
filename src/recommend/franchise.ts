import { porterStem } from "../search/porter.js";
import { STOP_WORDS } from "../search/text.js";

/**
 * Series and remakes from titles: a sequel, prequel or remake usually carries its original's
 * title ("Alien", "Aliens", "Alien: Resurrection", "Alien³"; "Toy Story 2"; "Halloween" 1978
 * and 2007), which an embedding of the plot does not see. TMDB's export has no collection
 * column, so the title is what the catalogue offers; a source with one could feed it here.
 *
 * A title's *main part* is what is left after cutting a subtitle (from the first `:`, ` - `,
 * ` – ` or `(`), a leading article, and trailing sequel markers (numbers, Roman numerals,
 * numbers spelled out, "Part 2", "Chapter III", a `3-D`), with words Porter-stemmed: "Alien: Resurrection",
 * "Aliens" and "Alien³" all have the main part `alien`, "Home Alone 2: Lost in New York" has
 * `home alon`, "The Godfather: Part II" `godfath`. Two movies are in one series when
 * - their main parts are equal (score 1): the usual sequel, remake and subtitled entry; or
 * - their titles open with the same two content words and at most `MAX_SHARED_OPENING` movies
 *   of the collection open so (score 0.5): "Harry Potter and the ..." and "Indiana Jones and
 *   the ..." have no colon; the cap keeps common openings ("New York ...") from counting much,
 *   and the half score says it is weaker evidence.
 * "Alien Nation" (main part `alien nation`) is not in Alien's series. Both also need a genre in
 * common (when both have genres): two unrelated films may share a title ("Frozen", the 2010
 * thriller and the 2013 cartoon), a sequel or remake keeps its genre.
 */

/** Most movies whose titles may share a two-word opening for it to count as a series. */
export const MAX_SHARED_OPENING = 12;

const ROMAN = /^(?:i{1,3}|iv|vi{0,3}|ix|x|xi{1,3})$/;
/**
 * Sequel numbers spelled out at a title's end, as some series count ("Ocean's Eleven", "Ocean's
 * Twelve", "Ocean's Thirteen", "Ocean's Eight"). Not "one", which ends many first films'
 * titles as a word of their own ("Air Force One", "Rogue One").
 */
const NUMBER_WORDS = new Set("two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split(" "));
const MARKER_WORDS = new Set(["part", "chapter", "episode", "vol", "volume"]);

function tokens(text: string): string[] {
  return text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase().replace(/&/g, " and ").match(/[\p{L}\p{N}]+/gu) ?? [];
}

function stem(w: string): string {
  return /^[a-z]+$/.test(w) ? porterStem(w) : w;
}

/** The words of a title's main part, stemmed (see the module comment); empty when nothing is left. */
export function mainPart(title: string): string[] {
  const head = title.split(/\s*(?::|\s[-–]\s|\()/u)[0] ?? title;
  // "Alien³" folds to "alien3": a number glued to a word is a sequel marker of its own.
  const words = tokens(head).flatMap((w) => {
    const m = /^([a-z]{2,})(\d+)$/.exec(w);
    return m ? [m[1]!, m[2]!] : [w];
  });
  if (words.length && ["the", "a", "an"].includes(words[0]!)) words.shift();
  const isMarker = (w: string) => /^\d+$/.test(w) || ROMAN.test(w) || NUMBER_WORDS.has(w) || w === "d";
  while (words.length > 1 && isMarker(words[words.length - 1]!)) {
    words.pop();
    while (words.length > 1 && MARKER_WORDS.has(words[words.length - 1]!)) words.pop();
  }
  return words.map(stem);
}

/** The first two content words of the whole title, stemmed, or null when it has fewer. */
export function opening(title: string): string | null {
  const words = tokens(title).filter((w) => !STOP_WORDS.has(w));
  return words.length >= 2 ? `${stem(words[0]!)} ${stem(words[1]!)}` : null;
}

/** Which movies of a collection share a series, by position. */
export class SeriesIndex {
  private readonly mainKey: readonly string[];
  private readonly openKey: (string | null)[];
  private readonly byMain = new Map<string, number[]>();
  private readonly byOpening = new Map<string, number[]>();

  constructor(
    titles: readonly string[],
    /** Genres by position (any case); empty lists pass the genre check. */
    private readonly genres: readonly (readonly string[])[] = [],
    /** `mainPart(title).join(" ")` by position, when the caller has it already (the ranking signals do). */
    mainKeys?: readonly string[],
  ) {
    this.mainKey = mainKeys ?? titles.map((t) => mainPart(t).join(" "));
    this.openKey = titles.map(opening);
    titles.forEach((_, p) => {
      const m = this.mainKey[p]!;
      if (m) push(this.byMain, m, p);
      const o = this.openKey[p];
      if (o) push(this.byOpening, o, p);
    });
    for (const [key, list] of this.byOpening) if (list.length > MAX_SHARED_OPENING) this.byOpening.delete(key);
  }

  /** 1: same main part; 0.5: same rare two-word opening; 0 otherwise (0 for a movie and itself too). */
  score(a: number, b: number): number {
    if (a === b || !this.shareGenre(a, b)) return 0;
    const m = this.mainKey[a]!;
    if (m && m === this.mainKey[b]) return 1;
    const o = this.openKey[a];
    return o && o === this.openKey[b] && this.byOpening.has(o) ? 0.5 : 0;
  }

  private shareGenre(a: number, b: number): boolean {
    const ga = this.genres[a];
    const gb = this.genres[b];
    if (!ga?.length || !gb?.length) return true;
    return ga.some((g) => gb.includes(g));
  }

  /** The other movies in the series of the movie at `p` (those `score` gives more than 0). */
  members(p: number): number[] {
    const out = new Set<number>(this.byMain.get(this.mainKey[p]!) ?? []);
    const o = this.openKey[p];
    if (o) for (const q of this.byOpening.get(o) ?? []) out.add(q);
    out.delete(p);
    return [...out].filter((q) => this.score(p, q) > 0);
  }

  /**
   * `members(p)` with their `score(p, q)`; every other movie scores 0 against `p`. A blend looks
   * its candidates up here instead of comparing titles and genres for each of them.
   */
  scores(p: number): Map<number, number> {
    return new Map(this.members(p).map((q) => [q, this.score(p, q)]));
  }
}

function push(map: Map<string, number[]>, key: string, p: number): void {
  const list = map.get(key);
  if (list) list.push(p);
  else map.set(key, [p]);
}
