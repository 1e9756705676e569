/**
 * The field weights keyword search uses. Defined beside `FieldWeights` in the store, since
 * backends that bake weights into their index (Qdrant's sparse vectors) write with them.
 */
export { DEFAULT_FIELD_WEIGHTS } from "../store/store.js";
