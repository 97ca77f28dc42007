// Chat end to end, the way a frontend reaches it: supabase-js over HTTP through the local Data API,
// errors as {code, message, details} with the response's status. The races send real concurrent
// requests to show that slow mode and the rate limit hold when sends arrive at the same time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "./db.ts";
import { holdOpen } from "./hold-open.ts";
import { client, closeClients, received, signedIn, subscribe, until } from "./realtime-clients.ts";
import type { ErrorCode, ErrorDetails, StreamzError } from "../supabase/functions/_shared/contract.types.ts";

afterAll(async () => {
  await closeClients();
  await sql.end();
});

const run = Math.random().toString(36).slice(2, 8);
const ids: Record<string, string> = {};
let room = "";

interface ApiError {
  code: string;
  message: string;
  details: unknown;
  status: number;
}

async function provision(name: string): Promise<string> {
  const username = `${name}_${run}`;
  const [row] = await sql`select (private.provision_user(gen_random_uuid(), ${username}, ${username + "@example.test"}, true)).id`;
  return row.id as string;
}

/** `supabase.rpc(name, args)` as `userId` (anon without one): the data, or the error with its status and parsed details. */
async function rpc(userId: string | null, name: string, args: Record<string, unknown>) {
  const caller = userId ? await signedIn(userId) : client();
  const { data, error, status } = await caller.rpc(name, args);
  if (!error) return { data: data as Record<string, unknown> };
  const details = typeof error.details === "string" && error.details.startsWith("{") ? JSON.parse(error.details) : error.details ?? null;
  return { error: { code: error.code, message: error.message, details, status } as ApiError };
}

const send = (userId: string, content: string) => rpc(userId, "send_message", { chatroom_id: room, content });

beforeAll(async () => {
  for (const name of ["owner", "racer", "burst", "mod", "troll", "fan"]) ids[name] = await provision(name);
  const [r] = await sql`select r.id from public.chatrooms r join public.channels c on c.id = r.channel_id
                        where c.owner_id = ${ids.owner}`;
  room = r.id;
  await sql`insert into public.channel_roles (channel_id, user_id, role)
            select channel_id, ${ids.mod}, 'moderator' from public.chatrooms where id = ${room}`;
});

describe("sending messages", () => {
  it("a signed-in user sends a message and gets the stored row", async () => {
    const { data, error } = await send(ids.mod, "  hello from vitest  ");
    expect(error).toBeUndefined();
    expect(data).toMatchObject({ chatroom_id: room, user_id: ids.mod, content: "hello from vitest" });
    expect((data!.sender as { username: string }).username).toBe(`mod_${run}`);
  });

  it("refusals come back as the contract's codes, statuses and details", async () => {
    expect((await send(ids.mod, "x".repeat(501))).error).toMatchObject({ code: "message_invalid", status: 422 });
    expect((await rpc(null, "send_message", { chatroom_id: room, content: "hi" })).error).toMatchObject({
      code: "auth_required", status: 401,
    });
    expect((await rpc(ids.mod, "ban_user", { chatroom_id: room, user_id: ids.owner })).error).toMatchObject({
      code: "cannot_target_staff", status: 403,
    });
  });

  it("every RPC but chat_identity answers anon with auth_required (401)", async () => {
    const someone = "00000000-0000-4000-8000-000000000001";
    const calls: [string, Record<string, unknown>][] = [
      ["send_message", { chatroom_id: room, content: "hi" }], ["delete_message", { message_id: 1 }],
      ["ban_user", { chatroom_id: room, user_id: someone }], ["unban_user", { chatroom_id: room, user_id: someone }],
      ["clear_chat", { chatroom_id: room }], ["pin_message", { message_id: 1 }], ["unpin_message", { chatroom_id: room }],
      ["resolve_report", { report_id: 1, status: "dismissed" }], ["resolve_unban_request", { request_id: 1, approve: false }],
      ["set_chat_lockdown", { chatroom_id: room, enabled: true }], ["mark_all_notifications_read", {}],
      ["start_raid", { target_channel_id: someone }], ["cancel_raid", {}],
    ];
    for (const [name, args] of calls) {
      expect((await rpc(null, name, args)).error, name).toMatchObject({ code: "auth_required", status: 401 });
    }
  });

  it("a blocked term is refused with 403 while moderators still hear about it", async () => {
    await sql`insert into public.chatroom_blocked_terms (chatroom_id, term, created_by) values (${room}, 'spoil*', ${ids.owner})`;
    const { error } = await send(ids.troll, "huge SPOILERS ahead");
    expect(error).toEqual({
      code: "chat_blocked_term", message: "Your message contains a term this chat does not allow.", details: null, status: 403,
    });
    const events = await sql`select payload from realtime.messages
                             where topic = ${`chatroom:${room}:mods`} and event = 'message.blocked'`;
    expect(events.map((e) => e.payload.user_id)).toContain(ids.troll);
    const stored = await sql`select count(*)::int as n from public.messages where user_id = ${ids.troll}`;
    expect(stored[0].n).toBe(0);
  });
});

