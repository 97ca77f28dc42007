import { readConfig } from "../_shared/config.ts";
import { createPool } from "../_shared/db.ts";
import { createTypesenseClient, readTypesenseConfig } from "../_shared/typesense.ts";
import { createHandler } from "./handler.ts";

const config = readConfig(["SUPABASE_DB_URL"]);
const typesense = readTypesenseConfig();
Deno.serve(createHandler({
  sql: createPool(config.SUPABASE_DB_URL),
  typesense: typesense && { client: createTypesenseClient(typesense, "search"), config: typesense },
}));
