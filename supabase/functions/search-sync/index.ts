import { readConfig } from "../_shared/config.ts";
import { createPool } from "../_shared/db.ts";
import { createTypesenseClient, readTypesenseConfig } from "../_shared/typesense.ts";
import { createHandler, serviceKeysFrom } from "./handler.ts";

const config = readConfig(["SUPABASE_DB_URL"], ["SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_SECRET_KEYS"]);
const serviceKeys = serviceKeysFrom({ serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY, secretKeys: config.SUPABASE_SECRET_KEYS });
if (serviceKeys.length === 0) throw new Error("Missing environment variable: SUPABASE_SERVICE_ROLE_KEY or SUPABASE_SECRET_KEYS.");
const typesense = readTypesenseConfig();
Deno.serve(createHandler({
  sql: createPool(config.SUPABASE_DB_URL),
  serviceKeys,
  typesense: typesense && { client: createTypesenseClient(typesense), config: typesense },
}));
