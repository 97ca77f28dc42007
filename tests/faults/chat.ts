// PostgreSQL restarts (pg_ctl stop -m fast, then start) while many users call send_message through
// the gateway's /rest/v1 at once, without retrying. Every send a client saw succeed must be stored
// once and have exactly one message.created row in realtime.messages (what Realtime broadcasts from);
// every send that failed must have left nothing (no message, no broadcast row), or, when the
// connection dropped after PostgreSQL had committed it (the answer to COMMIT was lost: no client can
// tell, hosted PostgREST answers 503 the same way), all of it: one message and one broadcast row,
// never half. Those are counted as `unknown_outcome`; a client re-reads history before resending.
import { accessToken, type Counts, type Ctx, expectZero, provisionStreamer, sleep } from "./harness.ts";

export async function chatSendRestart(ctx: Ctx): Promise<Counts> {
  const users = ctx.fast ? 8 : 24;
  const perUser = ctx.fast ? 5 : 12;
  const room = (await provisionStreamer(ctx.sql, "chf")).chatroom_id;
  const senders = [];
  for (let i = 0; i < users; i++) {
    const { user_id } = await provisionStreamer(ctx.sql, "chs");
    senders.push(await accessToken(ctx.jwtSecret, user_id));
  }
  const run = crypto.randomUUID().slice(0, 8);
  const total = users * perUser;
  let answered = 0;
  let restart: Promise<void> | undefined;
  const sent: { content: string; id?: string; status: number; code?: string }[] = [];
  await Promise.all(senders.map(async (token, u) => {
    for (let n = 0; n < perUser; n++) {
      const content = `fault ${run} u${u} n${n}`;
      let status = 0;
      let id: string | undefined;
      let code: string | undefined;
      try {
        const res = await fetch(`${ctx.apiUrl}/rest/v1/rpc/send_message`, {
          method: "POST",
          headers: { apikey: ctx.anonKey, authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ chatroom_id: room, content }),
          signal: AbortSignal.timeout(20_000), // longer than the Data API's 10 s pool acquisition timeout
        });
        status = res.status;
        const body = await res.json().catch(() => null);
        if (res.ok && body?.id != null) id = String(body.id);
        code = body?.code;
      } catch { /* network error: a failed send */ }
      sent.push({ content, id, status, code });
      if (++answered === Math.floor(total / 3)) {
        restart = ctx.stopDb().then(() => sleep(200)).then(() => ctx.startDb());
      }
      await sleep(20);
    }
  }));
  await restart;

  const ok = sent.filter((s) => s.id);
  const failed = sent.filter((s) => !s.id);
  const stored = await ctx.sql<{ id: string; content: string }[]>`
    select id::text, content from public.messages where chatroom_id = ${room}`;
  const broadcasts = await ctx.sql<{ id: string; content: string }[]>`
    select payload->>'id' as id, payload->>'content' as content from realtime.messages
    where topic = ${`chatroom:${room}`} and event = 'message.created'`;
  const count = (rows: { id: string; content: string }[], key: "id" | "content", value: string) =>
    rows.filter((r) => r[key] === value).length;
  const counts: Counts = {
    requests: total, retries: 0, losses: 0, duplicates: 0, succeeded: ok.length, failed: failed.length, unknown_outcome: 0, partial: 0,
  };
  const problems: string[] = [];
  for (const s of ok) {
    const rows = count(stored, "id", s.id!), events = count(broadcasts, "id", s.id!);
    if (rows === 0 || events === 0) {
      counts.losses++;
      problems.push(`lost: ${s.content} (${s.id}): ${rows} rows, ${events} broadcasts`);
    }
    counts.duplicates += Math.max(0, rows - 1) + Math.max(0, events - 1);
  }
  for (const s of failed) {
    const rows = count(stored, "content", s.content), events = count(broadcasts, "content", s.content);
    if (rows === 0 && events === 0) continue;
    if (rows === 1 && events === 1) counts.unknown_outcome++;
    else counts.partial++;
    problems.push(`a failed send (HTTP ${s.status} ${s.code}) left ${rows} rows, ${events} broadcasts: ${s.content}`);
  }
  if (counts.failed === 0) problems.push("no send failed: the restart did not hit the burst");
  expectZero(counts, ["losses", "duplicates", "partial"], problems);
  for (const p of problems) console.log(`    ${p}`);
  if (counts.failed === 0) throw Object.assign(new Error("the restart hit no send"), { counts });
  return counts;
}
