// Realtime end to end on the local stack: real supabase-js clients join topics over WebSocket at
// /realtime/v1 (the local stand-in, supabase/platform/realtime.ts) and receive what the database
// broadcasts after RPCs go through /rest/v1. Private-channel authorization is the migrations' RLS on
// realtime.messages, checked the way Realtime checks it. Every wait is bounded; every client closes.
import type { SupabaseClient } from "@supabase/supabase-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "./db.ts";
import { client, closeClients, signedIn, statuses, subscribe, token, until } from "./realtime-clients.ts";

const run = Math.random().toString(36).slice(2, 8);

async function provision(base: string): Promise<string> {
  const [row] = await sql`select (private.provision_user(gen_random_uuid(), ${`${base}_${run}`}, null, true)).id as id`;
  return row.id as string;
}

/** A private channel that records the broadcasts of the given events. */
function recording(c: SupabaseClient, topic: string, events: string[], config: Record<string, unknown> = {}) {
  const received: { event: string; payload: any; meta?: { id: string } }[] = [];
  const channel = c.channel(topic, { config: { private: true, ...config } });
  for (const event of events) channel.on("broadcast", { event }, (m) => received.push(m as (typeof received)[number]));
  return { channel, received };
}

const ids: Record<string, string> = {};
let room = "";

beforeAll(async () => {
  for (const name of ["rt_owner", "rt_chatter", "rt_troll", "rt_other"]) ids[name] = await provision(name);
  const [r] = await sql`select r.id from public.chatrooms r join public.channels c on c.id = r.channel_id
                        where c.owner_id = ${ids.rt_owner}`;
  room = r.id;
});

afterAll(async () => {
  await closeClients();
  await sql.end();
});

