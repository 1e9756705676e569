import { api, type ListResponse } from "../api.js";
import { cardGrid, skeletons } from "../card.js";
import { chipElement, exampleChips, explicitChips, paramsFromFilters, rangeParam, type Chip } from "../chips.js";
import { h, replace } from "../dom.js";
import { emptyFilters, href, MODES, navigate, PAGE_SIZE, type FilterParams, type Mode, type Route } from "../url.js";
import { emptyState, errorState, heading, segmented } from "./common.js";

type SearchRoute = Extract<Route, { name: "search" }>;

const MODE_LABELS: Record<Mode, string> = { hybrid: "Hybrid", semantic: "Semantic", keyword: "Keyword" };

let genreList: Promise<string[]> | null = null;
function genres(): Promise<string[]> {
  genreList ??= api.genres().then(
    (r) => r.genres.map((g) => g.name),
    () => ((genreList = null), []),
  );
  return genreList;
}

function go(route: SearchRoute, changes: Partial<SearchRoute>): void {
  navigate(href({ ...route, page: 1, ...changes }));
}

function apiParams(route: SearchRoute): Record<string, string | number | boolean | string[] | undefined> {
  return { q: route.q, mode: route.mode, k: PAGE_SIZE, offset: (route.page - 1) * PAGE_SIZE, ...(route.parse ? {} : { parse: false }), ...route.filters };
}

/** The filter form: year range, genres, minimum rating; applying it puts them in the URL. */
function filterPanel(route: SearchRoute): HTMLElement {
  const f = route.filters;
  const [y1, y2] = (f.year ?? "").includes("..") ? f.year!.split("..") : [f.year ?? "", f.year ?? ""];
  const from = h("input", { attrs: { type: "number", name: "year_from", min: 1874, max: 2100, inputmode: "numeric", placeholder: "from", value: y1 ?? "", "aria-label": "Year from", "data-testid": "year-from" } });
  const to = h("input", { attrs: { type: "number", name: "year_to", min: 1874, max: 2100, inputmode: "numeric", placeholder: "to", value: y2 ?? "", "aria-label": "Year to", "data-testid": "year-to" } });
  const rating = h(
    "select",
    { attrs: { name: "min_rating", "aria-label": "Minimum rating", "data-testid": "min-rating" } },
    ...["", "5", "6", "7", "8"].map((v) => h("option", { attrs: { value: v, selected: (f.min_rating ?? "") === v } }, v ? `★ ${v}+` : "Any rating")),
  );
  const genreBox = h("div", { class: "genre-options", attrs: { role: "group", "aria-label": "Genres" } });
  void genres().then((names) => {
    const selected = new Set(f.genre);
    for (const g of f.genre) if (!names.includes(g)) names = [...names, g];
    replace(
      genreBox,
      ...names.map((name) =>
        h("label", { class: "genre-option" }, h("input", { attrs: { type: "checkbox", name: "genre", value: name, checked: selected.has(name), "data-testid": "genre-option" } }), h("span", null, name)),
      ),
    );
  });
  const form = h(
    "form",
    { class: "filter-form", attrs: { "data-testid": "filter-form" } },
    h("fieldset", null, h("legend", null, "Year"), h("div", { class: "year-range" }, from, h("span", { attrs: { "aria-hidden": "true" } }, "–"), to)),
    h("fieldset", null, h("legend", null, "Rating"), rating),
    h("fieldset", { class: "genres" }, h("legend", null, "Genres"), genreBox),
    h("div", { class: "filter-actions" }, h("button", { class: "primary", attrs: { type: "submit", "data-testid": "apply-filters" } }, "Apply filters")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const num = (v: string) => (/^\d{1,4}$/.test(v.trim()) ? Number(v.trim()) : undefined);
    let a = num(from.value);
    let b = num(to.value);
    if (a !== undefined && b !== undefined && a > b) [a, b] = [b, a];
    const next: FilterParams = {
      ...f,
      year: rangeParam(a, b),
      min_rating: rating.value || undefined,
      genre: [...form.querySelectorAll<HTMLInputElement>("input[name=genre]:checked")].map((i) => i.value),
    };
    go(route, { filters: next });
  });
  const open = Boolean(f.year || f.genre.length || f.min_rating) && matchMedia("(min-width: 900px)").matches;
  return h("details", { class: "filters", attrs: { open } }, h("summary", { attrs: { "data-testid": "filters-toggle" } }, "Filters"), form);
}

/**
 * Chips for every active filter: the URL's own, then the ones the engine read from the query
 * (`parsed.filters` holds both; the URL's win where both set one).
 */
