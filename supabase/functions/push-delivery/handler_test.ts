import assert from "node:assert/strict";
import webpush from "web-push";
import { createFakePushService } from "../../../tests/fakes/push.ts";
import { holdOpen, testPool, uniqueUsername } from "../../../tests/function-helpers.ts";
import { serve } from "../../../tests/fakes/serve.ts";
import { createHandler, hostAllowed, keysUsable, type PushDeliveryDeps } from "./handler.ts";

const SERVICE_KEY = "push-delivery-test-service-key";
const vapid = { ...webpush.generateVAPIDKeys(), subject: "mailto:ops@streamz.example" };

type Sql = ReturnType<typeof testPool>;

async function withPush(fn: (h: {
  sql: Sql;
  fake: ReturnType<typeof createFakePushService>;
  baseUrl: string;
  run: (overrides?: Partial<PushDeliveryDeps>) => Promise<Record<string, unknown>>;
  user: () => Promise<string>;
  register: (userId: string, endpoint?: string, keys?: { p256dh: string; auth?: string }) => Promise<{ id: string; rowId: number }>;
  notify: (userId: string, kind?: string) => Promise<number>;
}) => Promise<void>) {
  const sql = testPool();
  const fake = createFakePushService();
  const server = await serve(fake.handler);
  const created: string[] = [];
  // Deliver only what this test creates: start after every notification that exists now.
  const run = async (overrides: Partial<PushDeliveryDeps> = {}) => {
    const handler = createHandler({ sql, serviceKeys: [SERVICE_KEY], vapid, allowedHosts: ["127.0.0.1"], timeoutMs: 2000, ...overrides });
    const res = await handler(new Request("http://localhost/push-delivery", { method: "POST", headers: { authorization: `Bearer ${SERVICE_KEY}` } }));
    assert.equal(res.status, 200);
    return await res.json();
  };
  await run({ vapid: null });
  const user = async () => {
    const id = crypto.randomUUID();
    await sql`select private.provision_user(${id}::uuid, ${uniqueUsername("pd")})`;
    created.push(id);
    return id;
  };
  const register = async (userId: string, endpoint?: string, keys?: { p256dh: string; auth?: string }) => {
    const s = await fake.subscribe(server.url);
    const [row] = await sql<{ id: number }[]>`
      insert into public.push_subscriptions (user_id, endpoint, p256dh, auth)
      values (${userId}, ${endpoint ?? s.endpoint}, ${keys?.p256dh ?? s.keys.p256dh}, ${keys?.auth ?? s.keys.auth}) returning id`;
    return { id: s.id, rowId: Number(row.id) };
  };
  const notify = async (userId: string, kind = "channel_live") => {
    const [row] = await sql<{ id: number }[]>`
      insert into public.notifications (user_id, kind, payload) values (${userId}, ${kind}, '{"channel_slug": "nova"}') returning id`;
    return Number(row.id);
  };
  try {
    await fn({ sql, fake, baseUrl: server.url, run, user, register, notify });
  } finally {
    await sql`delete from public.users where id = any(${created}::uuid[])`;
    await server.close();
    await sql.end();
  }
}

Deno.test("each new notification is pushed, encrypted, to every subscription of its user; the push service decrypts it", async () => {
  await withPush(async ({ fake, run, user, register, notify }) => {
    const alice = await user(), bob = await user();
    const a1 = await register(alice), a2 = await register(alice);
    const id = await notify(alice);
    await notify(bob); // bob has no subscription: nothing to send
    const result = await run();
    assert.deepEqual(result, { push: "on", sent: 2, failed: 0, removed: 0, skipped: 0 });
    assert.deepEqual(fake.state.received.map((r) => r.subscription).sort(), [a1.id, a2.id].sort());
    const push = fake.state.received[0];
    assert.equal((push.payload as { id: number }).id, id);
    assert.equal((push.payload as { kind: string }).kind, "channel_live");
    assert.deepEqual((push.payload as { payload: unknown }).payload, { channel_slug: "nova" });
    assert.equal(push.ttl, 600);
    assert.equal(push.jwt.sub, "mailto:ops@streamz.example");
    assert.ok(push.jwt.exp <= Math.floor(Date.now() / 1000) + 24 * 3600);
    assert.deepEqual(await run(), { push: "on", sent: 0, failed: 0, removed: 0, skipped: 0 }, "a notification is pushed once");
  });
});

