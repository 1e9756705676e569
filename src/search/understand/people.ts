import type { KnownPerson, QueryState } from "./query.js";
import { MOVIE_NOUNS } from "./vocabulary.js";

/** Longest name looked up, in words. */
const MAX_NAME_WORDS = 4;

/** The longest known name (up to 4 words) starting at token i, among free tokens. */
function nameAt(q: QueryState, i: number): { end: number; person: KnownPerson } | null {
  for (let j = Math.min(q.tokens.length, i + MAX_NAME_WORDS); j > i; j--) {
    if (!q.free(i, j)) continue;
    const person = q.ctx.person(q.keyParts.slice(i, j).filter(Boolean).join(" "));
    if (person) return { end: j, person };
  }
  return null;
}

/** Names after a cue of `cueLen` tokens at `start`; "and" chains another name. */
function namesAfterCue(q: QueryState, start: number, cueLen: number, role: "cast" | "director"): void {
  const names: string[] = [];
  let end = start + cueLen;
  for (;;) {
    const found = nameAt(q, end);
    if (!found || (role === "cast" ? found.person.cast : found.person.directed) === 0) break;
    names.push(found.person.name);
    end = found.end;
    if (q.low[end] === "and" && nameAt(q, end + 1)) end++;
    else break;
  }
  if (!names.length) return;
  if (role === "cast") q.filters.cast = [...(q.filters.cast ?? []), ...names];
  else q.filters.directors = [...(q.filters.directors ?? []), ...names];
  q.take(start, end, `${role} ${names.join(", ")}`);
}

/**
 * People: `starring|featuring|with NAME`, `directed by|by|director NAME`, where NAME is a cast
 * member or director of the collection (longest known name wins); several joined by "and" are
 * all required.
 */
export function peopleRule(q: QueryState): void {
  const { tokens, low } = q;
  for (let i = 0; i < tokens.length; i++) {
    if (q.used[i]) continue;
    const w = low[i]!;
    if (["starring", "featuring", "with", "stars"].includes(w)) namesAfterCue(q, i, 1, "cast");
    else if (w === "directed" && low[i + 1] === "by") namesAfterCue(q, i, 2, "director");
    else if ((w === "by" || w === "director") && q.free(i, i + 1)) namesAfterCue(q, i, low[i + 1] === "director" ? 2 : 1, "director");
  }
}

/**
 * `NAME movies`: a known name (two words or more) right before a movie noun ("Tom Hanks movies",
 * "Christopher Nolan films"): a cast filter, or a director filter for someone who directed more
 * films than they acted in.
 */
export function personMoviesRule(q: QueryState): void {
  const { tokens, low } = q;
  for (let i = 0; i < tokens.length; i++) {
    if (!low.slice(i + 2, i + 5).some((x) => MOVIE_NOUNS.has(x))) continue;
    const found = nameAt(q, i);
    if (!found || found.end - i < 2 || !MOVIE_NOUNS.has(low[found.end] ?? "")) continue;
    const { person } = found;
    if (person.cast >= person.directed) q.filters.cast = [...(q.filters.cast ?? []), person.name];
    else q.filters.directors = [...(q.filters.directors ?? []), person.name];
    q.take(i, found.end, `${person.cast >= person.directed ? "cast" : "director"} ${person.name}`);
  }
}
