import assert from "node:assert/strict";
import { createFakeLivepeer } from "../../../tests/fakes/livepeer.ts";
import { refusedUrl, testPool, uniqueUsername } from "../../../tests/function-helpers.ts";
import { serve } from "../../../tests/fakes/serve.ts";
import { createHandler } from "./handler.ts";

const API_KEY = "lp-viewership-test-key";
const SERVICE_KEY = "viewer-counts-test-service-key";

async function withViewerCounts(
  fn: (h: {
    sql: ReturnType<typeof testPool>;
    fake: ReturnType<typeof createFakeLivepeer>;
    run: (key?: string | null) => Promise<Response>;
    liveStream: () => Promise<{ id: string; channelId: string; playbackId: string }>;
  }) => Promise<void>,
  opts: { apiUrl?: string; timeoutMs?: number } = {},
) {
  const sql = testPool();
  const fake = createFakeLivepeer({ apiKey: API_KEY, slowMs: 1500 });
  const server = await serve(fake.handler);
  const handler = createHandler({
    sql,
    serviceKeys: [SERVICE_KEY],
    livepeer: { apiUrl: opts.apiUrl ?? `${server.url}/api`, apiKey: API_KEY, timeoutMs: opts.timeoutMs ?? 500 },
  });
  const run = (key: string | null = SERVICE_KEY) =>
    handler(new Request("http://localhost/viewer-counts", {
      method: "POST",
      headers: key ? { authorization: `Bearer ${key}` } : {},
    }));
  const created: string[] = [];
  const liveStream = async () => {
    const userId = crypto.randomUUID();
    const username = uniqueUsername("vc");
    await sql`select private.provision_user(${userId}::uuid, ${username})`;
    created.push(userId);
    const playbackId = `pb${crypto.randomUUID().replaceAll("-", "").slice(0, 14)}`;
    const [row] = await sql<{ id: string; channel_id: string }[]>`
      insert into public.livestreams (channel_id, playback_id, title)
      select id, ${playbackId}, 'viewers test' from public.channels where owner_id = ${userId}
      returning id, channel_id`;
    return { id: row.id, channelId: row.channel_id, playbackId };
  };
  try {
    await fn({ sql, fake, run, liveStream });
  } finally {
    await sql`delete from public.users where id = any(${created}::uuid[])`;
    await server.close();
    await sql.end();
  }
}

async function stream(sql: ReturnType<typeof testPool>, id: string) {
  const [row] = await sql<{ viewer_count: number; peak_viewer_count: number; updated: boolean }[]>`
    select viewer_count, peak_viewer_count, viewer_count_updated_at is not null as updated from public.livestreams where id = ${id}`;
  return row;
}

/** livestream.updated events of the stream carrying `viewers` (any count when omitted). */
async function updatedEvents(sql: ReturnType<typeof testPool>, s: { id: string; channelId: string }, viewers?: number) {
  const [{ n }] = await sql<{ n: number }[]>`
    select count(*)::int as n from realtime.messages
    where topic = ${"channel:" + s.channelId} and event = 'livestream.updated' and payload ->> 'id' = ${s.id}
      and (${viewers ?? null}::int is null or (payload ->> 'viewer_count')::int = ${viewers ?? null}::int)`;
  return n;
}

Deno.test("writes Livepeer's concurrent viewers to each live stream, its peak, and sends livestream.updated", async () => {
  await withViewerCounts(async ({ sql, fake, run, liveStream }) => {
    const a = await liveStream(), b = await liveStream();
    fake.viewers.set(a.playbackId, 120);
    const res = await run();
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.ok(body.watched >= 1 && body.updated >= 1);
    assert.deepEqual(await stream(sql, a.id), { viewer_count: 120, peak_viewer_count: 120, updated: true });
    assert.deepEqual(await stream(sql, b.id), { viewer_count: 0, peak_viewer_count: 0, updated: false },
      "a stream nobody watches stays at 0 and is not rewritten");
    assert.equal(await updatedEvents(sql, a), 1);
    const call = fake.state.requests.at(-1)!;
    assert.equal(call.method, "GET");
    assert.equal(call.path, "/api/data/views/now");
  });
});

