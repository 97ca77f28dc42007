// GET /search: channels, categories and livestreams matching `q`, typo-tolerant and by prefix, exact
// matches first, then live. From Typesense when it is configured (one multi_search), else — or when
// Typesense fails — from Postgres (the search index functions). Either way the answer is
// {<type>: {found, hits: [public fields + highlights], facet_counts?}} for each requested type.
import type { Client } from "typesense";
import { withCors } from "../_shared/cors.ts";
import type { Sql } from "../_shared/db.ts";
import { json, requireMethod, withErrors } from "../_shared/http.ts";
import {
  aliasName, COLLECTIONS, httpStatusOf, type SearchType, SPLIT_WORDS, toHit, type TypesenseConfig, typesenseQuery,
} from "../_shared/typesense.ts";
import { type FacetField, isSearchable, MAX_HITS, parseSearchParams, type SearchParams } from "./params.ts";

export interface HandlerDeps {
  sql: Sql;
  typesense: { client: Client; config: Pick<TypesenseConfig, "prefix"> } | null;
}

interface FacetCount {
  field_name: FacetField;
  counts: { value: string; count: number }[];
}
interface TypeResult {
  found: number;
  hits: Record<string, unknown>[];
  facet_counts?: FacetCount[];
}
type Results = Partial<Record<SearchType, TypeResult>>;

/** The empty answer of one type (nothing searchable), with empty facet lists when facets were asked. */
function emptyResult(p: SearchParams): TypeResult {
  return p.facets.length > 0
    ? { found: 0, hits: [], facet_counts: p.facets.map((f) => ({ field_name: f, counts: [] })) }
    : { found: 0, hits: [] };
}

export function createHandler(deps: HandlerDeps) {
  const handler = withErrors("search", async (req) => {
    requireMethod(req, "GET");
    const params = parseSearchParams(new URL(req.url));
    if (!isSearchable(params.q)) {
      return json(Object.fromEntries(params.types.map((t) => [t, emptyResult(params)])), 200, { "x-search-backend": "none" });
    }
    if (deps.typesense) {
      try {
        return json(await searchTypesense(deps.typesense, params), 200, { "x-search-backend": "typesense" });
      } catch (e) {
        const status = httpStatusOf(e);
        console.error(`search: Typesense failed (${status ? `HTTP ${status}` : (e as Error)?.name}); answering from Postgres`);
      }
    }
    return json(await searchPostgres(deps.sql, params), 200, { "x-search-backend": "postgres" });
  });
  return withCors(handler, { methods: ["GET"] });
}

// The search index functions (migration 20261130004100_search_match.sql), one per type, all requested
// types in one statement: one round trip and one connection per search. (Three statements in parallel
// on three connections measured the same on a busy two-core machine, holding three connections.)
function searchStatement(types: SearchType[], facetsParam: string): string {
  const call = (type: SearchType) =>
    COLLECTIONS[type].filterable
      ? `private.search_${type}($1::text, $2::integer, $3::integer, $4::text, $5::text, $6::boolean, $7::boolean, ${facetsParam})`
      : `private.search_${type}($1::text, $2::integer, $3::integer, ${facetsParam})`;
  return `select ${types.map((type, i) => `${call(type)} as r${i}`).join(", ")}`;
}

export async function searchPostgres(sql: Sql, p: SearchParams): Promise<Results> {
  const offset = (p.page - 1) * p.perPage;
  const f = p.filters;
  // Every parameter sent must appear in the statement: the filters only when a filterable type is asked.
  const args = p.types.some((type) => COLLECTIONS[type].filterable)
    ? [p.q, p.perPage, offset, f.language, f.category, f.live, f.includeMature, p.facets]
    : [p.q, p.perPage, offset, p.facets];
  const [row] = await sql.unsafe<Record<string, TypeResult>[]>(searchStatement(p.types, `$${args.length}::text[]`), args as never[]);
  return Object.fromEntries(p.types.map((type, i) => {
    const { found, hits, facet_counts } = row[`r${i}`];
    const result: TypeResult = {
      found: Number(found),
      hits: hits.map((h) => toHit(type, h, h.highlights as never)),
    };
    if (p.facets.length > 0) result.facet_counts = facet_counts ?? [];
    return [type, result];
  }));
}

