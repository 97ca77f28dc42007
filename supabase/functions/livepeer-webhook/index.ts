import { readConfig } from "../_shared/config.ts";
import { createPool } from "../_shared/db.ts";
import { createHandler } from "./handler.ts";

const config = readConfig(["SUPABASE_DB_URL", "LIVEPEER_WEBHOOK_SECRET"]);
Deno.serve(createHandler({ sql: createPool(config.SUPABASE_DB_URL), secret: config.LIVEPEER_WEBHOOK_SECRET }));
