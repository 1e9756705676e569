import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { createInterface } from "node:readline";
import { COMMANDS } from "../src/cli/commands.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";
import { testNeeding } from "./helpers/data.js";
import { makeSpokenVideo, missingMediaTools } from "./helpers/media.js";
import { FIXTURES, LAUNCHER, NO_WIKIPEDIA, ROOT, WIKIPEDIA_JSON } from "./helpers/paths.js";

/**
 * Every command line of the README's "Using it" section, run as written (in a scratch folder)
 * on small fixtures, so a line that cannot be pasted or no longer works fails here. Only data
 * and places are mapped: `../shared` files to fixtures in the same formats, the dataset URL to a
 * local server, `~/trailers` to a folder with one spoken trailer, `films.csv` to a mapped CSV.
 */

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("## Using it"));
const block = section.slice(section.indexOf("```sh") + 5, section.indexOf("```", section.indexOf("```sh") + 5));
const lines = block
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l.startsWith("./plotline"));

/** Shell words of a README line (double and single quotes; a `#` comment after whitespace ends it). */
function words(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | null = null;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (/\s/.test(c)) {
      if (started) out.push(cur);
      cur = "";
      started = false;
    } else if (c === "#" && !started) break;
    else if (c === "<" && /^<[a-z]+>/.test(line.slice(i))) {
      // A placeholder (`<command>`), which the test fills in.
      const end = line.indexOf(">", i);
      cur += line.slice(i, end + 1);
      started = true;
      i = end;
    }
    else if (c === "|" || c === ";" || c === "&" || c === "<" || c === ">") throw new Error(`not pasteable as one command: ${line}`);
    else {
      cur += c;
      started = true;
    }
  }
  assert.equal(quote, null, `unbalanced quote: ${line}`);
  if (started) out.push(cur);
  return out;
}

const dir = tempDir("plotline-readme-");
const env = { PLOTLINE_CACHE: join(dir, "cache"), PLOTLINE_OFFLINE: "1", PLOTLINE_DB: "", HOME: dir };
const wikiJson = readFileSync(join(FIXTURES, "wikipedia-movies.json"));
// The same in latin-1 (the README's --encoding line): é is one byte, not UTF-8.
writeFileSync(join(dir, "films-latin1.csv"), Buffer.from("Name,Plot,Year\nAmélie,Une serveuse de Montmartre décide de changer la vie des autres.,2001\n", "latin1"));
writeFileSync(join(dir, "films.csv"), "Name,Plot,Year,Genres\nThe Lighthouse Keeper,A keeper alone on a rock in a storm waits for a ship that never comes.,1999,Drama\nStarfall,Two children find a fallen star in a field and hide it from the army.,2004,Family|Fantasy\n");

