// POST /search-sync (pg_cron via pg_net, or `npm run search:sync`): makes sure the Typesense
// collections match the schema in code, then drains the search outbox. Service key only.
// Answers {synced, failed, parked}; 503 when Typesense is not configured or unreachable (the outbox
// keeps every change until a later run succeeds).
import type { Client } from "typesense";
import type { Sql } from "../_shared/db.ts";
import { errorResponse, json, requireMethod, withErrors } from "../_shared/http.ts";
import { requireServiceKey } from "../_shared/service-keys.ts";
import { ensureCollections, httpStatusOf, type TypesenseConfig } from "../_shared/typesense.ts";
import { drain, type DrainOptions } from "./drain.ts";

export interface HandlerDeps {
  sql: Sql;
  /** Keys that may call: the service role key and the project's secret keys. */
  serviceKeys: string[];
  typesense: { client: Client; config: Pick<TypesenseConfig, "prefix"> } | null;
  drainOptions?: Partial<DrainOptions>;
  /** How long a successful collection check is trusted before it is made again. */
  ensureTtlMs?: number;
}

export function createHandler(deps: HandlerDeps) {
  let ensuredAt = -Infinity;
  return withErrors("search-sync", async (req) => {
    requireMethod(req, "POST");
    requireServiceKey(req, deps.serviceKeys, "search-sync");
    if (!deps.typesense) {
      return errorResponse(503, "search_not_configured",
        "Typesense is not configured (TYPESENSE_HOST, TYPESENSE_API_KEY); search answers from Postgres.");
    }
    const typesense = { ...deps.typesense, sql: deps.sql };
    if (Date.now() - ensuredAt > (deps.ensureTtlMs ?? 60_000)) {
      try {
        await ensureCollections(typesense);
      } catch (e) {
        const status = httpStatusOf(e);
        console.error(`search-sync: collections not ready (${status ? `HTTP ${status}` : (e as Error)?.name})`);
        return errorResponse(503, "search_unavailable", "Typesense did not answer; the outbox keeps every change.");
      }
      ensuredAt = Date.now();
    }
    const result = await drain(typesense, deps.drainOptions);
    // A collection may have been dropped behind our back: check again next run.
    if (result.failed > 0) ensuredAt = -Infinity;
    return json(result);
  });
}

export { serviceKeysFrom } from "../_shared/service-keys.ts";
