import assert from "node:assert/strict";
import { createFakeLivepeer } from "../../../tests/fakes/livepeer.ts";
import type { Sql } from "../_shared/db.ts";
import { MAX_BODY_BYTES } from "../_shared/http.ts";
import { createSigner, createVerifier, mintAccessToken } from "../_shared/jwt.ts";
import { refusedUrl, testPool, uniqueUsername } from "../../../tests/function-helpers.ts";
import { serve } from "../../../tests/fakes/serve.ts";
import { createHandler, RTMP_URL } from "./handler.ts";
import { LivepeerClient } from "./livepeer.ts";

const JWT_SECRET = "stream-key-test-secret-at-least-32-characters";
const API_KEY = "lp-test-api-key-0123456789abcdef";

type Fake = ReturnType<typeof createFakeLivepeer>;

interface Harness {
  sql: Sql;
  fake: Fake;
  handler: (req: Request) => Promise<Response>;
  /** A user with a channel; `token` is their access token. */
  owner(): Promise<{ userId: string; channelId: string; slug: string; token: string }>;
  post(token: string | null, path?: string, init?: RequestInit): Promise<Response>;
}

async function token(sub: string, overrides: { role?: string; secret?: string; expiresIn?: number } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const signer = await createSigner({ secret: overrides.secret ?? JWT_SECRET });
  if (overrides.role) {
    const { SignJWT } = await import("jose");
    return await new SignJWT({ role: overrides.role }).setProtectedHeader({ alg: "HS256" }).setSubject(sub)
      .setIssuedAt(now).setExpirationTime(now + 600).sign(signer.key);
  }
  return await mintAccessToken(signer, {
    sub,
    sessionId: "s-1",
    issuedAt: now - 10,
    expiresAt: now + (overrides.expiresIn ?? 600),
  });
}

async function withStreamKey(
  fn: (h: Harness) => Promise<void>,
  opts: { apiUrl?: string; apiKey?: string; timeoutMs?: number } = {},
) {
  const sql = testPool();
  const fake = createFakeLivepeer({ apiKey: API_KEY, slowMs: 1500 });
  const server = await serve(fake.handler);
  const livepeer = new LivepeerClient({
    apiUrl: opts.apiUrl ?? `${server.url}/api`,
    apiKey: opts.apiKey ?? API_KEY,
    timeoutMs: opts.timeoutMs ?? 500,
  });
  const handler = createHandler({ sql, verifier: await createVerifier({ secret: JWT_SECRET }), livepeer });
  const owner: Harness["owner"] = async () => {
    const userId = crypto.randomUUID();
    const username = uniqueUsername("sk");
    await sql`select private.provision_user(${userId}::uuid, ${username})`;
    const [channel] = await sql<{ id: string }[]>`select id from public.channels where owner_id = ${userId}`;
    return { userId, channelId: channel.id, slug: username, token: await token(userId) };
  };
  const post: Harness["post"] = (bearer, path = "/stream-key", init = {}) =>
    handler(
      new Request(`http://local${path}`, {
        method: "POST",
        ...init,
        headers: { ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }), ...(init.headers ?? {}) },
      }),
    );
  try {
    await fn({ sql, fake, handler, owner, post });
  } finally {
    await sql.end();
    await server.close();
  }
}

async function mappings(sql: Sql, channelId: string) {
  return await sql<{ livepeer_stream_id: string; replaced_at: Date | null }[]>`
    select livepeer_stream_id, replaced_at from private.livepeer_streams
    where channel_id = ${channelId} order by created_at, replaced_at nulls last`;
}

