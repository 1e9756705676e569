/**
 * Keeps the k largest (score, id) pairs seen, as a binary min-heap: O(log k) per insert that
 * beats the current minimum, O(1) for the (usual) rest. Ties go to the smaller id so results
 * are deterministic across runs and index types.
 */
export class TopK {
  private readonly scores: Float64Array;
  private readonly ids: Int32Array;
  private size = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(Math.max(k, 1));
    this.ids = new Int32Array(Math.max(k, 1));
  }

  /** Entries held (at most k). */
  get length(): number {
    return this.size;
  }

  /** The score a candidate must beat to enter (−Infinity until full). */
  get threshold(): number {
    return this.size < this.k ? -Infinity : this.scores[0]!;
  }

  private less(i: number, j: number): boolean {
    const a = this.scores[i]!;
    const b = this.scores[j]!;
    return a < b || (a === b && this.ids[i]! > this.ids[j]!);
  }

  private swap(i: number, j: number): void {
    const s = this.scores[i]!;
    this.scores[i] = this.scores[j]!;
    this.scores[j] = s;
    const d = this.ids[i]!;
    this.ids[i] = this.ids[j]!;
    this.ids[j] = d;
  }

  push(id: number, score: number): void {
    if (this.k <= 0) return;
    if (this.size < this.k) {
      let i = this.size++;
      this.scores[i] = score;
      this.ids[i] = id;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.less(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      return;
    }
    const top = this.scores[0]!;
    if (score < top || (score === top && id > this.ids[0]!)) return;
    this.scores[0] = score;
    this.ids[0] = id;
    this.siftDown(0);
  }

  private siftDown(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && this.less(l, m)) m = l;
      if (r < this.size && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  /**
   * Results best first, taken out of the heap worst first (a heap sort: no comparator calls
   * on objects), so the heap is empty afterwards.
   */
  result(): { id: number; score: number }[] {
    const n = this.size;
    const out = new Array<{ id: number; score: number }>(n);
    for (let end = n - 1; end >= 0; end--) {
      out[end] = { id: this.ids[0]!, score: this.scores[0]! };
      this.size--;
      this.scores[0] = this.scores[this.size]!;
      this.ids[0] = this.ids[this.size]!;
      this.siftDown(0);
    }
    return out;
  }
}
