// session's configuration, read and validated once at start.
import { type Env, integerSetting, readConfig } from "../_shared/config.ts";
import { createSigner } from "../_shared/jwt.ts";

export async function loadConfig(env?: Env) {
  const config = readConfig(
    ["SUPABASE_DB_URL", "ORY_SDK_URL"],
    ["JWT_SECRET", "JWT_SIGNING_JWK", "JWT_ISSUER", "ORY_TIMEOUT_MS"],
    env,
  );
  const timeoutMs = integerSetting("ORY_TIMEOUT_MS", config.ORY_TIMEOUT_MS, 5000);
  const signer = await createSigner({
    secret: config.JWT_SECRET,
    jwk: config.JWT_SIGNING_JWK,
    issuer: config.JWT_ISSUER,
  });
  return { dbUrl: config.SUPABASE_DB_URL, ory: { basePath: config.ORY_SDK_URL, timeoutMs }, signer };
}
