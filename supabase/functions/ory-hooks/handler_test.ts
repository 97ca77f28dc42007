import assert from "node:assert/strict";
import { MAX_BODY_BYTES } from "../_shared/http.ts";
import { NIL_UUID } from "../_shared/identity.ts";
import { testPool, uniqueUsername } from "../../../tests/function-helpers.ts";
import { createHandler, SECRET_HEADER } from "./handler.ts";

const SECRET = "ory-hooks-test-secret";

function identity(overrides: Record<string, unknown> = {}, verified = false) {
  const username = uniqueUsername("h");
  const email = `${username}@example.test`;
  return {
    id: crypto.randomUUID(),
    schema_id: "streamz",
    state: "active",
    traits: { username, email },
    verifiable_addresses: [{ value: email, verified, via: "email", status: verified ? "completed" : "sent" }],
    recovery_addresses: [{ value: email, via: "email" }],
    ...overrides,
  };
}

async function withHook(
  fn: (
    post: (body: unknown, secret?: string | null) => Promise<Response>,
    sql: ReturnType<typeof testPool>,
  ) => Promise<void>,
) {
  const sql = testPool();
  const handler = createHandler({ sql, secret: SECRET });
  const post = (body: unknown, secret: string | null = SECRET) =>
    handler(
      new Request("http://local/ory-hooks", {
        method: "POST",
        headers: { "content-type": "application/json", ...(secret === null ? {} : { [SECRET_HEADER]: secret }) },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    );
  try {
    await fn(post, sql);
  } finally {
    await sql.end();
  }
}

async function account(sql: ReturnType<typeof testPool>, id: string) {
  const rows = await sql`
    select u.username::text, a.email::text, a.email_verified_at is not null as verified,
           (select count(*)::int from public.notification_preferences p where p.user_id = u.id) as preferences
    from public.users u join private.accounts a on a.user_id = u.id where u.id = ${id}`;
  return rows[0];
}

Deno.test("after registration the hook creates the user, account and preferences", async () => {
  await withHook(async (post, sql) => {
    const ident = identity();
    const res = await post({ identity: ident });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual({ id: body.user.id, username: body.user.username }, {
      id: ident.id,
      username: ident.traits.username,
    });
    assert.deepEqual(await account(sql, ident.id), {
      username: ident.traits.username,
      email: ident.traits.email,
      verified: false,
      preferences: 1,
    });
  });
});

Deno.test("after settings the hook updates username, email and verification, and repeats are harmless", async () => {
  await withHook(async (post, sql) => {
    const ident = identity();
    assert.equal((await post({ identity: ident })).status, 200);
    const renamed = uniqueUsername("h");
    const changed = identity({ id: ident.id, traits: { username: renamed, email: `${renamed}@example.test` } }, true);
    changed.verifiable_addresses = [{
      value: `${renamed}@example.test`,
      verified: true,
      via: "email",
      status: "completed",
    }];
    for (let i = 0; i < 3; i++) assert.equal((await post({ identity: changed })).status, 200);
    assert.deepEqual(await account(sql, ident.id), {
      username: renamed,
      email: `${renamed}@example.test`,
      verified: true,
      preferences: 1,
    });
    const [{ n }] = await sql`select count(*)::int as n from public.users where id = ${ident.id}`;
    assert.equal(n, 1);
  });
});

Deno.test("a verified address other than the email trait does not mark the email verified", async () => {
  await withHook(async (post, sql) => {
    const ident = identity();
    ident.verifiable_addresses = [{
      value: "someone-else@example.test",
      verified: true,
      via: "email",
      status: "completed",
    }];
    assert.equal((await post({ identity: ident })).status, 200);
    assert.equal((await account(sql, ident.id)).verified, false);
  });
});

Deno.test("the all-zero identity id of a pre-persist hook is refused with 422 identity_not_persisted", async () => {
  await withHook(async (post, sql) => {
    const ident = identity({ id: NIL_UUID });
    const res = await post({ identity: ident });
    assert.equal(res.status, 422);
    assert.equal((await res.json()).error.code, "identity_not_persisted");
    const [{ n }] = await sql`select count(*)::int as n from public.users where username = ${ident.traits.username}`;
    assert.equal(n, 0);
  });
});

Deno.test("a wrong, missing or prefix secret is refused with 401 and nothing is written", async () => {
  await withHook(async (post, sql) => {
    const ident = identity();
    for (const secret of [null, "", "wrong", SECRET.slice(0, -1), SECRET + "x"]) {
      const res = await post({ identity: ident }, secret);
      assert.equal(res.status, 401, `secret ${JSON.stringify(secret)}`);
      const text = await res.text();
      assert.equal(JSON.parse(text).error.code, "invalid_secret");
      assert.doesNotMatch(text, new RegExp(SECRET));
    }
    const [{ n }] = await sql`select count(*)::int as n from public.users where id = ${ident.id}`;
    assert.equal(n, 0);
  });
});

Deno.test("malformed bodies are refused with 400 or 422 and precise codes", async () => {
  await withHook(async (post) => {
    const cases: [unknown, number, string][] = [
      ['{"identity": {"id": "', 400, "invalid_json"],
      [{}, 422, "identity_missing"],
      [[], 422, "identity_missing"],
      [{ identity: identity({ id: "not-a-uuid" }) }, 422, "identity_invalid"],
      [{ identity: identity({ traits: { username: "x" } }) }, 422, "username_invalid"],
    ];
    for (const [body, status, code] of cases) {
      const res = await post(body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal((await res.json()).error.code, code);
    }
  });
});

Deno.test("an email that is not an address is refused with 422 email_invalid; a NUL in any trait never gives a 500", async () => {
  await withHook(async (post, sql) => {
    const withEmail = (email: string, traits: Record<string, unknown> = {}) => {
      const ident = identity();
      return {
        ...ident,
        traits: { ...ident.traits, email, ...traits },
        verifiable_addresses: [{ value: email, via: "email" }],
      };
    };
    const cases: [{ id: string; traits: Record<string, unknown> }, string][] = [
      [withEmail("nul\u0000@example.test"), "email_invalid"],
      [withEmail(`${"a".repeat(500_000)}@example.test`), "email_invalid"],
      [withEmail(`${"a".repeat(64)}@${"b".repeat(177)}.example.test`), "email_invalid"], // 255 characters
      [withEmail("not an email"), "email_invalid"],
      [withEmail("no-at-sign.example.test"), "email_invalid"],
      [withEmail("tab\t@example.test"), "email_invalid"],
      [identity({ traits: { username: "nul\u0000name", email: "nul@example.test" } }), "username_invalid"],
    ];
    for (const [ident, code] of cases) {
      const res = await post({ identity: ident });
      assert.equal(res.status, 422, JSON.stringify(ident.traits).slice(0, 60));
      assert.equal((await res.json()).error.code, code);
      const [{ n }] = await sql`select count(*)::int as n from public.users where id = ${ident.id}`;
      assert.equal(n, 0);
    }
    // Traits Streamz does not store (a display name) may hold anything; 254 characters is accepted.
    const ok = withEmail(`${"a".repeat(64)}@${"b".repeat(176)}.example.test`, { display_name: "Nul\u0000Name" });
    assert.equal((await post({ identity: ok })).status, 200);
    assert.equal((await account(sql, ok.id)).email, ok.traits.email);
  });
});

Deno.test("a username held by another identity is refused with 409 username_taken", async () => {
  await withHook(async (post) => {
    const first = identity();
    assert.equal((await post({ identity: first })).status, 200);
    const second = identity({ traits: { username: first.traits.username.toUpperCase() } });
    const res = await post({ identity: second });
    assert.equal(res.status, 409);
    assert.equal((await res.json()).error.code, "username_taken");
  });
});

Deno.test("a body over 1 MiB is refused with 413 and GET with 405", async () => {
  await withHook(async (post) => {
    const res = await post("x".repeat(MAX_BODY_BYTES + 1));
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, "payload_too_large");
  });
  const sql = testPool();
  try {
    const res = await createHandler({ sql, secret: SECRET })(new Request("http://local/ory-hooks"));
    assert.equal(res.status, 405);
    await res.body?.cancel();
  } finally {
    await sql.end();
  }
});
