// session and ory-hooks over HTTP through the functions gateway, with a fake Ory on the port
// scripts/test.ts configured the functions with.
import { jwtVerify } from "jose";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeOry } from "./fakes/ory.ts";
import { type FakeServer, serve } from "./fakes/serve.ts";
import { dbUrl, functionsUrl, jwtSecret, requiredEnv } from "./env.ts";

const ory = createFakeOry({ slowMs: 3000 });
const hookSecret = requiredEnv("ORY_WEBHOOK_SECRET");
let fake: FakeServer;
let sql: postgres.Sql;

beforeAll(async () => {
  fake = await serve(ory.handler, Number(requiredEnv("STREAMZ_FAKE_ORY_PORT")));
  sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await fake?.close();
});

const uid = () => crypto.randomUUID();
const uname = () => `v_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const userCount = async (id: string) => (await sql`select count(*)::int as n from public.users where id = ${id}`)[0].n;

function postSession(headers: Record<string, string> = {}) {
  return fetch(`${functionsUrl}/session`, { method: "POST", headers });
}

function postHook(body: string | object, secret: string | null = hookSecret, extra: Record<string, string> = {}) {
  return fetch(`${functionsUrl}/ory-hooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(secret === null ? {} : { "x-ory-hook-secret": secret }),
      ...extra,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function identity(id = uid(), username = uname(), verified = false) {
  const email = `${username}@example.test`;
  return {
    id,
    schema_id: "streamz",
    traits: { username, email },
    verifiable_addresses: [{ value: email, verified, via: "email" }],
  };
}

describe("session over HTTP", () => {
  it("exchanges an Ory session for a JWT the platform accepts, creating the user once", async () => {
    const id = uid();
    const token = ory.addSession({ id, username: uname(), email: "x@example.test", verified: true });
    const first = await postSession({ "X-Session-Token": token });
    expect(first.status).toBe(200);
    const body = await first.json();
    expect(body).toMatchObject({ token_type: "bearer", expires_in: 3600, user: { id } });
    const { payload } = await jwtVerify(body.access_token, new TextEncoder().encode(jwtSecret), {
      algorithms: ["HS256"],
      audience: "authenticated",
    });
    expect(payload).toMatchObject({ sub: id, role: "authenticated" });
    // The gateway enforces verify_jwt like the platform: the minted token opens a protected function.
    const health = await fetch(`${functionsUrl}/health`, { headers: { Authorization: `Bearer ${body.access_token}` } });
    expect(health.status).toBe(200);
    expect((await postSession({ Cookie: `ory_session_streamz=${token}` })).status).toBe(200);
    expect(await userCount(id)).toBe(1);
  });

  it("refuses a missing or unknown session with 401 session_invalid", async () => {
    for (const headers of [{}, { "X-Session-Token": "ory_st_forged" }, { Cookie: "ory_session_streamz=forged" }]) {
      const res = await postSession(headers);
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("session_invalid");
    }
  });

  it("answers 503 identity_unavailable when Ory fails or hangs", async () => {
    const token = ory.addSession({ id: uid(), username: uname() });
    try {
      for (const mode of ["error", "slow"] as const) {
        ory.state.mode = mode;
        const res = await postSession({ "X-Session-Token": token });
        expect(res.status).toBe(503);
        expect((await res.json()).error.code).toBe("identity_unavailable");
      }
    } finally {
      ory.state.mode = "normal";
    }
  });

  it("refuses GET with 405", async () => {
    const res = await fetch(`${functionsUrl}/session`);
    expect(res.status).toBe(405);
  });
});

describe("ory-hooks over HTTP", () => {
  it("creates the user after registration and repeats are harmless", async () => {
    const ident = identity();
    for (let i = 0; i < 3; i++) {
      const res = await postHook({ identity: ident });
      expect(res.status).toBe(200);
    }
    expect(await userCount(ident.id)).toBe(1);
    const [channel] = await sql`select slug::text from public.channels where owner_id = ${ident.id}`;
    expect(channel.slug).toBe(ident.traits.username);
  });

  it("refuses forged, truncated, oversized and pre-persist requests, writing nothing", async () => {
    const ident = identity();
    const forged = await postHook({ identity: ident }, "not-the-secret");
    expect(forged.status).toBe(401);
    expect((await postHook({ identity: ident }, null)).status).toBe(401);
    const truncated = await postHook(JSON.stringify({ identity: ident }).slice(0, -3));
    expect(truncated.status).toBe(400);
    expect((await truncated.json()).error.code).toBe("invalid_json");
    const padded = JSON.stringify({ identity: ident, pad: "x".repeat(1024 * 1024) });
    const oversized = await postHook(padded);
    expect(oversized.status).toBe(413);
    const nil = await postHook({ identity: identity("00000000-0000-0000-0000-000000000000") });
    expect(nil.status).toBe(422);
    expect((await nil.json()).error.code).toBe("identity_not_persisted");
    expect(await userCount(ident.id)).toBe(0);
  });
});
