import { h } from "./dom.js";

/** A hue per common genre, so a generated cover says "horror" or "family" at a glance. */
const GENRE_HUES: Record<string, number> = {
  action: 5,
  adventure: 28,
  animation: 48,
  comedy: 42,
  crime: 350,
  documentary: 175,
  drama: 265,
  family: 120,
  fantasy: 285,
  foreign: 200,
  history: 30,
  horror: 0,
  music: 320,
  musical: 320,
  mystery: 235,
  romance: 335,
  "science fiction": 195,
  "sci-fi": 195,
  "tv movie": 210,
  thriller: 220,
  war: 80,
  western: 36,
};

/** The cover hue of a movie: its first known genre's, else a stable hash of the title. */
export function hueFor(genres: readonly string[] | undefined, title: string): number {
  for (const g of genres ?? []) {
    const hue = GENRE_HUES[g.toLowerCase()];
    if (hue !== undefined) return hue;
  }
  let hash = 0;
  for (const ch of title) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  return hash % 360;
}

function generated(title: string, year: number | null, genres: readonly string[] | undefined): HTMLElement {
  const dark = (genres ?? []).some((g) => /horror|thriller|crime|war/i.test(g));
  return h(
    "div",
    { class: `cover generated${dark ? " noir" : ""}`, attrs: { "aria-hidden": "true" }, vars: { "--hue": String(hueFor(genres, title)) } },
    h("span", { class: "cover-genre" }, genres?.[0] ?? ""),
    h("span", { class: "cover-title" }, title),
    h("span", { class: "cover-year" }, year ?? ""),
  );
}

/**
 * The poster when the data has a web address for one, loaded lazily (only as it scrolls into
 * view) and replaced by the generated cover if it fails to load; else the generated cover.
 */
export function cover(movie: { title: string; year: number | null; genres?: string[]; posterUrl?: string | null }): HTMLElement {
  const fallback = () => generated(movie.title, movie.year, movie.genres);
  if (!movie.posterUrl || !/^https?:\/\//i.test(movie.posterUrl)) return fallback();
  const img = h("img", { class: "cover poster", attrs: { src: movie.posterUrl, alt: "", loading: "lazy", decoding: "async", referrerpolicy: "no-referrer", "data-testid": "poster" } });
  img.addEventListener(
    "error",
    () => {
      const replacement = fallback();
      replacement.dataset.posterFailed = "true";
      img.replaceWith(replacement);
    },
    { once: true },
  );
  return img;
}
