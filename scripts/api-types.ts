/**
 * `npm run api-types`: writes the web client's API types (`web/src/api-schema.ts`) from the
 * OpenAPI document the server serves, so the web app's parameters and responses are those of
 * the one option schema (`src/options/`). `test/options.test.ts` fails when the file is
 * not what this script writes now.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";
import { apiDocument } from "../src/server/app.js";

/** Compiled into dist/scripts; the repository root is two levels up. */
export const API_TYPES_FILE = join(fileURLToPath(new URL("../..", import.meta.url)), "web/src/api-schema.ts");

const HEADER = `/**
 * The HTTP API's types, generated from its OpenAPI document by \`npm run api-types\`
 * (openapi-typescript). Do not edit: change the route schemas or \`src/options/\` and run it again.
 */

`;

/** The text of the web client's API types for the current route schemas. */
export async function apiTypes(): Promise<string> {
  const ast = await openapiTS((await apiDocument()) as unknown as OpenAPI3, { alphabetize: false });
  return HEADER + astToString(ast);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(API_TYPES_FILE, await apiTypes());
  console.log(`wrote ${API_TYPES_FILE}`);
}
