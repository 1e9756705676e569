import { h } from "./dom.js";

/**
 * Dark mode: follows the system (prefers-color-scheme) until the user picks a theme with the
 * toggle; the choice is kept in localStorage and applied before paint by /theme.js.
 */
const KEY = "plotline.theme";
type Theme = "light" | "dark";

function current(): Theme {
  const set = document.documentElement.dataset.theme;
  if (set === "dark" || set === "light") return set;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function themeToggle(): HTMLButtonElement {
  const button = h("button", { class: "icon-button theme-toggle", attrs: { type: "button", "data-testid": "theme-toggle" } });
  const sync = () => {
    const dark = current() === "dark";
    button.setAttribute("aria-pressed", String(dark));
    button.setAttribute("aria-label", "Dark mode");
    button.title = dark ? "Switch to light mode" : "Switch to dark mode";
    button.textContent = dark ? "☾" : "☀";
  };
  button.addEventListener("click", () => {
    const next: Theme = current() === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    try {
      localStorage.setItem(KEY, next);
    } catch {
      /* not kept: fine for this page */
    }
    sync();
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", sync);
  sync();
  return button;
}
