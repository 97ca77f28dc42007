// Tests of the local Realtime stand-in's framing, auth and presence helpers (local only; see
// realtime.ts and realtime/). No database: the end-to-end behaviour is in tests/realtime.test.ts.
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { AuthError, readDenied, verifyToken } from "./realtime/auth.ts";
import { decodeFrame, encodeFrame, type Msg, subTopic } from "./realtime/frames.ts";
import { type Meta, presenceDiff, presenceState } from "./realtime/presence.ts";
import { secretVerifier } from "../functions/_shared/jwt.ts";

const secret = "super-secret-jwt-token-with-at-least-32-characters-long";
const verifier = secretVerifier(secret);

async function jwt(claims: Record<string, unknown>, key = secret, alg = "HS256") {
  return await new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT" }).sign(new TextEncoder().encode(key));
}

/** A vsn 2.0.0 `broadcast` push as realtime-js's serializer builds it. */
function userBroadcastPush(joinRef: string, ref: string, topic: string, event: string, payload: unknown, encoding = 1) {
  const enc = new TextEncoder();
  const body = enc.encode(JSON.stringify(payload));
  const head = [3, joinRef.length, ref.length, topic.length, event.length, 0, encoding];
  return new Uint8Array([...head, ...enc.encode(joinRef + ref + topic + event), ...body]).buffer;
}

Deno.test("vsn 2.0.0 frames are [join_ref, ref, topic, event, payload] arrays, both ways", () => {
  const msg: Msg = { join_ref: "1", ref: "1", topic: "realtime:room:1", event: "phx_join", payload: { config: {} } };
  const text = encodeFrame(msg, "2.0.0");
  assert.equal(text, '["1","1","realtime:room:1","phx_join",{"config":{}}]');
  assert.deepEqual(decodeFrame(text, "2.0.0"), msg);
  assert.deepEqual(decodeFrame('[null,"5","phoenix","heartbeat",{}]', "2.0.0"), {
    join_ref: null, ref: "5", topic: "phoenix", event: "heartbeat", payload: {},
  });
});

Deno.test("vsn 1.0.0 frames are JSON objects", () => {
  const msg: Msg = { join_ref: null, ref: "2", topic: "phoenix", event: "heartbeat", payload: {} };
  assert.deepEqual(JSON.parse(encodeFrame(msg, "1.0.0")), msg);
  assert.deepEqual(decodeFrame('{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"3"}', "1.0.0"), {
    join_ref: null, ref: "3", topic: "phoenix", event: "heartbeat", payload: {},
  });
});

Deno.test("unreadable frames decode to null", () => {
  assert.equal(decodeFrame("not json", "2.0.0"), null);
  assert.equal(decodeFrame('{"topic":"t","event":"e"}', "2.0.0"), null); // an object under vsn 2
  assert.equal(decodeFrame('["1","1","t","e",{}]', "1.0.0"), null); // an array under vsn 1
  assert.equal(decodeFrame('[null,null,1,"e",{}]', "2.0.0"), null);
  assert.equal(decodeFrame(new Uint8Array([9, 0, 0]).buffer, "2.0.0"), null);
});

Deno.test("a binary user broadcast push becomes a broadcast message", () => {
  const frame = userBroadcastPush("4", "7", "realtime:room:1", "cursor", { x: 1 });
  assert.deepEqual(decodeFrame(frame, "2.0.0"), {
    join_ref: "4", ref: "7", topic: "realtime:room:1", event: "broadcast",
    payload: { type: "broadcast", event: "cursor", payload: { x: 1 } },
  });
  // Binary payloads (encoding 0) are not supported locally.
  assert.equal(decodeFrame(userBroadcastPush("4", "8", "realtime:room:1", "cursor", {}, 0), "2.0.0"), null);
});

Deno.test("subTopic strips the realtime: prefix, as realtime.topic() sees it", () => {
  assert.equal(subTopic("realtime:chatroom:abc:mods"), "chatroom:abc:mods");
  assert.equal(subTopic("chatroom:abc"), "chatroom:abc");
});

Deno.test("verifyToken accepts HS256 tokens with role and an integer exp", async () => {
  const exp = Math.floor(Date.now() / 1000) + 60;
  const claims = await verifyToken(await jwt({ role: "authenticated", sub: "u1", exp }), verifier);
  assert.equal(claims.role, "authenticated");
  assert.equal(claims.sub, "u1");
});

Deno.test("verifyToken refuses what Realtime refuses", async () => {
  const exp = Math.floor(Date.now() / 1000) + 60;
  const refused = (token: string, message: RegExp) =>
    assert.rejects(() => verifyToken(token, verifier), (e: unknown) => e instanceof AuthError && message.test(e.message));
  await refused(await jwt({ role: "anon" }), /^Fields `role` and `exp` are required in JWT$/);
  await refused(await jwt({ exp }), /^Fields `role` and `exp` are required in JWT$/);
  await refused(await jwt({ role: "anon", exp: exp + 0.5 }), /^Fields `role` and `exp` are required in JWT$/);
  await refused(await jwt({ role: "anon", exp: Math.floor(Date.now() / 1000) - 100 }), /^Token has expired \d+ seconds ago$/);
  await refused(await jwt({ role: "anon", exp }, "another-secret-of-at-least-32-characters!"), /^Invalid JWT: signature/);
  await refused(await jwt({ role: "anon", exp }, secret, "HS512"), /^Invalid JWT: unsupported algorithm HS512/);
  const [head, body] = (await jwt({ role: "anon", exp })).split(".");
  await refused(`${head}.${body}.`, /^Invalid JWT/); // unsigned
  const forged = (await jwt({ role: "service_role", exp })).split(".")[1];
  await refused(`${head}.${forged}.${(await jwt({ role: "anon", exp })).split(".")[2]}`, /^Invalid JWT: signature/);
  await refused("not-a-jwt", /^Invalid JWT/);
  await refused("", /^Invalid JWT/);
});

Deno.test("the join refusal names the topic like Realtime", () => {
  assert.equal(readDenied("chatroom:x:mods"), "Unauthorized: You do not have permissions to read from this Channel topic: chatroom:x:mods");
});

Deno.test("presence state and diffs have Phoenix's shape", () => {
  const a: Meta = { phx_ref: "r1", name: "a" };
  const a2: Meta = { phx_ref: "r2", name: "a on another tab" };
  const b: Meta = { phx_ref: "r3", name: "b" };
  assert.deepEqual(presenceState([{ key: "u1", meta: a }, { key: "u2", meta: b }, { key: "u1", meta: a2 }]), {
    u1: { metas: [a, a2] },
    u2: { metas: [b] },
  });
  assert.deepEqual(presenceDiff([{ key: "u2", meta: b }], [{ key: "u1", meta: a }]), {
    joins: { u2: { metas: [b] } },
    leaves: { u1: { metas: [a] } },
  });
  assert.deepEqual(presenceDiff([], []), { joins: {}, leaves: {} });
});
