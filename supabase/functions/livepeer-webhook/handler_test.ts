import assert from "node:assert/strict";
import { createPool, type Sql } from "../_shared/db.ts";
import { MAX_BODY_BYTES } from "../_shared/http.ts";
import { refusedUrl, testPool, uniqueUsername } from "../../../tests/function-helpers.ts";
import { createHandler } from "./handler.ts";
import { signLivepeer, TOLERANCE_MS } from "./signature.ts";

const SECRET = "livepeer-test-shared-secret";

async function channelWithStream(sql: Sql, title = "Speedrun night") {
  const ownerId = crypto.randomUUID();
  await sql`select private.provision_user(${ownerId}::uuid, ${uniqueUsername("lp")})`;
  const [channel] = await sql<{ id: string }[]>`
    update public.channels set title = ${title} where owner_id = ${ownerId} returning id`;
  const streamId = crypto.randomUUID();
  await sql`insert into private.livepeer_streams (livepeer_stream_id, channel_id) values (${streamId}, ${channel.id})`;
  return { channelId: channel.id, streamId };
}

function event(type: string, streamId: string, extra: Record<string, unknown> = {}) {
  const createdAt = Date.now();
  return {
    id: crypto.randomUUID(),
    webhookId: "wh-1",
    createdAt,
    timestamp: createdAt,
    event: type,
    stream: {
      id: streamId,
      name: "main",
      playbackId: "pb-" + streamId.slice(0, 8),
      isActive: type === "stream.started",
    },
    ...extra,
  };
}

interface Harness {
  sql: Sql;
  /** Signs like Livepeer: t = body.timestamp unless told otherwise. */
  send(
    body: Record<string, unknown> | string,
    opts?: { t?: number; secret?: string; header?: string | null },
  ): Promise<Response>;
  handler: (req: Request) => Promise<Response>;
}

async function withWebhook(fn: (h: Harness) => Promise<void>, sqlOverride?: Sql) {
  const sql = testPool();
  const handler = createHandler({ sql: sqlOverride ?? sql, secret: SECRET });
  const send: Harness["send"] = async (body, opts = {}) => {
    const raw = typeof body === "string" ? body : JSON.stringify(body);
    const t = opts.t ?? (typeof body === "string" ? Date.now() : body.timestamp as number);
    const header = opts.header === undefined ? await signLivepeer(opts.secret ?? SECRET, raw, t) : opts.header;
    return handler(
      new Request("http://local/livepeer-webhook", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "livepeer.studio",
          ...(header === null ? {} : { "livepeer-signature": header }),
        },
        body: raw,
      }),
    );
  };
  try {
    await fn({ sql, send, handler });
  } finally {
    await sql.end();
    if (sqlOverride) await sqlOverride.end();
  }
}

async function livestreams(sql: Sql, channelId: string) {
  return await sql`
    select id, livepeer_stream_id, playback_id, title, started_at, ended_at, recording_url, recording_mp4_url, recording_asset_id
    from public.livestreams where channel_id = ${channelId} order by started_at`;
}

async function eventRecorded(sql: Sql, id: string) {
  return (await sql`select count(*)::int as n from private.livepeer_events where id = ${id}`)[0].n === 1;
}

Deno.test("stream.started opens a livestream with the channel's title and stream.idle ends it", async () => {
  await withWebhook(async ({ sql, send }) => {
    const { channelId, streamId } = await channelWithStream(sql, "Any% attempts");
    const started = event("stream.started", streamId);
    const res = await send(started);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, "applied");
    let rows = await livestreams(sql, channelId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].id, body.livestream_id);
    assert.equal(rows[0].title, "Any% attempts");
    assert.equal(rows[0].playback_id, started.stream.playbackId);
    assert.equal(rows[0].started_at.getTime(), started.createdAt);
    assert.equal(rows[0].ended_at, null);

    const idle = event("stream.idle", streamId, { createdAt: started.createdAt + 60_000 });
    assert.deepEqual(await (await send(idle)).json(), { status: "applied", livestream_id: body.livestream_id });
    rows = await livestreams(sql, channelId);
    assert.equal(rows[0].ended_at.getTime(), started.createdAt + 60_000);
  });
});

