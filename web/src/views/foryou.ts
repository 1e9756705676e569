import { api } from "../api.js";
import { cardGrid, skeletons } from "../card.js";
import { h, replace, toast } from "../dom.js";
import { clearTaste, forget, loadTaste, type Taste, type TasteItem } from "../taste.js";
import { href, navigate, STRATEGIES, type Route, type Strategy } from "../url.js";
import { emptyState, errorState, heading, segmented } from "./common.js";

type ForYouRoute = Extract<Route, { name: "foryou" }>;

const RECOMMENDATIONS = 40;
const STRATEGY_LABELS: Record<Strategy, string> = { average: "Blend", best: "Best match" };

function tasteList(label: string, items: TasteItem[], editable: boolean, testid: string): HTMLElement {
  return h(
    "div",
    { class: "taste-side" },
    h("h2", null, label),
    items.length
      ? h(
          "ul",
          { class: "chips", attrs: { "data-testid": testid } },
          ...items.map((m) =>
            h(
              "li",
              { class: "chip" },
              h("a", { attrs: { href: href({ name: "movie", id: m.id, method: "knn", view: "grid" }) } }, m.title, m.year ? ` (${m.year})` : ""),
              editable ? h("button", { class: "chip-remove", attrs: { type: "button", "aria-label": `Forget ${m.title}` }, on: { click: () => forget(m.id) } }, "×") : null,
            ),
          ),
        )
      : h("p", { class: "muted" }, "None yet."),
  );
}

/** Recommendations from the taste list kept in this browser, or from a shared one in the URL. */
export async function renderForYou(route: ForYouRoute, main: HTMLElement, signal: AbortSignal): Promise<void> {
  document.title = "For you · Plotline";
  const shared = route.shared;
  const mine = loadTaste();
  let taste: Taste = mine;
  if (shared) {
    // A shared link carries ids only; show their titles.
    const named = (ids: string[]) =>
      Promise.all(ids.map((id) => api.movie(id, signal).then((m) => ({ id, title: m.title, year: m.year }), () => ({ id, title: id, year: null }))));
    taste = { like: await named(shared.like), dislike: await named(shared.dislike) };
    if (signal.aborted) return;
  }
  const results = h("div", { class: "results", attrs: { "aria-busy": "true", "data-testid": "recommendations" } });
  const shareUrl = new URL(href({ name: "foryou", strategy: route.strategy, shared: { like: taste.like.map((m) => m.id), dislike: taste.dislike.map((m) => m.id) } }), location.href).href;
  const actions = h(
    "div",
    { class: "taste-actions" },
    segmented("strategy", "Recommendation strategy", STRATEGIES.map((s) => ({ value: s, label: STRATEGY_LABELS[s] })), route.strategy, (strategy) => navigate(href({ ...route, strategy }))),
    taste.like.length
      ? h("a", {
          class: "button",
          attrs: { href: shareUrl, "data-testid": "share-taste" },
          on: {
            click: (e) => {
              if (!navigator.clipboard) return;
              e.preventDefault();
              navigator.clipboard.writeText(shareUrl).then(() => toast("Link to this list copied"), () => navigate(shareUrl));
            },
          },
        }, "Share this list")
      : null,
    shared ? h("a", { class: "button", attrs: { href: href({ name: "foryou", strategy: route.strategy, shared: null }) } }, "Back to my list") : null,
    !shared && (mine.like.length || mine.dislike.length) ? h("button", { attrs: { type: "button" }, on: { click: () => clearTaste() } }, "Clear my list") : null,
  );
  replace(
    main,
    h(
      "section",
      { class: "foryou-view" },
      heading("h1", shared ? "Recommended from a shared list" : "Recommended for you"),
      h("div", { class: "taste" }, tasteList("Liked", taste.like, !shared, "liked"), tasteList("Disliked", taste.dislike, !shared, "disliked")),
      actions,
      results,
    ),
  );
  if (taste.like.length === 0) {
    results.setAttribute("aria-busy", "false");
    replace(results, emptyState("Nothing to go on yet", "Press the thumbs-up on movies you like (and thumbs-down on ones you don't); recommendations appear here.", h("a", { class: "button", attrs: { href: "/" } }, "Find movies")));
    return;
  }
  replace(results, h("div", { class: "grid" }, ...skeletons(8)));
  try {
    const list = await api.recommend({ like: taste.like.map((m) => m.id), dislike: taste.dislike.map((m) => m.id), strategy: route.strategy, k: RECOMMENDATIONS }, signal);
    if (signal.aborted) return;
    results.setAttribute("aria-busy", "false");
    const unknown = list.unknown?.length ? h("p", { class: "muted", attrs: { "data-testid": "unknown" } }, `Not in this collection (left out): ${list.unknown.join(", ")}`) : null;
    replace(results, unknown, list.results.length ? cardGrid(list.results, "Recommendations") : emptyState("No recommendations", "Like a few more movies."));
  } catch (err) {
    if (signal.aborted) return;
    results.setAttribute("aria-busy", "false");
    replace(results, errorState(err));
  }
}
