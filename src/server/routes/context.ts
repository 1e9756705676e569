import type { LivePlotline } from "../live.js";

/** What every route module gets. */
export interface RouteContext {
  /** The Plotline requests use; routes only call `use`. */
  live: Pick<LivePlotline, "use">;
  version: string;
}

/** Listings are sent as prepared JSON text (see `listingJson`), with this type. */
export const JSON_TYPE = "application/json; charset=utf-8";
