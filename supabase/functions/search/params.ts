// The search request: GET ?q=&type=channels,categories,livestreams&page=&per_page=&language=&category=
// &live=&mature=&facets=. Bad values are a 422 `invalid_argument` naming the parameter; nothing the
// caller sends reaches a backend raw.
import { HttpError } from "../_shared/http.ts";
import { SEARCH_TYPES, type SearchType } from "../_shared/typesense.ts";

export const MAX_QUERY_LENGTH = 100;
export const MAX_PER_PAGE = 50;
export const DEFAULT_PER_PAGE = 10;
export const MAX_PAGE = 100;
/** `found` counts matches up to this many (meaning "this many or more"), and pages stop at this hit. */
export const MAX_HITS = 1000;

export interface SearchParams {
  /** Trimmed, control and format characters dropped, spaces collapsed (cleanQuery); "" when there is nothing to search. */
  q: string;
  types: SearchType[];
  page: number;
  perPage: number;
  filters: SearchFilters;
  /** Facet fields to count (channels and livestreams): category before language. */
  facets: FacetField[];
}

/** Filters on channels and livestreams (categories take none). */
export interface SearchFilters {
  /** Two-letter language code. */
  language: string | null;
  /** Category slug. */
  category: string | null;
  live: boolean | null;
  /** Mature channels (and their streams) are left out unless `mature=include`. */
  includeMature: boolean;
}

export const FACET_FIELDS = ["category", "language"] as const;
export type FacetField = typeof FACET_FIELDS[number];
const CATEGORY_SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * The query as both backends read it: control characters (`\p{Cc}`: NUL, tab, line breaks, ESC) and
 * format characters (`\p{Cf}`: zero-width space and joiners, soft hyphen, bidi marks, BOM) are
 * dropped, so none splits a word (`no\u200Bva` is `nova`); the ends are trimmed and each run of
 * spaces becomes one.
 */
export function cleanQuery(q: string): string {
  return q.replace(/[\p{Cc}\p{Cf}]/gu, "").trim().replace(/\s+/gu, " ");
}

function invalid(message: string): never {
  throw new HttpError(422, "invalid_argument", message);
}

/** A whole number from `min` up: past `max` it is capped when `cap`, else refused; anything else is refused. */
function integer(value: string | null, name: string, fallback: number, min: number, max: number, cap = false): number {
  if (value === null || value.trim() === "") return fallback;
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(n >= min) || (n > max && !cap)) invalid(`${name} must be a whole number between ${min} and ${max}.`);
  return Math.min(n, max);
}

export function parseSearchParams(url: URL): SearchParams {
  const q = cleanQuery(url.searchParams.get("q") ?? "");
  if ([...q].length > MAX_QUERY_LENGTH) invalid(`q must be at most ${MAX_QUERY_LENGTH} characters.`);

  const typeParam = url.searchParams.get("type");
  let types: SearchType[] = [...SEARCH_TYPES];
  if (typeParam !== null && typeParam.trim() !== "") {
    const asked = typeParam.split(",").map((t) => t.trim()).filter(Boolean);
    const unknown = asked.filter((t) => !(SEARCH_TYPES as readonly string[]).includes(t));
    // Only commas and blanks (`type=,,`) name no type: refused like an unknown one.
    if (asked.length === 0 || unknown.length > 0) {
      invalid(`type must be a comma-separated list of ${SEARCH_TYPES.join(", ")}.`);
    }
    types = SEARCH_TYPES.filter((t) => asked.includes(t));
  }

  return {
    q,
    types,
    filters: parseFilters(url.searchParams),
    facets: parseFacets(url.searchParams.get("facets")),
    page: integer(url.searchParams.get("page"), "page", 1, 1, MAX_PAGE),
    // Capped, not refused: a client asking for more (any number of digits) simply gets the largest page.
    perPage: integer(url.searchParams.get("per_page"), "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, true),
  };
}

function parseFilters(params: URLSearchParams): SearchFilters {
  const value = (name: string) => {
    const v = params.get(name);
    return v === null || v.trim() === "" ? null : v.trim();
  };
  const language = value("language");
  if (language !== null && !/^[a-z]{2}$/.test(language)) invalid("language must be a two-letter lowercase language code.");
  const category = value("category");
  if (category !== null && (category.length > 255 || !CATEGORY_SLUG.test(category))) {
    invalid("category must be a category slug.");
  }
  const live = value("live");
  if (live !== null && live !== "true" && live !== "false") invalid("live must be true or false.");
  const mature = value("mature");
  if (mature !== null && mature !== "include" && mature !== "exclude") invalid("mature must be include or exclude.");
  return { language, category, live: live === null ? null : live === "true", includeMature: mature === "include" };
}

function parseFacets(value: string | null): FacetField[] {
  if (value === null || value.trim() === "") return [];
  const asked = value.split(",").map((f) => f.trim()).filter(Boolean);
  if (asked.some((f) => !(FACET_FIELDS as readonly string[]).includes(f))) {
    invalid(`facets must be a comma-separated list of ${FACET_FIELDS.join(", ")}.`);
  }
  return FACET_FIELDS.filter((f) => asked.includes(f));
}

/** Queries without a letter or digit (`%`, quotes, `*`) match nothing on either backend. */
export function isSearchable(q: string): boolean {
  return /[\p{L}\p{N}]/u.test(q);
}