Deno.test("a repeated event id changes nothing, even re-signed with a fresh timestamp", async () => {
  await withWebhook(async ({ sql, send }) => {
    const { channelId, streamId } = await channelWithStream(sql);
    const started = event("stream.started", streamId);
    assert.equal((await (await send(started)).json()).status, "applied");
    const idle = event("stream.idle", streamId, { createdAt: started.createdAt + 1000 });
    assert.equal((await (await send(idle)).json()).status, "applied");
    const restarted = event("stream.started", streamId, { createdAt: started.createdAt + 2000 });
    assert.equal((await (await send(restarted)).json()).status, "applied");

    // Livepeer's retry: same id, new send time, new signature.
    const retry = { ...idle, timestamp: Date.now() + 5 };
    const res = await send(retry);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "duplicate" });
    const rows = await livestreams(sql, channelId);
    assert.equal(rows.length, 2);
    assert.equal(rows[1].ended_at, null, "the replayed idle did not end the new livestream");
  });
});

Deno.test("concurrent deliveries of one stream.started open exactly one livestream", async () => {
  await withWebhook(async ({ sql, send }) => {
    const { channelId, streamId } = await channelWithStream(sql);
    const started = event("stream.started", streamId);
    const statuses = await Promise.all(
      Array.from({ length: 6 }, async () => (await (await send(started)).json()).status),
    );
    assert.equal(statuses.filter((s) => s === "applied").length, 1);
    assert.equal(statuses.filter((s) => s === "duplicate").length, 5);
    assert.equal((await livestreams(sql, channelId)).length, 1);
  });
});

Deno.test("a late retry of stream.started after the stream went idle does not reopen it", async () => {
  await withWebhook(async ({ sql, send }) => {
    const { channelId, streamId } = await channelWithStream(sql);
    const started = event("stream.started", streamId);
    const idle = event("stream.idle", streamId, { createdAt: started.createdAt + 1000 });
    assert.deepEqual(await (await send(idle)).json(), { status: "ignored", reason: "not_live" });
    assert.deepEqual(await (await send(started)).json(), { status: "ignored", reason: "older_than_last_idle" });
    assert.equal((await livestreams(sql, channelId)).length, 0);
  });
});

Deno.test("recording.ready stores the recording on the livestream it belongs to", async () => {
  await withWebhook(async ({ sql, send }) => {
    const { channelId, streamId } = await channelWithStream(sql);
    const started = event("stream.started", streamId);
    await send(started);
    await send(event("stream.idle", streamId, { createdAt: started.createdAt + 5000 }));
    const ready = event("recording.ready", streamId, {
      payload: {
        recordingUrl: "https://livepeercdn.studio/recordings/abc/index.m3u8",
        mp4Url: "https://livepeercdn.studio/recordings/abc/source.mp4",
        session: {
          id: "sess-1",
          parentId: streamId,
          createdAt: started.createdAt + 200,
          recordingStatus: "ready",
          assetId: "asset-1",
        },
      },
    });
    delete (ready as Record<string, unknown>).stream; // recording events name the stream through session.parentId
    assert.equal((await (await send(ready)).json()).status, "applied");
    const [row] = await livestreams(sql, channelId);
    assert.equal(row.recording_url, "https://livepeercdn.studio/recordings/abc/index.m3u8");
    assert.equal(row.recording_mp4_url, "https://livepeercdn.studio/recordings/abc/source.mp4");
    assert.equal(row.recording_asset_id, "asset-1");
  });
});

Deno.test("unknown event types and unknown streams are acknowledged with 200 and write nothing", async () => {
  await withWebhook(async ({ sql, send }) => {
    const { channelId, streamId } = await channelWithStream(sql);
    const other = event("asset.ready", streamId, { payload: { asset: { id: "a" } } });
    const res = await send(other);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ignored", reason: "unhandled_event" });
    const stranger = event("stream.started", crypto.randomUUID());
    assert.deepEqual(await (await send(stranger)).json(), { status: "ignored", reason: "unknown_stream" });
    assert.equal(await eventRecorded(sql, other.id), false);
    assert.equal(await eventRecorded(sql, stranger.id), false);
    assert.equal((await livestreams(sql, channelId)).length, 0);
  });
});

