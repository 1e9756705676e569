/**
 * The import rules of `.dependency-cruiser.mjs`: no file outside `src/store/` imports the SQLite
 * driver (or any database client, in src/), and data flows one way through the modules. Checked
 * over the TypeScript sources with dependency-cruiser, and shown to catch a breach on a small
 * tree made for the purpose.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { tempDir } from "./helpers/collections.js";
import { ROOT } from "./helpers/paths.js";

const CONFIG = join(ROOT, ".dependency-cruiser.mjs");

async function violations(baseDir: string, paths: string[]): Promise<{ rule: string; from: string; to: string }[]> {
  const options = await extractDepcruiseOptions(CONFIG);
  const tsConfig = extractTSConfig(join(ROOT, "tsconfig.json"));
  const { output } = await cruise(paths, { ...options, baseDir, validate: true }, undefined, { tsConfig });
  const result = output as ICruiseResult;
  assert.ok(result.summary.totalCruised > 0, "something was cruised");
  return result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

test("no file outside src/store/ imports the SQLite driver, and modules import only to their left", async () => {
  const found = await violations(ROOT, ["src", "test", "bench", "web/src"]);
  assert.deepEqual(found, [], found.map((v) => `${v.rule}: ${v.from} -> ${v.to}`).join("\n"));
});

test("the rules catch a breach: the driver outside the store, a catalog module leaning right, the web app importing the engine", async () => {
  const dir = tempDir("plotline-import-rules-");
  const file = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  file("src/store/sqlite/collection.ts", 'import Database from "better-sqlite3";\nexport const open = (p: string) => new Database(p);\n');
  file("src/search/speaks-sql.ts", 'import Database from "better-sqlite3";\nexport const db = new Database(":memory:");\n');
  file("src/search/engine.ts", 'import { open } from "../store/sqlite/collection.js";\nexport const db = open(":memory:");\n');
  file("src/catalog/leans-right.ts", 'import { db } from "../search/engine.js";\nexport const x = db;\n');
  file("web/src/main.ts", 'import { x } from "../../src/catalog/leans-right.js";\nexport const y = x;\n');
  const found = await violations(dir, ["src", "web/src"]);
  assert.deepEqual(
    found.map((v) => `${v.rule}: ${v.from}`).sort(),
    ["catalog-is-leftmost: src/catalog/leans-right.ts", "sqlite-driver-only-in-store: src/search/speaks-sql.ts", "web-talks-to-the-api-only: web/src/main.ts"],
  );
});
