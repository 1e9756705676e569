/** Renders rows as a plain-text table with aligned columns; long cells are cut with an ellipsis. */
export function table(headers: string[], rows: (string | number | null)[][], maxWidth = 60): string {
  const cells = rows.map((r) => r.map((c) => truncate(c === null ? "" : String(c), maxWidth)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => displayWidth(r[i] ?? ""))));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c + " ".repeat(widths[i]! - displayWidth(c)))).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

function truncate(s: string, max: number): string {
  const flat = s.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function displayWidth(s: string): number {
  return [...s].length;
}
