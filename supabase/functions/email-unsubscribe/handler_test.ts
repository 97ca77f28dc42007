import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { testPool, uniqueUsername } from "../../../tests/function-helpers.ts";
import { signUnsubscribeToken, unsubscribeKey } from "../_shared/unsubscribe-token.ts";
import { createHandler, type EmailUnsubscribeDeps } from "./handler.ts";

const key = unsubscribeKey("email-unsubscribe-test-secret-of-32-chars!");
const BASE = "http://localhost/email-unsubscribe";
const ONE_CLICK = "List-Unsubscribe=One-Click";

type Sql = ReturnType<typeof testPool>;

async function withUser(fn: (h: {
  sql: Sql;
  userId: string;
  call: (init: { method?: string; token?: string | null; body?: BodyInit; type?: string; accept?: string }, deps?: Partial<EmailUnsubscribeDeps>) => Promise<Response>;
  emailEnabled: () => Promise<boolean | null>;
}) => Promise<void>) {
  const sql = testPool();
  const userId = crypto.randomUUID();
  await sql`select private.provision_user(${userId}::uuid, ${uniqueUsername("eu")}, 'eu@viewers.test', true)`;
  const token = await signUnsubscribeToken(key, userId);
  const call: Parameters<typeof fn>[0]["call"] = async (init, deps = {}) => {
    const t = init.token === undefined ? token : init.token;
    const headers: Record<string, string> = {};
    if (init.type ?? (init.body !== undefined && typeof init.body === "string")) headers["content-type"] = init.type ?? "application/x-www-form-urlencoded";
    if (init.accept) headers.accept = init.accept;
    const handler = createHandler({ sql, unsubscribeKey: key, ...deps });
    return await handler(new Request(t === null ? BASE : `${BASE}?token=${encodeURIComponent(t)}`, { method: init.method ?? "POST", headers, body: init.body }));
  };
  const emailEnabled = async () =>
    (await sql<{ email_enabled: boolean }[]>`select email_enabled from public.notification_preferences where user_id = ${userId}`)[0]?.email_enabled ?? null;
  try {
    await fn({ sql, userId, call, emailEnabled });
  } finally {
    await sql`delete from public.users where id = ${userId}`;
    await sql.end();
  }
}

const errorCode = async (res: Response) => (await res.json()).error.code;

Deno.test("a one-click POST (RFC 8058) turns email_enabled off for the token's user; again is still 200", async () => {
  await withUser(async ({ sql, userId, call, emailEnabled }) => {
    assert.equal(await emailEnabled(), true);
    const res = await call({ body: ONE_CLICK });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { unsubscribed: true });
    assert.equal(await emailEnabled(), false);
    const [prefs] = await sql`select push_enabled, on_followed_live from public.notification_preferences where user_id = ${userId}`;
    assert.deepEqual({ ...prefs }, { push_enabled: true, on_followed_live: true }, "nothing else changes");
    assert.equal((await call({ body: ONE_CLICK })).status, 200, "idempotent");
    assert.equal(await emailEnabled(), false);
  });
});

Deno.test("multipart/form-data is accepted too, as RFC 8058 allows", async () => {
  await withUser(async ({ call, emailEnabled }) => {
    const form = new FormData();
    form.set("List-Unsubscribe", "One-Click");
    const res = await call({ body: form });
    assert.equal(res.status, 200);
    assert.equal(await emailEnabled(), false);
  });
});

Deno.test("GET never unsubscribes: it shows a page whose button POSTs the one-click form to the same link", async () => {
  await withUser(async ({ call, emailEnabled }) => {
    const res = await call({ method: "GET" });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/html/);
    assert.equal(res.headers.get("referrer-policy"), "no-referrer");
    assert.equal(res.headers.get("cache-control"), "no-store");
    const html = await res.text();
    const form = html.match(/<form method="post" action="\?token=([^"]+)">/);
    assert.ok(form, "a form posting back to this link");
    assert.match(html, /<input type="hidden" name="List-Unsubscribe" value="One-Click">/);
    assert.equal(await emailEnabled(), true, "the GET changed nothing");
    // What the browser sends when the button is pressed.
    const done = await call({ token: decodeURIComponent(form[1]), body: ONE_CLICK, accept: "text/html,application/xhtml+xml" });
    assert.equal(done.status, 200);
    assert.match(await done.text(), /You are unsubscribed/);
    assert.equal(await emailEnabled(), false);
  });
});

