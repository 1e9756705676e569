import type { Backend } from "../backends.js";
import { SqliteStore } from "./store.js";

/** Any location that is not a URL: an SQLite file (`./plotline.db`). */
export const sqliteBackend: Backend = {
  name: "sqlite",
  schemes: [],
  example: "./plotline.db",
  open: (location, options) => SqliteStore.open(location, options),
  display: (location) => location,
};
