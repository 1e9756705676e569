import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Plotline } from "../src/plotline.js";
import { Collection } from "../src/store/sqlite/collection.js";
import type { TrailersResult } from "../src/trailers.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/collections.js";
import { makeSilentVideo, makeSpokenVideo, missingMediaTools } from "./helpers/media.js";
import { BIN, MOVIES_CSV } from "./helpers/paths.js";

const skip = missingMediaTools();

async function fixtureDb(dir: string): Promise<string> {
  const db = join(dir, "movies.db");
  const p = Plotline.open({ db, create: true });
  await p.ingest([{ file: MOVIES_CSV }], { embedder: "glove" });
  await p.close();
  return db;
}

test("bad files are each reported and skipped; none stops the run", { skip: skip ?? false, timeout: 300_000 }, async () => {
  const dir = tempDir("plotline-trailers-bad-");
  const videos = join(dir, "videos");
  mkdirSync(videos);
  // Named so that the good file comes last: the run must get past every bad one to reach it.
  writeFileSync(join(videos, "A Notes Trailer.mp4"), "These are notes about a trailer, saved as text with a video's name.\n");
  makeSilentVideo(videos, "B Moby Dick Trailer.mp4");
  writeFileSync(join(videos, "C Empty Trailer.mp4"), "");
  makeSpokenVideo(videos, { name: "Jaws Trailer.mp4", text: "The police chief closes the beach because a great white shark is killing people in the water." });
  const db = await fixtureDb(dir);
  const missing = join(dir, "no such trailer.mp4");

  const run = await runCli(["trailers", videos, missing, "--db", db]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, "", "nothing on stderr: bad files are part of the report, not errors");
  assert.match(run.stdout, /A Notes Trailer\.mp4: not a video \(ffprobe: Invalid data found when processing input\)/);
  assert.match(run.stdout, /B Moby Dick Trailer\.mp4: no audio stream/);
  assert.match(run.stdout, /C Empty Trailer\.mp4: zero-byte file/);
  assert.match(run.stdout, /no such trailer\.mp4: no such file/);
  assert.match(run.stdout, /Jaws Trailer\.mp4\s+transcribed\s+Jaws \(1975\)/);
  assert.match(run.stdout, /5 files: 1 transcribed, 0 attached from an earlier run, 0 already done, 4 skipped/);

  const json = JSON.parse((await runCli(["trailers", videos, missing, "--db", db, "--json"])).stdout) as TrailersResult;
  assert.deepEqual(
    json.files.map((f) => [f.file.split("/").pop(), f.status, f.problem ?? null]),
    [
      ["A Notes Trailer.mp4", "failed", "not-media"],
      ["B Moby Dick Trailer.mp4", "failed", "no-audio"],
      ["C Empty Trailer.mp4", "failed", "empty"],
      ["Jaws Trailer.mp4", "done", null],
      ["no such trailer.mp4", "failed", "missing"],
    ],
  );
});