Deno.test("with EMAIL_UNSUBSCRIBE_PAGE_URL a GET is sent (303) to the site's page with the token", async () => {
  await withUser(async ({ call, emailEnabled }) => {
    const res = await call({ method: "GET" }, { pageUrl: "https://streamz.example/unsubscribe?from=email" });
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get("location")!);
    assert.equal(`${location.origin}${location.pathname}`, "https://streamz.example/unsubscribe");
    assert.equal(location.searchParams.get("from"), "email");
    assert.ok(location.searchParams.get("token"));
    assert.equal(await emailEnabled(), true);
  });
});

Deno.test("a forged, altered or foreign token is refused (403 unsubscribe_token_invalid) and changes nothing", async () => {
  await withUser(async ({ userId, call, emailEnabled }) => {
    const forged = await signUnsubscribeToken(unsubscribeKey("another-secret-that-is-32-chars-long!!"), userId);
    const genuine = await signUnsubscribeToken(key, userId);
    const [h, p, s] = genuine.split(".");
    const otherUser = btoa(JSON.stringify({ sub: crypto.randomUUID(), aud: "streamz:email-unsubscribe" })).replace(/=+$/, "");
    // A token signed with the same key for another purpose (another audience) is not an unsubscribe token.
    const foreign = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(userId).setAudience("authenticated").sign(key);
    for (const token of [forged, `${h}.${otherUser}.${s}`, `${h}.${p}.${s.slice(0, -2)}xx`, foreign, "not-a-token"]) {
      for (const method of ["POST", "GET"]) {
        const res = await call({ method, token, body: method === "POST" ? ONE_CLICK : undefined });
        assert.equal(res.status, 403, `${method} ${token.slice(0, 20)}`);
        assert.equal(await errorCode(res), "unsubscribe_token_invalid");
      }
    }
    const none = await call({ token: null, body: ONE_CLICK });
    assert.equal(none.status, 400);
    assert.equal(await errorCode(none), "unsubscribe_token_missing");
    assert.equal(await emailEnabled(), true);
  });
});

Deno.test("a POST without the one-click body is refused (400 unsubscribe_body_invalid) and changes nothing", async () => {
  await withUser(async ({ call, emailEnabled }) => {
    for (const init of [{}, { body: "List-Unsubscribe=Yes" }, { body: ONE_CLICK, type: "text/plain" }, { body: '{"List-Unsubscribe":"One-Click"}', type: "application/json" }]) {
      const res = await call(init);
      assert.equal(res.status, 400, JSON.stringify(init));
      assert.equal(await errorCode(res), "unsubscribe_body_invalid");
    }
    const big = await call({ body: `${ONE_CLICK}&pad=${"x".repeat(5000)}` });
    assert.equal(big.status, 413);
    assert.equal(await emailEnabled(), true);
  });
});

Deno.test("a valid token of a deleted user answers 200 and writes nothing", async () => {
  const sql = testPool();
  try {
    const gone = crypto.randomUUID();
    const handler = createHandler({ sql, unsubscribeKey: key });
    const res = await handler(new Request(`${BASE}?token=${await signUnsubscribeToken(key, gone)}`, {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: ONE_CLICK,
    }));
    assert.equal(res.status, 200);
    assert.equal((await sql`select 1 from public.notification_preferences where user_id = ${gone}`).length, 0);
  } finally {
    await sql.end();
  }
});

Deno.test("other methods get 405; without EMAIL_UNSUBSCRIBE_SECRET every link answers 503 email_not_configured", async () => {
  await withUser(async ({ call }) => {
    assert.equal((await call({ method: "PUT", body: ONE_CLICK })).status, 405);
    const off = await call({ body: ONE_CLICK }, { unsubscribeKey: null });
    assert.equal(off.status, 503);
    assert.equal(await errorCode(off), "email_not_configured");
  });
});
