// search and search-sync over HTTP through the functions gateway, on the default (Postgres) path:
// no TYPESENSE_* in the test environment. The Typesense path is covered by the Deno tests against a
// fake Typesense (supabase/functions/search*/).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonKey, functionsUrl, serviceRoleKey } from "./env.ts";
import { sql } from "./db.ts";

const run = Math.random().toString(36).slice(2, 7);
const prefix = `vs${run}`; // a word no seed row contains
const created: string[] = [];

const CHANNEL_FIELDS = [
  "id", "slug", "title", "language", "is_mature", "is_live", "followers_count", "category_id", "category_name",
  "category_slug", "username", "display_name", "avatar_url", "highlights",
];
const CATEGORY_FIELDS = ["id", "name", "slug", "cover_url", "genres", "first_release_date", "highlights"];
const LIVESTREAM_FIELDS = [
  "id", "channel_id", "channel_slug", "title", "category_id", "category_name", "started_at", "ended_at", "is_live",
  "viewer_count", "highlights",
];

function search(query: string, key = anonKey) {
  return fetch(`${functionsUrl}/search?${query}`, { headers: { Authorization: `Bearer ${key}`, apikey: key } });
}

beforeAll(async () => {
  // 55 channels sharing a prefix: more than one page, more than the per_page cap. Every fifth is live.
  for (let i = 0; i < 55; i++) {
    const [row] = await sql`
      select (private.provision_user(gen_random_uuid(), ${`${prefix}_${String(i).padStart(2, "0")}`})).id as id`;
    created.push(row.id as string);
  }
  await sql`update public.channels set followers_count = (right(slug::text, 2))::int,
            title = ${`stream ${prefix}`} where owner_id = any(${created}::uuid[])`;
  await sql`insert into public.livestreams (channel_id, title)
            select id, ${`${prefix} live now`} from public.channels
            where owner_id = any(${created}::uuid[]) and (right(slug::text, 2))::int % 5 = 0`;
});

afterAll(async () => {
  await sql`delete from public.users where id = any(${created}::uuid[])`;
  await sql.end();
});

