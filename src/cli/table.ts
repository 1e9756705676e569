import stringWidth from "string-width";

/**
 * Renders rows as a plain-text table with aligned columns; long cells are cut with an ellipsis.
 * Widths are terminal columns (string-width: East Asian wide characters take two, combining
 * marks and zero-width characters none), so `ゴジラvsスペースゴジラ` lines up with Latin titles.
 */
export function table(headers: string[], rows: (string | number | null)[][], maxWidth = 60): string {
  const cells = rows.map((r) => r.map((c) => truncate(c === null ? "" : String(c), maxWidth)));
  const widths = headers.map((h, i) => Math.max(stringWidth(h), ...cells.map((r) => stringWidth(r[i] ?? ""))));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c + " ".repeat(widths[i]! - stringWidth(c)))).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

/** `s` on one line, cut to at most `max` columns with an ellipsis. */
function truncate(s: string, max: number): string {
  const flat = s.replace(/\s+/g, " ");
  if (stringWidth(flat) <= max) return flat;
  let out = "";
  let width = 0;
  for (const { segment } of new Intl.Segmenter().segment(flat)) {
    const w = stringWidth(segment);
    if (width + w > max - 1) break;
    out += segment;
    width += w;
  }
  return `${out}…`;
}
