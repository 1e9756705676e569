import type { Backend } from "../backends.js";
import { sqliteDamage } from "./damage.js";
import { SqliteStore } from "./store.js";

/** `--db plotline.db`: every location that is not a URL is an SQLite file. */
export const sqliteBackend: Backend = {
  name: "sqlite",
  schemes: [],
  example: "a file path (plotline.db)",
  open: (location, options) => SqliteStore.open(location, options),
  display: (location) => location,
  damage: (err, location) => sqliteDamage(err, location),
};
