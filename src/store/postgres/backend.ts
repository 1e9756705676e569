import type { Backend } from "../backends.js";
import { redactUrl } from "./options.js";
import { PostgresStore } from "./store.js";

/** `--db postgres://user:password@host:5432/db?pool=8` (or `postgresql://`): see `PostgresOptions` for the parameters. */
export const postgresBackend: Backend = {
  name: "postgres",
  schemes: ["postgres", "postgresql"],
  example: "postgres://user@host:5432/db",
  open: (location, options) => PostgresStore.open(location, options),
  display: redactUrl,
};
