// stream-key over HTTP through the functions gateway (verify_jwt on), with a fake Livepeer Studio API
// on the port scripts/test.ts configured the function with; and the keys it hands out driving
// livepeer-webhook end to end (a stream it created goes live; a rotated-away one cannot).
import { createHmac } from "node:crypto";
import { SignJWT } from "jose";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeLivepeer } from "./fakes/livepeer.ts";
import { type FakeServer, serve } from "./fakes/serve.ts";
import { anonKey, dbUrl, functionsUrl, jwtSecret, requiredEnv } from "./env.ts";

const apiKey = requiredEnv("LIVEPEER_API_KEY");
const webhookSecret = requiredEnv("LIVEPEER_WEBHOOK_SECRET");
const livepeer = createFakeLivepeer({ apiKey, slowMs: 3000 });
let fake: FakeServer;
let sql: postgres.Sql;

beforeAll(async () => {
  fake = await serve(livepeer.handler, Number(requiredEnv("STREAMZ_FAKE_LIVEPEER_PORT")));
  sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await fake?.close();
});

async function userToken(sub: string, role = "authenticated") {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({ role, session_id: "s" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(sub)
    .setAudience("authenticated")
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(jwtSecret));
}

async function owner() {
  const userId = crypto.randomUUID();
  const username = `k_${userId.replaceAll("-", "").slice(0, 12)}`;
  await sql`select private.provision_user(${userId}::uuid, ${username})`;
  const [channel] = await sql`select id from public.channels where owner_id = ${userId}`;
  return { userId, username, channelId: channel.id as string, token: await userToken(userId) };
}

function streamKey(token: string | null, path = "", init: RequestInit = {}) {
  return fetch(`${functionsUrl}/stream-key${path}`, {
    method: "POST",
    ...init,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
}

function postWebhook(event: Record<string, unknown>) {
  const raw = JSON.stringify(event);
  const signature = `t=${event.timestamp},v1=${createHmac("sha256", webhookSecret).update(raw).digest("hex")}`;
  return fetch(`${functionsUrl}/livepeer-webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "livepeer-signature": signature },
    body: raw,
  });
}

function streamEvent(type: string, stream: Record<string, unknown>, createdAt = Date.now()) {
  return { id: crypto.randomUUID(), webhookId: "wh", createdAt, timestamp: Date.now(), event: type, stream };
}

const mappings = (channelId: string) =>
  sql`select livepeer_stream_id, replaced_at from private.livepeer_streams where channel_id = ${channelId}`;
const liveCount = async (channelId: string) =>
  (await sql`select count(*)::int as n from public.livestreams where channel_id = ${channelId} and ended_at is null`)[0]
    .n;

describe("stream-key over HTTP", () => {
  it("gives a channel owner a Livepeer stream key once, then the same one on every call", async () => {
    const me = await owner();
    const res = await streamKey(me.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await res.json();
    const stream = livepeer.streams.get(body.stream_id)!;
    expect(body).toEqual({
      stream_id: stream.id,
      stream_key: stream.streamKey,
      rtmp_url: "rtmp://rtmp.livepeer.com/live",
      srt_url: `srt://rtmp.livepeer.com:2935?streamid=${stream.streamKey}`,
      playback_id: stream.playbackId,
    });
    expect(stream).toMatchObject({ name: me.username, record: true, userTags: { streamz_channel_id: me.channelId } });
    expect(await (await streamKey(me.token)).json()).toEqual(body);
    expect((await mappings(me.channelId)).length).toBe(1);
  });

  it("maps exactly one stream when first calls race", async () => {
    const me = await owner();
    const creates = () => livepeer.state.requests.filter((r) => r.method === "POST").length;
    const before = creates();
    const bodies = await Promise.all(Array.from({ length: 5 }, async () => (await streamKey(me.token)).json()));
    expect(new Set(bodies.map((b) => b.stream_key)).size).toBe(1);
    expect(creates() - before).toBe(1);
    expect((await mappings(me.channelId)).length).toBe(1);
  });

  it("rotates the key on /reset: the old stream is deleted and can no longer take the channel live", async () => {
    const me = await owner();
    const old = await (await streamKey(me.token)).json();
    const started = streamEvent("stream.started", { id: old.stream_id, playbackId: old.playback_id });
    expect((await (await postWebhook(started)).json()).status).toBe("applied");
    expect(await liveCount(me.channelId)).toBe(1);

    const res = await streamKey(me.token, "/reset");
    expect(res.status).toBe(200);
    const fresh = await res.json();
    expect(fresh.stream_key).not.toBe(old.stream_key);
    expect(livepeer.deleted.has(old.stream_id)).toBe(true);
    const rows = await mappings(me.channelId);
    expect(rows.find((r) => r.livepeer_stream_id === old.stream_id)?.replaced_at).toBeInstanceOf(Date);
    expect(rows.find((r) => r.livepeer_stream_id === fresh.stream_id)?.replaced_at).toBeNull();

    // Deleting the old stream ends its session: its late idle still closes the livestream...
    const idle = streamEvent("stream.idle", { id: old.stream_id }, started.createdAt + 60_000);
    expect((await (await postWebhook(idle)).json()).status).toBe("applied");
    expect(await liveCount(me.channelId)).toBe(0);
    // ...but the old key cannot start a new one, while the new key can.
    const again = streamEvent("stream.started", { id: old.stream_id }, started.createdAt + 120_000);
    expect(await (await postWebhook(again)).json()).toEqual({ status: "ignored", reason: "stream_replaced" });
    const live = streamEvent("stream.started", { id: fresh.stream_id, playbackId: fresh.playback_id });
    expect((await (await postWebhook(live)).json()).status).toBe("applied");
    expect(await liveCount(me.channelId)).toBe(1);
  });

  it("livepeer-webhook adopts an unmapped stream tagged with an existing channel", async () => {
    const me = await owner();
    const handMade = crypto.randomUUID();
    const event = streamEvent("stream.started", {
      id: handMade,
      playbackId: "pbhandmade",
      userTags: { streamz_channel_id: me.channelId },
    });
    expect((await (await postWebhook(event)).json()).status).toBe("applied");
    expect((await mappings(me.channelId)).map((r) => r.livepeer_stream_id)).toEqual([handMade]);
    const stranger = streamEvent("stream.started", {
      id: crypto.randomUUID(),
      userTags: { streamz_channel_id: crypto.randomUUID() },
    });
    expect(await (await postWebhook(stranger)).json()).toEqual({ status: "ignored", reason: "unknown_stream" });
  });

  it("is refused by the gateway without a JWT, and by the function for a non-user JWT", async () => {
    const none = await streamKey(null);
    expect(none.status).toBe(401);
    await none.body?.cancel();
    for (const token of [anonKey, await userToken(crypto.randomUUID(), "service_role")]) {
      const res = await streamKey(token);
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("auth_required");
    }
  });

  it("answers 404 channel_not_found for a user with no channel", async () => {
    const res = await streamKey(await userToken(crypto.randomUUID()));
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("channel_not_found");
  });

  it("answers 503 livepeer_unavailable while Livepeer fails, 405 for GET and 413 over 1 MiB", async () => {
    const me = await owner();
    livepeer.state.mode = "error";
    try {
      const res = await streamKey(me.token);
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text).error.code).toBe("livepeer_unavailable");
      expect(text).not.toContain(apiKey);
    } finally {
      livepeer.state.mode = "normal";
    }
    expect((await mappings(me.channelId)).length).toBe(0);
    const get = await streamKey(me.token, "", { method: "GET" });
    expect(get.status).toBe(405);
    await get.body?.cancel();
    const big = await streamKey(me.token, "", { body: "x".repeat(1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    await big.body?.cancel();
  });
});
