// supabase-js against the local stack's /rest/v1 (the PostgREST-compatible local Data API in
// supabase/platform/data-api.ts): tables and RPCs over real HTTP, with the errors and statuses a
// frontend sees from hosted PostgREST. Users are set up with SQL (as production provisions them);
// everything a frontend does goes through `createClient(apiUrl, anonKey, { accessToken })`.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonKey, apiUrl, jwtSecret, serviceRoleKey } from "./env.ts";
import { sql } from "./db.ts";

afterAll(() => sql.end());

const NOVA = "a1b2c3d4-0001-4000-8000-000000000001";
const PETE = "a1b2c3d4-0002-4000-8000-000000000002";
const run = Math.random().toString(36).slice(2, 8);

async function token(sub: string, claims: Record<string, unknown> = {}): Promise<string> {
  return await new SignJWT({ sub, role: "authenticated", aud: "authenticated", ...claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(jwtSecret));
}

// Node 20 has no WebSocket and supabase-js builds its Realtime client eagerly; these tests never
// open a channel (tests/realtime.test.ts covers Realtime), so a transport that refuses is enough.
class NoRealtime {
  constructor() {
    throw new Error("This test file does not use Realtime.");
  }
}
const options = { realtime: { transport: NoRealtime as unknown as typeof WebSocket } };
const anon = createClient(apiUrl, anonKey, options);
const service = createClient(apiUrl, serviceRoleKey, options);
async function signedIn(userId: string): Promise<SupabaseClient> {
  const accessToken = await token(userId);
  return createClient(apiUrl, anonKey, { ...options, accessToken: async () => accessToken });
}

async function provision(base: string): Promise<string> {
  const [row] = await sql`select (private.provision_user(gen_random_uuid(), ${`${base}_${run}`}, null, true)).id as id`;
  return row.id as string;
}

const ids: Record<string, string> = {};
let room = "";
let channel = "";
let novaBio = "";

beforeAll(async () => {
  for (const name of ["owner", "chatter", "troll"]) ids[name] = await provision(name);
  const [r] = await sql`select r.id as room, c.id as channel from public.chatrooms r join public.channels c on c.id = r.channel_id
                        where c.owner_id = ${ids.owner}`;
  room = r.room;
  channel = r.channel;
  [{ bio: novaBio }] = await sql`select bio from public.users where id = ${NOVA}`;
});

afterAll(async () => {
  await sql`update public.users set bio = ${novaBio} where id = ${NOVA}`;
});

describe("tables", () => {
  it("an insert reads back only the selected columns, so a table with ungranted columns can return its row", async () => {
    const chatter = await signedIn(ids.chatter);
    const { data, error, status } = await chatter.from("reports")
      .insert({ target_user_id: ids.troll, reason: "spam" }).select("id, status, reason").single();
    expect(error).toBeNull();
    expect(status).toBe(201);
    expect(data).toMatchObject({ status: "open", reason: "spam" });
    // reporter_id is not granted to the reporter: asking for every column is refused, as on PostgREST.
    const all = await chatter.from("reports").insert({ target_user_id: ids.owner, reason: "spam" }).select();
    expect(all.error).toMatchObject({ code: "42501" });
    await sql`delete from public.reports where reporter_id = ${ids.chatter}`;
  });

  it("anon reads public profiles but not notification preferences (42501, 401)", async () => {
    const users = await anon.from("users").select("username").eq("username", "nova");
    expect(users.data).toEqual([{ username: "nova" }]);
    const prefs = await anon.from("notification_preferences").select("*");
    expect(prefs.error).toMatchObject({ code: "42501" });
    expect(prefs.status).toBe(401);
  });

  it("a signed-in user sees only their own notification preferences", async () => {
    const { data, error } = await (await signedIn(NOVA)).from("notification_preferences").select("user_id");
    expect(error).toBeNull();
    expect(data).toEqual([{ user_id: NOVA }]);
  });

  it("anon reads profiles with filters, order, limit and an exact count", async () => {
    const { data, error, count, status } = await anon.from("users").select("id, username", { count: "exact" })
      .in("username", ["nova", "pixelpete", "not-a-user"]).order("username", { ascending: false }).limit(5);
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toEqual([{ id: PETE, username: "pixelpete" }, { id: NOVA, username: "nova" }]);
    expect(count).toBe(2);
    const { data: named } = await anon.from("users").select("name:username").ilike("username", "NOV%").is("avatar_url", null).limit(1);
    expect(named).toEqual([]);
    const { data: one } = await anon.from("users").select("username").eq("id", NOVA).single();
    expect(one).toEqual({ username: "nova" });
  });

  it("boolean filters keep their meaning: eq true finds the live channel, eq false excludes it", async () => {
    const live = await anon.from("channels").select("slug").eq("is_live", true);
    expect(live.error).toBeNull();
    expect(live.data!.map((c) => c.slug)).toContain("nova");
    expect(live.data!.map((c) => c.slug)).not.toContain("pixelpete");
    const offline = await anon.from("channels").select("slug").eq("is_live", false);
    expect(offline.data!.map((c) => c.slug)).not.toContain("nova");
    expect(offline.data!.map((c) => c.slug)).toContain("pixelpete");
  });

  it("a signed-in user updates their own bio, and another's matches 0 rows", async () => {
    const nova = await signedIn(NOVA);
    const own = await nova.from("users").update({ bio: `bio via data api ${run}` }).eq("id", NOVA).select("id, bio");
    expect(own.error).toBeNull();
    expect(own.data).toEqual([{ id: NOVA, bio: `bio via data api ${run}` }]);
    const other = await nova.from("users").update({ bio: "hijacked" }).eq("id", PETE).select();
    expect(other.error).toBeNull();
    expect(other.data).toEqual([]);
    const [pete] = await sql`select bio from public.users where id = ${PETE}`;
    expect(pete.bio).not.toBe("hijacked");
  });

  it("follows a channel with insert({channel_id}), reads it back and unfollows", async () => {
    const nova = await signedIn(NOVA);
    const { error, status } = await nova.from("follows").insert({ channel_id: channel });
    expect(error).toBeNull();
    expect(status).toBe(201);
    const { data } = await nova.from("follows").select("user_id, channel_id").eq("channel_id", channel).maybeSingle();
    expect(data).toEqual({ user_id: NOVA, channel_id: channel });
    const again = await nova.from("follows").insert({ channel_id: channel });
    expect(again.error?.code).toBe("23505");
    expect(again.status).toBe(409);
    const removed = await nova.from("follows").delete().eq("channel_id", channel).select("channel_id");
    expect(removed.data).toEqual([{ channel_id: channel }]);
  });

  it("a denied insert answers 403 with 42501 (401 for anon)", async () => {
    const nova = await signedIn(NOVA);
    const { error, status } = await nova.from("follows").insert({ user_id: PETE, channel_id: channel });
    expect(status).toBe(403);
    expect(error?.code).toBe("42501");
    const asAnon = await anon.from("follows").insert({ channel_id: channel });
    expect(asAnon.status).toBe(401);
    expect(asAnon.error?.code).toBe("42501");
  });

  it("an update or delete without a filter is refused with 400 and 21000 and changes nothing (hosted pg-safeupdate)", async () => {
    const nova = await signedIn(NOVA);
    await nova.from("follows").insert({ channel_id: channel });
    const del = await nova.from("follows").delete();
    expect([del.status, del.error?.code, del.error?.message]).toEqual([400, "21000", "DELETE requires a WHERE clause"]);
    const upd = await nova.from("follows").update({ notifications: false });
    expect([upd.status, upd.error?.code, upd.error?.message]).toEqual([400, "21000", "UPDATE requires a WHERE clause"]);
    const { data } = await nova.from("follows").select("notifications").eq("channel_id", channel).single();
    expect(data).toEqual({ notifications: true });
    await nova.from("follows").delete().eq("channel_id", channel);
  });

  it("writes answer as PostgREST does: an upsert that only updates is 200, every write has a Content-Range", async () => {
    const follows = () => sql`select user_id, notifications from public.follows where channel_id = ${channel} order by user_id`;
    try {
      const first = await service.from("follows").upsert({ user_id: NOVA, channel_id: channel, notifications: true }, { onConflict: "user_id,channel_id" });
      expect([first.error, first.status]).toEqual([null, 201]);
      const again = await service.from("follows").upsert({ user_id: NOVA, channel_id: channel, notifications: false }, { onConflict: "user_id,channel_id" })
        .select("notifications");
      expect([again.error, again.status, again.data]).toEqual([null, 200, [{ notifications: false }]]);
      const mixed = await service.from("follows").upsert([
        { user_id: NOVA, channel_id: channel, notifications: true },
        { user_id: PETE, channel_id: channel, notifications: true },
      ], { onConflict: "user_id,channel_id" });
      expect([mixed.error, mixed.status]).toEqual([null, 201]);
      expect(await follows()).toEqual([{ user_id: NOVA, notifications: true }, { user_id: PETE, notifications: true }].sort((a, b) => a.user_id < b.user_id ? -1 : 1));

      const write = async (method: string, query: string, prefer: string, body?: unknown) => {
        const res = await fetch(`${apiUrl}/rest/v1/follows?${query}`, {
          method,
          headers: { apikey: serviceRoleKey, authorization: `Bearer ${serviceRoleKey}`, "content-type": "application/json", prefer },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        await res.body?.cancel();
        return [res.status, res.headers.get("content-range")];
      };
      expect(await write("PATCH", `channel_id=eq.${channel}`, "return=minimal", { notifications: true })).toEqual([204, "0-1/*"]);
      expect(await write("PATCH", `channel_id=eq.${channel}`, "count=exact", { notifications: true })).toEqual([204, "0-1/2"]);
      expect(await write("PATCH", `channel_id=eq.${channel}&user_id=eq.${ids.troll}`, "count=exact", { notifications: true }))
        .toEqual([204, "*/0"]);
      expect(await write("POST", "on_conflict=user_id,channel_id", "resolution=merge-duplicates,count=exact", { user_id: NOVA, channel_id: channel }))
        .toEqual([200, "*/1"]);
      expect(await write("DELETE", `channel_id=eq.${channel}&user_id=eq.${ids.troll}`, "return=minimal")).toEqual([204, "*/*"]);
    } finally {
      await sql`delete from public.follows where channel_id = ${channel}`;
    }
  });

  it("limit on an update or delete is refused and changes nothing; maxAffected caps the rows changed (PGRST124)", async () => {
    await sql`insert into public.follows (user_id, channel_id) values (${NOVA}, ${channel}), (${PETE}, ${channel})`;
    const notified = async () => (await sql`select count(*)::int as n from public.follows where channel_id = ${channel} and notifications`)[0].n;
    try {
      const limited = await service.from("follows").update({ notifications: false }).eq("channel_id", channel).order("user_id").limit(1);
      expect([limited.status, limited.error?.code]).toEqual([400, "PGRST100"]);
      expect(limited.error?.message).toBe("The local Data API does not support limit on PATCH");
      const limitedDelete = await service.from("follows").delete().eq("channel_id", channel).order("user_id").limit(1);
      expect([limitedDelete.status, limitedDelete.error?.code]).toEqual([400, "PGRST100"]);
      expect(await notified()).toBe(2);

      const capped = await service.from("follows").update({ notifications: false }).eq("channel_id", channel).maxAffected(1);
      expect([capped.status, capped.error?.code, capped.error?.message, capped.error?.details])
        .toEqual([400, "PGRST124", "Query result exceeds max-affected preference constraint", "The query affects 2 rows"]);
      expect(await notified()).toBe(2); // rolled back
      const cappedDelete = await service.from("follows").delete().eq("channel_id", channel).maxAffected(1);
      expect(cappedDelete.error?.code).toBe("PGRST124");
      expect(await notified()).toBe(2);
      const within = await service.from("follows").update({ notifications: false }).eq("channel_id", channel).maxAffected(2);
      expect([within.error, within.status]).toEqual([null, 204]);
      expect(await notified()).toBe(0);
    } finally {
      await sql`delete from public.follows where channel_id = ${channel}`;
    }
  });

  it("a request runs under its role's own statement_timeout (3 s for anon, 8 s for authenticated)", async () => {
    // A probe RPC that exists only during this test, reporting the setting the request ran with.
    const fn = `timeout_probe_${run}`;
    await sql.unsafe(`create function public.${fn}() returns text language sql stable as $$ select current_setting('statement_timeout') $$;
      grant execute on function public.${fn}() to anon, authenticated;
      comment on function public.${fn}() is 'test-only: tests/data-api.test.ts reads the request''s statement_timeout'`);
    try {
      expect((await anon.rpc(fn)).data).toBe("3s");
      expect((await (await signedIn(NOVA)).rpc(fn)).data).toBe("8s");
    } finally {
      await sql.unsafe(`drop function public.${fn}()`);
    }
  });

  it(".single() on a missing row gives PGRST116 with 406", async () => {
    const { data, error, status } = await anon.from("users").select("id").eq("id", "00000000-0000-4000-8000-000000000000").single();
    expect(data).toBeNull();
    expect(status).toBe(406);
    expect(error).toMatchObject({ code: "PGRST116", details: "The result contains 0 rows" });
  });

  it("unknown tables, unknown columns, embedding and bad values answer like PostgREST", async () => {
    const table = await anon.from("nope").select();
    expect([table.status, table.error?.code]).toEqual([404, "PGRST205"]);
    const col = await anon.from("users").select("id;drop table users");
    expect([col.status, col.error?.code]).toEqual([400, "42703"]);
    const noRelation = await anon.from("channels").select("slug, emotes_nope(code)");
    expect([noRelation.status, noRelation.error?.code]).toEqual([400, "PGRST200"]);
    const bad = await anon.from("users").select("id").eq("id", "not-a-uuid");
    expect([bad.status, bad.error?.code]).toEqual([400, "22P02"]);
    expect((await sql`select count(*)::int as n from public.users`)[0].n).toBeGreaterThan(0);
  });
});

describe("embedding and filters as supabase-js users write them", () => {
  it("!inner with a filter on the embedded column, plus a to-many embed ordered by supabase-js's foreignTable option", async () => {
    const { data, error } = await anon.from("chatrooms")
      .select("id, channels!inner(slug), chatroom_rules(position, body)")
      .eq("channels.slug", "nova")
      .order("position", { referencedTable: "chatroom_rules", ascending: false })
      .single();
    expect(error).toBeNull();
    expect(data!.channels).toEqual({ slug: "nova" });
    expect(data!.chatroom_rules.map((r: { position: number }) => r.position)).toEqual([3, 2, 1, 0]);
    const none = await anon.from("chatrooms").select("id, channels!inner(slug)").eq("channels.slug", "nobody-has-this");
    expect(none.data).toEqual([]);
    const plain = await anon.from("chatrooms").select("id, channels(slug)").eq("channels.slug", "nobody-has-this");
    expect(plain.data!.length).toBeGreaterThan(1); // without !inner the filter only empties the embed
    expect(plain.data!.every((r: { channels: unknown }) => r.channels === null)).toBe(true);
  });

  it("a to-many embed holds at most max_rows (1000) rows, as the top level does", async () => {
    const bulkOwner = await provision("bulk");
    const [{ id: bulkRoom }] = await sql`select r.id from public.chatrooms r join public.channels c on c.id = r.channel_id
                                          where c.owner_id = ${bulkOwner}`;
    const sent = await (await signedIn(bulkOwner)).rpc("send_message", { chatroom_id: bulkRoom, content: `bulk ${run}` });
    expect(sent.error).toBeNull();
    // 1000 more, with the sent message's identity (what its broadcast carries).
    await sql`insert into public.messages (chatroom_id, user_id, content, sender)
              select chatroom_id, user_id, content || ' ' || g, sender from public.messages, generate_series(1, 1000) g
              where id = ${sent.data.id}`;
    const room = () => anon.from("chatrooms").select("id, messages!chatroom_id(id)").eq("id", bulkRoom);
    const capped = await room().single();
    expect(capped.error).toBeNull();
    expect(capped.data!.messages).toHaveLength(1000);
    const asked = await room().limit(5000, { referencedTable: "messages" }).single();
    expect(asked.data!.messages).toHaveLength(1000);
    const fewer = await room().limit(3, { referencedTable: "messages" }).single();
    expect(fewer.data!.messages).toHaveLength(3);
    const top = await anon.from("messages").select("id").eq("chatroom_id", bulkRoom);
    expect(top.data).toHaveLength(1000);
  });

  it("to-one embeds with aliases and nesting; an ambiguous one asks for a hint", async () => {
    const { data } = await anon.from("channels")
      .select("slug, category:categories(name, slug), owner:users(username, channels(slug))")
      .eq("slug", "nova").single();
    expect(data).toEqual({ slug: "nova", category: { name: expect.any(String), slug: expect.any(String) },
      owner: { username: "nova", channels: { slug: "nova" } } }); // channels.owner_id is unique: one-to-one, an object
    // channel_roles points at users twice (user_id, granted_by).
    const roles = await anon.from("channel_roles").select("role, users(username)");
    expect([roles.status, roles.error?.code]).toEqual([300, "PGRST201"]);
    const hinted = await anon.from("channel_roles").select("role, member:users!user_id(username), granter:users!granted_by(username)")
      .eq("role", "moderator");
    expect(hinted.error).toBeNull();
    expect(hinted.data).toContainEqual({ role: "moderator", member: { username: "mods_mia" }, granter: { username: "nova" } });
    // A ban's moderator is not for signed-in readers (banned_by is the service role's), so that embedding is refused.
    const nova = await signedIn(NOVA);
    const moderator = await nova.from("chatroom_bans").select("reason, moderator:users!banned_by(username)");
    expect(moderator.error?.code).toBe("42501");
  });

  it("or/and/not, in, is, ilike, cs and JSON paths; count=exact with a range", async () => {
    const either = await anon.from("users").select("username").or("username.eq.nova,and(username.ilike.PIXEL*,bio.not.is.null)").order("username");
    expect(either.data).toEqual([{ username: "nova" }, { username: "pixelpete" }]);
    const notIn = await anon.from("users").select("username").not("username", "in", "(nova,pixelpete)").in("username", ["nova", "mods_mia"]);
    expect(notIn.data).toEqual([{ username: "mods_mia" }]);
    const platform = await anon.from("categories").select("slug").contains("genres", ["Platform"]);
    expect(platform.data!.length).toBeGreaterThan(0);
    const sender = await anon.from("messages").select("id, name:sender->>username").eq("sender->>username", "nova").limit(1);
    expect(sender.error).toBeNull();
    expect(sender.data![0].name).toBe("nova");
    const page = await anon.from("users").select("username", { count: "exact" }).order("username").range(1, 2);
    expect(page.data!.length).toBe(2);
    expect(page.count).toBeGreaterThanOrEqual(7);
    expect(page.status).toBe(206); // a page of a counted result, as PostgREST answers
    const past = await anon.from("users").select("username", { count: "exact" }).order("username").range(100000, 100009);
    expect(past.status).toBe(416);
    expect(past.error).toMatchObject({ code: "PGRST103", message: "Requested range not satisfiable" });
    const pastUncounted = await anon.from("users").select("username").order("username").range(100000, 100009);
    expect(pastUncounted.status).toBe(200);
    expect(pastUncounted.data).toEqual([]);
  });
});

describe("chat RPCs and history", () => {
  it("send_message returns the row; slow mode refuses with chat_slow_mode 429", async () => {
    const owner = await signedIn(ids.owner);
    const settings = await owner.from("chatrooms").update({ slow_mode_seconds: 30 }).eq("id", room).select("slow_mode_seconds").single();
    expect(settings.data).toEqual({ slow_mode_seconds: 30 });

    const chatter = await signedIn(ids.chatter);
    const sent = await chatter.rpc("send_message", { chatroom_id: room, content: "hello over http" });
    expect(sent.error).toBeNull();
    expect(sent.data).toMatchObject({ chatroom_id: room, user_id: ids.chatter, content: "hello over http" });

    const slow = await chatter.rpc("send_message", { chatroom_id: room, content: "too soon" });
    expect(slow.status).toBe(429);
    expect(slow.error?.code).toBe("chat_slow_mode");
    expect(JSON.parse(slow.error!.details).retry_after_seconds).toBeGreaterThan(0);
  });

  it("a ban (composite result) makes send_message refuse with chat_banned 403", async () => {
    const owner = await signedIn(ids.owner);
    const ban = await owner.rpc("ban_user", { chatroom_id: room, user_id: ids.troll, duration_seconds: 600 });
    expect(ban.error).toBeNull();
    expect(ban.data).toMatchObject({ chatroom_id: room, user_id: ids.troll, banned_by: ids.owner });
    const troll = await signedIn(ids.troll);
    const refused = await troll.rpc("send_message", { chatroom_id: room, content: "let me in" });
    expect(refused.status).toBe(403);
    expect(refused.error?.code).toBe("chat_banned");
    const unban = await owner.rpc("unban_user", { chatroom_id: room, user_id: ids.troll });
    expect([unban.status, unban.data, unban.error]).toEqual([204, null, null]);
  });

  it("a blocked term comes back as a 403 error from a committed request (response.status)", async () => {
    const owner = await signedIn(ids.owner);
    const term = await owner.from("chatroom_blocked_terms").insert({ chatroom_id: room, term: "spoil*" });
    expect(term.error).toBeNull();
    const troll = await signedIn(ids.troll);
    const { error, status } = await troll.rpc("send_message", { chatroom_id: room, content: "huge SPOILERS ahead" });
    expect(status).toBe(403);
    expect(error).toMatchObject({ code: "chat_blocked_term" });
    const logged = await sql`select count(*)::int as n from public.moderation_actions where chatroom_id = ${room} and action = 'message.blocked'`;
    expect(logged[0].n).toBe(1);
  });

  it("anon sending gets 401; history is a keyset read newest first", async () => {
    const denied = await anon.rpc("send_message", { chatroom_id: room, content: "hi" });
    expect(denied.status).toBe(401);

    const owner = await signedIn(ids.owner);
    for (const text of ["one", "two", "three"]) {
      const { error } = await owner.rpc("send_message", { chatroom_id: room, content: `${text} ${run}` });
      expect(error).toBeNull();
    }
    const page = await anon.from("messages").select("id, content").eq("chatroom_id", room)
      .lt("id", Number.MAX_SAFE_INTEGER).order("id", { ascending: false }).limit(2);
    expect(page.error).toBeNull();
    expect(page.data!.map((m) => m.content)).toEqual([`three ${run}`, `two ${run}`]);
    const older = await anon.from("messages").select("content").eq("chatroom_id", room)
      .lt("id", page.data![1].id).order("id", { ascending: false }).limit(50);
    expect(older.data!.map((m) => m.content)).toEqual([`one ${run}`, "hello over http"]);
  });
});

describe("the HTTP edge", () => {
  it("an expired JWT is 401 PGRST303 \"JWT expired\" with WWW-Authenticate, as PostgREST 13 answers (what token refresh keys on)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ sub: NOVA, role: "authenticated", aud: "authenticated", iat: now - 3600, exp: now - 60 })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(jwtSecret));
    const client = createClient(apiUrl, anonKey, { ...options, accessToken: async () => expired });
    const { error, status } = await client.from("users").select("id").limit(1);
    expect(status).toBe(401);
    expect(error).toMatchObject({ code: "PGRST303", message: "JWT expired", details: null, hint: null });
    const raw = await fetch(`${apiUrl}/rest/v1/users?select=id`, { headers: { apikey: anonKey, authorization: `Bearer ${expired}` } });
    expect(raw.headers.get("www-authenticate")).toBe('Bearer error="invalid_token", error_description="JWT expired"');
    await raw.body?.cancel();
  });

  it("requires one of the project's API keys, refuses a forged JWT with PGRST301, and answers CORS preflights", async () => {
    const gatewayRefusal = { message: "No API key found in request", hint: "No `apikey` request header or url param was found." };
    const missing = await fetch(`${apiUrl}/rest/v1/users?select=id`);
    expect([missing.status, await missing.json()]).toEqual([401, gatewayRefusal]);
    // As hosted's gateway: a user JWT is not an API key.
    const bearerOnly = await fetch(`${apiUrl}/rest/v1/users?select=id`, { headers: { authorization: `Bearer ${await token(NOVA)}` } });
    expect([bearerOnly.status, await bearerOnly.json(), bearerOnly.headers.get("sb-error-code")])
      .toEqual([401, gatewayRefusal, "UNAUTHORIZED_MISSING_API_KEY"]);
    // Nor is it accepted as the key itself: supabase-js created with a user's token instead of the anon key.
    const userAsKey = createClient(apiUrl, await token(NOVA), options);
    const invalid = await userAsKey.from("users").select("id").limit(1);
    expect([invalid.status, invalid.error]).toEqual([401, expect.objectContaining({
      message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key.",
    })]);
    const keyInQuery = await fetch(`${apiUrl}/rest/v1/users?select=username&username=eq.nova&apikey=${anonKey}`);
    expect([keyInQuery.status, await keyInQuery.json()]).toEqual([200, [{ username: "nova" }]]);
    const forged = await fetch(`${apiUrl}/rest/v1/users?select=id`, {
      headers: { apikey: anonKey, authorization: `Bearer ${anonKey.slice(0, -2)}xx` },
    });
    expect(forged.status).toBe(401);
    expect((await forged.json()).code).toBe("PGRST301");
    const preflight = await fetch(`${apiUrl}/rest/v1/users`, { method: "OPTIONS" });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/apikey.*prefer.*x-client-info/);
    await preflight.body?.cancel();
  });
});
