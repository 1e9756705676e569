import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import stringWidth from "string-width";
import { InvalidArgumentError } from "../src/errors.js";
import { RECOMMEND_OPTIONS, SEARCH_OPTIONS, SIMILAR_OPTIONS, TITLES_OPTIONS } from "../src/options/commands.js";
import { cliFlag, parseCli, type OptionSpec } from "../src/options/option.js";
import { Plotline } from "../src/plotline.js";
import { createServer } from "../src/server/app.js";
import { interruptProgress, Progress } from "../src/cli/progress.js";
import { table } from "../src/cli/table.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";
import { BIN, LAUNCHER, MOVIES_CSV, ROOT } from "./helpers/paths.js";

/** The rough edges a newcomer met in the first ten minutes (issue 19), each on the fixture collection. */

const dir = tempDir("plotline-edges-");
const db = join(dir, "fixture.db");
{
  const p = Plotline.open({ db, create: true });
  await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
  await p.close();
}

/** Runs `command args` in the checkout and collects its output. */
function run(command: string, args: string[], cwd = ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("./plotline prints only plotline's output (no npm warnings about the .npmrc keys); onnxruntime-node's CUDA download stays skipped by the .npmrc key its install script reads", async () => {
  const r = await run(LAUNCHER, ["--version"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), "0.1.0");
  assert.equal(r.stderr, "");
  // npm 11 warns on stderr about the project's onnxruntime-node keys on every npm command (npx,
  // npm exec, npm run, npm ci); the keys stay, because they keep `npm ci` from downloading CUDA
  // files (the project's rule), and the README runs plotline through ./plotline, which execs node.
  const npx = await run("npx", ["plotline", "--version"]);
  assert.equal(npx.code, 0, npx.stderr);
  assert.equal(npx.stdout.trim(), "0.1.0");
  // The setting lives where onnxruntime-node looks for it (npm passes .npmrc keys to install scripts
  // as npm_config_* variables), and .ci/run sets the variable too.
  const install = readFileSync(join(ROOT, "node_modules/onnxruntime-node/script/install.js"), "utf8");
  assert.match(install, /INSTALL_CUDA_FLAG === 'skip'/);
  assert.match(install, /onnxruntime_node_install_cuda/);
  assert.match(readFileSync(join(ROOT, ".npmrc"), "utf8"), /^onnxruntime-node-install-cuda=skip$/m);
  assert.match(readFileSync(join(ROOT, ".npmrc"), "utf8"), /^onnxruntime-node-install=skip$/m);
  assert.match(readFileSync(join(ROOT, ".ci/run"), "utf8"), /^export ONNXRUNTIME_NODE_INSTALL_CUDA=skip$/m);
});

test("a reader that closes the pipe early (| true, | head) ends plotline quietly", async () => {
  for (const args of [["similar", "The Martian", "--db", db], ["search", "mars", "--db", db], ["--help"]]) {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    // Closed before plotline writes anything: every write it makes meets EPIPE.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(stderr, "", `${args.join(" ")}: ${stderr}`);
    assert.equal(code, 0, args.join(" "));
  }
});

test("-k -3 and other out-of-range numbers are one line naming the flag and its bounds, exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["search", "mars", "-k", "-3"], /^plotline: --?k: must be between 1 and 100, got -3\n$/],
    [["search", "mars", "--min-rating", "11"], /^plotline: --min-rating: must be between 0 and 10, got 11\n$/],
    [["search", "mars", "--alpha", "-0.5"], /^plotline: --alpha: must be between 0 and 1, got -0.5\n$/],
    [["search", "mars", "--offset", "-1"], /^plotline: --offset: must be between 0 and 1000, got -1\n$/],
    [["similar", "The Martian", "--diversity", "2"], /^plotline: --diversity: must be between 0 and 1, got 2\n$/],
    [["similar", "The Martian", "-k", "201"], /^plotline: --?k: must be between 1 and 200, got 201\n$/],
    [["recommend", "--like", "The Martian", "--min-votes", "-5"], /^plotline: --min-votes: must be at least 0, got -5\n$/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli([...args, "--db", db]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test("every numeric option is range-checked on the CLI with the bounds its HTTP schema has", () => {
  for (const specs of [SEARCH_OPTIONS, SIMILAR_OPTIONS, RECOMMEND_OPTIONS, TITLES_OPTIONS]) {
    for (const spec of specs as readonly OptionSpec[]) {
      const t = spec.type;
      if (t.kind !== "integer" && t.kind !== "number") continue;
      const flag = cliFlag(spec);
      if (t.max !== undefined && t.max < Number.MAX_SAFE_INTEGER) {
        assert.throws(() => parseCli([spec], { [flag]: String(t.max! + 1) }), (e: unknown) => e instanceof InvalidArgumentError && e.parameter === `--${flag}`, `${flag} above ${t.max}`);
        assert.doesNotThrow(() => parseCli([spec], { [flag]: String(t.max) }));
      }
      const min = t.min;
      if (min !== undefined) assert.throws(() => parseCli([spec], { [flag]: String(min - 1) }), InvalidArgumentError, `${flag} below ${min}`);
    }
  }
});

test("one limit and one name per option on every surface: k's maximum, and q= for titles (prefix= still accepted)", async () => {
  const { app } = await createServer({ db });
  await app.ready();
  try {
    const cli = await runCli(["search", "mars", "-k", "101", "--db", db]);
    assert.match(cli.stderr, /-k: must be between 1 and 100/);
    const http = await app.inject({ url: "/api/search?q=mars&k=101" });
    assert.equal(http.statusCode, 400);
    assert.match(http.body, /k/);
    assert.equal((await app.inject({ url: "/api/search?q=mars&k=100" })).statusCode, 200);
    const openapi = JSON.parse((await app.inject({ url: "/openapi.json" })).body) as { paths: Record<string, { get?: { parameters?: { name: string; schema: { maximum?: number } }[] } }> };
    const maxOf = (path: string) => openapi.paths[path]!.get!.parameters!.find((p) => p.name === "k")!.schema.maximum;
    assert.equal(maxOf("/api/search"), (SEARCH_OPTIONS.find((s) => s.key === "k")!.type as { max: number }).max);
    assert.equal(maxOf("/api/movies/{id}/similar"), (SIMILAR_OPTIONS.find((s) => s.key === "k")!.type as { max: number }).max);

    const byQ = await app.inject({ url: "/api/titles?q=the%20mart" });
    assert.equal(byQ.statusCode, 200, byQ.body);
    const titles = (JSON.parse(byQ.body) as { results: { title: string }[] }).results.map((r) => r.title);
    assert.equal(titles[0], "The Martian");
    const byPrefix = await app.inject({ url: "/api/titles?prefix=the%20mart" });
    assert.deepEqual((JSON.parse(byPrefix.body) as { results: { title: string }[] }).results.map((r) => r.title), titles);
    assert.equal((await app.inject({ url: "/api/titles" })).statusCode, 400);
  } finally {
    await app.close();
  }
});

test("scores say what they are; similar's extra columns only with --explain", async () => {
  const similar = await runCli(["similar", "The Martian", "-k", "3", "--db", db]);
  assert.equal(similar.code, 0, similar.stderr);
  const lines = similar.stdout.trimEnd().split("\n");
  assert.match(lines[1]!, /^#\s+score\s+title\s+year\s+id$/);
  assert.match(lines.at(-1)!, /^score: cosine similarity of the plot embeddings .*--explain adds the score's parts$/);
  const explained = await runCli(["similar", "The Martian", "-k", "3", "--explain", "--db", db]);
  assert.match(explained.stdout.split("\n")[1]!, /^#\s+score\s+similarity\s+sentiment\s+prior\s+series\s+title\s+year\s+id$/);
  const svm = await runCli(["similar", "The Martian", "-k", "3", "--method", "svm", "--db", db]);
  assert.match(svm.stdout, /^score: the exemplar SVM's margin \(decision value: .*negative values are normal\)/m);

  for (const [args, legend] of [
    [["search", "astronaut on mars"], /^score: fused, alpha x semantic \+ \(1 - alpha\) x keyword/m],
    [["search", "astronaut on mars", "--mode", "keyword"], /^score: BM25 relevance \(unbounded/m],
    [["search", "astronaut on mars", "--mode", "semantic"], /^score: cosine similarity of the query and plot embeddings/m],
    [["search", "mars", "--fusion", "rrf"], /^score: fused by reciprocal rank/m],
    [["search", "science fiction movies from the 2010s"], /^score: popularity \(no words to search/m],
  ] as const) {
    const r = await runCli([...args, "--db", db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, legend, `${args.join(" ")}: ${r.stdout}`);
  }
});

test("tables line up wide characters (string-width)", () => {
  const out = table(["title", "year"], [["ゴジラvsスペースゴジラ", 1994], ["Godzilla", 1954], ["Amélie", 2001]]);
  const rows = out.split("\n");
  const yearColumn = rows.filter((_, i) => i !== 1).map((r) => stringWidth(r.slice(0, r.search(/(\d{4}|year)$/))));
  assert.equal(new Set(yearColumn).size, 1, out);
  assert.equal(stringWidth(rows[1]!.split("  ")[0]!), stringWidth("ゴジラvsスペースゴジラ"));
  const cut = table(["title"], [["ゴジラ".repeat(30)]], 11).split("\n")[2]!;
  assert.ok(stringWidth(cut) <= 11 && cut.endsWith("…"), cut);
});

test("a query that is not English gets a one-line notice; an English one does not", async () => {
  const zh = await runCli(["search", "一个被困在火星上的宇航员", "--db", db]);
  assert.equal(zh.code, 0, zh.stderr);
  assert.match(zh.stderr, /^plotline: the query seems to be in Chinese; Plotline understands English text only/m);
  const fr = await runCli(["search", "un astronaute abandonné sur Mars doit survivre seul", "--db", db]);
  assert.match(fr.stderr, /the query seems to be in French/);
  const en = await runCli(["search", "an astronaut stranded alone on Mars must survive", "--db", db]);
  assert.doesNotMatch(en.stderr, /seems to be in/);
});

test("a notice written while a progress bar is on the terminal starts on its own line", () => {
  let written = "";
  const tty = { isTTY: true, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
  const bar = new Progress(tty);
  bar.update("reading", 5, 10);
  interruptProgress();
  tty.write("plotline: using the offline glove embedder\n");
  bar.update("reading", 10, 10);
  bar.done();
  const noticeAt = written.indexOf("plotline: using");
  assert.equal(written[noticeAt - 1], "\n", JSON.stringify(written));
  interruptProgress(); // nothing drawn: writes nothing
  assert.ok(written.endsWith("\n"));
});

test("similar and remove take titles, with did-you-mean for a typo", async () => {
  const typo = await runCli(["similar", "The Martain", "--db", db]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /^plotline: movie: no movie has the id or title 'The Martain'; did you mean The Martian \(2015\) tt1000001/);
  assert.equal(typo.stderr.trim().split("\n").length, 1);

  const copy = join(dir, "remove.db");
  copyFileSync(db, copy);
  const removed = await runCli(["remove", "Mission to Mars", "--db", copy]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /^Removed tt1000002$/m);
  const missing = await runCli(["remove", "The Martain", "tt0000404", "--db", copy, "--json"]);
  assert.equal(missing.code, 2);
  assert.deepEqual(JSON.parse(missing.stdout), { removed: [], missing: ["The Martain", "tt0000404"] });
  const noticed = await runCli(["remove", "The Martain", "--db", copy]);
  assert.match(noticed.stderr, /did you mean The Martian \(2015\) tt1000001/);
});

const servers: ChildProcess[] = [];
after(() => {
  for (const s of servers) s.kill("SIGKILL");
});

/** Starts `command... serve --port 0 --json` and returns the process and the URL it prints. */
async function startServe(command: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(command, [...args, "serve", "--port", "0", "--db", db, "--json"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  servers.push(child);
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return { child, url: (JSON.parse(first) as { url: string }).url };
}

async function stopsServing(url: string): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    try {
      await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1000) });
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

test("killing `./plotline serve`, `npx plotline serve` or `node bin/plotline.js serve` by its PID stops the server", { timeout: 120_000 }, async () => {
  for (const [command, args] of [
    [LAUNCHER, []],
    ["npx", ["plotline"]],
    [process.execPath, [BIN]],
  ] as const) {
    const { child, url } = await startServe(command, [...args]);
    assert.ok((await fetch(`${url}/api/titles?q=mars`)).ok);
    child.kill("SIGTERM");
    assert.ok(await stopsServing(url), `${command} ${args.join(" ")} serve: still serving ${url} after SIGTERM to pid ${child.pid}`);
  }
  assert.ok(existsSync(db));
});

test("./plotline in a checkout that npm ci has not built yet says so in one line", async () => {
  const bare = join(dir, "unbuilt");
  mkdirSync(join(bare, "bin"), { recursive: true });
  copyFileSync(LAUNCHER, join(bare, "plotline"));
  chmodSync(join(bare, "plotline"), 0o755);
  copyFileSync(BIN, join(bare, "bin/plotline.js"));
  const r = await run(join(bare, "plotline"), ["search", "mars"], bare);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^plotline: not built yet: run 'npm ci' in .*unbuilt first .*\n$/);
});

test("./plotline works through a symlink to it (on PATH)", async () => {
  const link = join(dir, "plotline-link");
  symlinkSync(LAUNCHER, link);
  const r = await run(link, ["--version"], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), "0.1.0");
});