describe("local Realtime", () => {
  it("anon on chatroom:<id> (private) receives message.created after send_message through /rest/v1", async () => {
    const { channel, received } = recording(client(), `chatroom:${room}`, ["message.created"]);
    expect(await subscribe(channel)).toEqual({ status: "SUBSCRIBED", err: undefined });

    const chatter = await signedIn(ids.rt_chatter);
    const sent = await chatter.rpc("send_message", { chatroom_id: room, content: `live ${run}` });
    expect(sent.error).toBeNull();

    await until("message.created", () => received.length > 0);
    expect(received[0]).toMatchObject({
      type: "broadcast",
      event: "message.created",
      payload: { id: sent.data.id, chatroom_id: room, user_id: ids.rt_chatter, content: `live ${run}` },
    });
    expect(received[0].meta?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("chatroom:<id>:mods refuses anon (CHANNEL_ERROR); the owner subscribes and receives ban.created", async () => {
    const refused = client().channel(`chatroom:${room}:mods`, { config: { private: true } });
    const denied = await subscribe(refused);
    expect(denied.status).toBe("CHANNEL_ERROR");
    expect(denied.err?.message).toContain(`You do not have permissions to read from this Channel topic: chatroom:${room}:mods`);
    await refused.unsubscribe();

    const owner = await signedIn(ids.rt_owner);
    const { channel, received } = recording(owner, `chatroom:${room}:mods`, ["ban.created"]);
    expect((await subscribe(channel)).status).toBe("SUBSCRIBED");
    const ban = await owner.rpc("ban_user", { chatroom_id: room, user_id: ids.rt_other, reason: `spam ${run}`, duration_seconds: 600 });
    expect(ban.error).toBeNull();
    await until("ban.created", () => received.length > 0);
    expect(received[0].payload).toMatchObject({ chatroom_id: room, user_id: ids.rt_other, moderator: { id: ids.rt_owner } });
    await owner.rpc("unban_user", { chatroom_id: room, user_id: ids.rt_other });
  });

  it("user:<id> admits that user and refuses everyone else", async () => {
    const other = (await signedIn(ids.rt_other)).channel(`user:${ids.rt_chatter}`, { config: { private: true } });
    expect((await subscribe(other)).status).toBe("CHANNEL_ERROR");
    await other.unsubscribe();
    const own = (await signedIn(ids.rt_chatter)).channel(`user:${ids.rt_chatter}`, { config: { private: true } });
    expect((await subscribe(own)).status).toBe("SUBSCRIBED");
  });

  it("presence: an unbanned user's track reaches other clients; a banned user's track is refused", async () => {
    const owner = await signedIn(ids.rt_owner);
    const ban = await owner.rpc("ban_user", { chatroom_id: room, user_id: ids.rt_troll, duration_seconds: 600 });
    expect(ban.error).toBeNull();

    const watcher = client().channel(`chatroom:${room}`, { config: { private: true } });
    watcher.on("presence", { event: "sync" }, () => {});
    expect((await subscribe(watcher)).status).toBe("SUBSCRIBED");

    const chatter = (await signedIn(ids.rt_chatter)).channel(`chatroom:${room}`, { config: { private: true, presence: { key: ids.rt_chatter } } });
    expect((await subscribe(chatter)).status).toBe("SUBSCRIBED");
    expect(await chatter.track({ name: `chatter ${run}` })).toBe("ok");
    await until("the chatter's presence", () => ids.rt_chatter in watcher.presenceState());
    expect(watcher.presenceState()[ids.rt_chatter]).toEqual([expect.objectContaining({ name: `chatter ${run}` })]);

    const troll = (await signedIn(ids.rt_troll)).channel(`chatroom:${room}`, { config: { private: true, presence: { key: ids.rt_troll } } });
    expect((await subscribe(troll)).status).toBe("SUBSCRIBED"); // banned users still read the room
    expect(await troll.track({ name: "troll" })).toBe("error");

    // A later presence change proves the troll's diff would have arrived before it.
    expect(await chatter.untrack()).toBe("ok");
    await until("the chatter to leave", () => !(ids.rt_chatter in watcher.presenceState()));
    expect(watcher.presenceState()).not.toHaveProperty(ids.rt_troll);
    await owner.rpc("unban_user", { chatroom_id: room, user_id: ids.rt_troll });
  });

  it("a rolled-back broadcast is never sent; the next committed one is", async () => {
    const topic = `chatroom:${room}`;
    const { channel, received } = recording(client(), topic, ["test_probe.rolled_back", "test_probe.committed"]);
    expect((await subscribe(channel)).status).toBe("SUBSCRIBED");

    await expect(sql.begin(async (tx) => {
      await tx`select realtime.send(${sql.json({ run })}, 'test_probe.rolled_back', ${topic}, true)`;
      throw new Error("roll back");
    })).rejects.toThrow("roll back");
    await sql`select realtime.send(${sql.json({ run })}, 'test_probe.committed', ${topic}, true)`;
    // Notifications arrive in commit order, so had the rolled-back one been sent it would be first.
    await until("test_probe.committed", () => received.length > 0);
    expect(received.map((m) => m.event)).toEqual(["test_probe.committed"]);
  });

  it("public channel access is off: a public join is refused with PrivateOnly, a public message reaches no one", async () => {
    const topic = `chatroom:${room}`;
    const publicSide = client().channel(topic);
    const refused = await subscribe(publicSide);
    expect(refused.status).toBe("CHANNEL_ERROR");
    expect(refused.err?.message).toContain("PrivateOnly: This project only allows private channels");
    await publicSide.unsubscribe();

    const privateSide = recording(client(), topic, ["test_probe.public", "test_probe.private"]);
    expect((await subscribe(privateSide.channel)).status).toBe("SUBSCRIBED");
    await sql`select realtime.send(${sql.json({ run })}, 'test_probe.public', ${topic}, false)`;
    await sql`select realtime.send(${sql.json({ run })}, 'test_probe.private', ${topic}, true)`;
    // Delivered in commit order: once the private probe is in, the public one was passed over.
    await until("test_probe.private", () => privateSide.received.length > 0);
    expect(privateSide.received.map((m) => m.event)).toEqual(["test_probe.private"]);
  });

  it("a channel is closed when its access token expires and receives nothing after", async () => {
    const topic = `user:${ids.rt_chatter}`;
    const expiring = client(await token(ids.rt_chatter, Math.floor(Date.now() / 1000) + 3));
    const received: string[] = [];
    const channel = expiring.channel(topic, { config: { private: true } });
    channel.on("broadcast", { event: "test_probe.expiry" }, (m) => received.push(m.payload.n));
    const seen = statuses(channel);
    await until("SUBSCRIBED", () => seen.includes("SUBSCRIBED"));
    await sql`select realtime.send(${sql.json({ n: "before" })}, 'test_probe.expiry', ${topic}, true)`;
    await until("the broadcast before expiry", () => received.length === 1);

    await until("the channel to close at exp", () => seen.includes("CLOSED"), 10_000);
    const witness = recording(await signedIn(ids.rt_chatter), topic, ["test_probe.expiry"]);
    expect((await subscribe(witness.channel)).status).toBe("SUBSCRIBED");
    await sql`select realtime.send(${sql.json({ n: "after" })}, 'test_probe.expiry', ${topic}, true)`;
    // Both channels are served by the same delivery: once the witness has it, the expired one would too.
    await until("the witness to receive", () => witness.received.length === 1);
    expect(received).toEqual(["before"]);
  });

  it("a demoted moderator keeps chatroom:<id>:mods until a new access token re-checks authorization", async () => {
    const topic = `chatroom:${room}:mods`;
    const [{ channel }] = await sql`select channel_id as channel from public.chatrooms where id = ${room}`;
    await sql`insert into public.channel_roles (channel_id, user_id, role, granted_by) values (${channel}, ${ids.rt_other}, 'moderator', ${ids.rt_owner})`;
    let current = await token(ids.rt_other);
    const modClient = client(async () => current);
    const received: string[] = [];
    const modChannel = modClient.channel(topic, { config: { private: true } });
    modChannel.on("broadcast", { event: "test_probe.mods" }, (m) => received.push(m.payload.n));
    const seen = statuses(modChannel);
    await until("SUBSCRIBED", () => seen.includes("SUBSCRIBED"));

    await sql`delete from public.channel_roles where channel_id = ${channel} and user_id = ${ids.rt_other}`;
    await sql`select realtime.send(${sql.json({ n: "after demotion" })}, 'test_probe.mods', ${topic}, true)`;
    await until("the broadcast after demotion", () => received.length === 1);

    current = await token(ids.rt_other, "2h"); // what supabase-js does when its token is refreshed
    await modClient.realtime.setAuth();
    await until("the channel to close", () => seen.includes("CLOSED"));
    const owner = recording(await signedIn(ids.rt_owner), topic, ["test_probe.mods"]);
    expect((await subscribe(owner.channel)).status).toBe("SUBSCRIBED");
    await sql`select realtime.send(${sql.json({ n: "after refresh" })}, 'test_probe.mods', ${topic}, true)`;
    await until("the owner to receive", () => owner.received.length === 1);
    expect(received).toEqual(["after demotion"]);
  });
});
