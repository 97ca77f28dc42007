// POST /session: exchanges an Ory session (X-Session-Token or the Cookie header) for a short-lived
// Supabase access token. Ory alone says whether the session is valid (toSession); the user row is
// created on first sight through private.provision_user, like ory-hooks does.
import { Configuration, FrontendApi, ResponseError } from "@ory/client-fetch";
import { withCors } from "../_shared/cors.ts";
import type { Sql } from "../_shared/db.ts";
import { HttpError, json, readBody, requireMethod, withErrors } from "../_shared/http.ts";
import { profileFromIdentity, provisionUser, userJson } from "../_shared/identity.ts";
import { mintAccessToken, type Signer } from "../_shared/jwt.ts";

/** Tokens live at most this long, and never past the Ory session's own expiry. */
export const MAX_TOKEN_SECONDS = 3600;

export interface HandlerDeps {
  sql: Sql;
  signer: Signer;
  ory: { basePath: string; timeoutMs: number };
  now?: () => number;
}

export function createHandler(deps: HandlerDeps) {
  const frontend = new FrontendApi(new Configuration({ basePath: deps.ory.basePath.replace(/\/+$/, "") }));
  const now = deps.now ?? Date.now;

  const handle = withErrors("session", async (req) => {
    requireMethod(req, "POST");
    await readBody(req); // no body is needed; this only enforces the 1 MiB limit
    const token = req.headers.get("x-session-token")?.trim() || undefined;
    const cookie = token ? undefined : req.headers.get("cookie")?.trim() || undefined;
    if (!token && !cookie) {
      throw new HttpError(401, "session_invalid", "Send the Ory session in X-Session-Token or the Cookie header.");
    }

    const session = await askOry(frontend, { xSessionToken: token, cookie }, deps.ory.timeoutMs);
    if (session.active !== true || !session.identity) {
      throw new HttpError(401, "session_invalid", "The Ory session is not active.");
    }
    const issuedAt = Math.floor(now() / 1000);
    const sessionEnd = session.expires_at instanceof Date && !isNaN(session.expires_at.getTime())
      ? Math.floor(session.expires_at.getTime() / 1000)
      : Infinity;
    const expiresAt = Math.min(sessionEnd, issuedAt + MAX_TOKEN_SECONDS);
    if (expiresAt <= issuedAt) throw new HttpError(401, "session_invalid", "The Ory session has expired.");

    const user = await provisionUser(deps.sql, profileFromIdentity(session.identity));
    const accessToken = await mintAccessToken(deps.signer, {
      sub: user.id,
      sessionId: String(session.id),
      issuedAt,
      expiresAt,
    });
    return json(
      {
        access_token: accessToken,
        token_type: "bearer",
        expires_in: expiresAt - issuedAt,
        expires_at: expiresAt,
        user: userJson(user),
      },
      200,
      { "cache-control": "no-store" },
    );
  });

  return withCors(handle, { methods: ["POST"], extraHeaders: ["x-session-token"] });
}

/** toSession with a deadline: 401/403 -> session_invalid; anything else going wrong -> identity_unavailable. */
async function askOry(frontend: FrontendApi, params: { xSessionToken?: string; cookie?: string }, timeoutMs: number) {
  try {
    return await frontend.toSession(params, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    if (e instanceof ResponseError) {
      const status = e.response.status;
      await e.response.body?.cancel().catch(() => {});
      if (status === 401 || status === 403) {
        throw new HttpError(401, "session_invalid", "The Ory session is missing, expired or not active.");
      }
      console.error(`session: Ory answered ${status}`);
    } else {
      console.error(`session: Ory did not answer (${(e as Error)?.name ?? "error"})`);
    }
    throw new HttpError(503, "identity_unavailable", "The identity service is unavailable; try again shortly.");
  }
}