Deno.test("a notification committing after a higher id was pushed is still pushed, once", async () => {
  await withPush(async ({ sql, fake, run, user, register, notify }) => {
    const alice = await user(), bob = await user();
    const a = await register(alice), b = await register(bob);
    // alice's notification takes its id first and commits last, as a follow committing while a go-live
    // drain is open does.
    const early = await holdOpen(sql, (tx) =>
      tx<{ id: number }[]>`insert into public.notifications (user_id, kind) values (${alice}, 'new_follower') returning id`);
    try {
      assert.ok(await notify(bob) > Number(early.result[0].id), "bob's notification has the higher id");
      assert.deepEqual(await run(), { push: "on", sent: 1, failed: 0, removed: 0, skipped: 0 });
      assert.deepEqual(fake.state.received.map((r) => r.subscription), [b.id]);
    } finally {
      await early.commit();
    }
    assert.deepEqual(await run(), { push: "on", sent: 1, failed: 0, removed: 0, skipped: 0 }, "pushed once it commits");
    assert.deepEqual(fake.state.received.map((r) => r.subscription), [b.id, a.id]);
    assert.equal((fake.state.received[1].payload as { id: number }).id, Number(early.result[0].id));
    assert.deepEqual(await run(), { push: "on", sent: 0, failed: 0, removed: 0, skipped: 0 }, "and not again");
  });
});

Deno.test("two runs at once never take the same notification, and neither waits for the other", async () => {
  await withPush(async ({ sql, fake, run, user, register, notify }) => {
    const alice = await user(), bob = await user();
    await register(alice);
    const b = await register(bob);
    const first = [await notify(alice), await notify(alice)];
    // A run that has claimed alice's notifications and is still in its transaction.
    const other = await holdOpen(sql, (tx) =>
      tx<{ id: string }[]>`select notification ->> 'id' as id from private.claim_push_deliveries(1000, true)`);
    try {
      assert.deepEqual(other.result.map((r) => Number(r.id)), first);
      await notify(bob);
      assert.deepEqual(await run(), { push: "on", sent: 1, failed: 0, removed: 0, skipped: 0 }, "only bob's, at once");
      assert.deepEqual(fake.state.received.map((r) => r.subscription), [b.id]);
    } finally {
      await other.commit();
    }
    assert.deepEqual(await run(), { push: "on", sent: 0, failed: 0, removed: 0, skipped: 0 }, "alice's belong to the other run");
  });
});

Deno.test("push_enabled off: the user's notifications are not pushed", async () => {
  await withPush(async ({ sql, fake, run, user, register, notify }) => {
    const alice = await user();
    await register(alice);
    await sql`update public.notification_preferences set push_enabled = false where user_id = ${alice}`;
    await notify(alice);
    assert.equal((await run()).sent, 0);
    assert.equal(fake.state.received.length, 0);
  });
});

Deno.test("a subscription the push service answers 404 or 410 for is deleted", async () => {
  await withPush(async ({ sql, fake, baseUrl, run, user, register, notify }) => {
    const alice = await user();
    const expired = await register(alice);
    fake.state.gone.add(expired.id);
    const unknown = await register(alice, `${baseUrl}/push/${crypto.randomUUID()}`);
    const kept = await register(alice);
    await notify(alice);
    assert.deepEqual(await run(), { push: "on", sent: 1, failed: 0, removed: 2, skipped: 0 });
    const left = await sql<{ id: number }[]>`select id from public.push_subscriptions where user_id = ${alice} order by id`;
    assert.deepEqual(left.map((r) => Number(r.id)), [kept.rowId]);
    assert.ok(![expired.rowId, unknown.rowId].includes(Number(left[0].id)));
  });
});

Deno.test("a subscription whose p256dh is no P-256 point is deleted as unusable; the rest of the run is delivered", async () => {
  for (const concurrency of [1, 20]) {
    await withPush(async ({ sql, fake, run, user, register, notify }) => {
      const mallory = await user(), alice = await user(), bob = await user();
      // Right shape for the table (87 base64url characters), but 65 zero bytes: web-push cannot encrypt to it.
      const bad = await register(mallory, undefined, { p256dh: "A".repeat(87) });
      const a = await register(alice), b = await register(bob);
      const expired = await register(bob);
      fake.state.gone.add(expired.id);
      await notify(mallory); // first in the batch
      await notify(alice);
      await notify(bob);
      assert.deepEqual(await run({ concurrency }), { push: "on", sent: 2, failed: 0, removed: 2, skipped: 0 }, `concurrency ${concurrency}`);
      assert.deepEqual(fake.state.received.map((r) => r.subscription).sort(), [a.id, b.id].sort());
      const [{ n }] = await sql<{ n: number }[]>`
        select count(*)::int as n from public.push_subscriptions where id = any(${[bad.rowId, expired.rowId]}::bigint[])`;
      assert.equal(n, 0, "the unusable and the expired subscriptions are deleted");
    });
  }
});

