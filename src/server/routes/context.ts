import type { HeavyPool } from "../heavy.js";
import type { LivePlotline } from "../live.js";

/** What every route module gets. */
export interface RouteContext {
  /** The Plotline requests use; routes only call `use`. */
  live: Pick<LivePlotline, "use">;
  version: string;
  /** The collection's location, as worker threads open it. */
  db?: string;
  /** Where heavy requests run (`heavy.ts`); null runs them on the event loop (the API document, tests). */
  heavy?: HeavyPool | null;
}

/** Listings are sent as prepared JSON text (see `listingJson`), with this type. */
export const JSON_TYPE = "application/json; charset=utf-8";
