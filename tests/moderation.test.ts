// A mod team's day, end to end with supabase-js against the local gateway (/rest/v1 and
// /realtime/v1): a bot raid met by lockdown and a clear, reports resolved, a ban appealed and
// approved, and a viewer who blocks a harasser and no longer sees them; then what the moderators'
// probe asked for: the user card, moderators anonymous to their targets, reports about staff and
// staff replies past blocks. Everything a client does goes over HTTP or WebSocket as that client;
// SQL is used only to set the stage and to look at realtime.messages, which no client may read
// directly.
import type { SupabaseClient } from "@supabase/supabase-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "./db.ts";
import { client, closeClients, listen, type Received, subscribe, token, until } from "./realtime-clients.ts";

const run = Math.random().toString(36).slice(2, 8);

const ids: Record<string, string> = {};
const as: Record<string, SupabaseClient> = {};
let room = "";
let channelId = "";

async function provision(name: string, ageDays: number): Promise<string> {
  const [row] = await sql`select (private.provision_user(gen_random_uuid(), ${`${name}_${run}`}, ${`${name}_${run}@example.test`}, true)).id as id`;
  await sql`update public.users set created_at = now() - make_interval(days => ${ageDays}) where id = ${row.id}`;
  return row.id as string;
}

beforeAll(async () => {
  for (const name of ["streamer", "mia", "viewer", "harasser"]) ids[name] = await provision(name, 365);
  for (const name of ["bot1", "bot2", "bot3"]) ids[name] = await provision(name, 0);
  const [r] = await sql`select r.id, r.channel_id from public.chatrooms r join public.channels c on c.id = r.channel_id
                        where c.owner_id = ${ids.streamer}`;
  room = r.id;
  channelId = r.channel_id;
  for (const name of Object.keys(ids)) as[name] = client(await token(ids[name]));
  const grant = await as.streamer.from("channel_roles").insert({ channel_id: channelId, user_id: ids.mia, role: "moderator" });
  expect(grant.error).toBeNull();
  // The viewer and the harasser have followed for a while, so lockdown's followers-only lets them in.
  await sql`insert into public.follows (user_id, channel_id, created_at)
            select u, ${channelId}::uuid, now() - interval '1 day' from unnest(${[ids.viewer, ids.harasser]}::uuid[]) u`;
});

afterAll(async () => {
  await closeClients();
  await sql.end();
});