Deno.test("a channel owner's first call creates a recorded, tagged Livepeer stream and maps it", async () => {
  await withStreamKey(async ({ sql, fake, owner, post }) => {
    const me = await owner();
    const res = await post(me.token);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const body = await res.json();
    const [stream] = fake.live();
    assert.deepEqual(body, {
      stream_id: stream.id,
      stream_key: stream.streamKey,
      rtmp_url: RTMP_URL,
      srt_url: `srt://rtmp.livepeer.com:2935?streamid=${stream.streamKey}`,
      playback_id: stream.playbackId,
    });
    const create = fake.state.requests.find((r) => r.method === "POST")!;
    assert.match(create.path, /^\/api\/stream$/);
    assert.deepEqual(create.body, { name: me.slug, record: true, userTags: { streamz_channel_id: me.channelId } });
    const rows = await mappings(sql, me.channelId);
    assert.deepEqual(rows.map((r) => [r.livepeer_stream_id, r.replaced_at]), [[stream.id, null]]);
    // The key is Livepeer's secret: nothing in our database holds it.
    const [{ found }] = await sql`
      select exists (select 1 from private.livepeer_streams s where s::text like ${
      "%" + stream.streamKey + "%"
    }) as found`;
    assert.equal(found, false);
  });
});

Deno.test("later calls read the same stream back from Livepeer and create nothing", async () => {
  await withStreamKey(async ({ sql, fake, owner, post }) => {
    const me = await owner();
    const first = await (await post(me.token)).json();
    const second = await (await post(me.token)).json();
    assert.deepEqual(second, first);
    assert.equal(fake.live().length, 1);
    const gets = fake.state.requests.filter((r) => r.method === "GET");
    assert.deepEqual(gets.map((r) => r.path), [`/api/stream/${first.stream_id}`]);
    assert.equal((await mappings(sql, me.channelId)).length, 1);
  });
});

Deno.test("concurrent first calls create and map exactly one stream", async () => {
  await withStreamKey(async ({ sql, fake, owner, post }) => {
    const me = await owner();
    const answers = await Promise.all(Array.from({ length: 6 }, async () => {
      const res = await post(me.token);
      assert.equal(res.status, 200);
      return await res.json();
    }));
    assert.equal(new Set(answers.map((a) => a.stream_id)).size, 1);
    assert.equal(new Set(answers.map((a) => a.stream_key)).size, 1);
    assert.equal(fake.state.requests.filter((r) => r.method === "POST").length, 1);
    assert.equal((await mappings(sql, me.channelId)).length, 1);
  });
});

Deno.test("reset rotates the key: a new stream is current, the old one stays mapped as replaced and is deleted", async () => {
  await withStreamKey(async ({ sql, fake, owner, post }) => {
    const me = await owner();
    const before = await (await post(me.token)).json();
    const res = await post(me.token, "/stream-key/reset");
    assert.equal(res.status, 200);
    const after = await res.json();
    assert.notEqual(after.stream_id, before.stream_id);
    assert.notEqual(after.stream_key, before.stream_key);
    assert.deepEqual(fake.live().map((s) => s.id), [after.stream_id]);
    assert.ok(fake.deleted.has(before.stream_id));
    const rows = await mappings(sql, me.channelId);
    assert.equal(rows.length, 2);
    assert.equal(rows.find((r) => r.livepeer_stream_id === before.stream_id)!.replaced_at instanceof Date, true);
    assert.equal(rows.find((r) => r.livepeer_stream_id === after.stream_id)!.replaced_at, null);
    assert.deepEqual(await (await post(me.token)).json(), after);
  });
});

Deno.test("reset before any stream exists simply creates one; concurrent resets leave one current stream", async () => {
  await withStreamKey(async ({ sql, fake, owner, post }) => {
    const me = await owner();
    assert.equal((await post(me.token, "/stream-key/reset")).status, 200);
    const answers = await Promise.all(
      Array.from({ length: 4 }, async () => (await post(me.token, "/stream-key/reset")).json()),
    );
    const rows = await mappings(sql, me.channelId);
    const current = rows.filter((r) => r.replaced_at === null);
    assert.equal(current.length, 1);
    assert.equal(rows.length, 5);
    // The last reset to run wins; every earlier stream is deleted in Livepeer.
    assert.deepEqual(fake.live().map((s) => s.id), [current[0].livepeer_stream_id]);
    assert.ok(answers.some((a) => a.stream_id === current[0].livepeer_stream_id));
  });
});

