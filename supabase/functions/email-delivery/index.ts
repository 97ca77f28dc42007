import { ConfigError, readConfig } from "../_shared/config.ts";
import { createPool } from "../_shared/db.ts";
import { serviceKeysFrom } from "../_shared/service-keys.ts";
import { createHandler } from "./handler.ts";
import { readEmailSettings } from "./settings.ts";

const config = readConfig(["SUPABASE_DB_URL", "SUPABASE_URL"], ["SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_SECRET_KEYS"]);
const serviceKeys = serviceKeysFrom({ serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY, secretKeys: config.SUPABASE_SECRET_KEYS });
if (serviceKeys.length === 0) throw new ConfigError("Missing environment variable: SUPABASE_SERVICE_ROLE_KEY or SUPABASE_SECRET_KEYS.");
Deno.serve(createHandler({
  sql: createPool(config.SUPABASE_DB_URL, { max: 2 }),
  serviceKeys,
  // Email is off (not an error) until SMTP_HOST is set.
  email: readEmailSettings((name) => Deno.env.get(name), config.SUPABASE_URL),
}));
