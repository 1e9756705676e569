/** True when a vector is all zeros (GloVe: the query had no known word). */
export function isZero(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}
