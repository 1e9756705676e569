import type { Hit } from "./api.js";
import { cover } from "./cover.js";
import { h } from "./dom.js";
import { highlight, matchedWords } from "./highlight.js";
import { loadTaste, opinionOf, toggleOpinion, type Opinion } from "./taste.js";
import { href } from "./url.js";

function scoreLabel(score: number): string {
  return Math.abs(score) >= 10 ? score.toFixed(1) : score.toFixed(3);
}

/** What the score is made of, for the tooltip: keyword, semantic and fused parts, or similarity and sentiment. */
function scoreTitle(hit: Hit): string {
  const parts = Object.entries({ ...hit.scores, similarity: hit.similarity, sentiment: hit.sentiment })
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => `${k} ${(v as number).toFixed(3)}`);
  return parts.length ? `score ${hit.score.toFixed(3)}: ${parts.join(", ")}` : `score ${hit.score.toFixed(3)}`;
}

/** Material Design's "thumb_up" icon (Apache-2.0); "thumb down" is the same shape turned over. */
const THUMB = "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z";

function thumb(down: boolean): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", THUMB);
  if (down) path.setAttribute("transform", "rotate(180 12 12)");
  svg.append(path);
  return svg;
}

/** Like and dislike toggles for a movie; pressed state follows the taste list. */
export function opinionButtons(movie: { id: string; title: string; year: number | null }): HTMLElement {
  const make = (opinion: Opinion, icon: SVGSVGElement, label: string) =>
    h("button", {
      class: `opinion ${opinion}`,
      attrs: { type: "button", "aria-label": `${label} ${movie.title}`, title: label, "data-opinion": opinion },
      on: {
        click: (event) => {
          event.preventDefault();
          toggleOpinion(movie, opinion);
          syncOpinions(movie.id);
        },
      },
    }, icon);
  const group = h("div", { class: "opinions", attrs: { "data-movie": movie.id } }, make("like", thumb(false), "Like"), make("dislike", thumb(true), "Dislike"));
  setPressed(group, opinionOf(movie.id));
  return group;
}

function setPressed(group: Element, now: Opinion | null): void {
  for (const b of group.querySelectorAll("button[data-opinion]")) b.setAttribute("aria-pressed", String(b.getAttribute("data-opinion") === now));
}

/** Brings every like/dislike group of a movie on the page in line with the taste list. */
export function syncOpinions(id?: string): void {
  const taste = loadTaste();
  for (const group of document.querySelectorAll<HTMLElement>(".opinions[data-movie]")) {
    if (id === undefined || group.dataset.movie === id) setPressed(group, opinionOf(group.dataset.movie!, taste));
  }
}

/**
 * A result card: cover, title and meta (matched words highlighted), score, and like/dislike.
 * The whole cover-and-title area is one link to the movie's page.
 */
export function card(hit: Hit, options: { rank?: number } = {}): HTMLElement {
  const title = h("h3", { class: "card-title" }, highlight(hit.title, matchedWords(hit.matches, "title")));
  const link = h(
    "a",
    { class: "card-link", attrs: { href: href({ name: "movie", id: hit.id, method: "knn", view: "grid" }), "data-testid": "card-link" } },
    cover(hit),
    title,
  );
  const meta = h("p", { class: "card-meta" }, hit.year ?? "—", hit.genres?.length ? " · " : "", hit.genres?.length ? highlight(hit.genres.join(", "), matchedWords(hit.matches, "genres")) : "");
  const overview = hit.overview ? h("p", { class: "card-overview" }, highlight(hit.overview, matchedWords(hit.matches, "overview", "tagline"))) : null;
  const score = h("span", { class: "score", attrs: { title: scoreTitle(hit) } }, scoreLabel(hit.score));
  const rating = typeof hit.rating === "number" ? h("span", { class: "rating", attrs: { title: `rated ${hit.rating}/10 by ${hit.votes ?? "?"} voters` } }, `★ ${hit.rating.toFixed(1)}`) : null;
  return h(
    "article",
    { class: "card", attrs: { "data-id": hit.id, "data-testid": "card", ...(options.rank ? { "aria-posinset": options.rank } : {}) } },
    link,
    meta,
    overview,
    h("div", { class: "card-foot" }, score, rating, opinionButtons(hit)),
  );
}

/** Loading placeholders shaped like cards. */
export function skeletons(n: number): HTMLElement[] {
  return Array.from({ length: n }, () => h("div", { class: "card skeleton", attrs: { "aria-hidden": "true" } }, h("div", { class: "cover" }), h("div", { class: "line" }), h("div", { class: "line short" })));
}

/**
 * A compact row per movie: a small poster, title, year and genres, score and like/dislike; the
 * list view of a long list (the 40 similar movies fit on about two screens).
 */
export function cardList(hits: Hit[], label: string): HTMLElement {
  const list = h("ol", { class: "rows", attrs: { "aria-label": label, "data-testid": "rows" } });
  for (const hit of hits) {
    const link = h("a", { class: "row-link", attrs: { href: href({ name: "movie", id: hit.id, method: "knn", view: "grid" }), "data-testid": "card-link" } }, cover(hit), h("span", { class: "row-title" }, hit.title));
    const meta = h("span", { class: "row-meta" }, [hit.year ?? "—", ...(hit.genres?.length ? [hit.genres.slice(0, 3).join(", ")] : [])].join(" · "));
    const score = h("span", { class: "score", attrs: { title: scoreTitle(hit) } }, scoreLabel(hit.score));
    list.append(h("li", { class: "row", attrs: { "data-id": hit.id, "data-testid": "card" } }, link, meta, score, opinionButtons(hit)));
  }
  return list;
}

/**
 * A grid of cards where the arrow keys move between cards (left/right one, up/down one row),
 * as well as Tab. `dense`: smaller cards without the overview, for long lists.
 */
export function cardGrid(hits: Hit[], label: string, options: { dense?: boolean } = {}): HTMLElement {
  const grid = h("div", { class: options.dense ? "grid dense" : "grid", attrs: { role: "list", "aria-label": label } });
  hits.forEach((hit, i) => {
    const c = card(hit, { rank: i + 1 });
    c.setAttribute("role", "listitem");
    grid.append(c);
  });
  grid.addEventListener("keydown", (event) => {
    const links = [...grid.querySelectorAll<HTMLAnchorElement>(".card-link")];
    const i = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (i < 0) return;
    const top = links[0]!.getBoundingClientRect().top;
    const perRow = Math.max(1, links.findIndex((l) => l.getBoundingClientRect().top > top + 1) === -1 ? links.length : links.findIndex((l) => l.getBoundingClientRect().top > top + 1));
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: perRow, ArrowUp: -perRow }[event.key];
    if (step === undefined) return;
    const next = links[i + step];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });
  return grid;
}
