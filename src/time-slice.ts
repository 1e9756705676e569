import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * Longest stretch, in ms, that a long in-memory build (the title index, the ranking signals,
 * the recommendation context, a field scan's rows) runs before it lets the event loop answer
 * other requests: 20. A server rebuilds about a second of such work when the collection changes
 * (`server/live.ts`), on the thread that serves; in slices a request waits for one slice at
 * most, not for the whole build. The pause itself (a macrotask turn) costs microseconds.
 */
export const SLICE_MS = 20;

/** Items a sliced loop handles between two looks at the clock. */
const CHECK_EVERY = 256;

/**
 * A time budget for one long build: `pause()` gives the event loop a turn once `SLICE_MS` have
 * passed since the last one, and resolves at once otherwise. Loops call `tick()` per item, which
 * reads the clock only every `CHECK_EVERY` items.
 */
export class TimeSlice {
  private since = performance.now();
  private count = 0;

  /** Whether this slice is used up. */
  due(): boolean {
    return performance.now() - this.since >= SLICE_MS;
  }

  /** A turn of the event loop when the slice is used up. */
  async pause(): Promise<void> {
    if (!this.due()) return;
    await nextTurn();
    this.since = performance.now();
  }

  /** For loops: true every `CHECK_EVERY` calls when the slice is used up (then `await pause()`). */
  tick(): boolean {
    if (++this.count < CHECK_EVERY) return false;
    this.count = 0;
    return this.due();
  }
}

/** `items.map(fn)` in slices of `SLICE_MS` (see `TimeSlice`). */
export async function mapSliced<T, U>(items: readonly T[], fn: (item: T, index: number) => U): Promise<U[]> {
  const slice = new TimeSlice();
  const out = new Array<U>(items.length);
  for (let i = 0; i < items.length; i++) {
    out[i] = fn(items[i]!, i);
    if (slice.tick()) await slice.pause();
  }
  return out;
}

/** A turn of the event loop, always: between the steps of a long warm-up. */
export const yieldTurn = (): Promise<void> => nextTurn();