Deno.test("a stream deleted in Livepeer behind our back is replaced on the next call", async () => {
  await withStreamKey(async ({ sql, fake, owner, post }) => {
    const me = await owner();
    const first = await (await post(me.token)).json();
    fake.remove(first.stream_id);
    const res = await post(me.token);
    assert.equal(res.status, 200);
    const next = await res.json();
    assert.notEqual(next.stream_id, first.stream_id);
    const rows = await mappings(sql, me.channelId);
    assert.deepEqual(rows.filter((r) => r.replaced_at === null).map((r) => r.livepeer_stream_id), [next.stream_id]);
  });
});

Deno.test("if deleting the replaced stream fails, the reset still succeeds", async () => {
  const logged: string[] = [];
  const original = console.error;
  console.error = (msg: string) => logged.push(msg);
  try {
    await withStreamKey(async ({ fake, owner, post }) => {
      const me = await owner();
      const before = await (await post(me.token)).json();
      fake.state.deleteMode = "error";
      const res = await post(me.token, "/stream-key/reset");
      assert.equal(res.status, 200);
      assert.notEqual((await res.json()).stream_id, before.stream_id);
      assert.equal(fake.live().length, 2);
      assert.match(logged.join("\n"), /answered 500 to DELETE/);
    });
  } finally {
    console.error = original;
  }
});

Deno.test("missing, forged, expired, non-user and non-uuid tokens get 401 auth_required", async () => {
  await withStreamKey(async ({ fake, owner, post }) => {
    const me = await owner();
    const cases: [string, string | null][] = [
      ["no token", null],
      ["garbage", "not-a-jwt"],
      ["other secret", await token(me.userId, { secret: JWT_SECRET + "-other" })],
      ["expired", await token(me.userId, { expiresIn: -60 })],
      ["anon role", await token(me.userId, { role: "anon" })],
      ["service role", await token(me.userId, { role: "service_role" })],
      ["sub not a uuid", await token("not-a-uuid")],
    ];
    for (const [name, bearer] of cases) {
      const res = await post(bearer);
      assert.equal(res.status, 401, name);
      assert.equal((await res.json()).error.code, "auth_required", name);
    }
    assert.equal(fake.state.requests.length, 0);
  });
});

Deno.test("an ES256 token verifies against the public half of JWT_SIGNING_JWK", async () => {
  const { exportJWK, generateKeyPair } = await import("jose");
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = JSON.stringify({ ...(await exportJWK(privateKey)), kid: "k1", alg: "ES256" });
  const verifier = await createVerifier({ secret: JWT_SECRET, jwk });
  const sql = testPool();
  const fake = createFakeLivepeer({ apiKey: API_KEY });
  const server = await serve(fake.handler);
  try {
    const userId = crypto.randomUUID();
    await sql`select private.provision_user(${userId}::uuid, ${uniqueUsername("sk")})`;
    const now = Math.floor(Date.now() / 1000);
    const bearer = await mintAccessToken(await createSigner({ jwk }), {
      sub: userId,
      sessionId: "s",
      issuedAt: now,
      expiresAt: now + 60,
    });
    const handler = createHandler({
      sql,
      verifier,
      livepeer: new LivepeerClient({ apiUrl: `${server.url}/api`, apiKey: API_KEY, timeoutMs: 500 }),
    });
    const res = await handler(
      new Request("http://local/stream-key", { method: "POST", headers: { authorization: `Bearer ${bearer}` } }),
    );
    assert.equal(res.status, 200);
    await res.body?.cancel();
  } finally {
    await sql.end();
    await server.close();
  }
});

Deno.test("a valid user without a channel gets 404 channel_not_found and Livepeer is not called", async () => {
  await withStreamKey(async ({ fake, post }) => {
    const res = await post(await token(crypto.randomUUID()));
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.code, "channel_not_found");
    assert.equal(fake.state.requests.length, 0);
  });
});

Deno.test("Livepeer failing, timing out or refusing the connection gives 503 and maps nothing", async () => {
  for (const mode of ["error", "slow", "refused"] as const) {
    await withStreamKey(async ({ sql, fake, owner, post }) => {
      const me = await owner();
      if (mode !== "refused") fake.state.mode = mode;
      const res = await post(me.token);
      assert.equal(res.status, 503, mode);
      assert.equal((await res.json()).error.code, "livepeer_unavailable", mode);
      assert.equal((await mappings(sql, me.channelId)).length, 0, mode);
    }, mode === "refused" ? { apiUrl: refusedUrl() } : {});
  }
});