describe("a mod team's day", () => {
  let mods: Received;
  let roomEvents: Received;
  let harasserInbox: Received;
  const botMessages: number[] = [];

  it("the moderator joins the mods topic; viewers cannot", async () => {
    mods = await listen(as.mia, `chatroom:${room}:mods`);
    roomEvents = await listen(as.viewer, `chatroom:${room}`);
    harasserInbox = await listen(as.harasser, `user:${ids.harasser}`);
    const denied = as.viewer.channel(`chatroom:${room}:mods`, { config: { private: true } });
    expect((await subscribe(denied)).status).toBe("CHANNEL_ERROR");
  });

  it("a bot raid is met with lockdown: new accounts are kept out, the raid is cleared and its text leaves replay", async () => {
    for (const bot of ["bot1", "bot2"]) {
      const { data, error } = await as[bot].rpc("send_message", { chatroom_id: room, content: `FREE FOLLOWERS ${bot} ${run}` });
      expect(error).toBeNull();
      botMessages.push((data as { id: number }).id);
    }

    const lock = await as.mia.rpc("set_chat_lockdown", { chatroom_id: room, enabled: true });
    expect(lock.error).toBeNull();
    expect(lock.data).toMatchObject({ is_active: true, followers_only_minutes: 10, min_account_age_minutes: 1440, require_verified_email: true });
    await until("lockdown.started and settings.updated", () =>
      roomEvents.some((m) => m.event === "lockdown.started") && roomEvents.some((m) => m.event === "settings.updated"));
    expect(roomEvents.find((m) => m.event === "settings.updated")!.payload).toMatchObject({ min_account_age_minutes: 1440, followers_only_minutes: 10 });

    const blocked = await as.bot3.rpc("send_message", { chatroom_id: room, content: `FREE FOLLOWERS bot3 ${run}` });
    expect(blocked.status).toBe(403);
    expect(blocked.error?.code).toBe("chat_account_too_new");
    const regular = await as.viewer.rpc("send_message", { chatroom_id: room, content: `stay strong chat ${run}` });
    expect(regular.error).toBeNull();

    expect((await as.mia.rpc("clear_chat", { chatroom_id: room })).error).toBeNull();
    await until("messages.cleared", () => roomEvents.some((m) => m.event === "messages.cleared"));
    const replay = await sql`select count(*)::int as n from realtime.messages
                             where topic = ${`chatroom:${room}`} and payload ->> 'content' like 'FREE FOLLOWERS%'`;
    expect(replay[0].n).toBe(0);
    // History too: anyone loading the room now gets every message as removed.
    const history = await client().from("messages").select("content").eq("chatroom_id", room);
    expect(history.data!.length).toBeGreaterThan(0);
    expect(history.data!.filter((m) => m.content !== null)).toEqual([]);
  });

  it("a viewer reports a bot; the moderator sees the report without the reporter, bans the bot and resolves it", async () => {
    const report = await as.viewer.from("reports").insert({ message_id: botMessages[0], reason: "spam", details: "raid bot" });
    expect(report.error).toBeNull();
    await until("report.created", () => mods.some((m) => m.event === "report.created"));
    const created = mods.find((m) => m.event === "report.created")!.payload;
    expect(created).toMatchObject({ message_id: botMessages[0], target_user_id: ids.bot1, reason: "spam", status: "open" });
    expect(created).not.toHaveProperty("reporter_id");

    const again = await as.viewer.from("reports").insert({ message_id: botMessages[0], reason: "spam" });
    expect(again.error?.code).toBe("report_already_open");
    expect(again.status).toBe(409);

    const queue = await as.mia.from("reports").select("id, message_id, reason, status").eq("chatroom_id", room).eq("status", "open");
    expect(queue.data).toEqual([{ id: created.id, message_id: botMessages[0], reason: "spam", status: "open" }]);
    const who = await as.mia.from("reports").select("reporter_id").eq("id", created.id);
    expect(who.error?.code).toBe("42501");

    expect((await as.mia.rpc("ban_user", { chatroom_id: room, user_id: ids.bot1, reason: "raid bot" })).error).toBeNull();
    const resolved = await as.mia.rpc("resolve_report", { report_id: created.id, status: "actioned", note: "banned" });
    expect(resolved.error).toBeNull();
    expect(resolved.data).toMatchObject({ status: "actioned", resolved_by: ids.mia });
    const closed = await as.streamer.rpc("resolve_report", { report_id: created.id, status: "dismissed" });
    expect(closed.error?.code).toBe("report_closed");
  });

  it("a harasser is banned, appeals, and the moderator approves: the ban is lifted and the harasser is told", async () => {
    expect((await as.harasser.rpc("send_message", { chatroom_id: room, content: `viewer is dumb ${run}` })).error).toBeNull();
    expect((await as.mia.rpc("ban_user", { chatroom_id: room, user_id: ids.harasser, reason: "harassment" })).error).toBeNull();
    await until("ban.received", () => harasserInbox.some((m) => m.event === "ban.received"));

    const appeal = await as.harasser.from("unban_requests").insert({ chatroom_id: room, text: "I am sorry, it will not happen again" });
    expect(appeal.error).toBeNull();
    await until("unban_request.created", () => mods.some((m) => m.event === "unban_request.created"));
    const request = mods.find((m) => m.event === "unban_request.created")!.payload;
    const twice = await as.harasser.from("unban_requests").insert({ chatroom_id: room, text: "please" });
    expect(twice.error?.code).toBe("unban_request_pending");

    const approved = await as.mia.rpc("resolve_unban_request", { request_id: request.id, approve: true, resolution_text: "last chance" });
    expect(approved.error).toBeNull();
    expect(approved.data).toMatchObject({ status: "approved", resolved_by: ids.mia });
    await until("unban_request.resolved", () => harasserInbox.some((m) => m.event === "unban_request.resolved"));
    expect(harasserInbox.find((m) => m.event === "unban_request.resolved")!.payload).toMatchObject({ status: "approved", resolution_text: "last chance" });
    await until("user.unbanned", () => roomEvents.some((m) => m.event === "user.unbanned" && m.payload.user_id === ids.harasser));
  });

  it("the viewer blocks the harasser and no longer sees their messages; anon still does", async () => {
    const block = await as.viewer.from("user_blocks").insert({ blocked_id: ids.harasser });
    expect(block.error).toBeNull();
    expect((await as.harasser.rpc("send_message", { chatroom_id: room, content: `still here ${run}` })).error).toBeNull();

    const mine = await as.viewer.from("messages").select("user_id, content").eq("chatroom_id", room).order("id", { ascending: false }).limit(50);
    expect(mine.error).toBeNull();
    expect(mine.data!.some((m) => m.user_id === ids.harasser)).toBe(false);
    expect(mine.data!.some((m) => m.user_id === ids.viewer)).toBe(true); // cleared earlier, still listed
    const everyone = await client().from("messages").select("user_id").eq("chatroom_id", room).eq("user_id", ids.harasser);
    expect(everyone.data).toHaveLength(2);
  });

  it("lockdown ends, the settings come back, and the whole day is in the moderators' log, newest first", async () => {
    const unlock = await as.streamer.rpc("set_chat_lockdown", { chatroom_id: room, enabled: false });
    expect(unlock.error).toBeNull();
    await until("lockdown.ended", () => roomEvents.some((m) => m.event === "lockdown.ended"));
    const settings = await as.viewer.from("chatrooms").select("followers_only_minutes, min_account_age_minutes, require_verified_email").eq("id", room).single();
    expect(settings.data).toEqual({ followers_only_minutes: null, min_account_age_minutes: null, require_verified_email: false });

    const log = await as.mia.from("moderation_actions").select("id, action, actor_id, target_user_id")
      .eq("chatroom_id", room).order("id", { ascending: false }).limit(50);
    expect(log.error).toBeNull();
    const actions = log.data!.map((a) => a.action).reverse();
    expect(actions).toEqual([
      "role.granted", "settings.updated", "lockdown.started", "messages.cleared", "user.banned", "report.resolved", "user.banned",
      "unban_request.resolved", "user.unbanned", "settings.updated", "lockdown.ended",
    ]);
    const page2 = await as.mia.from("moderation_actions").select("action").eq("chatroom_id", room).lt("id", log.data![4].id)
      .order("id", { ascending: false }).limit(2);
    expect(page2.data!.map((a) => a.action)).toEqual(["report.resolved", "user.banned"]);
    await until("moderation.action for every row", () => mods.filter((m) => m.event === "moderation.action").length >= actions.length - 1);

    const viewerLog = await as.viewer.from("moderation_actions").select("id").eq("chatroom_id", room);
    expect(viewerLog.data).toEqual([]);
    const anonLog = await client().from("moderation_actions").select("id");
    expect(anonLog.status).toBe(401);
  });
});

