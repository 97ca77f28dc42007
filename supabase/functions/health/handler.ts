// GET /health: is the function runtime up, and does the database answer?
import type { Sql } from "../_shared/db.ts";
import { errorResponse, json, requireMethod, withErrors } from "../_shared/http.ts";

export interface HandlerDeps {
  sql: Sql;
}

export function createHandler(deps: HandlerDeps) {
  return withErrors("health", async (req) => {
    requireMethod(req, "GET");
    const started = performance.now();
    try {
      await deps.sql`select 1`;
    } catch {
      return errorResponse(503, "database_unavailable", "The database did not answer.");
    }
    return json({ status: "ok", database: "ok", latency_ms: Math.round((performance.now() - started) * 10) / 10 });
  });
}
