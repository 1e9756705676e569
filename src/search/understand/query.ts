import type { Filters } from "../../store/filters.js";
import { fold } from "../text.js";
import type { ExtractedPhrase } from "../types.js";

/** What the collection knows, for rules that need it. */
export interface UnderstandContext {
  /** A person by folded name (`jim carrey`): display name and film counts, or null. */
  person(key: string): { name: string; cast: number; directed: number } | null;
  /** The movie a phrase names (title match, typos allowed), or null. */
  title(phrase: string): { id: string; title: string; year: number | null } | null;
}

/** A movie a query names ("movies like Alien"). */
export type NamedMovie = NonNullable<ReturnType<UnderstandContext["title"]>>;

/** A person the collection knows. */
export type KnownPerson = NonNullable<ReturnType<UnderstandContext["person"]>>;

interface Token {
  text: string;
  /** Folded, for matching. */
  low: string;
  start: number;
  end: number;
}

/** Words with inner apostrophes and hyphens kept (`sci-fi`, `90's`, `1990-1995`). */
const TOKEN = /[\p{L}\p{N}\p{M}]+(?:['’\-.][\p{L}\p{N}\p{M}]+)*/gu;

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) out.push({ text: m[0], low: fold(m[0]).replace(/’/g, "'"), start: m.index, end: m.index + m[0].length });
  return out;
}

/** Key of a person's name: folded words joined by spaces (`J.J. Abrams` → `j j abrams`). */
export function personKey(name: string): string {
  return (fold(name).match(/[\p{L}\p{N}]+/gu) ?? []).join(" ");
}

/**
 * A query being understood: its tokens, which of them a rule has taken, and what the rules
 * made of them. Each rule family (one file beside this one) reads the tokens left free and
 * `take`s the ones it turns into a filter or an intent, so a later rule never reads them again.
 */
export class QueryState {
  readonly tokens: Token[];
  /** Each token folded, for matching. */
  readonly low: string[];
  /** Each token as a `personKey`, for name lookups. */
  readonly keyParts: string[];
  /** Tokens a rule has taken. */
  readonly used: boolean[];
  readonly filters: Filters = {};
  readonly extracted: ExtractedPhrase[] = [];
  like: NamedMovie | undefined;
  /** Every film named as an example to be like (`like` is the first), and those to be unlike (`examples.ts`). */
  likes: NamedMovie[] = [];
  dislikes: NamedMovie[] = [];
  /** Where each extracted phrase starts in the query, to list them in query order. */
  private readonly starts = new Map<ExtractedPhrase, number>();

  constructor(
    readonly query: string,
    readonly ctx: UnderstandContext,
  ) {
    this.tokens = tokenize(query);
    this.low = this.tokens.map((t) => t.low);
    this.keyParts = this.tokens.map((t) => personKey(t.text));
    this.used = new Array<boolean>(this.tokens.length).fill(false);
  }

  /** Tokens i..j-1 exist and no rule has taken any of them. */
  free(i: number, j: number): boolean {
    return i >= 0 && j <= this.tokens.length && this.used.slice(i, j).every((u) => !u);
  }

  /** Marks tokens i..j-1 taken, recording the phrase they spell and what it became. */
  take(i: number, j: number, as: string): void {
    for (let x = i; x < j; x++) this.used[x] = true;
    const phrase: ExtractedPhrase = { phrase: this.query.slice(this.tokens[i]!.start, this.tokens[j - 1]!.end), as };
    this.extracted.push(phrase);
    this.starts.set(phrase, this.tokens[i]!.start);
  }

  /** The extracted phrases in the order they appear in the query. */
  extractedInOrder(): ExtractedPhrase[] {
    return this.extracted.sort((a, b) => this.starts.get(a)! - this.starts.get(b)!);
  }
}
