// Edge function processes and their database pools under faults:
// 1. livepeer-webhook's process is killed (SIGKILL) while it serves a request (held on a row lock):
//    the gateway answers 5xx at once, starts the function again, and the sender's retry is applied
//    exactly once.
// 2. PostgreSQL restarts under the functions' pools: while it is down and right after it is back,
//    every request to health and livepeer-webhook answers within the pool's connect timeout (5 s)
//    plus slack, never hangs, and requests succeed again once the database is up.
import { type Counts, type Ctx, expectZero, postLivepeer, provisionStreamer, sleep, until } from "./harness.ts";

const CONNECT_TIMEOUT_MS = 5_000; // supabase/functions/_shared/db.ts connect_timeout
const HUNG_MS = CONNECT_TIMEOUT_MS + 3_000;

async function post(ctx: Ctx, event: Record<string, unknown>) {
  const started = performance.now();
  try {
    const res = await postLivepeer(ctx, event, HUNG_MS);
    const body = await res.json().catch(() => ({}));
    return { status: res.status, body, ms: performance.now() - started, at: performance.now() };
  } catch (e) {
    const status = (e as Error).name === "TimeoutError" ? -1 : 0;
    return { status, body: {}, ms: performance.now() - started, at: performance.now() };
  }
}

async function health(ctx: Ctx) {
  const started = performance.now();
  try {
    const res = await fetch(`${ctx.apiUrl}/functions/v1/health`, {
      headers: { authorization: `Bearer ${ctx.anonKey}` },
      signal: AbortSignal.timeout(HUNG_MS),
    });
    await res.body?.cancel();
    return { status: res.status, ms: performance.now() - started };
  } catch (e) {
    return { status: (e as Error).name === "TimeoutError" ? -1 : 0, ms: performance.now() - started };
  }
}

export async function functionKilledMidRequest(ctx: Ctx): Promise<Counts> {
  const counts: Counts = { requests: 0, retries: 0, losses: 0, duplicates: 0, kills: 0, slow_failures: 0, slowest_502_ms: 0 };
  const problems: string[] = [];
  const rounds = ctx.fast ? 1 : 3;
  for (let round = 0; round < rounds; round++) {
    const { channel_id } = await provisionStreamer(ctx.sql, "fnk");
    const streamId = `fault-${crypto.randomUUID()}`;
    await ctx.sql`insert into private.livepeer_streams (livepeer_stream_id, channel_id) values (${streamId}, ${channel_id})`;
    const event = { id: crypto.randomUUID(), webhookId: "faults", createdAt: Date.now(), event: "stream.started", stream: { id: streamId } };

    // Hold the stream's mapping row so the function's transaction waits on it, mid-request.
    const holder = await ctx.sql.reserve();
    await holder`begin`;
    await holder`select 1 from private.livepeer_streams where livepeer_stream_id = ${streamId} for update`;
    const inFlight = post(ctx, event);
    counts.requests++;
    await until("the function to wait on the lock", async () => {
      const [{ waiting }] = await ctx.sql<{ waiting: number }[]>`
        select count(*)::int as waiting from pg_stat_activity
        where application_name = 'streamz-functions' and wait_event_type = 'Lock'
          and query like '%livepeer_streams%'`;
      return waiting > 0;
    }, 10_000);
    const pid = await ctx.functionPid("livepeer-webhook");
    Deno.kill(pid, "SIGKILL");
    const killedAt = performance.now();
    counts.kills++;
    const first = await inFlight;
    const afterKill = first.at - killedAt;
    counts.slowest_502_ms = Math.max(counts.slowest_502_ms, Math.round(afterKill));
    await holder`rollback`;
    holder.release();
    if (first.status < 500 || afterKill > 2_000) {
      problems.push(`killed request (pid ${pid}) answered ${first.status} ${afterKill.toFixed(0)} ms after the kill (want 5xx at once)`);
      counts.slow_failures++;
    }
    // Livepeer retries the 5xx: the gateway has started the function again.
    let applied = 0;
    for (let attempt = 0; attempt < 10; attempt++) {
      counts.requests++;
      counts.retries++;
      const r = await post(ctx, event);
      if (r.status === 200) {
        applied = r.body.status === "applied" ? 1 : 0;
        break;
      }
      await sleep(300 * (attempt + 1));
    }
    const [{ rows }] = await ctx.sql<{ rows: number }[]>`
      select count(*)::int as rows from public.livestreams where livepeer_stream_id = ${streamId}`;
    if (applied !== 1 || rows === 0) {
      counts.losses++;
      problems.push(`the retry of ${event.id} was not applied (${rows} livestreams)`);
    }
    counts.duplicates += Math.max(0, rows - 1);
  }
  expectZero(counts, ["losses", "duplicates", "slow_failures"], problems);
  return counts;
}

export async function poolsAfterDbRestart(ctx: Ctx): Promise<Counts> {
  const counts: Counts = { requests: 0, retries: 0, losses: 0, duplicates: 0, hung: 0, failed_fast: 0, restarts: 0 };
  const problems: string[] = [];
  const rounds = ctx.fast ? 1 : 3;
  for (let round = 0; round < rounds; round++) {
    // Warm pools: every function process has open connections the restart will cut.
    for (let i = 0; i < 3; i++) await health(ctx);
    const { channel_id } = await provisionStreamer(ctx.sql, "fnp");
    const streamId = `fault-${crypto.randomUUID()}`;
    await ctx.sql`insert into private.livepeer_streams (livepeer_stream_id, channel_id) values (${streamId}, ${channel_id})`;

    await (round % 2 === 0 ? ctx.crashDb() : ctx.stopDb());
    counts.restarts++;
    const down = await Promise.all([health(ctx), health(ctx), post(ctx, { id: crypto.randomUUID(), event: "stream.idle", stream: { id: streamId } })]);
    await ctx.startDb();
    // Right after the restart: the first requests on the old pools.
    const event = { id: crypto.randomUUID(), webhookId: "faults", createdAt: Date.now(), event: "stream.started", stream: { id: streamId } };
    const after = await Promise.all([health(ctx), health(ctx), post(ctx, event)]);
    for (const r of [...down, ...after]) {
      counts.requests++;
      if (r.status === -1 || r.ms > CONNECT_TIMEOUT_MS + 2_000) {
        counts.hung++;
        problems.push(`a request took ${r.ms.toFixed(0)} ms (status ${r.status})`);
      } else if (r.status !== 200) counts.failed_fast++;
    }
    // Until the webhook is acknowledged (retried as Livepeer does), then exactly one livestream.
    let acknowledged = after[2].status === 200;
    for (let attempt = 0; !acknowledged && attempt < 10; attempt++) {
      await sleep(300);
      counts.requests++;
      counts.retries++;
      const r = await post(ctx, event);
      if (r.status === -1) counts.hung++;
      acknowledged = r.status === 200;
    }
    const h = await health(ctx);
    counts.requests++;
    if (h.status !== 200) problems.push(`health still answers ${h.status} after the restart`);
    const [{ rows }] = await ctx.sql<{ rows: number }[]>`
      select count(*)::int as rows from public.livestreams where livepeer_stream_id = ${streamId}`;
    if (!acknowledged || rows === 0 || h.status !== 200) counts.losses++;
    counts.duplicates += Math.max(0, rows - 1);
  }
  expectZero(counts, ["losses", "duplicates", "hung"], problems);
  return counts;
}