function chipRow(route: SearchRoute, response: ListResponse | null): HTMLElement {
  const list = h("ul", { class: "chips", attrs: { "aria-label": "Active filters", "data-testid": "chips" } });
  const explicit = explicitChips(route.filters);
  for (const { chip, without } of explicit) list.append(chipElement(chip, () => go(route, { filters: without })));
  const parsed = response?.parsed;
  if (route.parse && parsed) {
    const all = paramsFromFilters(parsed.filters ?? {});
    const seen = new Set(explicit.map((e) => `${e.chip.key}\u0000${e.chip.label}`));
    // Removing a filter the engine read from the query: search the rest of the text as plain
    // text, keeping every other filter as an explicit one.
    const removeParsed = (without: FilterParams) => go(route, { q: parsed.text?.trim() || route.q, parse: false, filters: without });
    for (const { chip, without } of explicitChips(all)) {
      if (seen.has(`${chip.key}\u0000${chip.label}`)) continue;
      const c: Chip = { ...chip, kind: "parsed" };
      list.append(chipElement(c, () => removeParsed(without)));
    }
    // The films named as examples; removing one searches the rest of the words as typed.
    for (const chip of exampleChips(parsed)) list.append(chipElement(chip, () => removeParsed(all)));
  }
  list.hidden = list.children.length === 0;
  return list;
}

/** "Understood: “90s” as year 1990..1999": what query understanding did, in its own words. */
function understood(response: ListResponse | null): HTMLElement | null {
  const extracted = response?.parsed?.extracted ?? [];
  if (extracted.length === 0) return null;
  const parts: (string | HTMLElement)[] = ["Understood "];
  extracted.forEach((e, i) => {
    if (i > 0) parts.push(i === extracted.length - 1 ? " and " : ", ");
    parts.push(h("q", null, e.phrase), ` as ${e.as}`);
  });
  return h("p", { class: "understood muted", attrs: { "data-testid": "understood" } }, ...parts, ".");
}

function pager(route: SearchRoute, count: number): HTMLElement | null {
  const prev = route.page > 1 ? h("a", { class: "button", attrs: { href: href({ ...route, page: route.page - 1 }), rel: "prev", "data-testid": "prev-page" } }, "← Previous") : null;
  const next = count === PAGE_SIZE ? h("a", { class: "button", attrs: { href: href({ ...route, page: route.page + 1 }), rel: "next", "data-testid": "next-page" } }, "Next →") : null;
  if (!prev && !next) return null;
  return h("nav", { class: "pager", attrs: { "aria-label": "Pages" } }, prev, h("span", null, `Page ${route.page}`), next);
}

export async function renderSearch(route: SearchRoute, main: HTMLElement, signal: AbortSignal): Promise<void> {
  document.title = `${route.q} · Plotline`;
  const status = h("p", { class: "status", attrs: { role: "status", "data-testid": "status" } }, "Searching…");
  const chips = chipRow(route, null);
  const results = h("div", { class: "results", attrs: { "aria-busy": "true", "data-testid": "results" } }, h("div", { class: "grid" }, ...skeletons(8)));
  const modes = segmented("mode", "Search mode", MODES.map((m) => ({ value: m, label: MODE_LABELS[m] })), route.mode, (mode) => go(route, { mode }));
  replace(
    main,
    h(
      "section",
      { class: "search-view" },
      h("div", { class: "toolbar" }, heading("h1", h("span", null, "Results for ", h("q", null, route.q)), { class: "results-heading" }), modes),
      filterPanel(route),
      chips,
      status,
      results,
    ),
  );

  let response: ListResponse;
  try {
    response = await api.search(apiParams(route), signal);
  } catch (err) {
    if (signal.aborted) return;
    status.textContent = "";
    replace(results, errorState(err));
    results.setAttribute("aria-busy", "false");
    return;
  }
  if (signal.aborted) return;
  const newChips = chipRow(route, response);
  chips.replaceWith(newChips);
  const note = understood(response);
  if (note) newChips.after(note);
  results.setAttribute("aria-busy", "false");
  const n = response.results.length;
  const first = (route.page - 1) * PAGE_SIZE + 1;
  status.textContent = n ? `Showing ${first}–${first + n - 1} · ${MODE_LABELS[route.mode].toLowerCase()} search` : "";
  if (n === 0) {
    const hasFilters = Boolean(route.filters.year || route.filters.genre.length || route.filters.min_rating || route.filters.cast.length || route.filters.director.length);
    replace(
      results,
      route.page > 1
        ? emptyState("No more results", "That was everything for this search.", h("a", { class: "button", attrs: { href: href({ ...route, page: 1 }) } }, "Back to page 1"))
        : emptyState(
            "No movies matched",
            hasFilters ? "Try removing a filter, or describe the movie in other words." : "Try other words, or a different mode.",
            ...(hasFilters ? [h("a", { class: "button", attrs: { href: href({ ...route, filters: emptyFilters() }), "data-testid": "clear-filters" } }, "Clear all filters")] : []),
          ),
    );
    return;
  }
  replace(results, cardGrid(response.results, `Results for ${route.q}`), pager(route, n));
}
