/**
 * Maximal marginal relevance (Carbonell & Goldstein, SIGIR 1998): picks `k` of the candidates one
 * at a time, each maximising `lambda * relevance - (1 - lambda) * max similarity to those already
 * picked`. `lambda` 1 keeps the relevance order; lower values trade relevance for variety, so a
 * list is not the same franchise seven times. Relevance and similarity should be on one scale
 * (cosines); ties go to the earlier candidate. Returns the picked indexes into `relevance`, in
 * order, with each one's highest similarity to an earlier pick (0 for the first).
 */
export function mmr(relevance: ArrayLike<number>, k: number, lambda: number, similarity: (a: number, b: number) => number): { order: number[]; redundancy: number[] } {
  const n = relevance.length;
  const picked = new Uint8Array(n);
  // Highest similarity of each candidate to the picks so far, updated once per pick.
  const maxSim = new Float64Array(n).fill(-Infinity);
  const order: number[] = [];
  const redundancy: number[] = [];
  for (let round = 0; round < Math.min(k, n); round++) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i++) {
      if (picked[i]) continue;
      const value = round === 0 ? relevance[i]! : lambda * relevance[i]! - (1 - lambda) * maxSim[i]!;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    picked[best] = 1;
    order.push(best);
    redundancy.push(round === 0 ? 0 : maxSim[best]!);
    for (let i = 0; i < n; i++) {
      if (picked[i]) continue;
      const s = similarity(best, i);
      if (s > maxSim[i]!) maxSim[i] = s;
    }
  }
  return { order, redundancy };
}
