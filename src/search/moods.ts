import { fold } from "./text.js";
import { GENRE_WORDS } from "./understand/vocabulary.js";

/**
 * Mood words and the TMDB genres they ask for: "funny" is Comedy, "scary" is Horror. Query
 * understanding turns genre *names* into filters ("sci-fi comedies"); moods are softer, so they
 * are read in two places: in "like Alien but funny" (`intent.ts`) the mood is what the user
 * changes about the example and becomes a genre filter, shown as a chip; anywhere else the
 * ranking model's `genreMatch` feature rewards movies of the genres named, with a learned
 * weight, and the word is still searched as text. Genres the collection does not have are
 * ignored (see `softGenres`).
 */
export const MOOD_WORDS: ReadonlyMap<string, string[]> = new Map(
  (
    [
      [["funny", "funnier", "funniest", "hilarious", "comic", "comical", "comedic", "humorous", "goofy", "silly", "lighthearted", "light-hearted", "laughs", "zany", "witty", "parody", "spoof"], ["Comedy"]],
      [["scary", "scarier", "scariest", "creepy", "creepier", "spooky", "terrifying", "frightening", "horrifying", "gore", "gory", "bloody", "chilling", "eerie"], ["Horror"]],
      [["romantic", "romance", "love", "lovey"], ["Romance"]],
      [["sad", "sadder", "tearjerker", "tear-jerker", "heartbreaking", "heartwarming", "emotional", "moving", "touching", "serious", "dramatic"], ["Drama"]],
      [["thrilling", "suspenseful", "tense", "gripping", "nail-biting", "edgy"], ["Thriller"]],
      [["exciting", "action-packed", "explosive", "explosions", "fights", "fighting"], ["Action"]],
      [["magical", "magic", "enchanted", "fairytale", "fairy-tale", "mythical"], ["Fantasy"]],
      [["wholesome", "kid-friendly", "family-friendly", "kids", "children", "childrens", "children's"], ["Family"]],
      [["mysterious", "whodunit", "whodunnit", "puzzling"], ["Mystery"]],
      [["historical", "period"], ["History"]],
      [["futuristic", "space", "sci-fi", "scifi"], ["Science Fiction"]],
      [["epic", "adventurous", "quest"], ["Adventure"]],
      [["cartoon", "animated"], ["Animation"]],
      [["musical", "singing"], ["Music"]],
    ] as [string[], string[]][]
  ).flatMap(([ws, genres]) => ws.map((w) => [w, genres] as const)),
);

/** Genre words and mood words in a text, lower case (`"sci-fi"`, `"funny"`), in order. */
const WORD = /[\p{L}\p{N}\p{M}]+(?:['’-][\p{L}\p{N}\p{M}]+)*/gu;

/**
 * The genres that the genre and mood words of `text` name, restricted to the collection's own
 * genre names (matched case-insensitively and returned as the collection spells them).
 */
export function softGenres(text: string, collectionGenres: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(WORD)) {
    const w = fold(m[0]).replace(/’/g, "'");
    const genres = MOOD_WORDS.get(w) ?? GENRE_WORDS.get(w)?.genres;
    if (!genres) continue;
    for (const g of genres) {
      const own = collectionGenres.get(g.toLowerCase());
      if (own && !out.includes(own)) out.push(own);
    }
  }
  return out;
}

/** Whether a word (folded) is a mood or genre word. */
export function isMoodWord(word: string): boolean {
  return MOOD_WORDS.has(word) || GENRE_WORDS.has(word);
}
