// `npm run search:sync`: drains the search outbox of the local stack's database into Typesense once,
// with the same code the search-sync function runs (collections checked or built first).
// Typesense settings come from the environment or supabase/functions/.env (TYPESENSE_*).
// Usage: npm run search:sync [-- --db=<postgres url>]
import { join } from "node:path";
import { dbUrl, ROOT } from "./lib/cluster.ts";
import { parseEnvFile } from "./lib/gateway.ts";
import { createPool } from "../supabase/functions/_shared/db.ts";
import { createTypesenseClient, ensureCollections, readTypesenseConfig } from "../supabase/functions/_shared/typesense.ts";
import { drain } from "../supabase/functions/search-sync/drain.ts";

const fileEnv = parseEnvFile(join(ROOT, "supabase/functions/.env"));
const env = (name: string) => Deno.env.get(name) ?? fileEnv[name];
const url = Deno.args.find((a) => a.startsWith("--db="))?.slice(5) ?? env("STREAMZ_DB_URL") ?? dbUrl();
const config = readTypesenseConfig(env);
if (!config) {
  console.error("Typesense is not configured: set TYPESENSE_HOST and TYPESENSE_API_KEY (see .env.example).");
  console.error("Without it, search answers from Postgres and the outbox simply waits (one row per document).");
  Deno.exit(1);
}

const sql = createPool(url, { max: 2 });
try {
  const deps = { sql, client: createTypesenseClient(config), config };
  const ensured = await ensureCollections(deps);
  if (ensured.created.length > 0) {
    console.log(`built ${ensured.created.join(", ")}: ${ensured.backfilled} documents (${ensured.failed} refused, queued)`);
  }
  const total = { synced: 0, failed: 0, parked: 0 };
  for (;;) {
    const r = await drain(deps);
    total.synced += r.synced;
    total.failed += r.failed;
    total.parked += r.parked;
    if (r.synced === 0) break; // empty, or nothing going through right now
  }
  const [{ waiting, parked }] = await sql<{ waiting: number; parked: number }[]>`
    select count(*) filter (where parked_at is null)::int as waiting, count(*) filter (where parked_at is not null)::int as parked
    from private.search_outbox`;
  console.log(JSON.stringify({ ...total, still_queued: waiting, parked_total: parked }));
} finally {
  await sql.end();
}