Deno.test("an unmapped stream tagged with an existing channel is adopted and its events apply", async () => {
  await withWebhook(async ({ sql, send }) => {
    const ownerId = crypto.randomUUID();
    await sql`select private.provision_user(${ownerId}::uuid, ${uniqueUsername("lp")})`;
    const [channel] = await sql<{ id: string }[]>`select id from public.channels where owner_id = ${ownerId}`;
    const streamId = crypto.randomUUID();
    const started = event("stream.started", streamId);
    started.stream = { ...started.stream, userTags: { streamz_channel_id: channel.id } } as typeof started.stream;
    // Concurrent first deliveries map the stream once and open one livestream.
    const statuses = await Promise.all(
      Array.from({ length: 4 }, async () => (await (await send(started)).json()).status),
    );
    assert.deepEqual(statuses.sort(), ["applied", "duplicate", "duplicate", "duplicate"]);
    const rows =
      await sql`select channel_id, replaced_at from private.livepeer_streams where livepeer_stream_id = ${streamId}`;
    assert.deepEqual(rows.map((r) => [r.channel_id, r.replaced_at]), [[channel.id, null]]);
    assert.equal((await livestreams(sql, channel.id)).length, 1);
    // Later events of that stream need no tag any more.
    const idle = event("stream.idle", streamId, { createdAt: started.createdAt + 1000 });
    assert.equal((await (await send(idle)).json()).status, "applied");
  });
});

Deno.test("a tag naming no channel, not a uuid, or a channel that already has a current stream adopts nothing", async () => {
  await withWebhook(async ({ sql, send }) => {
    const { channelId, streamId: current } = await channelWithStream(sql);
    for (const tag of [crypto.randomUUID(), "not-a-uuid", 42, channelId]) {
      const other = crypto.randomUUID();
      const e = event("stream.started", other);
      e.stream = { ...e.stream, userTags: { streamz_channel_id: tag } } as typeof e.stream;
      assert.deepEqual(await (await send(e)).json(), { status: "ignored", reason: "unknown_stream" }, String(tag));
      assert.equal(await eventRecorded(sql, e.id), false);
    }
    const rows = await sql`select livepeer_stream_id from private.livepeer_streams where channel_id = ${channelId}`;
    assert.deepEqual(rows.map((r) => r.livepeer_stream_id), [current]);
    assert.equal((await livestreams(sql, channelId)).length, 0);
  });
});

Deno.test("a replaced stream cannot open a livestream, but its idle and recording still apply", async () => {
  await withWebhook(async ({ sql, send }) => {
    const { channelId, streamId } = await channelWithStream(sql);
    const started = event("stream.started", streamId);
    assert.equal((await (await send(started)).json()).status, "applied");
    await sql`update private.livepeer_streams set replaced_at = now() where livepeer_stream_id = ${streamId}`;
    const idle = event("stream.idle", streamId, { createdAt: started.createdAt + 1000 });
    assert.equal((await (await send(idle)).json()).status, "applied");
    const restarted = event("stream.started", streamId, { createdAt: started.createdAt + 2000 });
    assert.deepEqual(await (await send(restarted)).json(), { status: "ignored", reason: "stream_replaced" });
    const rows = await livestreams(sql, channelId);
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0].ended_at, null);
  });
});

Deno.test("forged, tampered, unsigned and truncated requests are refused with 400 and nothing is written", async () => {
  await withWebhook(async ({ sql, send }) => {
    const { channelId, streamId } = await channelWithStream(sql);
    const started = event("stream.started", streamId);
    const raw = JSON.stringify(started);
    const good = await signLivepeer(SECRET, raw, started.timestamp);
    const cases: [string, Promise<Response>][] = [
      ["wrong secret", send(started, { secret: "not-the-secret" })],
      ["no header", send(started, { header: null })],
      ["garbage header", send(started, { header: "sha256=abc" })],
      ["tampered body", send(raw.replace('"stream.started"', '"stream.idle"'), { header: good })],
      ["truncated body", send(raw.slice(0, -5), { header: good })],
    ];
    for (const [name, pending] of cases) {
      const res = await pending;
      assert.equal(res.status, 400, name);
      assert.equal((await res.json()).error.code, "invalid_signature", name);
    }
    assert.equal(await eventRecorded(sql, started.id), false);
    assert.equal((await livestreams(sql, channelId)).length, 0);
  });
});