describe("the moderators' probe: user cards, anonymous moderators, reports about staff, replies past blocks", () => {
  const name = (who: string) => `${who}_${run}`;

  it("a moderator's user card shows the follow, subscription, record and messages of a user the moderator blocks", async () => {
    await sql`insert into public.subscriptions (channel_id, user_id, tier, cumulative_months, started_at, current_period_end)
              values (${channelId}, ${ids.harasser}, 2, 3, now() - interval '3 months', now() + interval '20 days')`;
    expect((await as.mia.from("user_blocks").insert({ blocked_id: ids.harasser })).error).toBeNull();
    const own = await as.mia.from("messages").select("id").eq("chatroom_id", room).eq("user_id", ids.harasser);
    expect(own.data).toEqual([]); // the moderator's own history reads leave the harasser out

    const card = await as.mia.rpc("chat_user_card", { chatroom_id: room, user_id: ids.harasser });
    expect(card.error).toBeNull();
    expect(card.data).toMatchObject({
      user_id: ids.harasser, username: name("harasser"), roles: [], ban: null, timeouts: 0, bans: 1, open_reports: 0, message_count: 2,
      subscription: { tier: 2, cumulative_months: 3, is_gift: false },
    });
    expect(new Date(card.data.followed_at).getTime()).toBeLessThan(Date.now() - 23 * 3600_000);
    expect(card.data.messages.map((m: { user_id: string }) => m.user_id)).toEqual([ids.harasser, ids.harasser]);
    expect(card.data.messages[0].id).toBeGreaterThan(card.data.messages[1].id); // newest first

    const bot = await as.streamer.rpc("chat_user_card", { chatroom_id: room, user_id: ids.bot1 });
    expect(bot.data.ban).toMatchObject({ reason: "raid bot", expires_at: null, banned_by: { id: ids.mia, username: name("mia") } });
    expect(bot.data.open_reports).toBe(0);

    const viewer = await as.viewer.rpc("chat_user_card", { chatroom_id: room, user_id: ids.harasser });
    expect([viewer.status, viewer.error?.code]).toEqual([403, "not_staff"]);
    const anon = await client().rpc("chat_user_card", { chatroom_id: room, user_id: ids.harasser });
    expect([anon.status, anon.error?.code]).toEqual([401, "auth_required"]);
    const unknown = await as.mia.rpc("chat_user_card", { chatroom_id: room, user_id: crypto.randomUUID() });
    expect([unknown.status, unknown.error?.code]).toEqual([404, "not_found"]);
  });

  it("the banned bot reads its ban but not who banned it; the reporter reads the outcome but not who resolved it", async () => {
    const ban = await as.bot1.from("chatroom_bans").select("reason, expires_at").eq("chatroom_id", room);
    expect(ban.data).toEqual([{ reason: "raid bot", expires_at: null }]);
    const who = await as.bot1.from("chatroom_bans").select("reason, moderator:users!banned_by(username)").eq("chatroom_id", room);
    expect(who.error?.code).toBe("42501");
    expect((await as.bot1.from("chatroom_bans").select()).error?.code).toBe("42501"); // select() = *: name the columns

    const outcome = await as.viewer.from("reports").select("status").eq("chatroom_id", room);
    expect(outcome.data).toEqual([{ status: "actioned" }]);
    expect((await as.viewer.from("reports").select("resolved_by")).error?.code).toBe("42501");
    const answer = await as.harasser.from("unban_requests").select("status, resolution_text").eq("chatroom_id", room);
    expect(answer.data).toEqual([{ status: "approved", resolution_text: "last chance" }]);
    expect((await as.harasser.from("unban_requests").select("resolved_by")).error?.code).toBe("42501");

    // Staff find the moderator in the log.
    const log = await as.streamer.from("moderation_actions").select("actor_id").eq("chatroom_id", room)
      .eq("action", "user.banned").eq("target_user_id", ids.bot1);
    expect(log.data).toEqual([{ actor_id: ids.mia }]);
  });

  it("a user who blocks the moderator still gets the moderator's reply; a viewer they block does not reach them", async () => {
    const blocks = await as.harasser.from("user_blocks").insert([{ blocked_id: ids.mia }, { blocked_id: ids.viewer }]);
    expect(blocks.error).toBeNull();
    const sent = await as.harasser.rpc("send_message", { chatroom_id: room, content: `mods are clowns ${run}` });
    expect(sent.error).toBeNull();
    const parent = (sent.data as { id: number }).id;

    const reply = await as.mia.rpc("send_message", { chatroom_id: room, content: `Keep it civil ${run}`, reply_to_id: parent });
    expect(reply.error).toBeNull();
    expect(reply.data).toMatchObject({ reply_to_id: parent, user_id: ids.mia });
    const viewer = await as.viewer.rpc("send_message", { chatroom_id: room, content: `lol ${run}`, reply_to_id: parent });
    expect([viewer.status, viewer.error?.code, JSON.parse(viewer.error!.details).reason]).toEqual([422, "message_invalid", "reply_blocked"]);
  });

  it("a report about a moderator reaches the owner alone, who resolves it; the moderator can neither read nor dismiss it", async () => {
    const ownerInbox = await listen(as.streamer, `user:${ids.streamer}`);
    const said = await as.mia.rpc("send_message", { chatroom_id: room, content: `you are all banned soon ${run}` });
    expect(said.error).toBeNull();
    const report = await as.viewer.from("reports").insert({ message_id: (said.data as { id: number }).id, reason: "harassment" });
    expect(report.error).toBeNull();
    await until("report.created on the owner's topic", () => ownerInbox.some((m) => m.event === "report.created"));
    const created = ownerInbox.find((m) => m.event === "report.created")!.payload;
    expect(created).toMatchObject({ target_user_id: ids.mia, status: "open" });
    expect(created).not.toHaveProperty("reporter_id");
    const onMods = await sql`select count(*)::int as n from realtime.messages where topic = ${`chatroom:${room}:mods`}
                             and event = 'report.created' and (payload ->> 'id')::bigint = ${created.id}`;
    expect(onMods[0].n).toBe(0); // not on the mods topic, which the reported moderator hears

    const mine = await as.mia.from("reports").select("id").eq("id", created.id);
    expect(mine.data).toEqual([]);
    const dismiss = await as.mia.rpc("resolve_report", { report_id: created.id, status: "dismissed" });
    expect([dismiss.status, dismiss.error?.code]).toEqual([404, "not_found"]); // as for a report that does not exist
    const resolved = await as.streamer.rpc("resolve_report", { report_id: created.id, status: "actioned", note: "talked to mia" });
    expect(resolved.error).toBeNull();
    expect(resolved.data).toMatchObject({ status: "actioned", resolution_note: "talked to mia" });
  });

  it("a ban reason with a control character answers invalid_argument, naming the argument and no row", async () => {
    const bad = await as.mia.rpc("ban_user", { chatroom_id: room, user_id: ids.bot2, reason: "spam\u0007", duration_seconds: 60 });
    expect([bad.status, bad.error?.code, JSON.parse(bad.error!.details)]).toEqual([422, "invalid_argument", { argument: "reason" }]);
    expect(JSON.stringify(bad.error)).not.toContain(ids.bot2);
    const appeal = await as.bot1.from("unban_requests").insert({ chatroom_id: room, text: "sorry\u202e" });
    expect([appeal.status, appeal.error?.code, JSON.parse(appeal.error!.details)]).toEqual([422, "invalid_argument", { argument: "text" }]);
  });
});
