import postgres from "postgres";
import assert from "node:assert/strict";
import { createScheduler, nextDelay } from "./scheduler.ts";

Deno.test("'<n> seconds' runs every n seconds, 1 to 59 as pg_cron accepts", () => {
  const now = new Date("2026-11-30T10:00:00Z");
  assert.equal(nextDelay("1 seconds", now), 1000);
  assert.equal(nextDelay("59 seconds", now), 59_000);
  assert.equal(nextDelay("60 seconds", now), undefined);
  assert.equal(nextDelay("0 seconds", now), undefined);
});

Deno.test("'<minute> * * * *' runs hourly at that minute, later this hour or next hour", () => {
  assert.equal(nextDelay("17 * * * *", new Date("2026-11-30T10:00:00Z")), 17 * 60_000);
  assert.equal(nextDelay("17 * * * *", new Date("2026-11-30T10:17:00Z")), 60 * 60_000);
  assert.equal(nextDelay("17 * * * *", new Date("2026-11-30T10:20:00Z")), 57 * 60_000);
});

Deno.test("other cron lines are not run locally (reported, never guessed)", () => {
  assert.equal(nextDelay("0 3 * * *", new Date()), undefined);
  assert.equal(nextDelay("*/5 * * * *", new Date()), undefined);
});

Deno.test("scheduled functions are listed from private.function_jobs() and POSTed with the service key when due", async () => {
  const dbUrl = Deno.env.get("SUPABASE_DB_URL");
  assert.ok(dbUrl, "SUPABASE_DB_URL must point at the test database");
  const calls: { path: string; auth: string | null }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    calls.push({ path: new URL(req.url).pathname, auth: req.headers.get("authorization") });
    return new Response("{}");
  });
  const lines: string[] = [];
  const functionsUrl = `http://127.0.0.1:${server.addr.port}/functions/v1`;
  const skipped = createScheduler({ dbUrl, functionsUrl, serviceKey: "k", skip: ["viewer-counts"], log: (l) => lines.push(l) });
  const skippedNames = await skipped.start();
  await skipped.stop();
  assert.ok(!skippedNames.includes("viewer-counts"), "a skipped job is not run");
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  const scheduler = createScheduler({
    dbUrl, functionsUrl, serviceKey: "service-key",
    skip: ["notifications-fanout", "notifications-prune", "cron-history-prune", "chat-send-windows-prune", "email-delivery", "viewer-counts"],
  });
  const waitForCall = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  };
  try {
    await sql`delete from private.push_queue`;
    assert.deepEqual(await scheduler.start(), ["push-delivery"]);
    await waitForCall(2500);
    assert.deepEqual(calls, [], "push-delivery is not posted to while its queue is empty (private.function_job_due)");
    await sql`insert into private.push_queue (notification_id) values (-1)`;
    await waitForCall(8000);
    assert.deepEqual(calls[0], { path: "/functions/v1/push-delivery", auth: "Bearer service-key" });
  } finally {
    await scheduler.stop();
    await sql`delete from private.push_queue where notification_id = -1`;
    await sql.end();
    await server.shutdown();
  }
  assert.deepEqual(lines, []);
});
