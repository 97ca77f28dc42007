import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, jwtVerify } from "jose";
import { createFakeOry } from "../../../tests/fakes/ory.ts";
import { MAX_BODY_BYTES } from "../_shared/http.ts";
import { createSigner } from "../_shared/jwt.ts";
import { refusedUrl, testPool, uniqueUsername } from "../../../tests/function-helpers.ts";
import { serve } from "../../../tests/fakes/serve.ts";
import { createHandler, MAX_TOKEN_SECONDS } from "./handler.ts";

const SECRET = "session-test-secret-at-least-32-characters";
const secretKey = new TextEncoder().encode(SECRET);

async function setup(
  options: { timeoutMs?: number; slowMs?: number; oryUrl?: string; signer?: Awaited<ReturnType<typeof createSigner>> } =
    {},
) {
  const ory = createFakeOry({ slowMs: options.slowMs });
  const server = await serve(ory.handler);
  const sql = testPool();
  const handler = createHandler({
    sql,
    signer: options.signer ?? await createSigner({ secret: SECRET }),
    ory: { basePath: options.oryUrl ?? server.url, timeoutMs: options.timeoutMs ?? 2000 },
  });
  const post = (headers: HeadersInit = {}) => handler(new Request("http://local/session", { method: "POST", headers }));
  return {
    ory,
    sql,
    post,
    handler,
    async close() {
      await sql.end();
      await server.close();
    },
  };
}

function newIdentity(extra: { verified?: boolean; email?: string | null } = {}) {
  const username = uniqueUsername("s");
  return {
    id: crypto.randomUUID(),
    username,
    email: extra.email === null ? undefined : extra.email ?? `${username}@example.test`,
    verified: extra.verified ?? true,
  };
}

