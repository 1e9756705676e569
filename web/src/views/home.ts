import { h, replace } from "../dom.js";
import { loadTaste } from "../taste.js";
import { emptyFilters, href } from "../url.js";
import { heading, homeLink } from "./common.js";

/** Starting points that show what each kind of query does. */
const EXAMPLES = [
  "NASA tried to rescue an astronaut stranded on Mars.",
  "90s sci-fi about time travel",
  "a shark terrorizes a beach town",
  "comedies after 2005 starring Jim Carrey",
  "heist crew robs a casino",
  "toys come to life",
];

export function renderHome(main: HTMLElement): void {
  document.title = "Plotline: find movies by what happens in them";
  const taste = loadTaste();
  replace(
    main,
    h(
      "section",
      { class: "home" },
      heading("h1", "Find a movie by what happens in it."),
      h("p", { class: "lede" }, "Type a title for suggestions, or describe the plot in your own words. Open any movie for the 40 most like it; like a few to get recommendations."),
      h("h2", null, "Try"),
      h(
        "ul",
        { class: "examples" },
        ...EXAMPLES.map((q) => h("li", null, h("a", { attrs: { href: href({ name: "search", q, mode: "hybrid", parse: true, page: 1, filters: emptyFilters() }) } }, q))),
      ),
      taste.like.length ? h("p", null, h("a", { class: "button primary", attrs: { href: "/for-you" } }, `Recommended for you (from ${taste.like.length} liked)`)) : null,
    ),
  );
}

export function renderNotFound(main: HTMLElement, path: string): void {
  document.title = "Not found · Plotline";
  replace(main, h("section", { class: "empty" }, heading("h1", "Page not found"), h("p", null, `Nothing lives at ${path}.`), homeLink()));
}
