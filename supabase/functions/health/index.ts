import { readConfig } from "../_shared/config.ts";
import { createPool } from "../_shared/db.ts";
import { createHandler } from "./handler.ts";

const config = readConfig(["SUPABASE_DB_URL"]);
Deno.serve(createHandler({ sql: createPool(config.SUPABASE_DB_URL) }));
