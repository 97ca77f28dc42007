// Who may call the scheduled functions (search-sync, viewer-counts): the service role key or one of
// the project's secret keys, presented as `Authorization: Bearer` or `apikey`, compared in constant time.
import { HttpError } from "./http.ts";

/** The caller must present a service key; 401 without one, 403 with another key. */
export function requireServiceKey(req: Request, keys: string[], name: string) {
  const bearer = req.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const apikey = req.headers.get("apikey") ?? undefined;
  const presented = [bearer, apikey].filter((k): k is string => !!k);
  if (presented.length === 0) throw new HttpError(401, "unauthorized", "A service key is required.");
  if (!presented.some((p) => keys.some((k) => k && constantTimeEqual(p, k)))) {
    throw new HttpError(403, "forbidden", `Only the service role may run ${name}.`);
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** SUPABASE_SERVICE_ROLE_KEY plus every value of SUPABASE_SECRET_KEYS ({"default": "sb_secret_..."}). */
export function serviceKeysFrom(env: { serviceRoleKey?: string; secretKeys?: string }): string[] {
  const keys = env.serviceRoleKey ? [env.serviceRoleKey] : [];
  if (env.secretKeys) {
    try {
      const parsed = JSON.parse(env.secretKeys);
      if (parsed && typeof parsed === "object") {
        keys.push(...Object.values(parsed).filter((v): v is string => typeof v === "string" && v.length > 0));
      }
    } catch { /* not JSON: ignored */ }
  }
  return keys;
}