Deno.test("timestamps are accepted just inside 5 minutes and refused just outside, both ways", async () => {
  await withWebhook(async ({ sql, send }) => {
    const { streamId } = await channelWithStream(sql);
    const at = (offset: number) => {
      const e = event("asset.updated", streamId);
      e.timestamp = Date.now() + offset;
      return e;
    };
    for (const offset of [-(TOLERANCE_MS - 2000), TOLERANCE_MS - 2000]) {
      assert.equal((await send(at(offset))).status, 200, `offset ${offset}`);
    }
    for (const offset of [-(TOLERANCE_MS + 2000), TOLERANCE_MS + 2000]) {
      const res = await send(at(offset));
      assert.equal(res.status, 400, `offset ${offset}`);
      assert.equal((await res.json()).error.code, "stale_timestamp");
    }
  });
});

Deno.test("an old signed body replayed under a fresh t header is refused", async () => {
  await withWebhook(async ({ sql, send }) => {
    const { channelId, streamId } = await channelWithStream(sql);
    const old = event("stream.started", streamId);
    old.timestamp = old.createdAt = Date.now() - 60 * 60_000;
    // The attacker cannot re-sign, but can keep the captured MAC and put a fresh t beside it:
    // the MAC still matches the body bytes, and the signed body's timestamp gives the replay away.
    const raw = JSON.stringify(old);
    const mac = (await signLivepeer(SECRET, raw, old.timestamp)).split(",")[1];
    const moved = await send(raw, { header: `t=${Date.now()},${mac}` });
    assert.equal(moved.status, 400);
    assert.equal((await moved.json()).error.code, "invalid_event");
    assert.equal(await eventRecorded(sql, old.id), false);
    assert.equal((await livestreams(sql, channelId)).length, 0);
  });
});

Deno.test("signed but malformed bodies are refused with 400", async () => {
  await withWebhook(async ({ send }) => {
    const now = Date.now();
    const cases: [string, string][] = [
      ['{"id": "x", "event": "stream.started"', "invalid_json"],
      ["[]", "invalid_event"],
      [JSON.stringify({ event: "stream.started", timestamp: now, stream: { id: "s" } }), "invalid_event"],
      [JSON.stringify({ id: "e", event: "stream.started", timestamp: now }), "invalid_event"],
      [
        JSON.stringify({
          id: "e",
          event: "recording.ready",
          timestamp: now,
          stream: { id: "s" },
          payload: { recordingUrl: "javascript:x" },
        }),
        "invalid_event",
      ],
    ];
    for (const [raw, code] of cases) {
      const res = await send(raw, { t: now });
      assert.equal(res.status, 400, raw);
      assert.equal((await res.json()).error.code, code, raw);
    }
  });
});

