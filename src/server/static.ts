import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** Where `npm run build:web` puts the built app: `<repo>/web/dist` (this file is in dist/src/server). */
export const DEFAULT_WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../web/dist");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

const COMPRESSIBLE = new Set([".html", ".js", ".css", ".svg", ".json", ".map", ".txt", ".webmanifest"]);

export interface StaticFile {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  etag: string;
  /** Vite puts content hashes in asset names, so those never change under the same URL. */
  immutable: boolean;
}

/**
 * The built web app, read into memory once at start (a few hundred KB), so serving a file is a
 * map lookup. Written here rather than with @fastify/static (not a dependency) because the whole
 * need is: a fixed set of files, content types, ETags, gzip, and the history-API fallback.
 */
export class WebApp {
  private constructor(
    readonly root: string,
    private readonly files: Map<string, StaticFile>,
  ) {}

  /** Null when the app has not been built (`npm run build:web`). */
  static load(root = DEFAULT_WEB_ROOT): WebApp | null {
    if (!existsSync(join(root, "index.html"))) return null;
    const files = new Map<string, StaticFile>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else {
          const url = `/${relative(root, path).split(sep).join("/")}`;
          const body = readFileSync(path);
          const ext = extname(name).toLowerCase();
          files.set(url, {
            body,
            gzip: COMPRESSIBLE.has(ext) && body.length > 1024 ? gzipSync(body, { level: 9 }) : null,
            type: TYPES[ext] ?? "application/octet-stream",
            etag: `"${createHash("sha1").update(body).digest("base64url").slice(0, 20)}"`,
            immutable: url.startsWith("/assets/"),
          });
        }
      }
    };
    walk(root);
    return new WebApp(root, files);
  }

  /**
   * The file for a request path: the file itself, or for an app route (a path without a file
   * extension, such as `/movie/tt0076759`) the app's `index.html`; null otherwise.
   */
  lookup(path: string): StaticFile | null {
    const file = this.files.get(path);
    if (file) return file;
    const last = path.slice(path.lastIndexOf("/") + 1);
    if (last.includes(".")) return null;
    return this.files.get("/index.html") ?? null;
  }
}
