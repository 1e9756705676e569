/**
 * The user's taste list: movies liked and disliked, kept in this browser (localStorage) with
 * their titles, so the list shows without asking the server. Every change is announced to the
 * open views through `onTasteChange`.
 */
export interface TasteItem {
  id: string;
  title: string;
  year: number | null;
}
export interface Taste {
  like: TasteItem[];
  dislike: TasteItem[];
}
export type Opinion = "like" | "dislike";

const KEY = "plotline.taste";
/** Largest list kept per side; the API takes at most 100 examples in all. */
export const MAX_PER_SIDE = 50;

function valid(x: unknown): x is TasteItem {
  const o = x as TasteItem;
  return typeof o === "object" && o !== null && typeof o.id === "string" && typeof o.title === "string";
}

export function loadTaste(): Taste {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? "null") as Partial<Taste> | null;
    return { like: (raw?.like ?? []).filter(valid), dislike: (raw?.dislike ?? []).filter(valid) };
  } catch {
    return { like: [], dislike: [] };
  }
}

function save(t: Taste): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(t));
  } catch {
    /* storage full or disabled: the list lives for this page only */
  }
  for (const fn of listeners) fn(t);
}

const listeners = new Set<(t: Taste) => void>();
export function onTasteChange(fn: (t: Taste) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function opinionOf(id: string, t = loadTaste()): Opinion | null {
  if (t.like.some((m) => m.id === id)) return "like";
  if (t.dislike.some((m) => m.id === id)) return "dislike";
  return null;
}

/** Sets (or with the same opinion again, clears) the opinion on a movie; returns the new one. */
export function toggleOpinion(item: TasteItem, opinion: Opinion): Opinion | null {
  const t = loadTaste();
  const had = opinionOf(item.id, t);
  t.like = t.like.filter((m) => m.id !== item.id);
  t.dislike = t.dislike.filter((m) => m.id !== item.id);
  const next = had === opinion ? null : opinion;
  if (next) t[next] = [{ id: item.id, title: item.title, year: item.year }, ...t[next]].slice(0, MAX_PER_SIDE);
  save(t);
  return next;
}

export function forget(id: string): void {
  const t = loadTaste();
  save({ like: t.like.filter((m) => m.id !== id), dislike: t.dislike.filter((m) => m.id !== id) });
}

export function clearTaste(): void {
  save({ like: [], dislike: [] });
}
