// Notifications end to end on the local stack: a streamer goes live through a signed Livepeer
// webhook, the gateway's scheduler (the local stand-in for pg_cron) drains the go-live outbox, and a
// follower's supabase-js client receives `notification.created` on `user:<id>`, then reads, counts
// and marks its notifications over /rest/v1; a follower with a Web Push subscription also gets the
// notification from push-delivery, encrypted, at the fake push service (tests/fakes/push.ts), which
// checks the VAPID JWT and decrypts it; a follower with a verified address gets it by email at the
// fake SMTP server (tests/fakes/smtp.ts) with a one-click unsubscribe link that works. Every wait is
// bounded; every client closes.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { SignJWT } from "jose";
import { createHmac } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createFakePushService } from "./fakes/push.ts";
import { type FakeSmtp, startFakeSmtp } from "./fakes/smtp.ts";
import { type FakeServer, serve } from "./fakes/serve.ts";
import { anonKey, apiUrl, dbUrl, functionsUrl, jwtSecret, requiredEnv } from "./env.ts";
import { until } from "./realtime-clients.ts";

const WAIT_MS = 15_000;
const run = Math.random().toString(36).slice(2, 8);
const livepeerSecret = requiredEnv("LIVEPEER_WEBHOOK_SECRET");
const pushPort = Number(requiredEnv("STREAMZ_FAKE_PUSH_PORT"));
const pushService = createFakePushService();
let pushServer: FakeServer;
let smtp: FakeSmtp;
let sql: postgres.Sql;
const clients: SupabaseClient[] = [];

beforeAll(async () => {
  sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
  pushServer = await serve(pushService.handler, pushPort);
  smtp = await startFakeSmtp({
    user: requiredEnv("SMTP_USER"), pass: requiredEnv("SMTP_PASS"), port: Number(requiredEnv("STREAMZ_FAKE_SMTP_PORT")),
  });
});
afterAll(async () => {
  for (const c of clients) await c.removeAllChannels();
  await sql?.end();
  await pushServer?.close();
  await smtp?.close();
});

async function signedIn(sub: string): Promise<SupabaseClient> {
  const token = await new SignJWT({ sub, role: "authenticated", aud: "authenticated" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(jwtSecret));
  const c = createClient(apiUrl, anonKey, {
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket, timeout: WAIT_MS },
    accessToken: async () => token,
  });
  clients.push(c);
  return c;
}

async function provision(base: string, email: string | null = null): Promise<string> {
  const [row] = await sql`select (private.provision_user(gen_random_uuid(), ${`${base}_${run}`}, ${email}, true)).id as id`;
  return row.id as string;
}

async function listen(client: SupabaseClient, userId: string, received: Record<string, any>[]) {
  const topic = client.channel(`user:${userId}`, { config: { private: true } })
    .on("broadcast", { event: "notification.created" }, (m) => received.push(m.payload));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no subscribe status")), WAIT_MS);
    topic.subscribe((status, err) => {
      clearTimeout(timer);
      status === "SUBSCRIBED" ? resolve() : reject(err ?? new Error(status));
    });
  });
}


async function goLive(streamId: string) {
  const t = Date.now();
  const raw = JSON.stringify({
    id: crypto.randomUUID(), webhookId: "wh", createdAt: t, timestamp: t, event: "stream.started",
    stream: { id: streamId, playbackId: "pb-notify" },
  });
  const res = await fetch(`${functionsUrl}/livepeer-webhook`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "livepeer-signature": `t=${t},v1=${createHmac("sha256", livepeerSecret).update(raw).digest("hex")}`,
    },
    body: raw,
  });
  expect(res.status).toBe(200);
  expect((await res.json()).status).toBe("applied");
}

