// The search request: GET ?q=&type=channels,categories,livestreams&page=&per_page=. Bad values are
// a 422 `invalid_argument` naming the parameter; nothing the caller sends reaches a backend raw.
import { HttpError } from "../_shared/http.ts";
import { SEARCH_TYPES, type SearchType } from "../_shared/typesense.ts";

export const MAX_QUERY_LENGTH = 100;
export const MAX_PER_PAGE = 50;
export const DEFAULT_PER_PAGE = 10;
export const MAX_PAGE = 100;

export interface SearchParams {
  /** Trimmed, control characters replaced by spaces; "" when there is nothing to search. */
  q: string;
  types: SearchType[];
  page: number;
  perPage: number;
}

function invalid(message: string): never {
  throw new HttpError(422, "invalid_argument", message);
}

function integer(value: string | null, name: string, fallback: number, min: number, max: number): number {
  if (value === null || value.trim() === "") return fallback;
  if (!/^\d{1,6}$/.test(value.trim())) invalid(`${name} must be a whole number between ${min} and ${max}.`);
  const n = Number(value.trim());
  if (n < min) invalid(`${name} must be a whole number between ${min} and ${max}.`);
  return Math.min(n, max);
}

export function parseSearchParams(url: URL): SearchParams {
  // deno-lint-ignore no-control-regex
  const q = (url.searchParams.get("q") ?? "").replace(/[\u0000-\u001f\u007f]/g, " ").trim().replace(/\s+/g, " ");
  if ([...q].length > MAX_QUERY_LENGTH) invalid(`q must be at most ${MAX_QUERY_LENGTH} characters.`);

  const typeParam = url.searchParams.get("type");
  let types: SearchType[] = [...SEARCH_TYPES];
  if (typeParam !== null && typeParam.trim() !== "") {
    const asked = typeParam.split(",").map((t) => t.trim()).filter(Boolean);
    const unknown = asked.filter((t) => !(SEARCH_TYPES as readonly string[]).includes(t));
    if (unknown.length > 0) invalid(`type must be a comma-separated list of ${SEARCH_TYPES.join(", ")}.`);
    types = SEARCH_TYPES.filter((t) => asked.includes(t));
  }

  const page = url.searchParams.get("page");
  if (page !== null && /^\d+$/.test(page.trim()) && Number(page) > MAX_PAGE) {
    invalid(`page must be a whole number between 1 and ${MAX_PAGE}.`);
  }
  return {
    q,
    types,
    page: integer(page, "page", 1, 1, MAX_PAGE),
    // Capped, not refused: a client asking for more simply gets the largest page.
    perPage: integer(url.searchParams.get("per_page"), "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
  };
}

/** Queries without a letter or digit (`%`, quotes, `*`) match nothing on either backend. */
export function isSearchable(q: string): boolean {
  return /[\p{L}\p{N}]/u.test(q);
}