describe("search over HTTP (Postgres path)", () => {
  it("answers {channels, categories, livestreams: {found, hits}} with public fields only", async () => {
    const res = await search("q=nova");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-search-backend")).toBe("postgres");
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(["categories", "channels", "livestreams"]);
    for (const type of Object.keys(body)) {
      expect(typeof body[type].found).toBe("number");
      expect(Array.isArray(body[type].hits)).toBe(true);
    }
    expect(body.channels.hits[0].slug).toBe("nova");
    expect(Object.keys(body.channels.hits[0])).toEqual(CHANNEL_FIELDS);
    const categories = await (await search("q=celeste&type=categories")).json();
    expect(Object.keys(categories.categories.hits[0])).toEqual(CATEGORY_FIELDS);
    const streams = await (await search(`q=${prefix}&type=livestreams`)).json();
    expect(streams.livestreams.found).toBe(11);
    expect(Object.keys(streams.livestreams.hits[0])).toEqual(LIVESTREAM_FIELDS);
  });

  it("returns only the requested types", async () => {
    const body = await (await search(`q=${prefix}&type=channels,livestreams`)).json();
    expect(Object.keys(body).sort()).toEqual(["channels", "livestreams"]);
  });

  it("finds by prefix and with a typo, live channels first", async () => {
    const body = await (await search(`q=${prefix}_0&type=channels&per_page=50`)).json();
    expect(body.channels.hits.map((h: { slug: string }) => h.slug)).toContain(`${prefix}_07`);
    const hits = (await (await search(`q=${prefix}&type=channels&per_page=50`)).json()).channels.hits;
    const live = hits.filter((h: { is_live: boolean }) => h.is_live).length;
    expect(live).toBe(11);
    expect(hits.slice(0, live).every((h: { is_live: boolean }) => h.is_live)).toBe(true);
    // Among the live, the better-followed first: _50, _45, ...
    expect(hits[0].slug).toBe(`${prefix}_50`);
    const typo = await (await search(`q=${prefix}_5O&type=channels`)).json(); // letter O for zero
    expect(typo.channels.hits.map((h: { slug: string }) => h.slug)).toContain(`${prefix}_50`);
  });

  it("paginates: found counts every match and pages do not overlap", async () => {
    const pages = [];
    for (let page = 1; page <= 3; page++) {
      pages.push((await (await search(`q=${prefix}&type=channels&per_page=20&page=${page}`)).json()).channels);
    }
    expect(pages.map((p) => p.found)).toEqual([55, 55, 55]);
    expect(pages.map((p) => p.hits.length)).toEqual([20, 20, 15]);
    const ids = pages.flatMap((p) => p.hits.map((h: { id: string }) => h.id));
    expect(new Set(ids).size).toBe(55);
    const past = (await (await search(`q=${prefix}&type=channels&per_page=20&page=4`)).json()).channels;
    expect(past).toEqual({ found: 55, hits: [] });
  });

  it("caps per_page at 50", async () => {
    const body = await (await search(`q=${prefix}&type=channels&per_page=500`)).json();
    expect(body.channels.found).toBe(55);
    expect(body.channels.hits).toHaveLength(50);
    const fifty = await (await search(`q=${prefix}&type=channels&per_page=50`)).json();
    expect(fifty.channels.hits).toHaveLength(50);
  });

  it("answers hostile queries with empty results or a clear 422, never a 500", async () => {
    for (const q of ["", "%", "%%", "'", '"', "''\"\"", "*", "\\", "_", "\u0000", " \t "]) {
      const res = await search(`q=${encodeURIComponent(q)}`);
      expect(res.status, `q=${q}`).toBe(200);
      const body = await res.json();
      expect(body.channels, `q=${q}`).toEqual({ found: 0, hits: [] });
    }
    const long = await search(`q=${encodeURIComponent("'%\"".repeat(3500))}`); // ~10 KB
    expect(long.status).toBe(422);
    expect(await long.json()).toMatchObject({ error: { code: "invalid_argument", message: expect.stringMatching(/q must be/) } });
    for (const bad of ["q=a&page=0", "q=a&page=abc", "q=a&per_page=-1", "q=a&type=users", "q=a&page=1e3"]) {
      const res = await search(bad);
      expect(res.status, bad).toBe(422);
      expect((await res.json()).error.code).toBe("invalid_argument");
    }
    const sqlish = await search(`q=${encodeURIComponent("nova'; drop table public.channels; --")}&type=channels`);
    expect(sqlish.status).toBe(200);
  });

  it("answers many rare words, and typos of them, with their match instead of a 500", async () => {
    // 2,000 categories (statistics refreshed), so each of the 8 words is 1/2,000 of the collection:
    // the query's expected matches, 2,000^-7, squared underflowed `real` (22003, a 500).
    const words = "12345 23456 34567 45678 56789 67890 78901 89012";
    const base = 1_500_000_000 + Math.floor(Math.random() * 100_000_000);
    const slug = `${prefix}-rare-numbers`;
    try {
      await sql`insert into public.categories (igdb_id, name, slug)
                select ${base} + g, ${`F${run} N`} || g, ${`${prefix}-n`} || g from generate_series(1, 2000) g`;
      await sql`insert into public.categories (igdb_id, name, slug) values (${base}, ${words}, ${slug})`;
      await sql`analyze private.search_index`;
      for (const q of [words, "12346 23457 34568 45679 56780 67891 78902 89013"]) {
        const res = await search(`q=${encodeURIComponent(q)}`);
        expect(res.status, `q=${q}`).toBe(200);
        const body = await res.json();
        expect(body.categories.hits.map((h: { slug: string }) => h.slug), `q=${q}`).toEqual([slug]);
      }
    } finally {
      await sql`delete from public.categories where igdb_id between ${base} and ${base + 2000}`;
    }
  });

  it("is public: answers without a key, and with a publishable key that is not a JWT", async () => {
    const none = await fetch(`${functionsUrl}/search?q=nova&type=channels`);
    expect(none.status).toBe(200);
    expect((await none.json()).channels.found).toBeGreaterThanOrEqual(0);
    const publishable = "sb_publishable_0123456789abcdefghijkl";
    const keyed = await fetch(`${functionsUrl}/search?q=nova&type=channels`,
      { headers: { apikey: publishable, Authorization: `Bearer ${publishable}` } });
    expect(keyed.status).toBe(200);
    await keyed.body?.cancel();
  });
});

describe("search-sync over HTTP", () => {
  const post = (headers: Record<string, string>) => fetch(`${functionsUrl}/search-sync`, { method: "POST", headers });

  it("refuses callers without the service key", async () => {
    const none = await post({});
    expect(none.status).toBe(401);
    await none.body?.cancel();
    const anon = await post({ Authorization: `Bearer ${anonKey}`, apikey: anonKey });
    expect(anon.status).toBe(403);
    expect((await anon.json()).error.code).toBe("forbidden");
  });

  it("with the service key and no Typesense configured, answers 503 search_not_configured", async () => {
    const res = await post({ Authorization: `Bearer ${serviceRoleKey}` });
    expect(res.status).toBe(503);
    expect((await res.json()).error.code).toBe("search_not_configured");
  });
});
