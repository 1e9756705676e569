import type { Embedder } from "../embed/embedder.js";
import { Plotline } from "../plotline.js";

export interface LiveOptions {
  db: string;
  /** How often, at most, the collection's `updated_at` is read, in ms (default 1,000). */
  checkEveryMs?: number;
  /** Builds whatever a Plotline builds lazily, so the first request after a swap is not slow. */
  warm?: (plotline: Plotline) => Promise<void>;
  onNotice?: (message: string) => void;
}

interface Generation {
  plotline: Plotline;
  /** The manifest's `updated_at` this generation was built from. */
  stamp: string | null;
  /** Requests using it right now; a retired generation closes when this reaches 0. */
  active: number;
  retired: boolean;
  /** False when the embedder is shared with the next generation and must stay open. */
  ownsEmbedder: boolean;
}

/**
 * A read-only Plotline that follows the collection file while another process ingests into it.
 * SQLite (WAL) lets this process read while a writer commits; what goes stale is the in-memory
 * state Plotline derives from the file (the vector index, fitted embedder state). So at most
 * once a second, on a request, the manifest's `updated_at` is compared with the one the current
 * Plotline was opened at; on a change a new Plotline is opened and warmed in the background and
 * swapped in when ready, while requests keep being served by the old one, which closes once its
 * last request finishes.
 */
export class LivePlotline {
  private current: Generation;
  private lastCheck = 0;
  private reopening: Promise<void> | null = null;
  private closed = false;

  private constructor(
    first: Plotline,
    private readonly options: LiveOptions,
  ) {
    this.current = { plotline: first, stamp: stampOf(first), active: 0, retired: false, ownsEmbedder: true };
    this.lastCheck = Date.now();
  }

  static async open(options: LiveOptions): Promise<LivePlotline> {
    const first = Plotline.open({ db: options.db, readonly: true, onNotice: options.onNotice });
    try {
      await options.warm?.(first);
    } catch (err) {
      await first.close();
      throw err;
    }
    return new LivePlotline(first, options);
  }

  /** The Plotline requests use now (no refresh check). */
  get plotline(): Plotline {
    return this.current.plotline;
  }

  /** Runs `fn` with the current Plotline, keeping it open until `fn` settles. */
  async use<T>(fn: (plotline: Plotline) => T | Promise<T>): Promise<T> {
    this.maybeRefresh();
    const gen = this.current;
    gen.active++;
    try {
      return await fn(gen.plotline);
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
    let stamp: string | null;
    try {
      stamp = stampOf(this.current.plotline);
    } catch {
      return; // the file is mid-migration or locked; look again next time
    }
    if (stamp === this.current.stamp) return;
    this.reopening = this.reopen().finally(() => (this.reopening = null));
  }

  private async reopen(): Promise<void> {
    const old = this.current;
    let embedder: Embedder | undefined;
    let next: Plotline | undefined;
    try {
      // The embedder (model weights) is the costly part to load and does not depend on the
      // collection's contents; keep it unless the collection now names another one.
      const probe = Plotline.open({ db: this.options.db, readonly: true, onNotice: this.options.onNotice });
      const wanted = probe.info().embedder;
      const have = await old.plotline.queryEmbedder().catch(() => undefined);
      probe.collection.close();
      embedder = have && have.id === wanted ? have : undefined;
      next = Plotline.open({ db: this.options.db, readonly: true, embedder, onNotice: this.options.onNotice });
      const stamp = stampOf(next);
      await this.options.warm?.(next);
      if (this.closed) {
        if (embedder) next.collection.close();
        else await next.close();
        return;
      }
      old.ownsEmbedder = embedder === undefined;
      this.current = { plotline: next, stamp, active: 0, retired: false, ownsEmbedder: true };
      old.retired = true;
      if (old.active === 0) await this.dispose(old);
      this.options.onNotice?.(`collection changed (updated ${stamp ?? "-"}); now serving ${next.info().count} movies`);
    } catch (err) {
      // Keep serving the old state; the next check (a second later) tries again.
      if (next) {
        if (embedder) next.collection.close();
        else await next.close().catch(() => undefined);
      }
      this.options.onNotice?.(`collection changed but could not be reloaded yet: ${(err as Error).message}`);
    }
  }

  private async dispose(gen: Generation): Promise<void> {
    if (gen.ownsEmbedder) await gen.plotline.close();
    else gen.plotline.collection.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    this.current.retired = true;
    if (this.current.active === 0) await this.dispose(this.current);
  }
}

function stampOf(plotline: Plotline): string | null {
  return plotline.collection.manifest()?.updatedAt ?? null;
}
