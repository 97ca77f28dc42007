// POST /viewer-counts (pg_cron via pg_net every few seconds, or the local scheduler): reads the
// concurrent viewers of every playback id from Livepeer Studio and writes them to the live
// livestreams (private.record_viewer_counts: at most one write, hence one livestream.updated, per
// stream per 15 s; 0 for a live stream nobody watches). Service key only. Answers
// {watched, updated}: playback ids with viewers, livestreams written.
import type { Sql } from "../_shared/db.ts";
import { json, requireMethod, withErrors } from "../_shared/http.ts";
import { requireServiceKey } from "../_shared/service-keys.ts";
import { type ViewershipConfig, viewersNow } from "./viewership.ts";

export interface ViewerCountsDeps {
  sql: Sql;
  /** Keys that may call: the service role key and the project's secret keys. */
  serviceKeys: string[];
  livepeer: ViewershipConfig;
}

export function createHandler(deps: ViewerCountsDeps) {
  return withErrors("viewer-counts", async (req) => {
    requireMethod(req, "POST");
    requireServiceKey(req, deps.serviceKeys, "viewer-counts");
    const counts = await viewersNow(deps.livepeer);
    const [{ updated }] = await deps.sql<{ updated: number }[]>`
      select private.record_viewer_counts(${deps.sql.json(counts)}::jsonb) as updated`;
    return json({ watched: Object.keys(counts).length, updated });
  });
}