Deno.test("Livepeer failing on the read of an existing stream gives 503 and keeps the mapping", async () => {
  await withStreamKey(async ({ sql, fake, owner, post }) => {
    const me = await owner();
    const first = await (await post(me.token)).json();
    fake.state.mode = "error";
    const res = await post(me.token);
    assert.equal(res.status, 503);
    await res.body?.cancel();
    const rows = await mappings(sql, me.channelId);
    assert.deepEqual(rows.map((r) => [r.livepeer_stream_id, r.replaced_at]), [[first.stream_id, null]]);
  });
});

Deno.test("a wrong API key or an answer that is not a stream gives 502, never echoing the key", async () => {
  const logged: string[] = [];
  const original = console.error;
  console.error = (msg: string) => logged.push(msg);
  try {
    for (const mode of ["bad_key", "garbage"] as const) {
      await withStreamKey(async ({ sql, fake, owner, post }) => {
        const me = await owner();
        if (mode === "garbage") fake.state.mode = "garbage";
        const res = await post(me.token);
        assert.equal(res.status, 502, mode);
        const text = await res.text();
        assert.equal(JSON.parse(text).error.code, "livepeer_error", mode);
        assert.doesNotMatch(text + logged.join("\n"), /lp-test-api-key|wrong-key/, mode);
        assert.equal((await mappings(sql, me.channelId)).length, 0, mode);
      }, mode === "bad_key" ? { apiKey: "wrong-key-123" } : {});
    }
    assert.match(logged.join("\n"), /401 to create stream \(check LIVEPEER_API_KEY\)/);
  } finally {
    console.error = original;
  }
});

Deno.test("a stream created while the database fails is deleted again in Livepeer", async () => {
  await withStreamKey(async ({ sql, fake, owner, post }) => {
    const me = await owner();
    // Make the mapping insert fail after Livepeer created the stream: a trigger that raises.
    const fn = `tests_fail_${crypto.randomUUID().replaceAll("-", "")}`;
    await sql.unsafe(`
      create function private.${fn}() returns trigger language plpgsql as $$
      begin
        if new.channel_id = '${me.channelId}' then raise exception 'boom'; end if;
        return new;
      end $$;
      create trigger ${fn} before insert on private.livepeer_streams for each row execute function private.${fn}();`);
    const logged: string[] = [];
    const original = console.error;
    console.error = (msg: string) => logged.push(msg);
    try {
      const res = await post(me.token);
      assert.equal(res.status, 500);
      assert.equal((await res.json()).error.code, "internal_error");
    } finally {
      console.error = original;
      await sql.unsafe(`drop trigger ${fn} on private.livepeer_streams; drop function private.${fn}();`);
    }
    assert.equal(fake.state.requests.filter((r) => r.method === "POST").length, 1);
    assert.equal(fake.live().length, 0);
    assert.equal((await mappings(sql, me.channelId)).length, 0);
  });
});

Deno.test("wrong methods get 405, unknown paths 404, bodies over 1 MiB 413, preflights 204 with CORS", async () => {
  await withStreamKey(async ({ handler, owner, post }) => {
    const me = await owner();
    const get = await handler(
      new Request("http://local/stream-key", { headers: { authorization: `Bearer ${me.token}` } }),
    );
    assert.equal(get.status, 405);
    assert.equal((await get.json()).error.code, "method_not_allowed");
    const other = await post(me.token, "/stream-key/rotate-everything");
    assert.equal(other.status, 404);
    await other.body?.cancel();
    const big = await post(me.token, "/stream-key", { body: "x".repeat(MAX_BODY_BYTES + 1) });
    assert.equal(big.status, 413);
    assert.equal((await big.json()).error.code, "payload_too_large");
    const preflight = await handler(new Request("http://local/stream-key", { method: "OPTIONS" }));
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
    assert.match(preflight.headers.get("access-control-allow-headers")!, /authorization/);
    // Just under the limit is fine.
    const ok = await post(me.token, "/stream-key", { body: "x".repeat(MAX_BODY_BYTES) });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("access-control-allow-origin"), "*");
    await ok.body?.cancel();
  });
});
