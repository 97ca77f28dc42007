// `npm run search:reindex`: rebuilds every Typesense collection from the database (a fresh
// `<alias>_<ms>` collection filled from the document views, then the alias moved and the old one
// dropped), so searches keep working throughout. It holds the collections lock (rebuildCollection):
// it waits for running drains, and search-sync sends nothing until it is done, so changes made
// meanwhile stay in the outbox and reach the new collection on the next search-sync run.
// Usage: npm run search:reindex [-- --type=channels,categories] [--db=<postgres url>]
import { join } from "node:path";
import { dbUrl, ROOT } from "./lib/cluster.ts";
import { parseEnvFile } from "./lib/gateway.ts";
import { createPool } from "../supabase/functions/_shared/db.ts";
import {
  createTypesenseClient, readTypesenseConfig, rebuildCollection, SEARCH_TYPES, type SearchType,
} from "../supabase/functions/_shared/typesense.ts";

const fileEnv = parseEnvFile(join(ROOT, "supabase/functions/.env"));
const env = (name: string) => Deno.env.get(name) ?? fileEnv[name];
const url = Deno.args.find((a) => a.startsWith("--db="))?.slice(5) ?? env("STREAMZ_DB_URL") ?? dbUrl();
const asked = Deno.args.find((a) => a.startsWith("--type="))?.slice(7).split(",") ?? [...SEARCH_TYPES];
const unknown = asked.filter((t) => !(SEARCH_TYPES as readonly string[]).includes(t));
if (unknown.length > 0) {
  console.error(`Unknown type ${unknown.join(", ")}; use ${SEARCH_TYPES.join(", ")}.`);
  Deno.exit(2);
}
const config = readTypesenseConfig(env);
if (!config) {
  console.error("Typesense is not configured: set TYPESENSE_HOST and TYPESENSE_API_KEY (see .env.example).");
  Deno.exit(1);
}

const sql = createPool(url, { max: 2 });
try {
  const deps = { sql, client: createTypesenseClient(config), config };
  for (const type of asked as SearchType[]) {
    const started = performance.now();
    const r = await rebuildCollection(deps, type);
    console.log(`${type}: ${r.imported} documents into ${r.collection}` +
      `${r.failed ? `, ${r.failed} refused (queued for search-sync)` : ""} in ${Math.round(performance.now() - started)} ms`);
  }
} finally {
  await sql.end();
}
