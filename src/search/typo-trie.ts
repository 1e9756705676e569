/**
 * Typos allowed in a word of this many characters, as Meilisearch does: none below 5 letters,
 * 1 from 5, 2 from 9 (Damerau-Levenshtein: a swap of two neighbours is one typo).
 */
export function typoBudget(length: number): number {
  return length >= 9 ? 2 : length >= 5 ? 1 : 0;
}

/** How a query word reached a vocabulary word. */
export interface WordHit {
  typos: number;
  /** The query word matched only the start of the word. */
  prefix: boolean;
}

export function betterHit(a: WordHit, b: WordHit): boolean {
  return a.typos < b.typos || (a.typos === b.typos && !a.prefix && b.prefix);
}

/**
 * A vocabulary in a trie, searched with a bounded Damerau-Levenshtein (optimal string
 * alignment) row per node: a branch is left as soon as no word below it can come within the
 * typo budget, so a lookup visits a few hundred nodes of a 50k-word vocabulary instead of
 * comparing against every word. Stored as flat arrays (first child, next sibling, character,
 * word id) to keep a large vocabulary compact. Written by hand: no installed package does
 * bounded-typo and prefix lookup (MiniSearch's radix tree would, but is not a dependency).
 */
export class TypoTrie {
  private firstChild: Int32Array;
  private nextSibling: Int32Array;
  private char: Int32Array;
  private wordAt: Int32Array;
  private readonly maxDepth: number;

  /** `words[i]` gets id i. */
  constructor(words: readonly string[]) {
    let cap = 1024;
    let first = new Int32Array(cap).fill(-1);
    let next = new Int32Array(cap).fill(-1);
    let chars = new Int32Array(cap);
    let word = new Int32Array(cap).fill(-1);
    let size = 1; // node 0 is the root
    let depth = 0;
    const grow = () => {
      cap *= 2;
      const g = (a: Int32Array, fill: number) => {
        const b = new Int32Array(cap).fill(fill);
        b.set(a);
        return b;
      };
      first = g(first, -1);
      next = g(next, -1);
      chars = g(chars, 0);
      word = g(word, -1);
    };
    words.forEach((w, id) => {
      let node = 0;
      const cps = [...w].map((c) => c.codePointAt(0)!);
      depth = Math.max(depth, cps.length);
      for (const c of cps) {
        let child = first[node]!;
        while (child >= 0 && chars[child] !== c) child = next[child]!;
        if (child < 0) {
          if (size >= cap) grow();
          child = size++;
          chars[child] = c;
          next[child] = first[node]!;
          first[node] = child;
        }
        node = child;
      }
      word[node] = id;
    });
    this.firstChild = first.subarray(0, size);
    this.nextSibling = next.subarray(0, size);
    this.char = chars.subarray(0, size);
    this.wordAt = word.subarray(0, size);
    this.maxDepth = depth;
  }

  /**
   * Calls `visit` for every word within `maxTypos` of `query`, and with `prefix`, every word that
   * starts within `maxTypos` of it. With `sameFirst`, only words starting with the query's first
   * character are considered (a twentieth of the work; most spellers assume the first letter right).
   */
  lookup(query: string, maxTypos: number, prefix: boolean, visit: (word: number, hit: WordHit) => void, sameFirst = false): void {
    const q = [...query].map((c) => c.codePointAt(0)!);
    const n = q.length;
    if (n === 0) return;
    const { firstChild, nextSibling, char, wordAt } = this;
    const depthLimit = Math.min(this.maxDepth, n + maxTypos) + 1;
    const rows: Int32Array[] = Array.from({ length: depthLimit + 1 }, () => new Int32Array(n + 1));
    const path = new Int32Array(depthLimit + 1);
    for (let i = 0; i <= n; i++) rows[0]![i] = i;
    const subtree = (node: number, typos: number) => {
      if (wordAt[node]! >= 0) visit(wordAt[node]!, { typos, prefix: true });
      for (let c = firstChild[node]!; c >= 0; c = nextSibling[c]!) subtree(c, typos);
    };
    const walk = (node: number, depth: number) => {
      const ch = char[node]!;
      path[depth] = ch;
      const prev = rows[depth - 1]!;
      const row = rows[depth]!;
      const prevPrev = depth >= 2 ? rows[depth - 2]! : null;
      const prevCh = depth >= 2 ? path[depth - 1]! : -1;
      row[0] = depth;
      let best = depth;
      for (let i = 1; i <= n; i++) {
        let v = prev[i - 1]! + (q[i - 1] === ch ? 0 : 1);
        if (row[i - 1]! + 1 < v) v = row[i - 1]! + 1;
        if (prev[i]! + 1 < v) v = prev[i]! + 1;
        if (prevPrev && i > 1 && q[i - 1] === prevCh && q[i - 2] === ch && prevPrev[i - 2]! + 1 < v) v = prevPrev[i - 2]! + 1;
        row[i] = v;
        if (v < best) best = v;
      }
      const d = row[n]!;
      if (d <= maxTypos) {
        if (wordAt[node]! >= 0) visit(wordAt[node]!, { typos: d, prefix: false });
        // Every word below starts with something within budget of the query.
        if (prefix) {
          for (let c = firstChild[node]!; c >= 0; c = nextSibling[c]!) subtree(c, d);
          // Nothing deeper can beat an exact prefix.
          if (d === 0) return;
        }
      }
      if (best > maxTypos || depth >= depthLimit) return;
      for (let c = firstChild[node]!; c >= 0; c = nextSibling[c]!) walk(c, depth + 1);
    };
    for (let c = firstChild[0]!; c >= 0; c = nextSibling[c]!) if (!sameFirst || char[c] === q[0]) walk(c, 1);
  }

  /** Best hit per word id (fewest typos, then whole word over prefix). */
  hits(query: string, maxTypos: number, prefix: boolean, sameFirst = false): Map<number, WordHit> {
    const out = new Map<number, WordHit>();
    this.lookup(
      query,
      maxTypos,
      prefix,
      (id, hit) => {
        const cur = out.get(id);
        if (!cur || betterHit(hit, cur)) out.set(id, hit);
      },
      sameFirst,
    );
    return out;
  }
}
