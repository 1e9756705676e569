import type { Filters } from "../store/filters.js";
import type { ExtractedPhrase } from "./types.js";
import { genresRule } from "./understand/genres.js";
import { leftoverText } from "./understand/leftover.js";
import { examplesRule } from "./understand/examples.js";
import { likeRule } from "./understand/like.js";
import { QueryState, type NamedMovie, type UnderstandContext } from "./understand/query.js";
import { ratingsRule } from "./understand/ratings.js";
import { runtimeRule } from "./understand/runtime.js";
import { personMoviesRule, peopleRule } from "./understand/people.js";
import { yearsRule } from "./understand/years.js";

export { personKey, QueryState, type UnderstandContext } from "./understand/query.js";

/**
 * Query understanding: plain phrases in a query become filters, shown back to the user (and
 * removable: `parse: false` / `--no-parse` turns this off). Rule-based, so it is predictable and
 * cheap. What the rules take out of the query is searched as filters; what is left is searched
 * as text. One rule family per file in `understand/`, each documenting its phrases, run in the
 * order of `RULES`:
 *
 * - more like this (`like.ts`): `movies like Alien`, `something similar to The Matrix`;
 * - examples and what the query changes about them (`examples.ts`): `Alien meets Toy Story`,
 *   `like Alien but funny`, `Home Alone but in New York`, `like The Thing without the horror`;
 * - people (`people.ts`): `starring|featuring|with NAME`, `directed by|by|director NAME`, then
 *   `NAME movies`;
 * - years (`years.ts`): decades, `in|from|after|since|before|until 1995`, ranges;
 * - ratings (`ratings.ts`): `highly rated`, `top rated`, `acclaimed`, `rated above 8`;
 * - runtime (`runtime.ts`): `under 90 minutes`, `over 2 hours`;
 * - genres (`genres.ts`): words that name a TMDB genre, alone or in runs.
 *
 * Once something was taken out, filler left at either end is dropped (`leftover.ts`): "90s sci-fi
 * about time travel" searches "time travel".
 */

/** What a rule family does: reads the free tokens of the query and takes the ones it understands. */
export type Rule = (q: QueryState) => void;

/**
 * The rule families in the order they run; an earlier one's phrases are never read by a later
 * one. "Like" comes first (a title may hold words the others would take), then people (a name
 * may hold a genre word or a year).
 */
export const RULES: readonly Rule[] = [likeRule, examplesRule, peopleRule, personMoviesRule, yearsRule, ratingsRule, runtimeRule, genresRule];

export interface Understood {
  text: string;
  filters: Filters;
  like?: NamedMovie;
  /** Every film to be like (the first is `like`) and every film to be unlike, when the query names several or any to avoid. */
  likes?: NamedMovie[];
  dislikes?: NamedMovie[];
  extracted: ExtractedPhrase[];
}

/** Applies the rules to a query; see the module comment for the rules. */
export function understand(query: string, ctx: UnderstandContext): Understood {
  const q = new QueryState(query, ctx);
  for (const rule of RULES) rule(q);
  const { filters } = q;
  if (q.extracted.length === 0) return { text: query, filters, extracted: q.extracted };
  const extracted = q.extractedInOrder();
  const examples = q.likes.length > 1 || q.dislikes.length ? { likes: q.likes, dislikes: q.dislikes } : {};
  return { text: leftoverText(q), filters, like: q.like, ...examples, extracted };
}
