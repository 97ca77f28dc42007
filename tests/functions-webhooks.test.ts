// livepeer-webhook and igdb-webhook over HTTP through the functions gateway, signed as Livepeer and
// IGDB sign, with a fake IGDB + Twitch token endpoint on the port scripts/test.ts configured.
import { createHmac } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeIgdb } from "./fakes/igdb.ts";
import { type FakeServer, serve } from "./fakes/serve.ts";
import { dbUrl, functionsUrl, requiredEnv } from "./env.ts";

const livepeerSecret = requiredEnv("LIVEPEER_WEBHOOK_SECRET");
const igdbSecret = requiredEnv("IGDB_WEBHOOK_SECRET");
const igdb = createFakeIgdb({
  clientId: requiredEnv("TWITCH_CLIENT_ID"),
  clientSecret: requiredEnv("TWITCH_CLIENT_SECRET"),
});
let fake: FakeServer;
let sql: postgres.Sql;

beforeAll(async () => {
  fake = await serve(igdb.handler, Number(requiredEnv("STREAMZ_FAKE_IGDB_PORT")));
  sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await fake?.close();
});

const sign = (raw: string, t: number, secret = livepeerSecret) =>
  `t=${t},v1=${createHmac("sha256", secret).update(raw).digest("hex")}`;

function postLivepeer(raw: string, signature: string | null) {
  return fetch(`${functionsUrl}/livepeer-webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature === null ? {} : { "livepeer-signature": signature }) },
    body: raw,
  });
}

async function channelWithStream() {
  const ownerId = crypto.randomUUID();
  await sql`select private.provision_user(${ownerId}::uuid, ${`w_${ownerId.slice(0, 12).replace("-", "")}`})`;
  const [channel] = await sql`select id from public.channels where owner_id = ${ownerId}`;
  const streamId = crypto.randomUUID();
  await sql`insert into private.livepeer_streams (livepeer_stream_id, channel_id) values (${streamId}, ${channel.id})`;
  return { channelId: channel.id as string, streamId };
}

function started(streamId: string, timestamp = Date.now()) {
  return {
    id: crypto.randomUUID(),
    webhookId: "wh",
    createdAt: timestamp,
    timestamp,
    event: "stream.started",
    stream: { id: streamId, playbackId: "pb1" },
  };
}

const livestreamCount = async (channelId: string) =>
  (await sql`select count(*)::int as n from public.livestreams where channel_id = ${channelId}`)[0].n;
const eventCount = async (id: string) =>
  (await sql`select count(*)::int as n from private.livepeer_events where id = ${id}`)[0].n;

describe("livepeer-webhook over HTTP", () => {
  it("opens a livestream on a signed stream.started and a duplicate delivery changes nothing", async () => {
    const { channelId, streamId } = await channelWithStream();
    const event = started(streamId);
    const raw = JSON.stringify(event);
    const res = await postLivepeer(raw, sign(raw, event.timestamp));
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe("applied");
    const retry = JSON.stringify({ ...event, timestamp: event.timestamp + 5000 });
    const again = await postLivepeer(retry, sign(retry, event.timestamp + 5000));
    expect(await again.json()).toEqual({ status: "duplicate" });
    expect(await livestreamCount(channelId)).toBe(1);
  });

  it("refuses forged, stale, replayed, truncated and oversized requests with nothing written", async () => {
    const { channelId, streamId } = await channelWithStream();
    const event = started(streamId);
    const raw = JSON.stringify(event);
    const stale = started(streamId, Date.now() - 10 * 60_000);
    const staleRaw = JSON.stringify(stale);
    const mac = sign(staleRaw, stale.timestamp).split(",")[1];
    const cases: [string, Promise<Response>, number, string][] = [
      ["forged", postLivepeer(raw, sign(raw, event.timestamp, "guessed-secret")), 400, "invalid_signature"],
      ["unsigned", postLivepeer(raw, null), 400, "invalid_signature"],
      ["stale", postLivepeer(staleRaw, sign(staleRaw, stale.timestamp)), 400, "stale_timestamp"],
      ["replayed with a fresh t", postLivepeer(staleRaw, `t=${Date.now()},${mac}`), 400, "invalid_event"],
      ["truncated", postLivepeer(raw.slice(0, -10), sign(raw, event.timestamp)), 400, "invalid_signature"],
      ["oversized", postLivepeer(raw + " ".repeat(1024 * 1024), sign(raw, event.timestamp)), 413, "payload_too_large"],
    ];
    for (const [name, pending, status, code] of cases) {
      const res = await pending;
      expect(res.status, name).toBe(status);
      expect((await res.json()).error.code, name).toBe(code);
    }
    expect(await eventCount(event.id)).toBe(0);
    expect(await eventCount(stale.id)).toBe(0);
    expect(await livestreamCount(channelId)).toBe(0);
  });

  it("acknowledges unknown event types with 200", async () => {
    const raw = JSON.stringify({
      id: crypto.randomUUID(),
      event: "task.completed",
      timestamp: Date.now(),
      payload: {},
    });
    const res = await postLivepeer(raw, sign(raw, JSON.parse(raw).timestamp));
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe("ignored");
  });
});

describe("igdb-webhook over HTTP", () => {
  const gameId = 2_000_000_000 + Math.floor(Math.random() * 100_000_000);
  igdb.games.set(gameId, {
    id: gameId,
    name: `Gateway Quest ${gameId}`,
    slug: `gateway-quest-${gameId}`,
    summary: "Found through the gateway.",
    cover: { id: 1, image_id: "co2abc" },
    genres: [{ id: 12, name: "Role-playing (RPG)" }],
    first_release_date: 1700000000,
  });
  const post = (action: string, body: string | object, secret: string | null = igdbSecret) =>
    fetch(`${functionsUrl}/igdb-webhook/${action}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(secret === null ? {} : { "x-secret": secret }) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const categoryRows = async () =>
    await sql`select name, cover_url, genres, deleted_at from public.categories where igdb_id = ${gameId}`;

  it("refuses a forged X-Secret, a truncated body and an oversized body, writing nothing", async () => {
    expect((await post("create", { id: gameId }, "guess")).status).toBe(401);
    expect((await post("create", { id: gameId }, null)).status).toBe(401);
    expect((await post("create", `{"id": ${gameId}`)).status).toBe(400);
    expect((await post("create", { id: gameId, pad: "x".repeat(1024 * 1024) })).status).toBe(413);
    expect(await categoryRows()).toHaveLength(0);
    expect(igdb.state.gameRequests).toBe(0);
  });

  it("creates the category from the full game, harmlessly twice, and delete hides it", async () => {
    for (let i = 0; i < 2; i++) expect((await post("create", { id: gameId, cover: 1, genres: [12] })).status).toBe(200);
    const rows = await categoryRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      name: `Gateway Quest ${gameId}`,
      cover_url: "https://images.igdb.com/igdb/image/upload/t_cover_big/co2abc.jpg",
      genres: ["Role-playing (RPG)"],
      deleted_at: null,
    });
    expect(igdb.state.tokenRequests).toBe(1);
    const removed = await post("delete", { id: gameId });
    expect((await removed.json()).status).toBe("removed");
    expect((await categoryRows())[0].deleted_at).not.toBeNull();
  });
});
