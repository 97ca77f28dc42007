import { ConfigError, readConfig } from "../_shared/config.ts";
import { createPool } from "../_shared/db.ts";
import { serviceKeysFrom } from "../_shared/service-keys.ts";
import { createHandler } from "./handler.ts";

const config = readConfig(
  ["SUPABASE_DB_URL", "LIVEPEER_API_KEY"],
  ["LIVEPEER_API_URL", "LIVEPEER_TIMEOUT_MS", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_SECRET_KEYS"],
);
const serviceKeys = serviceKeysFrom({ serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY, secretKeys: config.SUPABASE_SECRET_KEYS });
if (serviceKeys.length === 0) throw new ConfigError("Missing environment variable: SUPABASE_SERVICE_ROLE_KEY or SUPABASE_SECRET_KEYS.");
const timeoutMs = Number(config.LIVEPEER_TIMEOUT_MS ?? 8000);
if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 30_000) {
  throw new ConfigError("LIVEPEER_TIMEOUT_MS must be an integer between 100 and 30000.");
}
Deno.serve(createHandler({
  sql: createPool(config.SUPABASE_DB_URL, { max: 2 }),
  serviceKeys,
  livepeer: { apiUrl: config.LIVEPEER_API_URL ?? "https://livepeer.studio/api", apiKey: config.LIVEPEER_API_KEY, timeoutMs },
}));
