// GET /search: channels, categories and livestreams matching `q`, typo-tolerant and by prefix, live
// first. From Typesense when it is configured (one multi_search), else — or when Typesense fails —
// from Postgres (trigram search functions). Either way the answer is
// {<type>: {found, hits: [public fields only]}} for each requested type.
import type { Client } from "typesense";
import type { Sql } from "../_shared/db.ts";
import { json, requireMethod, withErrors } from "../_shared/http.ts";
import { aliasName, COLLECTIONS, httpStatusOf, type SearchType, toHit, type TypesenseConfig } from "../_shared/typesense.ts";
import { isSearchable, parseSearchParams, type SearchParams } from "./params.ts";

export interface SearchDeps {
  sql: Sql;
  typesense: { client: Client; config: Pick<TypesenseConfig, "prefix"> } | null;
}

type Results = Partial<Record<SearchType, { found: number; hits: Record<string, unknown>[] }>>;

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, x-client-info, apikey, content-type",
  "access-control-allow-methods": "GET, OPTIONS",
};

export function createHandler(deps: SearchDeps) {
  const handler = withErrors("search", async (req) => {
    if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: CORS });
    requireMethod(req, "GET");
    const params = parseSearchParams(new URL(req.url));
    if (!isSearchable(params.q)) {
      return json(Object.fromEntries(params.types.map((t) => [t, { found: 0, hits: [] }])), 200, {
        ...CORS, "x-search-backend": "none",
      });
    }
    if (deps.typesense) {
      try {
        return json(await searchTypesense(deps.typesense, params), 200, { ...CORS, "x-search-backend": "typesense" });
      } catch (e) {
        const status = httpStatusOf(e);
        console.error(`search: Typesense failed (${status ? `HTTP ${status}` : (e as Error)?.name}); answering from Postgres`);
      }
    }
    return json(await searchPostgres(deps.sql, params), 200, { ...CORS, "x-search-backend": "postgres" });
  });
  return async (req: Request) => {
    const res = await handler(req);
    for (const [k, v] of Object.entries(CORS)) res.headers.set(k, v);
    return res;
  };
}

const FUNCTIONS: Record<SearchType, string> = {
  channels: "private.search_channels",
  categories: "private.search_categories",
  livestreams: "private.search_livestreams",
};

export async function searchPostgres(sql: Sql, p: SearchParams): Promise<Results> {
  const offset = (p.page - 1) * p.perPage;
  const answers = await Promise.all(p.types.map((type) =>
    sql.unsafe<{ result: { found: number; hits: Record<string, unknown>[] } }[]>(
      `select ${FUNCTIONS[type]}($1, $2, $3) as result`,
      [p.q, p.perPage, offset],
    )
  ));
  return Object.fromEntries(p.types.map((type, i) => {
    const { found, hits } = answers[i][0].result;
    return [type, { found: Number(found), hits: hits.map((h) => toHit(type, h)) }];
  }));
}

export async function searchTypesense(
  ts: { client: Client; config: Pick<TypesenseConfig, "prefix"> },
  p: SearchParams,
): Promise<Results> {
  const searches = p.types.map((type) => {
    const spec = COLLECTIONS[type];
    return {
      collection: aliasName(ts.config, type),
      q: p.q,
      query_by: spec.queryBy.join(","),
      query_by_weights: spec.queryByWeights.join(","),
      sort_by: spec.sortBy,
      prefix: true,
      num_typos: 2,
      page: p.page,
      per_page: p.perPage,
      include_fields: spec.hitFields.join(","),
    };
  });
  const { results } = await ts.client.multiSearch.perform({ searches } as never) as unknown as {
    results: { found?: number; hits?: { document: Record<string, unknown> }[]; error?: string; code?: number }[];
  };
  return Object.fromEntries(p.types.map((type, i) => {
    const r = results[i];
    if (!r || r.error !== undefined) {
      throw Object.assign(new Error(`Typesense ${type}: ${r?.error ?? "no result"}`), { httpStatus: r?.code });
    }
    return [type, { found: r.found ?? 0, hits: (r.hits ?? []).map((h) => toHit(type, h.document)) }];
  }));
}
