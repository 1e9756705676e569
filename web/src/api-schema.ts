/**
 * The HTTP API's types, generated from its OpenAPI document by `npm run api-types`
 * (openapi-typescript). Do not edit: change the route schemas or `src/options/` and run it again.
 */

export interface paths {
    "/api/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search movies by title, keywords or a description in your own words
         * @description `Plotline.search(q, options)`: the CLI's `search --json` shape, each result also carrying the fields a card shows. Phrases in `q` such as `90s` or `starring Jim Carrey` become filters (listed in `parsed`) unless `parse=false`.
         */
        get: operations["getApiSearch"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/titles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Title suggestions as you type
         * @description `Plotline.titles(q, k)`: titles that start with, or nearly match, what was typed; exact beats prefix beats typo. `q` as in `/api/search`; `prefix` is its older name, still accepted.
         */
        get: operations["getApiTitles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/movies/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One movie
         * @description `Plotline.movie(id)`: every stored field, and the movie's trailers (`Plotline.movieTrailers(id)`).
         */
        get: operations["getApiMoviesById"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/movies/{id}/similar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The movies most like this one
         * @description `Plotline.similar(id, options)`: the CLI's `similar --json` shape; the movie itself never appears.
         */
        get: operations["getApiMoviesByIdSimilar"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/recommend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Recommendations from liked and disliked movies
         * @description `Plotline.recommend(options)`: the CLI's `recommend --json` shape. Examples never appear in the results; ids that are not in the collection are reported, not dropped silently.
         */
        post: operations["postApiRecommend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/genres": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The collection's genres with their movie counts
         * @description For filter menus: every genre in the collection, most common first.
         */
        get: operations["getApiGenres"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Is the server up, and what is it serving
         * @description Cheap: reads the collection's manifest and count; `status` is `empty` until a first ingest has finished.
         */
        get: operations["getApiHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description Every error: a machine-readable code, a one-line message, and the parameter at fault when there is one. */
        Error: {
            error: {
                /** @description invalid_parameter, invalid_body, not_found, method_not_allowed, payload_too_large, unsupported_media_type, uri_too_long, header_too_large, request_timeout, timeout, collection_unavailable, not_supported, bad_request, internal */
                code: string;
                message: string;
                /** @description The query parameter, path parameter or body field at fault. */
                parameter?: string;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getApiSearch: {
        parameters: {
            query: {
                /** @description The query (at most 2000 characters). */
                q: string;
                /** @description Search mode: keyword and semantic fused, embeddings only, BM25 only, or titles as you type. */
                mode?: "hybrid" | "semantic" | "keyword" | "title";
                /** @description Hybrid (convex, native-*): weight of the semantic side, 0 (keyword only) to 1 (semantic only); default per embedder: glove 0.35, minilm 0.45, others 0.35. */
                alpha?: number;
                /** @description Hybrid fusion: the learned ranking model (no alpha), convex combination of normalised scores, or reciprocal rank fusion (k = 60); native-rrf, native-relative, native-dbsf: the backend's own hybrid query, where it has that one (Qdrant: rrf, dbsf; Weaviate: rankedFusion, relativeScoreFusion, weighted by alpha), else an error. */
                fusion?: "learned" | "convex" | "rrf" | "native-rrf" | "native-relative" | "native-dbsf";
                /** @description Weight of the popularity prior as a multiple of its learned weight: 1 as learned, 0 off (relevance alone), 2 twice as much. */
                prior?: number;
                /** @description Results per page. */
                k?: number;
                /** @description Results to skip. */
                offset?: number;
                /** @description Turn phrases such as "90s" or "starring X" into filters (off: search the words as typed). */
                parse?: boolean;
                /** @description Release years, inclusive: 1990..1999, 2006.., ..1979 or 1994. */
                year?: string;
                /** @description Genre (repeat for several; any of them unless genre mode is all), matched case-insensitively. */
                genre?: string[];
                /** @description With several genres: a movie has any of them, or all. */
                genre_mode?: "any" | "all";
                /** @description Genre a movie must not have (repeat for several), matched case-insensitively. */
                exclude_genre?: string[];
                /** @description Minimum average rating, 0..10. */
                min_rating?: number;
                /** @description Minimum number of votes. */
                min_votes?: number;
                /** @description Runtime in minutes, inclusive: 90..120, ..100. */
                runtime?: string;
                /** @description Cast member (repeat: a movie has all of them), matched case-insensitively. */
                cast?: string[];
                /** @description Director (repeat: a movie has one of them), matched case-insensitively. */
                director?: string[];
                /** @description ISO 639-1 language, e.g. en: the movie's original language or one of its trailers' (movies whose language is unknown do not match). */
                language?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        query?: string;
                        /** @description Search: what was searched: the `text` left, the `filters` applied, and the `extracted` phrases that became filters. */
                        parsed?: {
                            text: string;
                            filters: {
                                /** @description Release years, inclusive: 1990..1999, 2006.., ..1979 or 1994 (the lower end). */
                                yearMin?: number;
                                /** @description Release years, inclusive: 1990..1999, 2006.., ..1979 or 1994 (the upper end). */
                                yearMax?: number;
                                /** @description Genre (repeat for several; any of them unless genre mode is all), matched case-insensitively. */
                                genres?: string[];
                                /**
                                 * @description With several genres: a movie has any of them, or all.
                                 * @enum {string}
                                 */
                                genreMode?: "any" | "all";
                                /** @description Genre a movie must not have (repeat for several), matched case-insensitively. */
                                excludeGenres?: string[];
                                /** @description Minimum average rating, 0..10. */
                                minRating?: number;
                                /** @description Minimum number of votes. */
                                minVotes?: number;
                                /** @description Runtime in minutes, inclusive: 90..120, ..100 (the lower end). */
                                runtimeMin?: number;
                                /** @description Runtime in minutes, inclusive: 90..120, ..100 (the upper end). */
                                runtimeMax?: number;
                                /** @description Cast member (repeat: a movie has all of them), matched case-insensitively. */
                                cast?: string[];
                                /** @description Director (repeat: a movie has one of them), matched case-insensitively. */
                                directors?: string[];
                                /** @description ISO 639-1 language, e.g. en: the movie's original language or one of its trailers' (movies whose language is unknown do not match). */
                                language?: string;
                            };
                            /** @description "Movies like X": the title named. */
                            like?: string;
                            /** @description The id of the movie `like` resolved to. */
                            likeId?: string;
                            extracted: {
                                phrase: string;
                                as: string;
                            }[];
                        } & {
                            [key: string]: unknown;
                        };
                        mode?: string;
                        /** @description Similar: the movie the list is about. */
                        movie?: {
                            id: string;
                            title: string;
                            year: number | null;
                        };
                        method?: string;
                        strategy?: string;
                        /** @description Recommend: the liked movies used. */
                        like?: {
                            id: string;
                            title: string;
                            year: number | null;
                        }[];
                        /** @description Recommend: the disliked movies used. */
                        dislike?: {
                            id: string;
                            title: string;
                            year: number | null;
                        }[];
                        /** @description Recommend: examples that match no movie, as given. */
                        unknown?: string[];
                        results: ({
                            id: string;
                            title: string;
                            year: number | null;
                            score: number;
                            /** @description Search: the keyword (BM25) and semantic (cosine) parts of `score`, null where that side did not score the movie; hybrid adds their normalised values and ranks, title mode its title score. */
                            scores?: {
                                keyword: number | null;
                                semantic: number | null;
                                keywordNorm?: number;
                                semanticNorm?: number;
                                keywordRank?: number | null;
                                semanticRank?: number | null;
                                title?: number;
                            };
                            /** @description Search: the words of the query found in each field, as spelled there. */
                            matches?: {
                                [key: string]: string[];
                            };
                            /** @description Similar and recommend: the method's own similarity. */
                            similarity?: number;
                            /** @description Similar and recommend: the overview's sentiment, -1..1. */
                            sentiment?: number;
                            /** @description Recommend `best`: the highest cosine to a liked movie. */
                            like?: number;
                            /** @description Recommend `best`: the highest cosine to a disliked movie. */
                            dislike?: number;
                            /** @description With diversity: the highest similarity to a result listed above. */
                            redundancy?: number;
                            genres?: string[];
                            overview?: string;
                            posterUrl?: string | null;
                            rating?: number | null;
                            votes?: number | null;
                        } & {
                            [key: string]: unknown;
                        })[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Client error: a bad parameter (400), an unknown movie (404), a method the path does not take (405), a body over the limit (413) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The collection is not ready (503), the request timed out (503), the collection's backend cannot do what was asked (501), or an internal error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiTitles: {
        parameters: {
            query?: {
                /** @description What the user has typed so far. */
                q?: string;
                /** @description The same as q (its older name); give one of them. */
                prefix?: string;
                /** @description Suggestions to return. */
                k?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        query?: string;
                        /** @description Search: what was searched: the `text` left, the `filters` applied, and the `extracted` phrases that became filters. */
                        parsed?: {
                            text: string;
                            filters: {
                                /** @description Release years, inclusive: 1990..1999, 2006.., ..1979 or 1994 (the lower end). */
                                yearMin?: number;
                                /** @description Release years, inclusive: 1990..1999, 2006.., ..1979 or 1994 (the upper end). */
                                yearMax?: number;
                                /** @description Genre (repeat for several; any of them unless genre mode is all), matched case-insensitively. */
                                genres?: string[];
                                /**
                                 * @description With several genres: a movie has any of them, or all.
                                 * @enum {string}
                                 */
                                genreMode?: "any" | "all";
                                /** @description Genre a movie must not have (repeat for several), matched case-insensitively. */
                                excludeGenres?: string[];
                                /** @description Minimum average rating, 0..10. */
                                minRating?: number;
                                /** @description Minimum number of votes. */
                                minVotes?: number;
                                /** @description Runtime in minutes, inclusive: 90..120, ..100 (the lower end). */
                                runtimeMin?: number;
                                /** @description Runtime in minutes, inclusive: 90..120, ..100 (the upper end). */
                                runtimeMax?: number;
                                /** @description Cast member (repeat: a movie has all of them), matched case-insensitively. */
                                cast?: string[];
                                /** @description Director (repeat: a movie has one of them), matched case-insensitively. */
                                directors?: string[];
                                /** @description ISO 639-1 language, e.g. en: the movie's original language or one of its trailers' (movies whose language is unknown do not match). */
                                language?: string;
                            };
                            /** @description "Movies like X": the title named. */
                            like?: string;
                            /** @description The id of the movie `like` resolved to. */
                            likeId?: string;
                            extracted: {
                                phrase: string;
                                as: string;
                            }[];
                        } & {
                            [key: string]: unknown;
                        };
                        mode?: string;
                        /** @description Similar: the movie the list is about. */
                        movie?: {
                            id: string;
                            title: string;
                            year: number | null;
                        };
                        method?: string;
                        strategy?: string;
                        /** @description Recommend: the liked movies used. */
                        like?: {
                            id: string;
                            title: string;
                            year: number | null;
                        }[];
                        /** @description Recommend: the disliked movies used. */
                        dislike?: {
                            id: string;
                            title: string;
                            year: number | null;
                        }[];
                        /** @description Recommend: examples that match no movie, as given. */
                        unknown?: string[];
                        results: ({
                            id: string;
                            title: string;
                            year: number | null;
                            score: number;
                            /** @description Search: the keyword (BM25) and semantic (cosine) parts of `score`, null where that side did not score the movie; hybrid adds their normalised values and ranks, title mode its title score. */
                            scores?: {
                                keyword: number | null;
                                semantic: number | null;
                                keywordNorm?: number;
                                semanticNorm?: number;
                                keywordRank?: number | null;
                                semanticRank?: number | null;
                                title?: number;
                            };
                            /** @description Search: the words of the query found in each field, as spelled there. */
                            matches?: {
                                [key: string]: string[];
                            };
                            /** @description Similar and recommend: the method's own similarity. */
                            similarity?: number;
                            /** @description Similar and recommend: the overview's sentiment, -1..1. */
                            sentiment?: number;
                            /** @description Recommend `best`: the highest cosine to a liked movie. */
                            like?: number;
                            /** @description Recommend `best`: the highest cosine to a disliked movie. */
                            dislike?: number;
                            /** @description With diversity: the highest similarity to a result listed above. */
                            redundancy?: number;
                            genres?: string[];
                            overview?: string;
                            posterUrl?: string | null;
                            rating?: number | null;
                            votes?: number | null;
                        } & {
                            [key: string]: unknown;
                        })[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Client error: a bad parameter (400), an unknown movie (404), a method the path does not take (405), a body over the limit (413) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The collection is not ready (503), the request timed out (503), the collection's backend cannot do what was asked (501), or an internal error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiMoviesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Movie id: an IMDb id such as `tt3659388`, or `<source>:<id>`. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        source: string;
                        sourceId: string;
                        title: string;
                        year: number | null;
                        overview: string;
                        tagline: string | null;
                        genres: string[];
                        keywords: string[];
                        cast: string[];
                        directors: string[];
                        companies: string[];
                        runtime: number | null;
                        rating: number | null;
                        votes: number | null;
                        popularity: number | null;
                        budget: number | null;
                        revenue: number | null;
                        posterUrl: string | null;
                        language: string | null;
                        /** @description Trailers attached by `plotline trailers`, in file order: what each says and its language, with where the language came from. */
                        trailers?: {
                            /** @description The video's path as it was given. */
                            file: string;
                            transcript: string;
                            /**
                             * @description Recognised speech, the subtitles beside the video, or nothing usable.
                             * @enum {string}
                             */
                            transcriptSource: "speech" | "subtitles" | "none";
                            language: string | null;
                            /** @enum {string|null} */
                            languageSource: "audio-tag" | "subtitles" | "transcript" | null;
                            /** @description Every language finding, with its source and confidence. */
                            languages: {
                                language?: string;
                                source?: string;
                                raw?: string;
                                confidence?: number;
                            }[];
                            recognizer: string;
                            /** @description Audio length. */
                            seconds: number;
                        }[];
                    };
                };
            };
            /** @description Client error: a bad parameter (400), an unknown movie (404), a method the path does not take (405), a body over the limit (413) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The collection is not ready (503), the request timed out (503), the collection's backend cannot do what was asked (501), or an internal error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiMoviesByIdSimilar: {
        parameters: {
            query?: {
                /** @description Movies to return. */
                k?: number;
                /** @description Embedding cosine, exemplar SVM or TF-IDF cosine. */
                method?: "knn" | "svm" | "tfidf";
                /** @description Maximal marginal relevance, 0 (keeps the ranking) to 1 (most diverse). */
                diversity?: number;
                /** @description Re-rank by (1 - w) x similarity + w x sentiment (of the English trailer transcript when there is one, else of the overview). */
                rerank?: "none" | "sentiment";
                /** @description W for rerank sentiment, 0..1. */
                sentiment_weight?: number;
                /** @description Candidates re-ranking and diversity choose from (default max(4k, 100)). */
                candidates?: number;
                /** @description Weight of the popularity prior as a multiple of its learned weight: 1 as learned, 0 off (relevance alone), 2 twice as much. */
                prior?: number;
                /** @description Lead with the examples' own series and remakes (shared title stems), others of a disliked one's series last (off: similarity alone). */
                series?: boolean;
                /** @description Release years, inclusive: 1990..1999, 2006.., ..1979 or 1994. */
                year?: string;
                /** @description Genre (repeat for several; any of them unless genre mode is all), matched case-insensitively. */
                genre?: string[];
                /** @description With several genres: a movie has any of them, or all. */
                genre_mode?: "any" | "all";
                /** @description Genre a movie must not have (repeat for several), matched case-insensitively. */
                exclude_genre?: string[];
                /** @description Minimum average rating, 0..10. */
                min_rating?: number;
                /** @description Minimum number of votes. */
                min_votes?: number;
                /** @description Runtime in minutes, inclusive: 90..120, ..100. */
                runtime?: string;
                /** @description Cast member (repeat: a movie has all of them), matched case-insensitively. */
                cast?: string[];
                /** @description Director (repeat: a movie has one of them), matched case-insensitively. */
                director?: string[];
                /** @description ISO 639-1 language, e.g. en: the movie's original language or one of its trailers' (movies whose language is unknown do not match). */
                language?: string;
            };
            header?: never;
            path: {
                /** @description Movie id: an IMDb id such as `tt3659388`, or `<source>:<id>`. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        query?: string;
                        /** @description Search: what was searched: the `text` left, the `filters` applied, and the `extracted` phrases that became filters. */
                        parsed?: {
                            text: string;
                            filters: {
                                /** @description Release years, inclusive: 1990..1999, 2006.., ..1979 or 1994 (the lower end). */
                                yearMin?: number;
                                /** @description Release years, inclusive: 1990..1999, 2006.., ..1979 or 1994 (the upper end). */
                                yearMax?: number;
                                /** @description Genre (repeat for several; any of them unless genre mode is all), matched case-insensitively. */
                                genres?: string[];
                                /**
                                 * @description With several genres: a movie has any of them, or all.
                                 * @enum {string}
                                 */
                                genreMode?: "any" | "all";
                                /** @description Genre a movie must not have (repeat for several), matched case-insensitively. */
                                excludeGenres?: string[];
                                /** @description Minimum average rating, 0..10. */
                                minRating?: number;
                                /** @description Minimum number of votes. */
                                minVotes?: number;
                                /** @description Runtime in minutes, inclusive: 90..120, ..100 (the lower end). */
                                runtimeMin?: number;
                                /** @description Runtime in minutes, inclusive: 90..120, ..100 (the upper end). */
                                runtimeMax?: number;
                                /** @description Cast member (repeat: a movie has all of them), matched case-insensitively. */
                                cast?: string[];
                                /** @description Director (repeat: a movie has one of them), matched case-insensitively. */
                                directors?: string[];
                                /** @description ISO 639-1 language, e.g. en: the movie's original language or one of its trailers' (movies whose language is unknown do not match). */
                                language?: string;
                            };
                            /** @description "Movies like X": the title named. */
                            like?: string;
                            /** @description The id of the movie `like` resolved to. */
                            likeId?: string;
                            extracted: {
                                phrase: string;
                                as: string;
                            }[];
                        } & {
                            [key: string]: unknown;
                        };
                        mode?: string;
                        /** @description Similar: the movie the list is about. */
                        movie?: {
                            id: string;
                            title: string;
                            year: number | null;
                        };
                        method?: string;
                        strategy?: string;
                        /** @description Recommend: the liked movies used. */
                        like?: {
                            id: string;
                            title: string;
                            year: number | null;
                        }[];
                        /** @description Recommend: the disliked movies used. */
                        dislike?: {
                            id: string;
                            title: string;
                            year: number | null;
                        }[];
                        /** @description Recommend: examples that match no movie, as given. */
                        unknown?: string[];
                        results: ({
                            id: string;
                            title: string;
                            year: number | null;
                            score: number;
                            /** @description Search: the keyword (BM25) and semantic (cosine) parts of `score`, null where that side did not score the movie; hybrid adds their normalised values and ranks, title mode its title score. */
                            scores?: {
                                keyword: number | null;
                                semantic: number | null;
                                keywordNorm?: number;
                                semanticNorm?: number;
                                keywordRank?: number | null;
                                semanticRank?: number | null;
                                title?: number;
                            };
                            /** @description Search: the words of the query found in each field, as spelled there. */
                            matches?: {
                                [key: string]: string[];
                            };
                            /** @description Similar and recommend: the method's own similarity. */
                            similarity?: number;
                            /** @description Similar and recommend: the overview's sentiment, -1..1. */
                            sentiment?: number;
                            /** @description Recommend `best`: the highest cosine to a liked movie. */
                            like?: number;
                            /** @description Recommend `best`: the highest cosine to a disliked movie. */
                            dislike?: number;
                            /** @description With diversity: the highest similarity to a result listed above. */
                            redundancy?: number;
                            genres?: string[];
                            overview?: string;
                            posterUrl?: string | null;
                            rating?: number | null;
                            votes?: number | null;
                        } & {
                            [key: string]: unknown;
                        })[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Client error: a bad parameter (400), an unknown movie (404), a method the path does not take (405), a body over the limit (413) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The collection is not ready (503), the request timed out (503), the collection's backend cannot do what was asked (501), or an internal error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiRecommend: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A liked movie: id, title, or 'Title (1999)' (repeat for several). */
                    like?: string[];
                    /** @description A disliked movie (repeat for several). */
                    dislike?: string[];
                    /**
                     * @description Near 2 x mean(likes) - mean(dislikes), the best like pushed down by dislikes, or the sum of like cosines minus dislike cosines.
                     * @default average
                     * @enum {string}
                     */
                    strategy?: "average" | "best" | "sum";
                    /**
                     * @description Movies to return.
                     * @default 10
                     */
                    k?: number;
                    /**
                     * @description Maximal marginal relevance, 0 (keeps the ranking) to 1 (most diverse).
                     * @default 0
                     */
                    diversity?: number;
                    /**
                     * @description Re-rank by (1 - w) x similarity + w x sentiment (of the English trailer transcript when there is one, else of the overview).
                     * @default none
                     * @enum {string}
                     */
                    rerank?: "none" | "sentiment";
                    /**
                     * @description W for rerank sentiment, 0..1.
                     * @default 0.3
                     */
                    sentiment_weight?: number;
                    /** @description Candidates re-ranking and diversity choose from (default max(4k, 100)). */
                    candidates?: number;
                    /**
                     * @description Weight of the popularity prior as a multiple of its learned weight: 1 as learned, 0 off (relevance alone), 2 twice as much.
                     * @default 1
                     */
                    prior?: number;
                    /**
                     * @description Lead with the examples' own series and remakes (shared title stems), others of a disliked one's series last (off: similarity alone).
                     * @default true
                     */
                    series?: boolean;
                    /** @description Release years, inclusive: 1990..1999, 2006.., ..1979 or 1994. */
                    year?: string;
                    /** @description Genre (repeat for several; any of them unless genre mode is all), matched case-insensitively. */
                    genre?: string[];
                    /**
                     * @description With several genres: a movie has any of them, or all.
                     * @default any
                     * @enum {string}
                     */
                    genre_mode?: "any" | "all";
                    /** @description Genre a movie must not have (repeat for several), matched case-insensitively. */
                    exclude_genre?: string[];
                    /** @description Minimum average rating, 0..10. */
                    min_rating?: number;
                    /** @description Minimum number of votes. */
                    min_votes?: number;
                    /** @description Runtime in minutes, inclusive: 90..120, ..100. */
                    runtime?: string;
                    /** @description Cast member (repeat: a movie has all of them), matched case-insensitively. */
                    cast?: string[];
                    /** @description Director (repeat: a movie has one of them), matched case-insensitively. */
                    director?: string[];
                    /** @description ISO 639-1 language, e.g. en: the movie's original language or one of its trailers' (movies whose language is unknown do not match). */
                    language?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        query?: string;
                        /** @description Search: what was searched: the `text` left, the `filters` applied, and the `extracted` phrases that became filters. */
                        parsed?: {
                            text: string;
                            filters: {
                                /** @description Release years, inclusive: 1990..1999, 2006.., ..1979 or 1994 (the lower end). */
                                yearMin?: number;
                                /** @description Release years, inclusive: 1990..1999, 2006.., ..1979 or 1994 (the upper end). */
                                yearMax?: number;
                                /** @description Genre (repeat for several; any of them unless genre mode is all), matched case-insensitively. */
                                genres?: string[];
                                /**
                                 * @description With several genres: a movie has any of them, or all.
                                 * @enum {string}
                                 */
                                genreMode?: "any" | "all";
                                /** @description Genre a movie must not have (repeat for several), matched case-insensitively. */
                                excludeGenres?: string[];
                                /** @description Minimum average rating, 0..10. */
                                minRating?: number;
                                /** @description Minimum number of votes. */
                                minVotes?: number;
                                /** @description Runtime in minutes, inclusive: 90..120, ..100 (the lower end). */
                                runtimeMin?: number;
                                /** @description Runtime in minutes, inclusive: 90..120, ..100 (the upper end). */
                                runtimeMax?: number;
                                /** @description Cast member (repeat: a movie has all of them), matched case-insensitively. */
                                cast?: string[];
                                /** @description Director (repeat: a movie has one of them), matched case-insensitively. */
                                directors?: string[];
                                /** @description ISO 639-1 language, e.g. en: the movie's original language or one of its trailers' (movies whose language is unknown do not match). */
                                language?: string;
                            };
                            /** @description "Movies like X": the title named. */
                            like?: string;
                            /** @description The id of the movie `like` resolved to. */
                            likeId?: string;
                            extracted: {
                                phrase: string;
                                as: string;
                            }[];
                        } & {
                            [key: string]: unknown;
                        };
                        mode?: string;
                        /** @description Similar: the movie the list is about. */
                        movie?: {
                            id: string;
                            title: string;
                            year: number | null;
                        };
                        method?: string;
                        strategy?: string;
                        /** @description Recommend: the liked movies used. */
                        like?: {
                            id: string;
                            title: string;
                            year: number | null;
                        }[];
                        /** @description Recommend: the disliked movies used. */
                        dislike?: {
                            id: string;
                            title: string;
                            year: number | null;
                        }[];
                        /** @description Recommend: examples that match no movie, as given. */
                        unknown?: string[];
                        results: ({
                            id: string;
                            title: string;
                            year: number | null;
                            score: number;
                            /** @description Search: the keyword (BM25) and semantic (cosine) parts of `score`, null where that side did not score the movie; hybrid adds their normalised values and ranks, title mode its title score. */
                            scores?: {
                                keyword: number | null;
                                semantic: number | null;
                                keywordNorm?: number;
                                semanticNorm?: number;
                                keywordRank?: number | null;
                                semanticRank?: number | null;
                                title?: number;
                            };
                            /** @description Search: the words of the query found in each field, as spelled there. */
                            matches?: {
                                [key: string]: string[];
                            };
                            /** @description Similar and recommend: the method's own similarity. */
                            similarity?: number;
                            /** @description Similar and recommend: the overview's sentiment, -1..1. */
                            sentiment?: number;
                            /** @description Recommend `best`: the highest cosine to a liked movie. */
                            like?: number;
                            /** @description Recommend `best`: the highest cosine to a disliked movie. */
                            dislike?: number;
                            /** @description With diversity: the highest similarity to a result listed above. */
                            redundancy?: number;
                            genres?: string[];
                            overview?: string;
                            posterUrl?: string | null;
                            rating?: number | null;
                            votes?: number | null;
                        } & {
                            [key: string]: unknown;
                        })[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Client error: a bad parameter (400), an unknown movie (404), a method the path does not take (405), a body over the limit (413) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The collection is not ready (503), the request timed out (503), the collection's backend cannot do what was asked (501), or an internal error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiGenres: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        genres: {
                            name: string;
                            count: number;
                        }[];
                    };
                };
            };
            /** @description Client error: a bad parameter (400), an unknown movie (404), a method the path does not take (405), a body over the limit (413) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The collection is not ready (503), the request timed out (503), the collection's backend cannot do what was asked (501), or an internal error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok" | "empty";
                        movies: number;
                        embedder?: string | null;
                        dims?: number | null;
                        updatedAt?: string | null;
                        version?: string;
                    };
                };
            };
            /** @description Client error: a bad parameter (400), an unknown movie (404), a method the path does not take (405), a body over the limit (413) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The collection is not ready (503), the request timed out (503), the collection's backend cannot do what was asked (501), or an internal error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
