import { integerSetting, readConfig } from "../_shared/config.ts";
import { createPool } from "../_shared/db.ts";
import { createVerifier } from "../_shared/jwt.ts";
import { createHandler } from "./handler.ts";
import { LivepeerClient } from "./livepeer.ts";

const config = readConfig(
  ["SUPABASE_DB_URL", "LIVEPEER_API_KEY"],
  ["LIVEPEER_API_URL", "LIVEPEER_TIMEOUT_MS", "JWT_SECRET", "JWT_SIGNING_JWK"],
);
const timeoutMs = integerSetting("LIVEPEER_TIMEOUT_MS", config.LIVEPEER_TIMEOUT_MS, 8000);
const livepeer = new LivepeerClient({
  apiUrl: config.LIVEPEER_API_URL ?? "https://livepeer.studio/api",
  apiKey: config.LIVEPEER_API_KEY,
  timeoutMs,
});
const verifier = await createVerifier({ secret: config.JWT_SECRET, jwk: config.JWT_SIGNING_JWK });
Deno.serve(createHandler({ sql: createPool(config.SUPABASE_DB_URL), verifier, livepeer }));