describe("sending through supabase-js, typed by the contract", () => {
  it("a sent message reaches the room's subscribers as message.created, the stored row", async () => {
    const sender = await signedIn(ids.mod);
    const listener = await signedIn(ids.owner);
    const channel = listener.channel(`chatroom:${room}`, { config: { private: true } });
    const created = received(channel, "chatroom", "message.created");
    expect((await subscribe(channel)).status).toBe("SUBSCRIBED");
    const { data, error } = await sender.rpc("send_message", { chatroom_id: room, content: `typed ${run}` });
    expect(error).toBeNull();
    await until("message.created", () => created.some((m) => m.id === data.id));
    const event = created.find((m) => m.id === data.id)!;
    expect(event).toEqual(data);
    expect(event.sender.username).toBe(`mod_${run}`);
  });

  it("a new subscription is announced in the channel's chatroom", async () => {
    const listener = await signedIn(ids.owner);
    const channel = listener.channel(`chatroom:${room}`, { config: { private: true } });
    const announced = received(channel, "chatroom", "subscription.created");
    expect((await subscribe(channel)).status).toBe("SUBSCRIBED");
    await sql`insert into public.subscriptions (channel_id, user_id, tier, cumulative_months, started_at, current_period_end)
              select channel_id, ${ids.burst}, 2, 3, now(), now() + interval '30 days' from public.chatrooms where id = ${room}`;
    await until("subscription.created", () => announced.length > 0);
    expect(announced[0]).toMatchObject({ user_id: ids.burst, username: `burst_${run}`, tier: 2, cumulative_months: 3, is_gift: false });
  });

  it("a refusal carries a contract code and its typed details", async () => {
    const chatter = await signedIn(ids.troll);
    const { error } = await chatter.rpc("send_message", { chatroom_id: room, content: "x".repeat(501) });
    const refusal = { ...error, details: JSON.parse(error!.details) } as unknown as StreamzError;
    expect(refusal.code satisfies ErrorCode).toBe("message_invalid");
    if (refusal.code === "message_invalid") expect(refusal.details?.reason).toBe("length");
  });
});

describe("racing sends", () => {
  it("sends racing past slow mode cannot both get through", async () => {
    await sql`update public.chatrooms set slow_mode_seconds = 30 where id = ${room}`;
    try {
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => send(ids.racer, `race ${i}`)));
      const sent = results.filter((r) => r.data);
      const refused = results.filter((r) => r.error);
      expect(sent).toHaveLength(1);
      expect(refused.map((r) => r.error!.code)).toEqual(Array(5).fill("chat_slow_mode"));
      expect(refused.map((r) => r.error!.status)).toEqual(Array(5).fill(429));
      expect(refused.every((r) => (r.error!.details as ErrorDetails<"chat_slow_mode">).retry_after_seconds >= 1)).toBe(true);
    } finally {
      await sql`update public.chatrooms set slow_mode_seconds = 0 where id = ${room}`;
    }
  });

  it("sends racing for the last slot of the rate limit cannot all get through", async () => {
    await sql`insert into public.messages (chatroom_id, user_id, content, sender)
              select ${room}, ${ids.burst}, 'warm up ' || g, private.chat_identity(${room}, ${ids.burst})
              from generate_series(1, 18) g`;
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => send(ids.burst, `burst ${i}`)));
    expect(results.filter((r) => r.data)).toHaveLength(2); // the 19th and 20th message
    expect(results.filter((r) => r.error).map((r) => r.error!.code)).toEqual(Array(4).fill("chat_rate_limited"));
    const [count] = await sql`select count(*)::int as n from public.messages
                              where user_id = ${ids.burst} and created_at > now() - interval '30 seconds'`;
    expect(count.n).toBe(20);
  });
});

/** Resolves once another session waits for a lock held by the session `pid`. */
const blockedBy = (pid: number) =>
  until(`a session waiting for session ${pid}`, async () =>
    (await sql`select count(*)::int as n from pg_stat_activity where ${pid}::int = any (pg_blocking_pids(pid))`)[0].n > 0);

