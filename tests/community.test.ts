// Channels and community end to end, the way a frontend reaches them: supabase-js over HTTP through
// the local Data API. Reads as anon, follows and channel management as signed-in users, and the
// concurrency guarantees (followers_count, the panel limit) with parallel requests and sessions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "./db.ts";
import { client, closeClients, signedIn } from "./realtime-clients.ts";

afterAll(async () => {
  await closeClients();
  await sql.end();
});

const anon = client();

const run = Math.random().toString(36).slice(2, 8);
const name = (base: string) => `${base}_${run}`;

/** A user made the way production makes them (private.provision_user), returning its id. */
async function createUser(base: string): Promise<string> {
  const [row] = await sql`select (private.provision_user(gen_random_uuid(), ${name(base)}, null, true)).id as id`;
  return row.id as string;
}

async function channelOfSlug(slug: string): Promise<{ id: string }> {
  const [row] = await sql`select id from public.channels where slug = ${slug}`;
  return row as { id: string };
}

async function channelOf(userId: string): Promise<{ id: string; followers_count: number }> {
  const [row] = await sql`select id, followers_count from public.channels where owner_id = ${userId}`;
  return row as { id: string; followers_count: number };
}

describe("reading a channel page as anon", () => {
  it("gets the channel, its panels in order, links and badges of the demo world", async () => {
    const { data: channel, error } = await anon.from("channels").select("id, title, is_live, followers_count").eq("slug", "nova")
      .single();
    expect(error).toBeNull();
    const [panels, links, badges] = await Promise.all([
      anon.from("channel_panels").select("title").eq("channel_id", channel!.id).order("position").order("created_at"),
      anon.from("channel_links").select("platform").eq("channel_id", channel!.id).order("position"),
      anon.from("subscriber_badges").select("months").eq("channel_id", channel!.id).order("months"),
    ]);
    expect(channel!.is_live).toBe(true);
    expect(channel!.followers_count).toBe(5);
    expect(panels.data!.map((p) => p.title)).toEqual(["About me", "Schedule", "Rules", "Setup"]);
    expect(links.data!.map((l) => l.platform)).toEqual(["x", "youtube", "discord"]);
    expect(badges.data!.map((b) => b.months)).toEqual([1, 3, 6, 12]);
  });

  it("cannot follow or read follows (PostgREST answers 401 for anon's 42501)", async () => {
    const { error, status } = await anon.from("follows").select("*");
    expect(error).toMatchObject({ code: "42501" });
    expect(status).toBe(401);
    const follow = await anon.from("follows").insert({ channel_id: (await channelOfSlug("nova")).id });
    expect(follow.error).toMatchObject({ code: "42501" });
    expect(follow.status).toBe(401);
  });
});

describe("following", () => {
  let owner: string, fan: string;
  beforeAll(async () => {
    owner = await createUser("e2e_owner");
    fan = await createUser("e2e_fan");
  });

  it("follows with insert({channel_id}), counts it, lists it, and unfollows", async () => {
    const channel = await channelOf(owner);
    const [asFan, asOwner] = [await signedIn(fan), await signedIn(owner)];
    expect((await asFan.from("follows").insert({ channel_id: channel.id })).error).toBeNull();
    expect((await channelOf(owner)).followers_count).toBe(1);

    expect((await asFan.from("follows").select("channel_id")).data).toEqual([{ channel_id: channel.id }]);
    expect((await asOwner.from("follows").select("user_id").eq("channel_id", channel.id)).data).toEqual([{ user_id: fan }]);

    const again = await asFan.from("follows").insert({ channel_id: channel.id });
    expect(again.error).toMatchObject({ code: "23505" });
    expect(again.status).toBe(409);
    expect((await asFan.from("follows").delete().eq("channel_id", channel.id)).error).toBeNull();
    expect((await channelOf(owner)).followers_count).toBe(0);
  });

  it("refuses following your own channel", async () => {
    const channel = await channelOf(owner);
    const { error, status } = await (await signedIn(owner)).from("follows").insert({ channel_id: channel.id });
    expect(error).toMatchObject({ code: "42501" });
    expect(status).toBe(403);
  });
});

