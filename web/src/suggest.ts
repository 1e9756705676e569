import { api, isAbort, type Hit } from "./api.js";
import { debounce, h, replace } from "./dom.js";

/** Wait after the last keystroke before asking for titles, in ms (default 80). */
const DEBOUNCE_MS = 80;
/** Suggestions shown (default 8). */
const SUGGESTIONS = 8;

export interface SearchBox {
  form: HTMLFormElement;
  input: HTMLInputElement;
  setValue(q: string): void;
}

/**
 * The search box: an ARIA combobox suggesting titles as you type. Arrow keys move through the
 * suggestions, Enter opens the highlighted movie (or, with none highlighted, searches for the
 * text), Escape closes the list.
 */
export function searchBox(options: { onSearch(q: string): void; onPick(hit: Hit): void }): SearchBox {
  const listId = "suggestions";
  const input = h("input", {
    class: "search-input",
    attrs: {
      type: "search",
      name: "q",
      role: "combobox",
      "aria-label": "Search movies",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": listId,
      autocomplete: "off",
      spellcheck: "false",
      enterkeyhint: "search",
      maxlength: 2000,
      placeholder: "A title, or what happens: “astronaut stranded on Mars”",
      "data-testid": "search-input",
    },
  });
  const list = h("ul", { class: "suggestions", attrs: { id: listId, role: "listbox", "aria-label": "Title suggestions", hidden: true } });
  const submit = h("button", { class: "search-submit", attrs: { type: "submit", "aria-label": "Search" } }, "Search");
  const form = h("form", { class: "search-form", attrs: { role: "search", action: "/search" } }, h("div", { class: "combo" }, input, list), submit);

  let items: Hit[] = [];
  let active = -1;
  let controller: AbortController | null = null;
  const cache = new Map<string, Hit[]>();

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const setActive = (i: number) => {
    active = i;
    list.querySelectorAll("[role=option]").forEach((el, j) => el.setAttribute("aria-selected", String(j === i)));
    if (i >= 0) {
      input.setAttribute("aria-activedescendant", `${listId}-${i}`);
      list.children[i]?.scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };
  const pick = (hit: Hit) => {
    close();
    options.onPick(hit);
  };
  const show = (hits: Hit[]) => {
    items = hits;
    active = -1;
    replace(
      list,
      ...hits.map((hit, i) =>
        h(
          "li",
          {
            attrs: { id: `${listId}-${i}`, role: "option", "aria-selected": "false", "data-testid": "suggestion" },
            // mousedown, not click: the input must not lose focus (and close the list) first.
            on: { mousedown: (e) => (e.preventDefault(), pick(hit)), mousemove: () => active !== i && setActive(i) },
          },
          h("span", { class: "suggestion-title" }, hit.title),
          h("span", { class: "suggestion-year" }, hit.year ?? ""),
        ),
      ),
    );
    const open = hits.length > 0 && document.activeElement === input;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    input.removeAttribute("aria-activedescendant");
  };

  const fetchTitles = debounce(async (prefix: string) => {
    controller?.abort();
    const cached = cache.get(prefix);
    if (cached) return show(cached);
    controller = new AbortController();
    try {
      const res = await api.titles(prefix, SUGGESTIONS, controller.signal);
      if (cache.size > 200) cache.clear();
      cache.set(prefix, res.results);
      if (input.value.trim() === prefix) show(res.results);
    } catch (err) {
      if (!isAbort(err)) close();
    }
  }, DEBOUNCE_MS);

  input.addEventListener("input", () => {
    const prefix = input.value.trim();
    if (!prefix) {
      fetchTitles.cancel();
      controller?.abort();
      close();
      return;
    }
    fetchTitles(prefix.slice(0, 200));
  });
  input.addEventListener("keydown", (event) => {
    const open = !list.hidden && items.length > 0;
    if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      setActive((active + 1) % items.length);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      setActive(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      pick(items[active]!);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => close());
  input.addEventListener("focus", () => {
    if (items.length && input.value.trim()) show(items);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    fetchTitles.cancel();
    controller?.abort();
    close();
    const q = input.value.trim();
    if (q) options.onSearch(q);
  });

  return {
    form,
    input,
    setValue(q: string) {
      if (input.value !== q) input.value = q;
      close();
    },
  };
}
