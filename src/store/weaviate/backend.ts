import type { Backend } from "../backends.js";
import { WeaviateStore } from "./store.js";

/** `--db weaviate://host:8080/Movies` (`weaviates://` for TLS; key from `WEAVIATE_API_KEY`): see `parseWeaviateUrl`. */
export const weaviateBackend: Backend = {
  name: "weaviate",
  schemes: ["weaviate", "weaviates"],
  example: "weaviate://host:8080/Movies",
  open: (location, options) => WeaviateStore.open(location, options),
  // The key is never in the URL (parseWeaviateUrl refuses one), so the location shows as given.
  display: (location) => location,
};
