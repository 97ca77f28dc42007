import { ConfigError, readConfig } from "../_shared/config.ts";
import { createPool } from "../_shared/db.ts";
import { serviceKeysFrom } from "../_shared/service-keys.ts";
import { createHandler, DEFAULT_PUSH_HOSTS } from "./handler.ts";

const config = readConfig(
  ["SUPABASE_DB_URL"],
  ["VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT", "PUSH_ENDPOINT_HOSTS", "PUSH_TIMEOUT_MS",
    "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_SECRET_KEYS"],
);
const serviceKeys = serviceKeysFrom({ serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY, secretKeys: config.SUPABASE_SECRET_KEYS });
if (serviceKeys.length === 0) throw new ConfigError("Missing environment variable: SUPABASE_SERVICE_ROLE_KEY or SUPABASE_SECRET_KEYS.");
const timeoutMs = Number(config.PUSH_TIMEOUT_MS ?? 5000);
if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 30_000) {
  throw new ConfigError("PUSH_TIMEOUT_MS must be an integer between 100 and 30000.");
}
// Push is off (not an error) until all three VAPID settings are given.
const vapid = config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY && config.VAPID_SUBJECT
  ? { publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY, subject: config.VAPID_SUBJECT }
  : null;
Deno.serve(createHandler({
  sql: createPool(config.SUPABASE_DB_URL, { max: 2 }),
  serviceKeys,
  vapid,
  allowedHosts: config.PUSH_ENDPOINT_HOSTS?.split(",").map((h) => h.trim()).filter(Boolean) ?? DEFAULT_PUSH_HOSTS,
  timeoutMs,
}));
