import type { Backend } from "../backends.js";
import { PineconeStore } from "./store.js";

/** `--db pinecone://INDEX[/namespace]` (key from `PINECONE_API_KEY`): see `parsePineconeUrl`. */
export const pineconeBackend: Backend = {
  name: "pinecone",
  schemes: ["pinecone"],
  example: "pinecone://INDEX[/namespace]",
  open: (location, options) => PineconeStore.open(location, options),
  // The key is never in the URL (parsePineconeUrl refuses one), so the location shows as given.
  display: (location) => location,
};
