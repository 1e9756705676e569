import { createHash } from "node:crypto";
import { createReadStream, readdirSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { InvalidArgumentError } from "../errors.js";

/**
 * Extensions taken from a folder: video containers, and audio files (a trailer's sound alone
 * transcribes the same). A file named on the command line is always tried, whatever its name,
 * so a mislabelled one is reported rather than silently left out.
 */
export const MEDIA_EXTENSIONS: ReadonlySet<string> = new Set([
  ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".wmv", ".flv", ".mpg", ".mpeg", ".ts", ".m2ts", ".3gp", ".ogv",
  ".mp3", ".m4a", ".aac", ".wav", ".flac", ".ogg", ".opus",
]);

/**
 * The files a `trailers` run works through, in a stable order: files as given, folders walked
 * recursively (hidden entries skipped) for media extensions, each file once. A path that does
 * not exist is kept, so it is reported with the other bad files instead of stopping the run.
 */
export function collectMediaFiles(inputs: readonly string[]): string[] {
  if (inputs.length === 0) throw new InvalidArgumentError("trailers", "give at least one video file or folder");
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (p: string) => {
    const abs = resolve(p);
    if (!seen.has(abs)) {
      seen.add(abs);
      out.push(p);
    }
  };
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      add(dir); // unreadable folder: reported like a bad file
      return;
    }
    for (const name of names) {
      if (name.startsWith(".")) continue;
      const p = join(dir, name);
      let isDir = false;
      try {
        isDir = statSync(p).isDirectory();
      } catch {
        // a dangling link: tried, and reported as missing
      }
      if (isDir) walk(p);
      else if (MEDIA_EXTENSIONS.has(extname(name).toLowerCase())) add(p);
    }
  };
  for (const input of inputs) {
    let isDir = false;
    try {
      isDir = statSync(input).isDirectory();
    } catch {
      // missing: added as is
    }
    if (isDir) walk(input);
    else add(input);
  }
  return out;
}

/**
 * SHA-1 of a file's bytes, streamed: the key a finished transcript is stored under, so a file
 * renamed or moved is still done, and a re-encoded one is new.
 */
export function contentHash(file: string): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const h = createHash("sha1");
    createReadStream(file)
      .on("data", (chunk) => h.update(chunk))
      .on("error", reject)
      .on("end", () => resolvePromise(h.digest()));
  });
}
