import "./styles.css";
import { syncOpinions } from "./card.js";
import { h, replace } from "./dom.js";
import { searchBox } from "./suggest.js";
import { loadTaste, onTasteChange } from "./taste.js";
import { themeToggle } from "./theme.js";
import { emptyFilters, href, navigate, startRouter, type Route } from "./url.js";
import { renderForYou } from "./views/foryou.js";
import { renderHome, renderNotFound } from "./views/home.js";
import { renderMovie } from "./views/movie.js";
import { renderSearch } from "./views/search.js";

const header = document.getElementById("header")!;
const main = document.getElementById("main")!;

let current: Route = { name: "home" };

const box = searchBox({
  onSearch: (q) => {
    // A new query keeps the mode, and starts without the previous query's filters.
    const mode = current.name === "search" ? current.mode : "hybrid";
    navigate(href({ name: "search", q, mode, parse: true, page: 1, filters: emptyFilters() }));
  },
  onPick: (hit) => {
    picked = true;
    navigate(href({ name: "movie", id: hit.id, method: "knn", view: "grid" }));
  },
});
/** Set when a suggestion was chosen: typing is over, so focus moves on to the movie. */
let picked = false;

const forYouCount = h("span", { class: "badge", attrs: { "data-testid": "taste-count" } });
const forYou = h("a", { class: "nav-link", attrs: { href: "/for-you", "data-testid": "for-you" } }, "For you ", forYouCount);
function updateCount(): void {
  const n = loadTaste().like.length;
  forYouCount.textContent = n ? String(n) : "";
  forYouCount.hidden = n === 0;
}

replace(
  header,
  h("a", { class: "brand", attrs: { href: "/", "aria-label": "Plotline home" } }, h("span", { class: "brand-mark", attrs: { "aria-hidden": "true" } }, "P"), h("span", { class: "brand-name" }, "Plotline")),
  box.form,
  h("nav", { class: "site-nav", attrs: { "aria-label": "Site" } }, forYou, themeToggle()),
);
updateCount();

let controller: AbortController | null = null;
let firstRender = true;

/** A name for a focused control that survives a re-render (a radio's name and value, or an id). */
function focusKey(el: Element | null): string | null {
  if (!el || !main.contains(el)) return null;
  if (el instanceof HTMLInputElement && el.name) return `input[name="${CSS.escape(el.name)}"][value="${CSS.escape(el.value)}"]`;
  if (el.id) return `#${CSS.escape(el.id)}`;
  return null;
}

/** Moves focus to the new page's heading, so keyboard and screen-reader users start there. */
function focusHeading(): boolean {
  const heading = main.querySelector<HTMLElement>("h1[tabindex]");
  heading?.focus({ preventScroll: true });
  return heading !== null;
}

function render(route: Route): void {
  controller?.abort();
  controller = new AbortController();
  const signal = controller.signal;
  current = route;
  box.setValue(route.name === "search" ? route.q : "");
  document.body.dataset.view = route.name;
  forYou.toggleAttribute("aria-current", route.name === "foryou");
  // Focus stays in the search box while the user types a query, and on a control (a mode
  // switch) that caused the change; otherwise it moves to the new page's heading.
  const typing = document.activeElement === box.input && !picked;
  const key = focusKey(document.activeElement);
  picked = false;
  const done = (() => {
    switch (route.name) {
      case "home":
        renderHome(main);
        return Promise.resolve();
      case "search":
        return renderSearch(route, main, signal);
      case "movie":
        return renderMovie(route, main, signal);
      case "foryou":
        return renderForYou(route, main, signal);
      case "notfound":
        renderNotFound(main, route.path);
        return Promise.resolve();
    }
  })();
  let headingPending = false;
  if (!firstRender) {
    scrollTo({ top: 0 });
    const control = key ? main.querySelector<HTMLElement>(key) : null;
    if (control) control.focus({ preventScroll: true });
    else if (!typing) headingPending = !focusHeading();
  }
  firstRender = false;
  document.body.dataset.ready = "false";
  // For tests and tools: which URL the page shows, and whether its data has arrived.
  void done.then(() => {
    if (signal.aborted) return;
    // A heading that arrives with the data (a movie's title) takes focus then, unless the user
    // has meanwhile put it somewhere.
    if (headingPending && (document.activeElement === document.body || document.activeElement === box.input)) focusHeading();
    document.body.dataset.href = location.pathname + location.search;
    document.body.dataset.ready = "true";
  });
}

onTasteChange(() => {
  updateCount();
  syncOpinions();
  // The recommendations follow the list while it is on screen.
  if (current.name === "foryou" && !current.shared) render(current);
});
addEventListener("storage", (e) => {
  if (e.key === "plotline.taste") {
    updateCount();
    syncOpinions();
  }
});

// "/" jumps to the search box from anywhere but a text field.
document.addEventListener("keydown", (event) => {
  const t = event.target as HTMLElement;
  if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) && !t.isContentEditable) {
    event.preventDefault();
    box.input.focus();
    box.input.select();
  }
});

startRouter(render);