Deno.test("an active Ory session token is exchanged for a token PostgREST accepts and auth.uid() resolves", async () => {
  const t = await setup();
  try {
    const identity = newIdentity();
    const token = t.ory.addSession(identity);
    const before = Math.floor(Date.now() / 1000);
    const res = await t.post({ "X-Session-Token": token });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const body = await res.json();
    assert.equal(body.token_type, "bearer");
    assert.equal(body.expires_in, MAX_TOKEN_SECONDS);
    assert.ok(body.expires_at >= before + MAX_TOKEN_SECONDS);
    assert.deepEqual({ id: body.user.id, username: body.user.username }, {
      id: identity.id,
      username: identity.username,
    });

    // Exactly PostgREST's check: HS256 with the JWT secret, audience "authenticated".
    const { payload } = await jwtVerify(body.access_token, secretKey, {
      algorithms: ["HS256"],
      audience: "authenticated",
    });
    const session = t.ory.sessions.get(token)!;
    assert.equal(payload.sub, identity.id);
    assert.equal(payload.role, "authenticated");
    assert.equal(payload.session_id, session.id);
    assert.equal(payload.exp, body.expires_at);
    assert.equal((payload.exp as number) - (payload.iat as number), MAX_TOKEN_SECONDS);

    const uid = await t.sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${
        JSON.stringify(payload)
      }, true)`;
      const [row] =
        await tx`select auth.uid() as uid, (select count(*)::int from public.users where id = auth.uid()) as visible`;
      return row;
    });
    assert.deepEqual(uid, { uid: identity.id, visible: 1 });

    const [account] = await t
      .sql`select email::text, email_verified_at is not null as verified from private.accounts where user_id = ${identity.id}`;
    assert.deepEqual(account, { email: identity.email, verified: true });
  } finally {
    await t.close();
  }
});

Deno.test("the Ory session cookie is accepted when no session token is sent", async () => {
  const t = await setup();
  try {
    const identity = newIdentity();
    const token = t.ory.addSession(identity);
    const res = await t.post({ Cookie: `theme=dark; ory_session_streamz=${token}` });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).user.id, identity.id);
  } finally {
    await t.close();
  }
});

Deno.test("a token never outlives the Ory session that backs it", async () => {
  const t = await setup();
  try {
    const sessionEnd = new Date(Date.now() + 10 * 60_000);
    const token = t.ory.addSession(newIdentity(), { expires_at: sessionEnd.toISOString() });
    const body = await (await t.post({ "X-Session-Token": token })).json();
    assert.equal(body.expires_at, Math.floor(sessionEnd.getTime() / 1000));
    assert.ok(body.expires_in <= 600 && body.expires_in >= 598);
  } finally {
    await t.close();
  }
});

Deno.test("repeated exchanges keep one user and follow the identity's verification state", async () => {
  const t = await setup();
  try {
    const identity = newIdentity({ verified: false });
    const token = t.ory.addSession(identity);
    assert.equal((await t.post({ "X-Session-Token": token })).status, 200);
    const verified = async () =>
      (await t.sql`select email_verified_at is not null as v from private.accounts where user_id = ${identity.id}`)[0]
        .v;
    assert.equal(await verified(), false);
    identity.verified = true;
    assert.equal((await t.post({ "X-Session-Token": token })).status, 200);
    assert.equal(await verified(), true);
    const [{ n }] = await t.sql`select count(*)::int as n from public.users where id = ${identity.id}`;
    assert.equal(n, 1);
  } finally {
    await t.close();
  }
});

Deno.test("a token signed with a private ES256 JWK verifies with its public key", async () => {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = JSON.stringify({ ...(await exportJWK(privateKey)), kid: "streamz-1" });
  const t = await setup({ signer: await createSigner({ jwk }) });
  try {
    const identity = newIdentity();
    const body = await (await t.post({ "X-Session-Token": t.ory.addSession(identity) })).json();
    const { payload, protectedHeader } = await jwtVerify(body.access_token, publicKey, {
      algorithms: ["ES256"],
      audience: "authenticated",
    });
    assert.equal(protectedHeader.kid, "streamz-1");
    assert.equal(payload.sub, identity.id);
  } finally {
    await t.close();
  }
});

Deno.test("an unknown session is refused with 401 session_invalid and creates no user", async () => {
  const t = await setup();
  try {
    const res = await t.post({ "X-Session-Token": "ory_st_unknown" });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "session_invalid");
    assert.equal(t.ory.state.requests, 1);
  } finally {
    await t.close();
  }
});

Deno.test("an inactive session is refused with 401 and its identity is not created", async () => {
  const t = await setup();
  try {
    const identity = newIdentity();
    const token = t.ory.addSession(identity, { active: false });
    const res = await t.post({ "X-Session-Token": token });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "session_invalid");
    const [{ n }] = await t.sql`select count(*)::int as n from public.users where id = ${identity.id}`;
    assert.equal(n, 0);
  } finally {
    await t.close();
  }
});

Deno.test("a request without a session token or cookie is refused without asking Ory", async () => {
  const t = await setup();
  try {
    const res = await t.post();
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "session_invalid");
    assert.equal(t.ory.state.requests, 0);
  } finally {
    await t.close();
  }
});

Deno.test("Ory answering 500 gives 503 identity_unavailable without leaking Ory's address", async () => {
  const t = await setup();
  try {
    t.ory.state.mode = "error";
    const res = await t.post({ "X-Session-Token": t.ory.addSession(newIdentity()) });
    assert.equal(res.status, 503);
    const text = await res.text();
    assert.equal(JSON.parse(text).error.code, "identity_unavailable");
    assert.doesNotMatch(text, /127\.0\.0\.1|ory_st_/);
  } finally {
    await t.close();
  }
});

Deno.test("Ory slower than the timeout gives 503 identity_unavailable in about the timeout", async () => {
  const t = await setup({ timeoutMs: 200, slowMs: 1500 });
  try {
    t.ory.state.mode = "slow";
    const started = performance.now();
    const res = await t.post({ "X-Session-Token": t.ory.addSession(newIdentity()) });
    const elapsed = performance.now() - started;
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error.code, "identity_unavailable");
    assert.ok(elapsed < 1000, `answered after ${elapsed} ms`);
  } finally {
    await t.close();
  }
});

Deno.test("Ory refusing connections gives 503 identity_unavailable", async () => {
  const t = await setup({ oryUrl: refusedUrl() });
  try {
    const res = await t.post({ "X-Session-Token": "ory_st_any" });
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error.code, "identity_unavailable");
  } finally {
    await t.close();
  }
});

Deno.test("a session whose username belongs to another user is refused with 409 username_taken", async () => {
  const t = await setup();
  try {
    const first = newIdentity();
    assert.equal((await t.post({ "X-Session-Token": t.ory.addSession(first) })).status, 200);
    const impostor = { ...newIdentity(), username: first.username.toUpperCase() };
    const res = await t.post({ "X-Session-Token": t.ory.addSession(impostor) });
    assert.equal(res.status, 409);
    assert.equal((await res.json()).error.code, "username_taken");
  } finally {
    await t.close();
  }
});

Deno.test("an identity whose email is not an address (NUL, 500,000 characters, no @) gets 422 email_invalid, no user", async () => {
  const t = await setup();
  try {
    for (const email of ["nul\u0000@example.test", `${"a".repeat(500_000)}@example.test`, "not an email", "a@b@c"]) {
      const identity = newIdentity({ email });
      const res = await t.post({ "X-Session-Token": t.ory.addSession(identity) });
      assert.equal(res.status, 422, email.slice(0, 30));
      assert.equal((await res.json()).error.code, "email_invalid");
      const [{ n }] = await t.sql`select count(*)::int as n from public.users where id = ${identity.id}`;
      assert.equal(n, 0);
    }
    // 254 characters is the longest address accepted.
    const longest = newIdentity({ email: `${"a".repeat(64)}@${"b".repeat(176)}.example.test` });
    assert.equal(longest.email!.length, 254);
    assert.equal((await t.post({ "X-Session-Token": t.ory.addSession(longest) })).status, 200);
  } finally {
    await t.close();
  }
});

Deno.test("a body over 1 MiB is refused with 413 payload_too_large before Ory is asked", async () => {
  const t = await setup();
  try {
    const token = t.ory.addSession(newIdentity());
    const big = await t.handler(
      new Request("http://local/session", {
        method: "POST",
        headers: { "X-Session-Token": token },
        body: "x".repeat(MAX_BODY_BYTES + 1),
      }),
    );
    assert.equal(big.status, 413);
    assert.equal((await big.json()).error.code, "payload_too_large");
    assert.equal(t.ory.state.requests, 0);
    // A body up to the limit is read and ignored.
    const ok = await t.handler(
      new Request("http://local/session", {
        method: "POST",
        headers: { "X-Session-Token": token },
        body: "x".repeat(MAX_BODY_BYTES),
      }),
    );
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("session answers GET with 405 and a CORS preflight with 204", async () => {
  const t = await setup();
  try {
    const res = await t.handler(new Request("http://local/session", { method: "GET" }));
    assert.equal(res.status, 405);
    assert.equal((await res.json()).error.code, "method_not_allowed");
    const preflight = await t.handler(new Request("http://local/session", { method: "OPTIONS" }));
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get("access-control-allow-headers")!, /x-session-token/);
  } finally {
    await t.close();
  }
});