Deno.test("signed events a database cannot hold (long asset id, far times, NUL) are refused with 400, nothing written", async () => {
  await withWebhook(async ({ sql, send }) => {
    const { channelId, streamId } = await channelWithStream(sql);
    const started = event("stream.started", streamId);
    assert.equal((await (await send(started)).json()).status, "applied");
    const ready = (session: Record<string, unknown>, payload: Record<string, unknown> = {}) => {
      const e = event("recording.ready", streamId, {
        payload: {
          recordingUrl: "https://livepeercdn.studio/recordings/abc/index.m3u8",
          session: { id: "sess-1", parentId: streamId, createdAt: started.createdAt, assetId: "asset-1", ...session },
          ...payload,
        },
      });
      delete (e as Record<string, unknown>).stream;
      return e;
    };
    const cases: Record<string, unknown>[] = [
      ready({ assetId: "a".repeat(129) }),
      ready({ assetId: "asset\u0000" }),
      ready({ createdAt: 9007199254740991 }),
      ready({ createdAt: -99999999999999 }),
      ready({ createdAt: 0 }),
      ready({ parentId: `${streamId}\u0000` }),
      ready({}, { recordingUrl: "https://livepeercdn.studio/\u0000/index.m3u8" }),
      ready({}, { recordingUrl: undefined, mp4Url: "https://livepeercdn.studio/\u0000.mp4" }),
      { ...event("stream.idle", streamId), createdAt: 9007199254740991 },
      { ...event("stream.idle", streamId), createdAt: -99999999999999 },
      { ...event("stream.idle", streamId), createdAt: Date.UTC(1999, 11, 31) },
      { ...event("stream.idle", streamId), createdAt: Date.now() + 2 * 24 * 3600_000 },
      { ...event("stream.idle", streamId), id: "evt\u0000" },
      { ...event("stream.idle", streamId), stream: { id: `${streamId}\u0000` } },
      { ...event("stream.started", streamId), stream: { id: streamId, playbackId: "pb\u0000" } },
    ];
    for (const body of cases) {
      const res = await send(body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 300));
      assert.equal((await res.json()).error.code, "invalid_event");
      const id = body.id as string;
      if (!id.includes("\0")) assert.equal(await eventRecorded(sql, id), false); // Postgres cannot look NUL up
    }
    const [row] = await livestreams(sql, channelId);
    assert.deepEqual([row.ended_at, row.recording_url, row.recording_asset_id], [null, null, null]);
    // The bounds themselves pass: a 128-character asset id, a session from 2000, a time a day ahead.
    const ok = ready({ assetId: "a".repeat(128), createdAt: Date.UTC(2000, 0, 1) });
    assert.equal((await (await send(ok)).json()).status, "applied");
    assert.equal((await livestreams(sql, channelId))[0].recording_asset_id, "a".repeat(128));
    const late = { ...event("stream.idle", streamId), createdAt: Date.now() + 23 * 3600_000 };
    assert.equal((await (await send(late)).json()).status, "applied");
  });
});

Deno.test("a body over 1 MiB is refused with 413 and GET with 405", async () => {
  await withWebhook(async ({ send, handler }) => {
    const res = await send("x".repeat(MAX_BODY_BYTES + 1));
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, "payload_too_large");
    const get = await handler(new Request("http://local/livepeer-webhook"));
    assert.equal(get.status, 405);
    await get.body?.cancel();
  });
});

Deno.test("a database failure answers 500 so Livepeer retries, without internals", async () => {
  const down = createPool(`postgresql://postgres:postgres@${new URL(refusedUrl()).host}/postgres`);
  const logged: string[] = [];
  const original = console.error;
  console.error = (msg: string) => logged.push(msg);
  try {
    await withWebhook(async ({ send }) => {
      const res = await send(event("stream.started", crypto.randomUUID()));
      assert.equal(res.status, 500);
      const text = await res.text();
      assert.equal(JSON.parse(text).error.code, "internal_error");
      assert.doesNotMatch(text + logged.join("\n"), /postgres:postgres|\n\s+at /);
    }, down);
  } finally {
    console.error = original;
  }
});

Deno.test("stream.started queues one go-live fan-out job and notifies no follower inside the webhook", async () => {
  await withWebhook(async ({ sql, send }) => {
    const { channelId, streamId } = await channelWithStream(sql);
    const followerId = crypto.randomUUID();
    await sql`select private.provision_user(${followerId}::uuid, ${uniqueUsername("lpf")})`;
    await sql`insert into public.follows (user_id, channel_id) values (${followerId}, ${channelId})`;
    const started = event("stream.started", streamId);
    assert.equal((await (await send(started)).json()).status, "applied");
    const [{ jobs }] = await sql`select count(*)::int as jobs from private.notification_outbox where channel_id = ${channelId}`;
    const [{ notified }] = await sql`
      select count(*)::int as notified from public.notifications where channel_id = ${channelId} and kind = 'channel_live'`;
    assert.deepEqual({ jobs, notified }, { jobs: 1, notified: 0 });
    await sql`delete from private.notification_outbox where channel_id = ${channelId}`;
  });
});