Deno.test("a stream is written at most every 15 s; the peak keeps the highest count", async () => {
  await withViewerCounts(async ({ sql, fake, run, liveStream }) => {
    const a = await liveStream();
    fake.viewers.set(a.playbackId, 50);
    await run();
    fake.viewers.set(a.playbackId, 30);
    assert.equal((await run()).status, 200);
    assert.equal((await stream(sql, a.id)).viewer_count, 50, "a second run within 15 s writes nothing");
    assert.equal(await updatedEvents(sql, a), 1, "and sends nothing");
    await sql`update public.livestreams set viewer_count_updated_at = now() - interval '15 seconds' where id = ${a.id}`;
    await run();
    assert.deepEqual(await stream(sql, a.id), { viewer_count: 30, peak_viewer_count: 50, updated: true });
    assert.equal(await updatedEvents(sql, a, 30), 1, "livestream.updated carries the new count");
    fake.viewers.delete(a.playbackId);
    await sql`update public.livestreams set viewer_count_updated_at = now() - interval '15 seconds' where id = ${a.id}`;
    await run();
    assert.deepEqual(await stream(sql, a.id), { viewer_count: 0, peak_viewer_count: 50, updated: true },
      "viewers gone from Livepeer's answer count as 0");
  });
});

Deno.test("an ended stream is never written", async () => {
  await withViewerCounts(async ({ sql, fake, run, liveStream }) => {
    const a = await liveStream();
    await sql`update public.livestreams set ended_at = now() where id = ${a.id}`;
    fake.viewers.set(a.playbackId, 9);
    await run();
    assert.equal((await stream(sql, a.id)).viewer_count, 0);
  });
});

Deno.test("only a service key may run it", async () => {
  await withViewerCounts(async ({ fake, run }) => {
    assert.equal((await run(null)).status, 401);
    const wrong = await run("not-the-service-key");
    assert.equal(wrong.status, 403);
    assert.equal((await wrong.json()).error.code, "forbidden");
    assert.equal(fake.state.requests.length, 0, "Livepeer is not asked");
  });
});

Deno.test("Livepeer down, slow, refusing or answering garbage: 503/502 and nothing written", async () => {
  await withViewerCounts(async ({ sql, fake, run, liveStream }) => {
    const a = await liveStream();
    fake.viewers.set(a.playbackId, 7);
    for (const [mode, status, code] of [["error", 503, "livepeer_unavailable"], ["slow", 503, "livepeer_unavailable"],
      ["garbage", 502, "livepeer_error"]] as const) {
      fake.state.mode = mode;
      const res = await run();
      assert.equal(res.status, status, mode);
      assert.equal((await res.json()).error.code, code, mode);
    }
    assert.equal((await stream(sql, a.id)).viewer_count, 0);
  });
  await withViewerCounts(async ({ run }) => {
    const res = await run();
    assert.equal(res.status, 503);
  }, { apiUrl: refusedUrl() });
});

Deno.test("a wrong API key (401 from Livepeer) is a 502 that never echoes the key", async () => {
  const sql = testPool();
  const fake = createFakeLivepeer({ apiKey: "the-real-key" });
  const server = await serve(fake.handler);
  try {
    const handler = createHandler({
      sql,
      serviceKeys: [SERVICE_KEY],
      livepeer: { apiUrl: `${server.url}/api`, apiKey: "sk-wrong-key-123", timeoutMs: 500 },
    });
    const res = await handler(new Request("http://localhost/viewer-counts", { method: "POST", headers: { apikey: SERVICE_KEY } }));
    assert.equal(res.status, 502);
    assert.ok(!(await res.text()).includes("sk-wrong-key-123"));
  } finally {
    await server.close();
    await sql.end();
  }
});

Deno.test("GET is refused with 405", async () => {
  const sql = testPool();
  try {
    const handler = createHandler({ sql, serviceKeys: [SERVICE_KEY], livepeer: { apiUrl: refusedUrl(), apiKey: API_KEY, timeoutMs: 200 } });
    const res = await handler(new Request("http://localhost/viewer-counts", { headers: { authorization: `Bearer ${SERVICE_KEY}` } }));
    assert.equal(res.status, 405);
  } finally {
    await sql.end();
  }
});
