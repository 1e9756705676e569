import { api, ApiError, type ListResponse, type Movie, type Trailer } from "../api.js";
import { cardGrid, cardList, opinionButtons, skeletons } from "../card.js";
import { cover } from "../cover.js";
import { h, replace } from "../dom.js";
import { href, METHODS, navigate, VIEWS, type Method, type Route, type View } from "../url.js";
import { emptyState, errorState, heading, movieNotFound, segmented } from "./common.js";

type MovieRoute = Extract<Route, { name: "movie" }>;

/** Similar movies shown, as on Karpathy's site. */
const SIMILAR = 40;
const METHOD_LABELS: Record<Method, string> = { knn: "kNN", svm: "SVM" };
const VIEW_LABELS: Record<View, string> = { grid: "Grid", list: "List" };

function fact(label: string, value: string | null): HTMLElement | null {
  if (!value) return null;
  return h("div", { class: "fact" }, h("dt", null, label), h("dd", null, value));
}

const LANGUAGE_SOURCE: Record<NonNullable<Trailer["languageSource"]>, string> = {
  "audio-tag": "from the audio track's tag",
  subtitles: "from its subtitles",
  transcript: "detected in the transcript",
};
const TEXT_SOURCE: Record<Trailer["transcriptSource"], string> = { speech: "Transcribed from speech", subtitles: "From the subtitles", none: "No transcript" };

/** A trailer's transcript, with its language and where both came from. */
function trailerBlock(t: Trailer, i: number, count: number): HTMLElement {
  const name = t.file.split(/[\\/]/).pop() ?? t.file;
  const language = t.language ? `${t.language.toUpperCase()}${t.languageSource ? ` (${LANGUAGE_SOURCE[t.languageSource]})` : ""}` : "language unknown";
  return h(
    "figure",
    { class: "trailer", attrs: { "data-testid": "trailer" } },
    h("figcaption", null, h("strong", null, count > 1 ? `Trailer ${i + 1}` : "Trailer"), ` · ${name} · ${Math.round(t.seconds)} s · ${language}`),
    h("blockquote", { class: "transcript", attrs: { "data-testid": "transcript", lang: t.language ?? "" } }, t.transcript || "Nothing recognised."),
    h("p", { class: "trailer-meta" }, `${TEXT_SOURCE[t.transcriptSource]}${t.transcriptSource === "speech" ? ` by ${t.recognizer}` : ""}`),
  );
}

function details(movie: Movie): HTMLElement {
  const meta = [movie.year, movie.runtime ? `${Math.round(movie.runtime)} min` : null, movie.language?.toUpperCase()].filter(Boolean).join(" · ");
  return h(
    "article",
    { class: "movie-detail", attrs: { "data-testid": "movie-detail" } },
    h("div", { class: "movie-cover" }, cover(movie)),
    h(
      "div",
      { class: "movie-body" },
      heading("h1", movie.title, { "data-testid": "movie-title" }),
      h("p", { class: "movie-meta" }, meta, typeof movie.rating === "number" ? h("span", { class: "rating" }, ` · ★ ${movie.rating.toFixed(1)}`, movie.votes ? ` (${movie.votes.toLocaleString("en")} votes)` : "") : null),
      movie.genres.length ? h("ul", { class: "tags", attrs: { "aria-label": "Genres" } }, ...movie.genres.map((g) => h("li", null, g))) : null,
      movie.tagline ? h("p", { class: "tagline" }, movie.tagline) : null,
      h("p", { class: "overview" }, movie.overview || "No overview."),
      h(
        "dl",
        { class: "facts" },
        fact(movie.directors.length > 1 ? "Directors" : "Director", movie.directors.join(", ")),
        fact("Starring", movie.cast.slice(0, 8).join(", ")),
        fact("Keywords", movie.keywords.slice(0, 12).join(", ")),
      ),
      movie.trailers?.length
        ? h("section", { class: "trailers", attrs: { "aria-label": "Trailers" } }, ...movie.trailers.map((t, i, all) => trailerBlock(t, i, all.length)))
        : null,
      opinionButtons(movie),
    ),
  );
}

export async function renderMovie(route: MovieRoute, main: HTMLElement, signal: AbortSignal): Promise<void> {
  const top = h("div", { class: "movie-top", attrs: { "aria-busy": "true" } }, h("div", { class: "movie-detail skeleton" }, h("div", { class: "cover" }), h("div", { class: "line" })));
  const similar = h("div", { class: "results", attrs: { "aria-busy": "true", "data-testid": "similar" } }, h("div", { class: "grid" }, ...skeletons(8)));
  const methods = segmented("method", "Similarity method", METHODS.map((m) => ({ value: m, label: METHOD_LABELS[m] })), route.method, (method) => navigate(href({ ...route, method })));
  const views = segmented("view", "Layout", VIEWS.map((v) => ({ value: v, label: VIEW_LABELS[v] })), route.view, (view) => navigate(href({ ...route, view }), { replace: true }));
  replace(
    main,
    h(
      "section",
      { class: "movie-view" },
      top,
      h("section", { class: "similar", attrs: { "aria-labelledby": "similar-heading" } }, h("div", { class: "toolbar" }, h("h2", { attrs: { id: "similar-heading" } }, `The ${SIMILAR} most similar`), methods, views), similar),
    ),
  );

  const moviePromise = api.movie(route.id, signal);
  const similarPromise = api.similar(route.id, { k: SIMILAR, method: route.method }, signal);
  // Both requests run at once and either may fail first (an unknown id is a 404 for both, and
  // with several server processes their order is anyone's): a rejection of the list while the
  // movie is still awaited would be an unhandled one (a script error), so it is marked handled
  // now; the await below still sees it.
  similarPromise.catch(() => undefined);
  let movie: Movie;
  try {
    movie = await moviePromise;
  } catch (err) {
    if (signal.aborted) return;
    document.title = "Not found · Plotline";
    replace(main, err instanceof ApiError && err.status === 404 ? movieNotFound(route.id) : (errorState(err) ?? ""));
    return;
  }
  if (signal.aborted) return;
  document.title = `${movie.title}${movie.year ? ` (${movie.year})` : ""} · Plotline`;
  top.setAttribute("aria-busy", "false");
  replace(top, details(movie));

  let list: ListResponse;
  try {
    list = await similarPromise;
  } catch (err) {
    if (signal.aborted) return;
    replace(similar, errorState(err));
    similar.setAttribute("aria-busy", "false");
    return;
  }
  if (signal.aborted) return;
  similar.setAttribute("aria-busy", "false");
  const label = `Movies similar to ${movie.title}`;
  replace(similar, list.results.length ? (route.view === "list" ? cardList(list.results, label) : cardGrid(list.results, label, { dense: true })) : emptyState("Nothing similar found", "This movie has no neighbours in the collection."));
}
