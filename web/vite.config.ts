import { defineConfig } from "vite";

/**
 * The web app: plain TypeScript and DOM modules, built into `web/dist`, which `plotline serve`
 * serves. `vite dev` (port 5173) proxies `/api` to a `plotline serve` on port 3000.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Small app: one script and one stylesheet, no source maps shipped.
    sourcemap: false,
    chunkSizeWarningLimit: 200,
  },
  server: {
    host: "127.0.0.1",
    proxy: { "/api": "http://127.0.0.1:3000", "/openapi.json": "http://127.0.0.1:3000" },
  },
});
