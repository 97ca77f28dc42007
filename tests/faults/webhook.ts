// PostgreSQL crashes (pg_ctl stop -m immediate) in the middle of a Livepeer webhook burst: every
// channel's stream.started then stream.idle goes through the gateway to livepeer-webhook, retried as
// Livepeer retries (5xx, connection errors and timeouts; same event id, re-signed with a new
// timestamp), on a backoff scaled down from Livepeer's 5 s, 10 s, 20 s... so the case stays short.
// Afterwards every event must be recorded exactly once and every stream must have ended.
import { type Counts, type Ctx, expectZero, postLivepeer, provisionStreamer, sleep } from "./harness.ts";

const MAX_ATTEMPTS = 40; // bounded: 40 attempts of at most ~1 s backoff + 5 s timeout
const TIMEOUT_MS = 5_000;

interface Delivery {
  status: number;
  body: { status?: string; reason?: string };
  attempts: number;
}

/** Delivers one event as Livepeer would: retry on >= 500, network errors and timeouts only. */
async function deliver(ctx: Ctx, event: Record<string, unknown>): Promise<Delivery> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    try {
      const res = await postLivepeer(ctx, event, TIMEOUT_MS);
      const body = await res.json().catch(() => ({}));
      if (res.status < 500) return { status: res.status, body, attempts: attempt };
    } catch { /* connection refused, reset or timed out: retried */ }
    await sleep(Math.min(1_000, 50 * 2 ** attempt));
  }
  throw new Error(`event ${event.id} was not accepted after ${MAX_ATTEMPTS} attempts`);
}

async function burst(ctx: Ctx, channels: number) {
  const streams = [];
  for (let i = 0; i < channels; i++) {
    const { channel_id } = await provisionStreamer(ctx.sql, "lpf");
    const streamId = `fault-${crypto.randomUUID()}`;
    await ctx.sql`insert into private.livepeer_streams (livepeer_stream_id, channel_id) values (${streamId}, ${channel_id})`;
    streams.push({ channelId: channel_id, streamId });
  }
  const total = channels * 2;
  let acknowledged = 0;
  let crash: Promise<void> | undefined;
  const crashHalfway = () => {
    // Crash while the other half is still in flight, then start again (recovery replays the WAL).
    if (++acknowledged === Math.floor(total / 2)) crash = ctx.crashDb().then(() => sleep(300)).then(() => ctx.startDb());
  };
  const deliveries: { id: string; streamId: string; event: string; result: Delivery }[] = [];
  await Promise.all(streams.map(async ({ streamId }, i) => {
    await sleep(i * 5); // a burst, not a single instant
    const startedAt = Date.now();
    for (const [event, createdAt] of [["stream.started", startedAt], ["stream.idle", startedAt + 1_000]] as const) {
      const e = { id: crypto.randomUUID(), webhookId: "faults", createdAt, event, stream: { id: streamId, playbackId: `pb-${i}` } };
      const result = await deliver(ctx, e);
      deliveries.push({ id: e.id, streamId, event, result });
      crashHalfway();
    }
  }));
  await crash;
  return { streams, deliveries };
}

export async function webhookBurstCrash(ctx: Ctx): Promise<Counts> {
  const rounds = ctx.fast ? 1 : 3;
  const counts: Counts = { requests: 0, retries: 0, losses: 0, duplicates: 0, events: 0, crashes: 0, wrong_state: 0 };
  const problems: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const { streams, deliveries } = await burst(ctx, 40);
    counts.crashes++;
    counts.events += deliveries.length;
    for (const d of deliveries) {
      counts.requests += d.result.attempts;
      counts.retries += d.result.attempts - 1;
      // "duplicate" is a retry of an event that had committed before its answer was lost: fine.
      if (d.result.status !== 200 || !["applied", "duplicate"].includes(d.result.body.status ?? "")) {
        problems.push(`${d.event} ${d.id}: ${d.result.status} ${JSON.stringify(d.result.body)}`);
        counts.losses++;
      }
    }
    const ids = deliveries.map((d) => d.id);
    const [{ recorded }] = await ctx.sql<{ recorded: number }[]>`
      select count(*)::int as recorded from private.livepeer_events where id = any(${ids})`;
    const missing = ids.length - recorded;
    if (missing > 0) problems.push(`${missing} acknowledged events have no private.livepeer_events row`);
    counts.losses += missing;
    const states = await ctx.sql<{ stream: string; rows: number; open: number }[]>`
      select s.id as stream, count(l.id)::int as rows, count(l.id) filter (where l.ended_at is null)::int as open
      from unnest(${streams.map((s) => s.streamId)}::text[]) s (id)
      left join public.livestreams l on l.livepeer_stream_id = s.id
      group by s.id`;
    for (const s of states) {
      // Right state: exactly one livestream per stream, ended (started, then idle).
      if (s.rows === 0 || s.open > 0) {
        problems.push(`stream ${s.stream}: ${s.rows} livestreams, ${s.open} still live`);
        counts.wrong_state++;
      }
      if (s.rows > 1) counts.duplicates += s.rows - 1;
    }
  }
  // Lost: acknowledged but not applied. Wrong state: a stream not started once and then ended.
  expectZero(counts, ["losses", "wrong_state", "duplicates"], problems);
  return counts;
}
