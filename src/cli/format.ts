/** Thousands separators for counts users read. */
export function n(value: number): string {
  return value.toLocaleString("en-US");
}

export function bytes(value: number): string {
  const units = ["B", "KB", "MB", "GB"];
  let v = value;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}