Deno.test("a failure to build one push that is not the subscription's fault is a failure, not a removal or a 500", async () => {
  await withPush(async ({ sql, run, user, register, notify }) => {
    const alice = await user();
    const sub = await register(alice);
    await notify(alice);
    // A VAPID private key web-push refuses (not 32 bytes): generateRequestDetails throws for every subscription.
    assert.deepEqual(await run({ vapid: { ...vapid, privateKey: "c2hvcnQ" } }), { push: "on", sent: 0, failed: 1, removed: 0, skipped: 0 });
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from public.push_subscriptions where id = ${sub.rowId}`;
    assert.equal(n, 1, "the subscription is kept");
  });
});

Deno.test("usable keys: an uncompressed P-256 point and a 16-byte auth secret", async () => {
  const { keys } = await createFakePushService().subscribe("http://127.0.0.1");
  assert.equal(keysUsable(keys.p256dh, keys.auth), true);
  const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const offCurve = new Uint8Array(65).fill(1);
  offCurve[0] = 4;
  assert.equal(keysUsable(b64url(offCurve), keys.auth), false, "0x04 but not on the curve");
  assert.equal(keysUsable("A".repeat(87), keys.auth), false, "65 zero bytes");
  assert.equal(keysUsable(keys.p256dh.slice(0, 43), keys.auth), false, "too short");
  assert.equal(keysUsable(keys.p256dh, keys.auth.slice(0, 20)), false, "auth under 16 bytes");
});

Deno.test("without VAPID settings push is off: nothing is sent, and old notifications are not queued for later", async () => {
  await withPush(async ({ fake, run, user, register, notify }) => {
    const alice = await user();
    await register(alice);
    await notify(alice);
    assert.deepEqual(await run({ vapid: null }), { push: "off", sent: 0, failed: 0, removed: 0, skipped: 0 });
    assert.deepEqual(await run(), { push: "on", sent: 0, failed: 0, removed: 0, skipped: 0 });
    assert.equal(fake.state.received.length, 0);
  });
});

Deno.test("a VAPID key the push service does not accept, or a host not on the list, is not a delivery", async () => {
  await withPush(async ({ fake, run, user, register, notify }) => {
    const alice = await user();
    await register(alice);
    await notify(alice);
    const other = webpush.generateVAPIDKeys();
    // A private key that does not match the public key sent in k=: the JWT signature fails (403).
    const result = await run({ vapid: { ...vapid, privateKey: other.privateKey } });
    assert.deepEqual(result, { push: "on", sent: 0, failed: 1, removed: 0, skipped: 0 });
    assert.equal(fake.state.refusals.at(-1)?.status, 403);
    await notify(alice);
    assert.deepEqual(await run({ allowedHosts: ["fcm.googleapis.com"] }), { push: "on", sent: 0, failed: 0, removed: 0, skipped: 1 });
  });
});

Deno.test("only push services' hosts (or their subdomains) are allowed", () => {
  assert.equal(hostAllowed("https://fcm.googleapis.com/fcm/send/x", ["fcm.googleapis.com"]), true);
  assert.equal(hostAllowed("https://web.push.apple.com/abc", ["push.apple.com"]), true);
  assert.equal(hostAllowed("https://evilpush.apple.com.attacker.test/abc", ["push.apple.com"]), false);
  assert.equal(hostAllowed("not a url", ["push.apple.com"]), false);
});

Deno.test("only a service key may run it", async () => {
  const sql = testPool();
  try {
    const handler = createHandler({ sql, serviceKeys: [SERVICE_KEY], vapid, allowedHosts: [], timeoutMs: 500 });
    const res = await handler(new Request("http://localhost/push-delivery", { method: "POST", headers: { apikey: "nope" } }));
    assert.equal(res.status, 403);
    assert.equal((await handler(new Request("http://localhost/push-delivery", { method: "POST" }))).status, 401);
  } finally {
    await sql.end();
  }
});

Deno.test("a run claims small batches one after another while its time budget lasts", async () => {
  await withPush(async ({ run, user, register, notify }) => {
    const alice = await user();
    await register(alice);
    for (let i = 0; i < 5; i++) await notify(alice);
    assert.deepEqual(await run({ batchSize: 2 }), { push: "on", sent: 5, failed: 0, removed: 0, skipped: 0 },
      "three claims of at most two in one run");
    for (let i = 0; i < 5; i++) await notify(alice);
    const spent = { runBudgetMs: 0, batchSize: 2 };
    assert.equal((await run(spent)).sent, 2, "with its budget spent a run stops after one claim");
    assert.equal((await run(spent)).sent, 2, "the next run takes the next claim");
    assert.equal((await run(spent)).sent, 1);
    assert.equal((await run(spent)).sent, 0);
  });
});
