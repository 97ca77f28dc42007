// Channels and community end to end, the way supabase-js reaches them through PostgREST: reads as
// anon, follows and channel management as signed-in users, and the concurrency guarantees
// (followers_count, the panel limit) with real parallel sessions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anon, asUser, request, sql } from "./postgrest.ts";

afterAll(() => sql.end());

const run = Math.random().toString(36).slice(2, 8);
const name = (base: string) => `${base}_${run}`;

/** A user made the way production makes them (private.provision_user), returning its id. */
async function createUser(base: string): Promise<string> {
  const [row] = await sql`select (private.provision_user(gen_random_uuid(), ${name(base)}, null, true)).id as id`;
  return row.id as string;
}

async function channelOf(userId: string): Promise<{ id: string; followers_count: number }> {
  const [row] = await sql`select id, followers_count from public.channels where owner_id = ${userId}`;
  return row as { id: string; followers_count: number };
}

describe("reading a channel page as anon", () => {
  it("gets the channel, its panels in order, links and badges of the demo world", async () => {
    const page = await request(anon, async (tx) => {
      const [channel] = await tx`select id, title, is_live, followers_count from public.channels where slug = 'nova'`;
      const panels = await tx`select title from public.channel_panels where channel_id = ${channel.id} order by position, created_at`;
      const links = await tx`select platform from public.channel_links where channel_id = ${channel.id} order by position`;
      const badges = await tx`select months from public.subscriber_badges where channel_id = ${channel.id} order by months`;
      return { channel, panels, links, badges };
    });
    expect(page.channel.is_live).toBe(true);
    expect(page.channel.followers_count).toBe(5);
    expect(page.panels.map((p) => p.title)).toEqual(["About me", "Schedule", "Rules", "Setup"]);
    expect(page.links.map((l) => l.platform)).toEqual(["x", "youtube", "discord"]);
    expect(page.badges.map((b) => b.months)).toEqual([1, 3, 6, 12]);
  });

  it("cannot follow or read follows (PostgREST answers 401 for anon's 42501)", async () => {
    await expect(request(anon, (tx) => tx`select * from public.follows`)).rejects.toMatchObject({ code: "42501" });
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
    await request(asUser(fan), (tx) => tx`insert into public.follows (channel_id) values (${channel.id})`);
    expect((await channelOf(owner)).followers_count).toBe(1);

    const mine = await request(asUser(fan), (tx) => tx`select channel_id from public.follows`);
    expect(mine).toEqual([{ channel_id: channel.id }]);
    const followers = await request(asUser(owner), (tx) => tx`select user_id from public.follows where channel_id = ${channel.id}`);
    expect(followers).toEqual([{ user_id: fan }]);

    await expect(request(asUser(fan), (tx) => tx`insert into public.follows (channel_id) values (${channel.id})`))
      .rejects.toMatchObject({ code: "23505" });
    await request(asUser(fan), (tx) => tx`delete from public.follows where channel_id = ${channel.id}`);
    expect((await channelOf(owner)).followers_count).toBe(0);
  });

  it("refuses following your own channel", async () => {
    const channel = await channelOf(owner);
    await expect(request(asUser(owner), (tx) => tx`insert into public.follows (channel_id) values (${channel.id})`))
      .rejects.toMatchObject({ code: "42501" });
  });
});

describe("channel management", () => {
  it("lets the owner manage panels, links and badges, and refuses bad input with constraint errors", async () => {
    const owner = await createUser("e2e_manager");
    const stranger = await createUser("e2e_stranger");
    const channel = await channelOf(owner);
    await request(asUser(owner), async (tx) => {
      await tx`insert into public.channel_panels (title, body, position) values ('About', 'Hi', 0)`;
      await tx`insert into public.channel_links (platform, url) values ('website', 'https://example.test')`;
      await tx`insert into public.subscriber_badges (months, image_url) values (1, 'https://cdn.example.test/1.png')`;
    });
    await expect(request(asUser(owner), (tx) => tx`insert into public.channel_links (platform, url) values ('website', 'http://example.test')`))
      .rejects.toMatchObject({ code: "23514", constraint_name: "channel_links_url_https" });
    await expect(request(asUser(owner), (tx) => tx`insert into public.channel_links (platform, url) values ('myspace', 'https://myspace.test')`))
      .rejects.toMatchObject({ code: "23514", constraint_name: "channel_links_platform_known" });
    await expect(request(asUser(stranger), (tx) => tx`insert into public.channel_panels (channel_id, title) values (${channel.id}, 'spam')`))
      .rejects.toMatchObject({ code: "42501" });

    const updated = await request(asUser(stranger), (tx) => tx`update public.channel_panels set title = 'pwned' where channel_id = ${channel.id} returning id`);
    expect(updated).toHaveLength(0);
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
    // (refused as duplicates) — all through the pool's parallel connections.
    await Promise.all(fans.map((fan) => request(asUser(fan), (tx) => tx`insert into public.follows (channel_id) values (${channel.id})`)));
    await Promise.allSettled(fans.map((fan, i) =>
      request(asUser(fan), (tx) =>
        i % 3 === 0
          ? tx`delete from public.follows where channel_id = ${channel.id}`
          : tx`insert into public.follows (channel_id) values (${channel.id})`)
    ));

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
