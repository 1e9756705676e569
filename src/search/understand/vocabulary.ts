/** Words several rule families read: nouns for films, genre words, decades as words. */

export const MOVIE_NOUNS: ReadonlySet<string> = new Set(["movie", "movies", "film", "films", "flick", "flicks", "picture", "pictures", "cinema"]);

/** Genre words: the TMDB genres each names, and whether the word alone is enough. */
export const GENRE_WORDS: ReadonlyMap<string, { genres: string[]; strong: boolean }> = new Map(
  (
    [
      [["sci-fi", "scifi"], ["Science Fiction"], true],
      [["comedy", "comedies"], ["Comedy"], true],
      [["horror", "horrors", "slasher", "slashers"], ["Horror"], true],
      [["animated", "animation", "cartoon", "cartoons", "anime"], ["Animation"], true],
      [["documentary", "documentaries", "docs"], ["Documentary"], true],
      [["thriller", "thrillers"], ["Thriller"], true],
      [["western", "westerns"], ["Western"], true],
      [["rom-com", "rom-coms", "romcom", "romcoms"], ["Romance", "Comedy"], true],
      [["musical", "musicals"], ["Music"], true],
      [["dramas"], ["Drama"], true],
      [["mysteries", "whodunit", "whodunnit"], ["Mystery"], true],
      [["romances"], ["Romance"], true],
      [["adventures"], ["Adventure"], true],
      [["action"], ["Action"], false],
      [["adventure"], ["Adventure"], false],
      [["crime"], ["Crime"], false],
      [["drama"], ["Drama"], false],
      [["family", "kids", "children's"], ["Family"], false],
      [["fantasy"], ["Fantasy"], false],
      [["history", "historical"], ["History"], false],
      [["music"], ["Music"], false],
      [["mystery"], ["Mystery"], false],
      [["romance", "romantic", "love"], ["Romance"], false],
      [["war"], ["War"], false],
      [["foreign"], ["Foreign"], false],
    ] as [string[], string[], boolean][]
  ).flatMap(([ws, genres, strong]) => ws.map((w) => [w, { genres, strong }] as const)),
);
