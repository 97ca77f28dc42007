import assert from "node:assert/strict";
import { nextDelay } from "./scheduler.ts";

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