describe("a ban and the banned user's sends in flight", () => {
  it("a ban waits for a send in flight, then scrubs its text, so nothing lands after it", async () => {
    const victim = await provision("inflight");
    // A send as send_message makes it: the sender's lock for the room first, then the message (and its
    // message.created broadcast), committed only when released.
    const inFlight = await holdOpen(sql, async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtextextended('chat:' || ${room}::text || ':' || ${victim}::text, 0))`;
      await tx`insert into public.messages (chatroom_id, user_id, content, sender)
               values (${room}, ${victim}, 'sent while being banned', private.chat_identity(${room}, ${victim}))`;
    });
    const ban = rpc(ids.owner, "ban_user", { chatroom_id: room, user_id: victim, reason: "spam" });
    await blockedBy(inFlight.pid).finally(inFlight.commit);
    expect((await ban).error).toBeUndefined();
    const broadcasts = await sql`select payload ->> 'content' as content from realtime.messages
                                 where topic = ${"chatroom:" + room} and event = 'message.created'
                                   and payload ->> 'user_id' = ${victim}`;
    expect(broadcasts).toHaveLength(1);
    expect(broadcasts[0].content).toBeNull();
  });
});

describe("a pin and a ban of its author at the same time", () => {
  it("the pin waits for the ban, finds the message removed, and nothing keeps its text", async () => {
    const author = await provision("pinned");
    const [message] = await sql`insert into public.messages (chatroom_id, user_id, content, sender)
      values (${room}, ${author}, 'pin me before the ban', private.chat_identity(${room}, ${author})) returning id`;
    // The ban, as ban_user writes it (its trigger removes the author's messages), committed only when released.
    const banning = await holdOpen(sql, (tx) =>
      tx`insert into public.chatroom_bans (chatroom_id, user_id, banned_by, reason) values (${room}, ${author}, ${ids.owner}, 'spam')`);
    const pin = rpc(ids.mod, "pin_message", { message_id: Number(message.id) });
    await blockedBy(banning.pid).finally(banning.commit);
    expect((await pin).error).toMatchObject({ code: "not_found" });
    const [pinned] = await sql`select pinned_message_id from public.chatrooms where id = ${room}`;
    expect(pinned.pinned_message_id).not.toBe(message.id);
    const kept = await sql`select 1 from realtime.messages where topic = ${"chatroom:" + room}
                           and payload::text like '%pin me before the ban%'`;
    expect(kept).toHaveLength(0);
  });
});

describe("what a send reads, kept right under concurrent writes", () => {
  it("a follow and a role given at the same time both reach the sender's facts", async () => {
    // The fan already has a facts row (a colour), so both writes update the same row.
    await sql`insert into public.chat_identities (chatroom_id, user_id, color) values (${room}, ${ids.fan}, '#123456')`;
    // Keeps the facts row locked until the grant below is waiting for it.
    const follow = await holdOpen(sql, (tx) =>
      tx`insert into public.follows (user_id, channel_id) select ${ids.fan}, channel_id from public.chatrooms where id = ${room}`);
    const grant = sql`insert into public.channel_roles (channel_id, user_id, role)
                      select channel_id, ${ids.fan}, 'og' from public.chatrooms where id = ${room}`.execute();
    await blockedBy(follow.pid).finally(follow.commit);
    await grant;
    const [facts] = await sql`select followed_at is not null as followed, roles from private.chat_sender_facts
                              where chatroom_id = ${room} and user_id = ${ids.fan}`;
    expect(facts).toEqual({ followed: true, roles: ["og"] });
    const sent = await send(ids.fan, "og and following");
    expect((sent.data as { sender: { badges: { type: string }[] } }).sender.badges.map((b) => b.type)).toEqual(["og"]);
  });

  it("an emote added while a send rebuilds the room's emotes is in the rebuilt set", async () => {
    const code = `Race${Math.random().toString(36).slice(2, 8)}`;
    await sql`delete from private.chatroom_emote_sets where chatroom_id = ${room}`;
    const addEmote = await holdOpen(sql, (tx) =>
      tx`insert into public.emotes (channel_id, code, image_url)
         select channel_id, ${code}, 'https://cdn.example.test/race.png' from public.chatrooms where id = ${room}`);
    const racing = send(ids.mod, `${code} first`); // finds no set and waits to build it
    await blockedBy(addEmote.pid).finally(addEmote.commit);
    const first = await racing;
    const later = await send(ids.mod, `${code} later`);
    for (const r of [first, later]) {
      expect((r.data as { emotes: { code: string }[] }).emotes.map((e) => e.code)).toEqual([code]);
    }
  });
});
