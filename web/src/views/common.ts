import { ApiError, isAbort } from "../api.js";
import { h } from "../dom.js";

/** A radio group (native radios: arrow keys move within it, Tab leaves it). */
export function segmented<T extends string>(name: string, legend: string, options: readonly { value: T; label: string }[], value: T, onChange: (v: T) => void): HTMLFieldSetElement {
  return h(
    "fieldset",
    { class: "segmented", attrs: { "data-testid": `${name}-switch` } },
    h("legend", { class: "visually-hidden" }, legend),
    ...options.map((o) =>
      h(
        "label",
        null,
        h("input", { attrs: { type: "radio", name, value: o.value, checked: o.value === value }, on: { change: () => onChange(o.value) } }),
        h("span", null, o.label),
      ),
    ),
  );
}

export function emptyState(title: string, detail: string | Node, ...extra: Node[]): HTMLElement {
  return h("div", { class: "empty", attrs: { "data-testid": "empty" } }, h("p", { class: "empty-title" }, title), h("p", null, detail), ...extra);
}

/** A way out of a dead end: home, where the search box and starting points are. */
export function homeLink(): HTMLElement {
  return h("a", { class: "button", attrs: { href: "/", "data-testid": "home-link" } }, "Go home");
}

/** An error from the API, shown in words with a way home; aborted requests show nothing. */
export function errorState(err: unknown): HTMLElement | null {
  if (isAbort(err)) return null;
  const message = err instanceof ApiError ? err.message : "The server could not be reached.";
  return h("div", { class: "empty error", attrs: { role: "alert", "data-testid": "error" } }, h("p", { class: "empty-title" }, "Something went wrong"), h("p", null, message), homeLink());
}

/** A movie the collection does not have (a stale or mistyped link). */
export function movieNotFound(id: string): HTMLElement {
  return h(
    "section",
    { class: "empty", attrs: { "data-testid": "not-found" } },
    heading("h1", "Movie not found"),
    h("p", null, `This collection has no movie with the id ${id}. Search for it by title, or start again from the home page.`),
    homeLink(),
  );
}

/** A heading that takes focus after navigation, so screen readers and keyboards start there. */
export function heading(level: "h1" | "h2", text: string | Node, attrs: Record<string, string> = {}): HTMLElement {
  return h(level, { attrs: { tabindex: "-1", ...attrs } }, text);
}