const server = createServer((req, res) => {
  if (req.url?.endsWith("/movies.json")) {
    res.writeHead(200, { "content-type": "application/json", "content-length": wikiJson.length });
    res.end(wikiJson);
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
after(() => server.close());
const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const media = missingMediaTools();
/** Why a line is not run here, or null. */
function skipReason(args: string[]): string | null {
  if (args.some((a) => a.startsWith("postgres://"))) return "needs a Postgres server at the URL (a backend URL; test/cli-postgres.test.ts runs these commands on PGlite)";
  if (args[0] === "models" && args[1] === "import") return "needs a sentence-transformers checkpoint folder (test/models-import.test.ts runs `plotline models import` on generated ones)";
  if (media && (args[0] === "trailers" || args.some((a) => a.endsWith(".mp4")))) return `trailers need ${media}`;
  // A description-pair set names the data files its queries are built from, relative to itself.
  for (const a of args.filter((x) => x.startsWith("eval/") && x.endsWith(".json"))) {
    const spec = JSON.parse(readFileSync(join(ROOT, a), "utf8")) as { primary?: string; secondary?: string };
    for (const data of [spec.primary, spec.secondary]) {
      const file = data === undefined ? null : resolve(dirname(join(ROOT, a)), data);
      if (file && !existsSync(file)) return `${a} builds its queries from ${file}, which is not there (README "Get the data")`;
    }
  }
  return null;
}

/** The README's words with data and places mapped onto the fixtures. */
function mapped(args: string[]): string[] {
  return args.map((a) => {
    if (a === "../shared/data/tmdb-movies.csv") return join(FIXTURES, "readme-tmdb.csv");
    if (a === "../shared/data/wikipedia-movies.json.gz") return join(FIXTURES, "wikipedia-movies.json");
    if (a.startsWith("https://raw.githubusercontent.com/")) return `${local}${new URL(a).pathname}`;
    if (a === "~/trailers") return join(dir, "trailers");
    if (a.startsWith("eval/")) return join(ROOT, a);
    return a;
  });
}

let trailersReady: Promise<void> | null = null;
function trailers(): Promise<void> {
  trailersReady ??= (async () => {
    mkdirSync(join(dir, "trailers"), { recursive: true });
    makeSpokenVideo(join(dir, "trailers"), { name: "The Martian (2015) Official Trailer.mp4", text: "An astronaut is stranded on Mars. He must grow potatoes to survive." });
  })();
  return trailersReady;
}

/** Runs `plotline serve ...` until it listens, then stops it. */
async function serveOnce(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const port = args.indexOf("--port");
  const withPort = port >= 0 ? [...args.slice(0, port + 1), "0", ...args.slice(port + 2)] : args;
  const child = spawn(LAUNCHER, [...withPort, "--json"], { cwd: dir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", (l) => resolve((JSON.parse(l) as { url: string }).url));
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  const health = await fetch(`${url}/api/health`);
  assert.ok(health.ok);
  // The launcher execs node, so this PID is the server's own.
  child.kill("SIGTERM");
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stderr };
}

test("the README's Using it section has its command lines", () => {
  assert.ok(lines.length >= 20, `${lines.length} lines`);
});

/** The `sh` blocks of the README's "Two commands" section. */
const twoCommands = [...readme.slice(readme.indexOf("## Two commands"), readme.indexOf("## Get the data")).matchAll(/```sh\n([^`]*)```/g)].map((m) => m[1]!.trim());

test("the README's two commands run plotline through ./plotline, after npm ci, on the URL that Using it ingests", () => {
  assert.ok(twoCommands.length >= 2, `${twoCommands.length} blocks`);
  const urls = new Set<string>();
  for (const block of twoCommands.slice(0, 2)) {
    const [setup, ...steps] = block.split(" && ");
    assert.equal(setup, "npm ci");
    for (const step of steps) {
      const args = words(step);
      assert.equal(args[0], "./plotline", step);
      for (const a of args) if (a.startsWith("https://")) urls.add(a);
    }
  }
  assert.equal(urls.size, 1, [...urls].join(" "));
  assert.ok(lines.some((l) => l.includes([...urls][0]!)), "Using it ingests the same URL");
});

testNeeding(NO_WIKIPEDIA)("the first command's --sha256 is that of the Wikipedia movies.json (the shared copy, unpacked, is upstream's file: same git blob id)", async () => {
  const first = words(twoCommands[0]!.split(" && ")[1]!);
  const sha = first[first.indexOf("--sha256") + 1];
  const unpacked = gunzipSync(readFileSync(WIKIPEDIA_JSON));
  assert.equal(sha, createHash("sha256").update(unpacked).digest("hex"));
  // prust/wikipedia-movie-data's tree at the pinned commit lists movies.json as this blob; the
  // shared copy was rebuilt from the decade files, and hashing it as git does shows the bytes match.
  const blob = createHash("sha1").update(`blob ${unpacked.length}\0`).update(unpacked).digest("hex");
  assert.equal(blob, "1267ee2760bd7c23ac804965e1b2e89608c9c475");
});

// In order: the first lines build the collections the later ones use.
for (const line of lines) {
  let args: string[] = [];
  let unparsable: Error | null = null;
  try {
    args = words(line).slice(1);
  } catch (err) {
    unparsable = err as Error;
  }
  const reason = unparsable ? null : skipReason(args);
  test(`README: ${line.replace(/\s+#.*$/, "")}`, { skip: reason ?? false, timeout: 180_000 }, async () => {
    if (unparsable) throw unparsable;
    if (args[0] === "trailers" || args.some((a) => a.endsWith(".mp4"))) await trailers();
    if (args[0] === "serve") {
      const r = await serveOnce(mapped(args));
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /npm warn/i, r.stderr);
      return;
    }
    const runs = args[0] === "<command>" ? COMMANDS.map((c) => [c.name, ...args.slice(1)]) : [mapped(args)];
    for (const run of runs) {
      const r = await runCli(run, { cwd: dir, env, launcher: true });
      assert.equal(r.code, 0, `plotline ${run.join(" ")}\n${r.stderr}${r.stdout.slice(0, 2000)}`);
      assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /, r.stderr);
      // npm 11 warns about the project's .npmrc keys on every npm command; ./plotline bypasses npm.
      assert.doesNotMatch(r.stderr, /npm warn/i, r.stderr);
    }
  });
}