test("a run killed mid-batch (SIGKILL) resumes without redoing the files it finished", { skip: skip ?? false, timeout: 600_000 }, async () => {
  const dir = tempDir("plotline-trailers-kill-");
  const videos = join(dir, "videos");
  mkdirSync(videos);
  const files = [
    ["Jaws Trailer.mp4", "The police chief closes the beach because a great white shark is killing people in the water."],
    ["The Martian Trailer.mp4", "An astronaut is stranded alone on Mars and must grow potatoes to survive until the rescue mission arrives."],
    ["Toy Story Trailer.mp4", "Two toys get lost in the city and must find their way back home before the family moves away."],
    ["WALL-E Trailer.mp4", "A little robot cleans the garbage on an empty planet and falls in love."],
  ];
  for (const [name, text] of files) makeSpokenVideo(videos, { name: name!, text: text! });
  const db = await fixtureDb(dir);

  const child = spawn(process.execPath, [BIN, "trailers", videos, "--db", db], { stdio: "ignore" });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  // Killed as soon as the first file is written: the second is being transcribed then.
  let finished = 0;
  for (let i = 0; i < 1200 && finished === 0; i++) {
    await sleep(100);
    const c = Collection.open(db, { readonly: true });
    try {
      finished = c.trailerCounts().trailers;
    } finally {
      c.close();
    }
  }
  child.kill("SIGKILL");
  assert.equal(await exited, "SIGKILL");
  assert.ok(finished >= 1 && finished < files.length, `killed mid-batch, after ${finished} files`);

  const c = Collection.open(db, { readonly: true });
  const kept = c.trailerCounts().trailers;
  assert.equal(c.integrityCheck(), "ok");
  c.close();

  const resumed = JSON.parse((await runCli(["trailers", videos, "--db", db, "--json"])).stdout) as TrailersResult;
  const statuses = resumed.files.map((f) => f.status);
  assert.equal(statuses.filter((s) => s === "done").length, kept, "every file finished before the kill is skipped");
  assert.equal(statuses.filter((s) => s === "transcribed").length, files.length - kept, "the rest are transcribed once");
  for (const f of resumed.files) assert.ok(f.movie, `${f.file} attached`);
  const p = Plotline.open({ db, readonly: true });
  try {
    assert.equal((await p.search("potatoes", { mode: "keyword" })).results[0]?.id, "tt1000001");
  } finally {
    await p.close();
  }
});

test("--standalone adds unmatched trailers as movies of their own, without transcribing them again", { skip: skip ?? false, timeout: 300_000 }, async () => {
  const dir = tempDir("plotline-trailers-standalone-");
  const videos = join(dir, "videos");
  mkdirSync(videos);
  makeSpokenVideo(videos, { name: "Potato Planet Official Trailer.mp4", text: "An astronaut is stranded alone on Mars and must grow potatoes to survive until the rescue mission arrives." });
  const db = await fixtureDb(dir);
  const first = JSON.parse((await runCli(["trailers", videos, "--db", db, "--json"])).stdout) as TrailersResult;
  assert.equal(first.files[0]?.match?.kind, "unmatched");
  assert.equal(first.files[0]?.movie, null);
  const second = JSON.parse((await runCli(["trailers", videos, "--db", db, "--standalone", "--json"])).stdout) as TrailersResult;
  assert.equal(second.files[0]?.status, "attached");
  assert.equal(second.files[0]?.match?.kind, "standalone");
  assert.equal(second.speech.audioSeconds, 0, "the stored transcript was used");
  assert.equal(second.files[0]?.movie?.title, "Potato Planet");
  const p = Plotline.open({ db, readonly: true });
  try {
    const hit = (await p.search("potatoes", { mode: "keyword" })).results[0];
    assert.equal(hit?.title, "Potato Planet");
    // Its own vector is embedded from its title and transcript, so "more like" it finds Mars movies.
    const like = await p.similar(hit!.id, { k: 3 });
    assert.ok(like.results.some((r) => /Mars|Martian/.test(r.title)), JSON.stringify(like.results.map((r) => r.title)));
  } finally {
    await p.close();
  }
});

test("trailers without a collection, with an unknown recogniser, or without files are one-line errors", async () => {
  const dir = tempDir("plotline-trailers-usage-");
  const none = await runCli(["trailers", dir, "--db", join(dir, "none.db")]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^plotline: .*none\.db: no collection here/);
  const db = await fixtureDb(dir);
  const asr = await runCli(["trailers", dir, "--db", db, "--asr", "sphinx"]);
  assert.equal(asr.code, 2);
  assert.equal(asr.stderr, "plotline: --asr: expected pocketsphinx | whisper, got 'sphinx'\n");
  const empty = await runCli(["trailers", "--db", db]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /^plotline: trailers: give at least one video file or folder/);
  const help = await runCli(["trailers", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--standalone/);
});
