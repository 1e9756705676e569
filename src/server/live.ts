import type { Embedder } from "../embed/embedder.js";
import { embedderForId } from "../embed/registry.js";
import { Plotline } from "../plotline.js";

export interface LiveOptions {
  db: string;
  /** How often, at most, the collection's freshness token is read, in ms (default 1,000). */
  checkEveryMs?: number;
  /** Builds whatever a Plotline builds lazily, so the first request after a swap is not slow. */
  warm?: (plotline: Plotline) => Promise<void>;
  onNotice?: (message: string) => void;
}

interface Generation {
  plotline: Plotline;
  /** The store's freshness token this generation was built from. */
  stamp: string;
  /** Requests using it right now; a retired generation closes when this reaches 0. */
  active: number;
  retired: boolean;
}

/**
 * A read-only Plotline that follows the collection while another process writes to it (an
 * ingest, a removal). The store lets this process read while a writer commits; what goes stale
 * is the in-memory state derived from it (the vector index, fitted embedder state, the engine's
 * indexes). So at most once a second, on a request, the store's freshness token is compared
 * with the one the current Plotline was opened at; on a change a new Plotline is opened and
 * warmed in the background and swapped in when ready, while requests keep being served by the
 * old one, which closes once its last request finishes. The embedder (model weights) is loaded
 * once and lent to every generation; the server closes it last.
 */
export class LivePlotline {
  private current!: Generation;
  private lastCheck = 0;
  private reopening: Promise<void> | null = null;
  private closed = false;
  /** Embedders lent to every generation, by id: loaded once, closed with the server. */
  private readonly embedders = new Map<string, Embedder>();

  private constructor(private readonly options: LiveOptions) {}

  static async open(options: LiveOptions): Promise<LivePlotline> {
    const live = new LivePlotline(options);
    try {
      live.current = await live.openGeneration();
    } catch (err) {
      for (const e of live.embedders.values()) await e.close();
      throw err;
    }
    live.lastCheck = Date.now();
    return live;
  }

  /**
   * Opens and warms a Plotline over the collection as it is now. The embedder (model weights)
   * is the costly part to load and does not depend on the collection's contents: one per
   * embedder id is kept and lent to every generation.
   */
  private async openGeneration(): Promise<Generation> {
    const { db, onNotice } = this.options;
    let plotline = Plotline.open({ db, readonly: true, onNotice });
    try {
      const embedderId = (await plotline.store.manifest())?.embedderId;
      if (embedderId) {
        let embedder = this.embedders.get(embedderId);
        if (!embedder) this.embedders.set(embedderId, (embedder = await embedderForId(embedderId, { onNotice })));
        await plotline.close();
        plotline = Plotline.open({ db, readonly: true, embedder, onNotice });
      }
      const stamp = await plotline.store.freshness();
      await this.options.warm?.(plotline);
      return { plotline, stamp, active: 0, retired: false };
    } catch (err) {
      await plotline.close().catch(() => undefined);
      throw err;
    }
  }

  /** The Plotline requests use now (no refresh check). */
  get plotline(): Plotline {
    return this.current.plotline;
  }

  /**
   * Runs `fn` with the current Plotline, keeping it open until `fn` settles; `stamp` is the
   * freshness token it was opened at (worker threads open their own copy at the same one).
   */
  async use<T>(fn: (plotline: Plotline, stamp: string) => T | Promise<T>): Promise<T> {
    this.maybeRefresh();
    const gen = this.current;
    gen.active++;
    try {
      return await fn(gen.plotline, gen.stamp);
    } finally {
      gen.active--;
      if (gen.retired && gen.active === 0) void this.dispose(gen);
    }
  }

  /** Resolves when a reopen started by a change has finished (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.reopening) await this.reopening;
  }

  /** Checks for a change now, ignoring the once-a-second limit, and waits for the swap. */
  async refreshNow(): Promise<void> {
    this.lastCheck = 0;
    this.maybeRefresh();
    await this.settled();
  }

  private maybeRefresh(): void {
    const now = Date.now();
    if (this.closed || this.reopening || now - this.lastCheck < (this.options.checkEveryMs ?? 1000)) return;
    this.lastCheck = now;
    this.reopening = this.check().finally(() => (this.reopening = null));
  }

  /** Reopens when the collection's freshness token moved since the current generation was opened. */
  private async check(): Promise<void> {
    let stamp: string;
    try {
      stamp = await this.current.plotline.store.freshness();
    } catch {
      return; // the store is mid-migration or locked; look again next time
    }
    if (stamp !== this.current.stamp) await this.reopen();
  }

  private async reopen(): Promise<void> {
    const old = this.current;
    try {
      const next = await this.openGeneration();
      if (this.closed) {
        await next.plotline.close();
        return;
      }
      this.current = next;
      old.retired = true;
      if (old.active === 0) await this.dispose(old);
      this.options.onNotice?.(`collection changed; now serving ${(await next.plotline.info()).count} movies`);
    } catch (err) {
      // Keep serving the old state; the next check (a second later) tries again.
      this.options.onNotice?.(`collection changed but could not be reloaded yet: ${(err as Error).message}`);
    }
  }

  private async dispose(gen: Generation): Promise<void> {
    // A Plotline closes only the embedder it loaded itself; lent ones stay open for the next generation.
    await gen.plotline.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    this.current.retired = true;
    if (this.current.active === 0) await this.dispose(this.current);
    for (const e of this.embedders.values()) await e.close();
    this.embedders.clear();
  }
}
