import type { Backend } from "../backends.js";
import { parseQdrantLocation } from "./location.js";
import { QdrantStore } from "./store.js";

/** `--db qdrant://host:6333/collection` (`qdrants://` or `?https=1` for HTTPS; `QDRANT_API_KEY`): see `QdrantLocation` for the parameters. */
export const qdrantBackend: Backend = {
  name: "qdrant",
  schemes: ["qdrant", "qdrants"],
  example: "qdrant://host:6333/collection",
  open: (location, options) => QdrantStore.open(location, options),
  // The display form never carries a key (a password in the URL is read as the API key).
  display: (location) => parseQdrantLocation(location, {}).display,
};
