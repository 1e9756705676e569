import type { QueryState } from "./query.js";

const RUNTIME_UNITS: Record<string, number> = { minute: 1, minutes: 1, min: 1, mins: 1, hour: 60, hours: 60, hr: 60, hrs: 60, h: 60 };

/** Runtime: `under 90 minutes`, `less than 2 hours`, `over 2 hours`, `at least 100 minutes`. */
export function runtimeRule(q: QueryState): void {
  const { tokens, low } = q;
  for (let i = 0; i < tokens.length; i++) {
    if (q.used[i]) continue;
    const w = low[i]!;
    let j = i + 1;
    let bound: "max" | "min" | null = null;
    if (["under", "shorter"].includes(w) || (w === "less" && low[j] === "than") || (w === "at" && low[j] === "most")) bound = "max";
    else if (["over", "longer"].includes(w) || (w === "more" && low[j] === "than") || (w === "at" && low[j] === "least")) bound = "min";
    if (!bound) continue;
    if (["than", "most", "least"].includes(low[j] ?? "")) j++;
    const n = Number(low[j]);
    const unit = RUNTIME_UNITS[low[j + 1] ?? ""];
    if (!Number.isFinite(n) || n <= 0 || !unit || !q.free(i, j + 2)) continue;
    const minutes = Math.round(n * unit);
    if (bound === "max") q.filters.runtimeMax = minutes;
    else q.filters.runtimeMin = minutes;
    q.take(i, j + 2, `runtime ${bound === "max" ? "to" : "from"} ${minutes} min`);
    i = j + 1;
  }
}