describe("notifications over Realtime and the Data API", () => {
  it("a streamer goes live and a follower's client receives notification.created, then marks it read", async () => {
    const streamerId = await provision("nstreamer");
    const followerId = await provision("nfollower");
    const [channel] = await sql`update public.channels set title = 'Going live now' where owner_id = ${streamerId} returning id`;
    const streamId = crypto.randomUUID();
    await sql`insert into private.livepeer_streams (livepeer_stream_id, channel_id) values (${streamId}, ${channel.id})`;

    const follower = await signedIn(followerId);
    const { error: followError } = await follower.from("follows").insert({ channel_id: channel.id });
    expect(followError).toBeNull();

    const received: Record<string, any>[] = [];
    await listen(follower, followerId, received);

    await goLive(streamId);
    await until("notification.created", () => received.length > 0, WAIT_MS);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      user_id: followerId, kind: "channel_live", channel_id: channel.id, actor_id: streamerId, read_at: null,
    });
    expect(received[0].payload).toMatchObject({ title: "Going live now", channel_slug: `nstreamer_${run}` });

    const { count } = await follower.from("notifications").select("id", { count: "exact", head: true }).is("read_at", null);
    expect(count).toBe(1);
    const { data: marked, error } = await follower.rpc("mark_all_notifications_read");
    expect(error).toBeNull();
    expect(marked).toBe(1);
    const { data: rows } = await follower.from("notifications").select("id, read_at");
    expect(rows).toHaveLength(1);
    expect(rows![0].id).toBe(received[0].id);
    expect(rows![0].read_at).not.toBeNull();
  });

  it("the streamer's own client sees none of the follower's notifications but gets its new-follower one", async () => {
    const streamerId = await provision("nowner");
    const followerId = await provision("nfan");
    const [channel] = await sql`select id from public.channels where owner_id = ${streamerId}`;
    const follower = await signedIn(followerId);
    expect((await follower.from("follows").insert({ channel_id: channel.id })).error).toBeNull();
    const owner = await signedIn(streamerId);
    const { data } = await owner.from("notifications").select("kind, actor_id, payload");
    expect(data).toEqual([{ kind: "new_follower", actor_id: followerId, payload: expect.objectContaining({ username: `nfan_${run}` }) }]);
    const { data: theirs } = await follower.from("notifications").select("id").eq("user_id", streamerId);
    expect(theirs).toEqual([]);
  });

  it("a follower with a push subscription gets the go-live notification at the push service, encrypted for that browser", async () => {
    const streamerId = await provision("npstreamer");
    const followerId = await provision("npfollower");
    const [channel] = await sql`update public.channels set title = 'Pushed live' where owner_id = ${streamerId} returning id`;
    const streamId = crypto.randomUUID();
    await sql`insert into private.livepeer_streams (livepeer_stream_id, channel_id) values (${streamId}, ${channel.id})`;
    const follower = await signedIn(followerId);
    expect((await follower.from("follows").insert({ channel_id: channel.id })).error).toBeNull();
    // What a browser's PushSubscription.toJSON() gives, registered through the Data API.
    const browser = await pushService.subscribe(`http://127.0.0.1:${pushPort}`);
    const { error: subscribeError } = await follower.from("push_subscriptions")
      .insert({ endpoint: browser.endpoint, p256dh: browser.keys.p256dh, auth: browser.keys.auth });
    expect(subscribeError).toBeNull();
    const received: Record<string, any>[] = [];
    await listen(follower, followerId, received);

    await goLive(streamId);
    await until("notification.created and the push", () => received.length > 0 && pushService.state.received.some((p) => p.subscription === browser.id), WAIT_MS);
    expect(received).toHaveLength(1);
    const pushes = pushService.state.received.filter((p) => p.subscription === browser.id);
    expect(pushes).toHaveLength(1);
    expect(pushes[0].payload).toMatchObject({ id: received[0].id, kind: "channel_live", channel_id: channel.id, actor_id: streamerId });
    expect((pushes[0].payload as any).payload).toMatchObject({ title: "Pushed live", channel_slug: `npstreamer_${run}` });
    expect(pushes[0].jwt).toMatchObject({ aud: `http://127.0.0.1:${pushPort}`, sub: "mailto:ops@streamz.test" });
    expect(pushService.state.refusals).toEqual([]);
  });

  it("a follower with a verified address gets the go-live by email with a one-click unsubscribe that works; the next go-live sends none", async () => {
    const address = `nefollower_${run}@viewers.test`;
    const followerId = await provision("nefollower", address);
    const channels = [];
    for (const name of ["nestreamer", "nestreamer2"]) {
      const streamerId = await provision(name);
      const [channel] = await sql`update public.channels set title = 'Mailed live' where owner_id = ${streamerId} returning id, slug`;
      const streamId = crypto.randomUUID();
      await sql`insert into private.livepeer_streams (livepeer_stream_id, channel_id) values (${streamId}, ${channel.id})`;
      channels.push({ ...channel, streamId });
    }
    const follower = await signedIn(followerId);
    for (const c of channels) expect((await follower.from("follows").insert({ channel_id: c.id })).error).toBeNull();

    // Scheduled every 5 s after the 1 s fan-out: a longer wait than the other signals.
    await goLive(channels[0].streamId);
    const mine = () => smtp.messages.filter((m) => m.envelope.to.includes(address));
    await until("the go-live email", () => mine().length > 0, 3 * WAIT_MS);
    expect(mine()).toHaveLength(1);
    const mail = mine()[0];
    expect(mail.subject).toBe(`nestreamer_${run} is live: Mailed live`);
    expect(mail.text).toContain(`/app/#/c/${channels[0].slug}`);
    expect(mail.header("List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    const link = mail.header("List-Unsubscribe")!.match(/^<(.+)>$/)![1];
    expect(link.startsWith(`${functionsUrl}/email-unsubscribe?token=`)).toBe(true);

    // A mail scanner following the link changes nothing; the mailbox provider's one-click POST does.
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="List-Unsubscribe" value="One-Click"');
    const prefs = async () => (await sql`select email_enabled from public.notification_preferences where user_id = ${followerId}`)[0].email_enabled;
    expect(await prefs()).toBe(true);
    const res = await fetch(link, {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ unsubscribed: true });
    expect(await prefs()).toBe(false);

    // The other followed channel goes live: the follower is notified in the app, and the notification
    // is never queued for email.
    await goLive(channels[1].streamId);
    let notificationId = 0;
    await until("the second go-live's notification", async () => {
      const [n] = await sql`select id from public.notifications where user_id = ${followerId} and channel_id = ${channels[1].id}`;
      notificationId = Number(n?.id ?? 0);
      return notificationId > 0;
    }, WAIT_MS);
    expect(notificationId).toBeGreaterThan(0);
    expect(await sql`select 1 from private.email_queue where notification_id = ${notificationId}`).toHaveLength(0);
    // Over one of email-delivery's 5 s periods: an email sent all the same would have time to arrive.
    await new Promise((r) => setTimeout(r, 6000));
    expect(mine()).toHaveLength(1);
    expect(smtp.refusals).toEqual([]);
  });
});
