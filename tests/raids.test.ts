// A raid end to end with supabase-js against the local gateway: a live streamer sends their viewers
// to another live channel, both audiences hear of it on their topics, and the raid is canceled in its
// first 90 s. SQL only sets the stage (users, live streams).
import type { SupabaseClient } from "@supabase/supabase-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "./db.ts";
import { client, closeClients, listen, token, until } from "./realtime-clients.ts";

const run = Math.random().toString(36).slice(2, 8);

const ids: Record<string, string> = {};
const channels: Record<string, string> = {};
const rooms: Record<string, string> = {};
const as: Record<string, SupabaseClient> = {};

beforeAll(async () => {
  for (const name of ["raider", "host", "watcher"]) {
    const [row] = await sql`select (private.provision_user(gen_random_uuid(), ${`${name}_${run}`}, ${`${name}_${run}@example.test`}, true)).id as id`;
    ids[name] = row.id as string;
    as[name] = client(await token(ids[name]));
    const [r] = await sql`select r.id, r.channel_id from public.chatrooms r join public.channels c on c.id = r.channel_id
                          where c.owner_id = ${ids[name]}`;
    rooms[name] = r.id as string;
    channels[name] = r.channel_id as string;
  }
  for (const name of ["raider", "host"]) {
    await sql`insert into public.livestreams (channel_id, title, viewer_count) values (${channels[name]}, ${`${name} live`}, 42)`;
  }
});

afterAll(async () => {
  await closeClients();
  await sql.end();
});

describe("a raid", () => {
  it("is announced on the raider's channel and in the target's chat, and can be canceled at once", async () => {
    const raiderChannel = await listen(as.watcher, `channel:${channels.raider}`);
    const hostRoom = await listen(as.watcher, `chatroom:${rooms.host}`);

    const started = await as.raider.rpc("start_raid", { target_channel_id: channels.host });
    expect(started.error).toBeNull();
    await until("raid.started and raid.incoming", () =>
      raiderChannel.some((m) => m.event === "raid.started") && hostRoom.some((m) => m.event === "raid.incoming"));
    expect(raiderChannel.find((m) => m.event === "raid.started")!.payload).toMatchObject({
      source_channel_id: channels.raider, target_channel_id: channels.host, target_slug: `host_${run}`, viewer_count: 42,
    });
    expect(hostRoom.find((m) => m.event === "raid.incoming")!.payload).toMatchObject({
      raider_channel_id: channels.raider, raider_slug: `raider_${run}`, viewer_count: 42,
    });

    const again = await as.raider.rpc("start_raid", { target_channel_id: channels.host });
    expect(again.error?.code).toBe("raid_cooldown");

    const canceled = await as.raider.rpc("cancel_raid", {});
    expect(canceled.error).toBeNull();
    await until("raid.canceled on both topics", () =>
      raiderChannel.some((m) => m.event === "raid.canceled") && hostRoom.some((m) => m.event === "raid.canceled"));
  });

  it("is refused to a viewer who is not staff of a live channel", async () => {
    const { error } = await as.watcher.rpc("start_raid", { target_channel_id: channels.host });
    expect(error?.code).toBe("raid_source_not_live");
  });
});
