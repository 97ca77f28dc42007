// A mod team's day, end to end with supabase-js against the local gateway (/rest/v1 and
// /realtime/v1): a bot raid met by lockdown and a clear, reports resolved, a ban appealed and
// approved, and a viewer who blocks a harasser and no longer sees them. Everything a client does
// goes over HTTP or WebSocket as that client; SQL is used only to set the stage and to look at
// realtime.messages, which no client may read directly.
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