describe("channel management", () => {
  it("lets the owner manage panels, links and badges, and refuses bad input with constraint errors", async () => {
    const owner = await createUser("e2e_manager");
    const stranger = await createUser("e2e_stranger");
    const channel = await channelOf(owner);
    const [asOwner, asStranger] = [await signedIn(owner), await signedIn(stranger)];
    expect((await asOwner.from("channel_panels").insert({ title: "About", body: "Hi", position: 0 })).error).toBeNull();
    expect((await asOwner.from("channel_links").insert({ platform: "website", url: "https://example.test" })).error).toBeNull();
    expect((await asOwner.from("subscriber_badges").insert({ months: 1, image_url: "https://cdn.example.test/1.png" })).error)
      .toBeNull();
    const http = await asOwner.from("channel_links").insert({ platform: "website", url: "http://example.test" });
    expect(http.error).toMatchObject({ code: "23514" });
    expect(http.error!.message).toContain("channel_links_url_https");
    const unknown = await asOwner.from("channel_links").insert({ platform: "myspace", url: "https://myspace.test" });
    expect(unknown.error).toMatchObject({ code: "23514" });
    expect(unknown.error!.message).toContain("channel_links_platform_known");
    const spam = await asStranger.from("channel_panels").insert({ channel_id: channel.id, title: "spam" });
    expect(spam.error).toMatchObject({ code: "42501" });
    expect(spam.status).toBe(403);

    const updated = await asStranger.from("channel_panels").update({ title: "pwned" }).eq("channel_id", channel.id).select("id");
    expect(updated.error).toBeNull();
    expect(updated.data).toHaveLength(0);
    const [counts] = await sql`select (select count(*)::int from public.channel_panels where channel_id = ${channel.id}) as panels,
                                      (select count(*)::int from public.channel_links where channel_id = ${channel.id}) as links,
                                      (select count(*)::int from public.subscriber_badges where channel_id = ${channel.id}) as badges`;
    expect(counts).toEqual({ panels: 1, links: 1, badges: 1 });
  });
});

describe("concurrency", () => {
  it("keeps followers_count exact under many parallel follows and unfollows", async () => {
    const owner = await createUser("race_owner");
    const channel = await channelOf(owner);
    const fans = await Promise.all(Array.from({ length: 30 }, (_, i) => createUser(`race_fan${i}`)));

    // Every fan follows in parallel; then a third of them unfollow while the rest follow a second time
    // (refused as duplicates) — all as parallel HTTP requests.
    const clients = await Promise.all(fans.map((fan) => signedIn(fan)));
    const first = await Promise.all(clients.map((c) => c.from("follows").insert({ channel_id: channel.id })));
    expect(first.map((r) => r.error)).toEqual(Array(30).fill(null));
    const second = await Promise.all(clients.map((c, i) =>
      i % 3 === 0 ? c.from("follows").delete().eq("channel_id", channel.id) : c.from("follows").insert({ channel_id: channel.id })
    ));
    expect(second.filter((r, i) => i % 3 !== 0 && r.error?.code === "23505")).toHaveLength(20);

    const [row] = await sql`select c.followers_count, (select count(*)::int from public.follows f where f.channel_id = c.id) as actual
                            from public.channels c where c.id = ${channel.id}`;
    expect(row.actual).toBe(20);
    expect(row.followers_count).toBe(row.actual);
  });

  it("counts two follows racing in two sessions (the second waits for the first's row lock)", async () => {
    const owner = await createUser("lock_owner");
    const [a, b] = [await createUser("lock_a"), await createUser("lock_b")];
    const channel = await channelOf(owner);
    const s1 = await sql.reserve();
    const s2 = await sql.reserve();
    try {
      const begin = async (s: typeof s1, userId: string) => {
        await s`begin`;
        await s`select set_config('role', 'authenticated', true),
                       set_config('request.jwt.claims', ${JSON.stringify({ sub: userId, role: "authenticated" })}, true)`;
      };
      await begin(s1, a);
      await begin(s2, b);
      await s1`insert into public.follows (channel_id) values (${channel.id})`;
      let secondDone = false;
      const second = s2`insert into public.follows (channel_id) values (${channel.id})`.then(() => (secondDone = true));
      await new Promise((r) => setTimeout(r, 200));
      expect(secondDone).toBe(false); // blocked on the channel row the first follow is counting on
      await s1`commit`;
      await second;
      await s2`commit`;
    } finally {
      s1.release();
      s2.release();
    }
    expect((await channelOf(owner)).followers_count).toBe(2);
  });

  it("lets exactly one of two sessions take the 20th panel slot", async () => {
    const owner = await createUser("slot_owner");
    const channel = await channelOf(owner);
    await sql`insert into public.channel_panels (channel_id, title, position)
              select ${channel.id}, 'Panel ' || n, n from generate_series(1, 19) as n`;
    const s1 = await sql.reserve();
    const s2 = await sql.reserve();
    try {
      const begin = async (s: typeof s1) => {
        await s`begin`;
        await s`select set_config('role', 'authenticated', true),
                       set_config('request.jwt.claims', ${JSON.stringify({ sub: owner, role: "authenticated" })}, true)`;
      };
      await begin(s1);
      await begin(s2);
      await s1`insert into public.channel_panels (title) values ('twentieth (first session)')`;
      const second = s2`insert into public.channel_panels (title) values ('twentieth (second session)')`.then(
        () => ({ ok: true as const }),
        (e: { code?: string; message?: string }) => ({ ok: false as const, code: e.code, message: e.message }),
      );
      await new Promise((r) => setTimeout(r, 200));
      await s1`commit`;
      expect(await second).toEqual({
        ok: false, code: "23514", message: "channel_panels allows at most 20 rows per channel_id",
      });
      await s2`rollback`;
    } finally {
      s1.release();
      s2.release();
    }
    const [row] = await sql`select count(*)::int as n from public.channel_panels where channel_id = ${channel.id}`;
    expect(row.n).toBe(20);
  });
});
