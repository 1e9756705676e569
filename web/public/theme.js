/* global localStorage, document */
// Applies the saved colour theme before the first paint (a module script would run too late
// and flash the other theme). Kept as a file, not inline, so the CSP can forbid inline scripts.
try {
  var t = localStorage.getItem("plotline.theme");
  if (t === "dark" || t === "light") document.documentElement.dataset.theme = t;
} catch {
  /* storage disabled: follow the system */
}
