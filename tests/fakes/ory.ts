// A stand-in for Ory's `GET /sessions/whoami` (Kratos / Ory Network), answering as Ory documents it:
// 200 with the Session JSON, 401 `session_inactive` for an unknown token or cookie, and, on demand,
// a 500 or a slow answer. Web APIs only, so Deno tests (Deno.serve) and vitest (node:http) share it.
export interface FakeIdentity {
  id: string;
  username: string;
  email?: string;
  verified?: boolean;
}

export interface FakeSession {
  id: string;
  active: boolean;
  expires_at: string;
  identity: FakeIdentity;
}

export type OryMode = "normal" | "error" | "slow";

export function sessionJson(s: FakeSession) {
  const now = new Date().toISOString();
  const { identity } = s;
  return {
    id: s.id,
    active: s.active,
    expires_at: s.expires_at,
    authenticated_at: now,
    issued_at: now,
    authenticator_assurance_level: "aal1",
    authentication_methods: [{ method: "password", aal: "aal1", completed_at: now }],
    identity: {
      id: identity.id,
      schema_id: "streamz",
      schema_url: "https://ory.test/schemas/streamz",
      state: "active",
      traits: { username: identity.username, ...(identity.email ? { email: identity.email } : {}) },
      verifiable_addresses: identity.email
        ? [{
          id: crypto.randomUUID(),
          value: identity.email,
          verified: identity.verified ?? false,
          via: "email",
          status: identity.verified ? "completed" : "sent",
          created_at: now,
          updated_at: now,
        }]
        : [],
      recovery_addresses: [],
      metadata_public: null,
      created_at: now,
      updated_at: now,
    },
    devices: [{ id: crypto.randomUUID(), ip_address: "127.0.0.1", user_agent: "test" }],
  };
}

export function createFakeOry(options: { slowMs?: number } = {}) {
  const sessions = new Map<string, FakeSession>();
  const state = { mode: "normal" as OryMode, requests: 0 };
  const unauthorized = () =>
    Response.json({
      error: {
        id: "session_inactive",
        code: 401,
        status: "Unauthorized",
        reason: "No active session was found in this request.",
        message: "request does not have a valid authentication session",
      },
    }, { status: 401 });

  async function handler(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (req.method !== "GET" || !url.pathname.endsWith("/sessions/whoami")) {
      return Response.json({ error: { code: 404, status: "Not Found", message: "Not Found" } }, { status: 404 });
    }
    state.requests++;
    if (state.mode === "slow") await new Promise((r) => setTimeout(r, options.slowMs ?? 3000));
    if (state.mode === "error") {
      return Response.json({
        error: { code: 500, status: "Internal Server Error", message: "An internal server error occurred." },
      }, { status: 500 });
    }
    const token = req.headers.get("x-session-token") ??
      req.headers.get("cookie")?.match(/(?:^|;\s*)ory_session_[A-Za-z0-9_]+=([^;]+)/)?.[1] ?? null;
    const session = token ? sessions.get(token) : undefined;
    if (!session) return unauthorized();
    return Response.json(sessionJson(session), {
      headers: { "x-kratos-authenticated-identity-id": session.identity.id },
    });
  }

  /** Registers a session and returns its token. */
  function addSession(identity: FakeIdentity, overrides: Partial<Omit<FakeSession, "identity">> = {}): string {
    const token = `ory_st_${crypto.randomUUID().replaceAll("-", "")}`;
    sessions.set(token, {
      id: crypto.randomUUID(),
      active: true,
      expires_at: new Date(Date.now() + 24 * 3600_000).toISOString(),
      identity,
      ...overrides,
    });
    return token;
  }

  return { handler, sessions, state, addSession };
}