/** Typesense's filter_by for the filters (values are validated: slugs, language codes). */
export function typesenseFilter(p: SearchParams): string | undefined {
  const f = p.filters;
  const parts = [
    f.language !== null ? `language:=${f.language}` : null,
    f.category !== null ? `category_slug:=${f.category}` : null,
    f.live !== null ? `is_live:=${f.live}` : null,
    f.includeMature ? null : "is_mature:=false",
  ].filter((x) => x !== null);
  return parts.length > 0 ? parts.join(" && ") : undefined;
}

// Facet fields in the collections: `category` is counted on the category slug.
const FACET_COLUMNS: Record<FacetField, string> = { category: "category_slug", language: "language" };

interface TypesenseResult {
  found?: number;
  hits?: { document: Record<string, unknown>; highlights?: { field?: unknown; matched_tokens?: unknown }[] }[];
  facet_counts?: { field_name: string; counts: { value: string; count: number }[] }[];
  error?: string;
  code?: number;
}

/**
 * Which of the first MAX_HITS hits a page asks Typesense for. With `limit_hits` Typesense refuses
 * (422) any request reaching past it, so the page that crosses it asks for the hits up to it
 * (`offset`, `limit`), and a page beyond asks for none (`found` and facets only), as the Postgres path
 * answers them.
 */
export function typesensePage(p: Pick<SearchParams, "page" | "perPage">): Record<string, number> {
  const offset = (p.page - 1) * p.perPage;
  if (offset + p.perPage <= MAX_HITS) return { page: p.page, per_page: p.perPage };
  if (offset < MAX_HITS) return { offset, limit: MAX_HITS - offset };
  return { page: 1, per_page: 0 };
}

export async function searchTypesense(
  ts: { client: Client; config: Pick<TypesenseConfig, "prefix"> },
  p: SearchParams,
): Promise<Results> {
  const searches = p.types.map((type) => {
    const spec = COLLECTIONS[type];
    const filterBy = spec.filterable ? typesenseFilter(p) : undefined;
    const facetBy = spec.filterable && p.facets.length > 0 ? p.facets.map((f) => FACET_COLUMNS[f]).join(",") : undefined;
    return {
      collection: aliasName(ts.config, type),
      // Without Typesense's query syntax (no phrase, no exclusion), camel-case words split and searched
      // in their parts too (split_words): as on Postgres.
      q: typesenseQuery(p.q),
      query_by: [...spec.queryBy, SPLIT_WORDS.name].join(","),
      query_by_weights: [...spec.queryByWeights, 1].join(","),
      sort_by: spec.sortBy,
      // Typesense's defaults, spelled out: the Postgres path implements the same.
      prefix: true,
      num_typos: 2,
      min_len_1typo: 4,
      min_len_2typo: 7,
      typo_tokens_threshold: 1,
      drop_tokens_threshold: 1,
      // `found` counts to 1,000 and pages stop at the 1,000th hit, as on Postgres.
      limit_hits: MAX_HITS,
      ...typesensePage(p),
      include_fields: spec.hitFields.join(","),
      highlight_fields: spec.queryBy.join(","),
      ...(filterBy ? { filter_by: filterBy } : {}),
      ...(facetBy ? { facet_by: facetBy, max_facet_values: 10 } : {}),
    };
  });
  const { results } = await ts.client.multiSearch.perform({ searches } as never) as unknown as {
    results: TypesenseResult[];
  };
  return Object.fromEntries(p.types.map((type, i) => {
    const r = results[i];
    if (!r || r.error !== undefined) {
      throw Object.assign(new Error(`Typesense ${type}: ${r?.error ?? "no result"}`), { httpStatus: r?.code });
    }
    const result: TypeResult = {
      found: Math.min(r.found ?? 0, MAX_HITS),
      hits: (r.hits ?? []).map((h) => toHit(type, h.document, h.highlights ?? [])),
    };
    if (p.facets.length > 0) {
      result.facet_counts = p.facets.map((f) => ({
        field_name: f,
        counts: (r.facet_counts ?? []).find((c) => c.field_name === FACET_COLUMNS[f])?.counts
          .map((c) => ({ value: c.value, count: c.count })) ?? [],
      }));
    }
    return [type, result];
  }));
}
