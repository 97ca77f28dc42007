// Benchmark: go-live notifications. On a channel with 100,000 followers (created once, reused) and a
// channel with none, in the same run:
//   1. livepeer-webhook latency: signed stream.started / stream.idle pairs through the handler,
//      alternating between the two channels; prints p50/p99 of each and the ratio (100k / 0).
//   2. fan-out: from the webhook's answer until every one of the 100,000 followers holds the go-live
//      notification, drained by private.drain_notification_outbox() exactly as the scheduler runs it;
//      against a baseline: a bare insert of 100,000 rows of the same shape into a scratch table.
// The bench's own notifications, outbox rows and realtime messages are deleted afterwards.
//
// Usage: npm run bench:notifications [-- --pairs=40 --followers=100000]
// Database: BENCH_DB_URL, else the local stack's (npm run stack -- start; STREAMZ_DB_PORT honoured).
import { createPool } from "../../supabase/functions/_shared/db.ts";
import { createHandler } from "../../supabase/functions/livepeer-webhook/handler.ts";
import { signLivepeer } from "../../supabase/functions/livepeer-webhook/signature.ts";
import { dbUrl } from "../../scripts/lib/cluster.ts";

const arg = (name: string, fallback: number) =>
  Number(Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
// At most 90 pairs: their event times (15 minutes apart) must stay within the day livepeer-webhook accepts.
const PAIRS = Math.min(arg("pairs", 40), 90);
const FOLLOWERS = Math.min(arg("followers", 100_000), 200_000);
const SECRET = "bench-livepeer-secret";
const sql = createPool(Deno.env.get("BENCH_DB_URL") ?? dbUrl("postgres", "postgres"), { max: 4 });
const BIG = `bench_fan_${FOLLOWERS}`;
const SMALL = "bench_fan_none";

async function channel(slug: string) {
  const [found] = await sql<{ id: string; owner_id: string }[]>`select id, owner_id from public.channels where slug = ${slug}`;
  if (found) return found;
  await sql`select private.provision_user(gen_random_uuid(), ${slug})`;
  const [made] = await sql<{ id: string; owner_id: string }[]>`select id, owner_id from public.channels where slug = ${slug}`;
  // The bench's own owners want no new-follower notifications while followers are created.
  await sql`update public.notification_preferences set on_new_follower = false where user_id = ${made.owner_id}`;
  return made;
}

// Followers are created in chunks: each follow also bumps the channel's followers_count, and one
// huge transaction updating one row 100,000 times is far slower than many small ones.
async function ensureFollowers(channelId: string) {
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from public.follows where channel_id = ${channelId}`;
  if (n >= FOLLOWERS) return;
  console.log(`setting up ${FOLLOWERS} followers (once; reused by later runs) ...`);
  const chunk = 2000;
  for (let from = n; from < FOLLOWERS; from += chunk) {
    await sql.begin(async (tx) => {
      await tx`
        insert into public.users (id, username)
        select gen_random_uuid(), 'bf_' || g from generate_series(${from + 1}::int, ${Math.min(from + chunk, FOLLOWERS)}::int) g
        on conflict (username) do nothing`;
      await tx`
        insert into public.follows (user_id, channel_id)
        select u.id, ${channelId} from public.users u
        where u.username in (select 'bf_' || g from generate_series(${from + 1}::int, ${Math.min(from + chunk, FOLLOWERS)}::int) g)
        on conflict do nothing`;
    });
  }
}

const big = await channel(BIG);
const small = await channel(SMALL);
await ensureFollowers(big.id);
const streams = new Map<string, string>();
for (const c of [big, small]) {
  const streamId = `bench-${c.id}`;
  streams.set(c.id, streamId);
  await sql`insert into private.livepeer_streams (livepeer_stream_id, channel_id) values (${streamId}, ${c.id}) on conflict do nothing`;
  await sql`update public.livestreams set ended_at = greatest(started_at, now()) where channel_id = ${c.id} and ended_at is null`;
}

const handler = createHandler({ sql, secret: SECRET });
// Event times move forward 15 minutes per pair (more than the 10-minute restart de-duplication, so
// every start is a fresh go-live) from now: the bench channels' earlier streams are removed first, so
// repeated runs stay within the day after the signed timestamp that livepeer-webhook accepts.
await sql`delete from public.livestreams where channel_id in (${big.id}, ${small.id})`;
await sql`update private.livepeer_streams set last_idle_at = null where channel_id in (${big.id}, ${small.id})`;
const [{ base }] = await sql<{ base: Date }[]>`
  select greatest(now(), max(coalesce(ended_at, started_at))) + interval '15 minutes' as base from public.livestreams
  where channel_id in (${big.id}, ${small.id})`;
let clock = base.getTime();

async function send(channelId: string, event: string, at: number) {
  const t = Date.now();
  const raw = JSON.stringify({
    id: crypto.randomUUID(), webhookId: "bench", createdAt: at, timestamp: t, event,
    stream: { id: streams.get(channelId), playbackId: "pb" },
  });
  const started = performance.now();
  const res = await handler(new Request("http://bench/livepeer-webhook", {
    method: "POST",
    headers: { "content-type": "application/json", "livepeer-signature": await signLivepeer(SECRET, raw, t) },
    body: raw,
  }));
  const body = await res.json();
  if (res.status !== 200 || body.status !== "applied") throw new Error(`${event}: ${res.status} ${JSON.stringify(body)}`);
  return performance.now() - started;
}

const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

// 1. webhook latency, alternating channels (the same conditions for both).
const latency: Record<string, number[]> = { [big.id]: [], [small.id]: [] };
for (let i = 0; i < PAIRS; i++) {
  clock += 900_000;
  for (const c of i % 2 ? [big, small] : [small, big]) {
    latency[c.id].push(await send(c.id, "stream.started", clock));
    await send(c.id, "stream.idle", clock + 60_000);
  }
}
// Those go-lives were for latency only: drop their jobs before anything fans them out.
await sql`delete from private.notification_outbox where channel_id in (${big.id}, ${small.id})`;
await sql`delete from public.notifications where channel_id in (${big.id}, ${small.id})`;

// 2. fan-out of one go-live to every follower, and the bare-insert baseline.
clock += 900_000;
const t0 = performance.now();
await send(big.id, "stream.started", clock);
const webhookDone = performance.now();
while ((await sql`select 1 from private.notification_outbox where channel_id = ${big.id}`).length > 0) {
  if ((await sql`select private.drain_notification_outbox() as n`)[0].n === 0) await new Promise((r) => setTimeout(r, 20));
}
const fanoutMs = performance.now() - t0;
const [{ notified }] = await sql<{ notified: number }[]>`
  select count(*)::int as notified from public.notifications where channel_id = ${big.id} and kind = 'channel_live'`;
await send(big.id, "stream.idle", clock + 60_000);

const b0 = performance.now();
await sql.begin(async (tx) => {
  await tx`create temporary table bench_bare (like public.notifications including defaults) on commit drop`;
  await tx`
    insert into bench_bare (id, user_id, kind, channel_id, actor_id, payload)
    select g, f.user_id, 'channel_live', ${big.id}, ${big.owner_id}, '{"title":"bench"}'::jsonb
    from public.follows f, generate_series(1, 1) g where f.channel_id = ${big.id}`;
});
const bareMs = performance.now() - b0;

await sql`delete from public.notifications where channel_id in (${big.id}, ${small.id})`;
// realtime.messages belongs to Realtime (postgres may not delete there, locally as on Supabase): the
// local stack's superuser clears the bench's events; elsewhere Realtime's janitor drops them in days.
if (!Deno.env.get("BENCH_DB_URL")) {
  const admin = createPool(dbUrl("postgres", "supabase_admin"), { max: 1 });
  await admin`delete from realtime.messages where event = 'notification.created' and inserted_at > now() - interval '1 hour'
    and payload ->> 'channel_id' in (${big.id}, ${small.id})`;
  await admin.end();
}
await sql.end();

const [b50, b99, s50, s99] = [pct(latency[big.id], 0.5), pct(latency[big.id], 0.99), pct(latency[small.id], 0.5), pct(latency[small.id], 0.99)];
console.log(`\nlivepeer-webhook stream.started, ${PAIRS} per channel (alternating)`);
console.log(`  0 followers:         p50 ${s50.toFixed(2)} ms   p99 ${s99.toFixed(2)} ms`);
console.log(`  ${FOLLOWERS} followers:  p50 ${b50.toFixed(2)} ms   p99 ${b99.toFixed(2)} ms`);
console.log(`  p50 ratio (${FOLLOWERS} / 0): ${(b50 / s50).toFixed(2)}x   p99 ratio: ${(b99 / s99).toFixed(2)}x`);
console.log(`\nfan-out: ${notified} followers notified ${(fanoutMs / 1000).toFixed(2)} s after the webhook was sent` +
  ` (webhook answered in ${(webhookDone - t0).toFixed(1)} ms)`);
console.log(`baseline: bare insert of the same ${FOLLOWERS} rows into a scratch table: ${(bareMs / 1000).toFixed(2)} s`);
console.log(`fan-out / bare insert: ${(fanoutMs / bareMs).toFixed(2)}x   load average: ${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
