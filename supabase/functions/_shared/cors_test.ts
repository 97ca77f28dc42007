import assert from "node:assert/strict";
import { withCors } from "./cors.ts";

Deno.test("withCors answers a preflight with 204 and puts the same headers on every answer, errors included", async () => {
  const handler = withCors(async () => Response.json({ error: { code: "nope" } }, { status: 400 }), {
    methods: ["POST"],
    extraHeaders: ["x-session-token"],
  });
  const preflight = await handler(new Request("http://x/fn", { method: "OPTIONS" }));
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
  assert.equal(preflight.headers.get("access-control-allow-methods"), "POST, OPTIONS");
  assert.equal(
    preflight.headers.get("access-control-allow-headers"),
    "authorization, x-client-info, apikey, content-type, x-session-token",
  );
  const answer = await handler(new Request("http://x/fn", { method: "POST" }));
  assert.equal(answer.status, 400);
  assert.equal(answer.headers.get("access-control-allow-origin"), "*");
  assert.equal(answer.headers.get("access-control-allow-methods"), "POST, OPTIONS");
});
