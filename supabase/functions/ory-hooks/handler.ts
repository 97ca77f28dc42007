// POST /ory-hooks: Ory Actions webhook (after registration with response.parse=false, after settings).
// Authenticated by a shared secret header; creates or refreshes the user (username, email, email
// verification) through private.provision_user. Idempotent: Ory retries, and both hooks may repeat.
import type { Sql } from "../_shared/db.ts";
import { HttpError, json, readJson, requireMethod, withErrors } from "../_shared/http.ts";
import { type OryIdentity, profileFromIdentity, provisionUser, userJson } from "../_shared/identity.ts";
import { secretsEqual } from "../_shared/signatures.ts";

/** The header Ory's `auth: {type: api_key, config: {name, value, in: header}}` sends. */
export const SECRET_HEADER = "x-ory-hook-secret";

export interface HandlerDeps {
  sql: Sql;
  secret: string;
}

export function createHandler(deps: HandlerDeps) {
  return withErrors("ory-hooks", async (req) => {
    requireMethod(req, "POST");
    if (!(await secretsEqual(req.headers.get(SECRET_HEADER), deps.secret))) {
      await req.body?.cancel();
      throw new HttpError(401, "invalid_secret", `Missing or wrong ${SECRET_HEADER} header.`);
    }
    const body = await readJson<{ identity?: OryIdentity } | null>(req);
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      throw new HttpError(422, "identity_missing", "The body must be a JSON object with an `identity`.");
    }
    const user = await provisionUser(deps.sql, profileFromIdentity(body.identity));
    return json({ user: userJson(user) });
  });
}
