// The search function on both backends: Postgres (the default) against the seeded test database, and
// Typesense (a fake on loopback, filled from the same database by the real collection builder).
import assert from "node:assert/strict";
import { createPool, type Sql } from "../_shared/db.ts";
import { COLLECTIONS, createTypesenseClient, ensureCollections, type TypesenseConfig } from "../_shared/typesense.ts";
import { type FakeTypesense, startFakeTypesense } from "../../../tests/fakes/typesense.ts";
import { createHandler } from "./handler.ts";
import { MAX_PER_PAGE, parseSearchParams } from "./params.ts";

const dbUrl = Deno.env.get("SUPABASE_DB_URL");
if (!dbUrl) throw new Error("SUPABASE_DB_URL must point at the test database (npm test sets it).");

const get = (query: string) => new Request(`http://local/search?${query}`);

async function withSql(fn: (sql: Sql) => Promise<void>) {
  const sql = createPool(dbUrl!);
  try {
    await fn(sql);
  } finally {
    await sql.end();
  }
}

Deno.test("search from Postgres: every requested type, public fields only, live first", async () => {
  await withSql(async (sql) => {
    const res = await createHandler({ sql, typesense: null })(get("q=nova"));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-search-backend"), "postgres");
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const body = await res.json();
    assert.deepEqual(Object.keys(body).sort(), ["categories", "channels", "livestreams"]);
    assert.ok(body.channels.found >= 1);
    assert.equal(body.channels.hits[0].slug, "nova");
    assert.deepEqual(Object.keys(body.channels.hits[0]), [...COLLECTIONS.channels.hitFields, "highlights"]);
    for (const type of ["categories", "livestreams"] as const) {
      for (const hit of body[type].hits) assert.deepEqual(Object.keys(hit), [...COLLECTIONS[type].hitFields, "highlights"]);
    }
  });
});

Deno.test("search answers only the requested types", async () => {
  await withSql(async (sql) => {
    const body = await (await createHandler({ sql, typesense: null })(get("q=celeste&type=categories"))).json();
    assert.deepEqual(Object.keys(body), ["categories"]);
    assert.equal(body.categories.hits[0].slug, "celeste");
  });
});

Deno.test("search refuses bad arguments with 422 invalid_argument, never a 500", async () => {
  await withSql(async (sql) => {
    const handler = createHandler({ sql, typesense: null });
    for (const q of [`q=${"a".repeat(101)}`, "q=a&type=users", "q=a&page=0", "q=a&page=101", "q=a&page=x", "q=a&per_page=0", "q=a&per_page=-5"]) {
      const res = await handler(get(q));
      assert.equal(res.status, 422, q.slice(0, 40));
      assert.equal((await res.json()).error.code, "invalid_argument");
    }
    assert.equal((await handler(new Request("http://local/search", { method: "POST" }))).status, 405);
  });
});

Deno.test("a type made only of commas and blanks is refused with 422 invalid_argument, not a 500", async () => {
  await withSql(async (sql) => {
    const handler = createHandler({ sql, typesense: null });
    for (const q of ["q=nova&type=,,,", "q=nova&type=%20,%20", "q=nova&type=,", "q=&type=,"]) {
      const res = await handler(get(q));
      assert.equal(res.status, 422, q);
      const { error } = await res.json();
      assert.equal(error.code, "invalid_argument", q);
      assert.match(error.message, /^type /, q);
    }
    // Blank means absent (all three types); stray commas around a real type are fine.
    assert.deepEqual(Object.keys(await (await handler(get("q=nova&type=%20"))).json()).sort(), [
      "categories", "channels", "livestreams",
    ]);
    assert.deepEqual(Object.keys(await (await handler(get("q=nova&type=,channels,"))).json()), ["channels"]);
  });
});

Deno.test("per_page over 50 is capped at 50 whatever its number of digits; page over 100 stays refused", async () => {
  const params = (query: string) => parseSearchParams(new URL(`http://local/search?${query}`));
  for (const perPage of ["51", "999999", "1000000", "99999999999999999999999999"]) {
    assert.equal(params(`q=a&per_page=${perPage}`).perPage, MAX_PER_PAGE, perPage);
  }
  assert.equal(params("q=a&per_page=7").perPage, 7);
  assert.equal(params("q=a").perPage, 10);
  for (const q of ["per_page=1e9", "per_page=1000000x", `per_page=${"9".repeat(30)}.5`, "per_page=0x10", "page=1000000"]) {
    assert.throws(() => params(`q=a&${q}`), (e: unknown) => (e as { status?: number }).status === 422, q);
  }
  await withSql(async (sql) => {
    const res = await createHandler({ sql, typesense: null })(get("q=nova&type=channels&per_page=1000000"));
    assert.equal(res.status, 200);
    assert.equal((await res.json()).channels.hits[0].slug, "nova");
  });
});

Deno.test("search with nothing searchable (empty, %, quotes, *, NUL) returns empty results", async () => {
  await withSql(async (sql) => {
    const handler = createHandler({ sql, typesense: null });
    for (const q of ["", "q=", "q=%20%20", "q=%25", "q=%22%27", "q=*", "q=%00", "q=_"]) {
      const res = await handler(get(q));
      assert.equal(res.status, 200, q);
      const body = await res.json();
      assert.deepEqual(body.channels, { found: 0, hits: [] }, q);
    }
    // Punctuation around words is harmless: quotes and % never reach SQL as syntax.
    const quoted = await (await handler(get(`q=${encodeURIComponent(`'nova" %`)}&type=channels`))).json();
    assert.equal(quoted.channels.hits[0]?.slug, "nova");
    const nul = await handler(get(`q=${encodeURIComponent("no\u0000va")}&type=channels`));
    assert.equal(nul.status, 200);
  });
});

Deno.test("search answers CORS preflight", async () => {
  await withSql(async (sql) => {
    const res = await createHandler({ sql, typesense: null })(new Request("http://local/search", { method: "OPTIONS" }));
    assert.equal(res.status, 204);
    assert.match(res.headers.get("access-control-allow-headers")!, /apikey/);
  });
});

async function withTypesense(prefix: string, fn: (handlers: {
  viaTypesense: (req: Request) => Promise<Response>;
  viaPostgres: (req: Request) => Promise<Response>;
  fake: FakeTypesense;
}) => Promise<void>) {
  await withSql(async (sql) => {
    const fake = await startFakeTypesense();
    const config: TypesenseConfig = {
      host: "127.0.0.1", port: fake.port, protocol: "http", apiKey: fake.apiKey, searchApiKey: fake.apiKey, prefix,
    };
    try {
      await ensureCollections({ client: createTypesenseClient(config), sql, config });
      await fn({
        viaTypesense: createHandler({ sql, typesense: { client: createTypesenseClient(config, "search"), config } }),
        viaPostgres: createHandler({ sql, typesense: null }),
        fake,
      });
    } finally {
      await fake.close();
    }
  });
}

Deno.test("search from Typesense (multi_search) returns the same hits, highlights and facets as Postgres", async () => {
  await withTypesense("s_", async ({ viaTypesense, viaPostgres }) => {
    for (
      const query of [
        "q=pixelpete&type=channels", "q=stardew&type=categories", "q=celeste&type=categories",
        "q=celeste&facets=category,language", "q=pixel%20pete&type=channels", "q=celeste&language=en&live=true",
        "q=hades&mature=include&facets=language", "q=hades&type=channels", "q=lurkr&type=channels", "q=pixlp&type=channels",
        "q=celeste&category=celeste&type=channels,livestreams&facets=category", "q=celeste&live=false&type=channels",
        "q=nova%20zzzz&type=channels",
      ]
    ) {
      const ts = await viaTypesense(get(query));
      assert.equal(ts.headers.get("x-search-backend"), "typesense", query);
      const a = await ts.json(), b = await (await viaPostgres(get(query))).json();
      assert.deepEqual(a, b, query);
    }
    const both = await (await viaPostgres(get("q=celeste&facets=category,language"))).json();
    assert.ok(both.channels.found > 0 && both.livestreams.found > 0);
    assert.deepEqual(both.channels.hits[0].highlights, [{ field: "title", matched_tokens: ["Celeste"] }]);
    assert.deepEqual(both.channels.facet_counts, [
      { field_name: "category", counts: [{ value: "celeste", count: 1 }] },
      { field_name: "language", counts: [{ value: "en", count: 1 }] },
    ]);
  });
});

Deno.test("search on Typesense splits camel-case words like Postgres: a part finds the word, a camel-case query its parts", async () => {
  await withSql(async (sql) => {
    // A camel-case channel, written before the fake's collections are built from the database.
    const id = crypto.randomUUID();
    await sql`select private.provision_user(${id}::uuid, 'quillDrakeRuns', 'quilldrake@streamz.test', true)`;
    try {
      await withTypesense("k_", async ({ viaTypesense, viaPostgres, fake }) => {
        const slugs = async (handler: (req: Request) => Promise<Response>, q: string) =>
          ((await (await handler(get(`q=${q}&type=channels&mature=include&per_page=50`))).json()).channels.hits as { slug: string }[])
            .map((h) => h.slug).sort();
        for (const [q, expected] of [
          ["drake", "quillDrakeRuns"], ["runs", "quillDrakeRuns"], ["quill%20runs", "quillDrakeRuns"],
          ["quilldrakeruns", "quillDrakeRuns"], ["drakeRuns", "quillDrakeRuns"], ["speedrunSol", "speedrun_sol"],
        ]) {
          const viaTs = await slugs(viaTypesense, q);
          assert.ok(viaTs.includes(expected), `${q} finds ${expected} on Typesense`);
          assert.deepEqual(viaTs, await slugs(viaPostgres, q), `${q}: the same channels on both backends`);
        }
        // The query Typesense got: camel-case split; the document: its parts in split_words.
        const last = JSON.parse(fake.requests.filter((r) => r.path === "/multi_search").at(-1)!.body).searches[0];
        assert.equal(last.q, "speedrun Sol");
      });
    } finally {
      await sql`delete from public.users where id = ${id}`;
    }
  });
});

Deno.test("search sends Typesense the matching parameters: typos, prefix, drop tokens, filter_by, facet_by, highlights", async () => {
  await withTypesense("p_", async ({ viaTypesense, fake }) => {
    await viaTypesense(get("q=celeste&language=en&category=celeste&live=true&facets=language,category&per_page=5"));
    const { searches } = JSON.parse(fake.requests.filter((r) => r.path === "/multi_search").at(-1)!.body);
    assert.deepEqual(searches.map((s: { collection: string }) => s.collection), ["p_channels", "p_categories", "p_livestreams"]);
    const [channels, categories, livestreams] = searches;
    for (const s of searches) {
      assert.equal(s.prefix, true);
      assert.equal(s.num_typos, 2);
      assert.equal(s.min_len_1typo, 4);
      assert.equal(s.min_len_2typo, 7);
      assert.equal(s.typo_tokens_threshold, 1);
      assert.equal(s.drop_tokens_threshold, 1);
      assert.equal(s.per_page, 5);
      // Highlights name the public fields only, not the derived split_words (searched last).
      assert.equal(`${s.highlight_fields},split_words`, s.query_by);
    }
    assert.equal(channels.query_by, "slug,username,display_name,title,split_words");
    assert.equal(channels.query_by_weights, "5,5,5,3,1");
    assert.equal(channels.sort_by, "_text_match(buckets: 3):desc,live_rank:desc,followers_count:desc");
    assert.equal(channels.filter_by, "language:=en && category_slug:=celeste && is_live:=true && is_mature:=false");
    assert.equal(channels.facet_by, "category_slug,language");
    assert.equal(livestreams.filter_by, channels.filter_by);
    assert.equal(livestreams.facet_by, "category_slug,language");
    // Categories take no filters and count no facets.
    assert.equal(categories.filter_by, undefined);
    assert.equal(categories.facet_by, undefined);
    // mature=include lifts the default is_mature:=false; no filter at all sends no filter_by.
    await viaTypesense(get("q=hades&type=channels&mature=include"));
    const last = JSON.parse(fake.requests.filter((r) => r.path === "/multi_search").at(-1)!.body).searches[0];
    assert.equal(last.filter_by, undefined);
    assert.equal(last.facet_by, undefined);
  });
});

Deno.test("search filters by language, category, live and maturity on Postgres, mature excluded by default", async () => {
  await withSql(async (sql) => {
    const handler = createHandler({ sql, typesense: null });
    const slugs = async (query: string) =>
      ((await (await handler(get(query))).json()).channels.hits as { slug: string }[]).map((h) => h.slug);
    // speedrun_sol is the seed's mature channel (German, Hades).
    assert.deepEqual(await slugs("q=hades&type=channels"), []);
    assert.deepEqual(await slugs("q=hades&type=channels&mature=exclude"), []);
    assert.deepEqual(await slugs("q=hades&type=channels&mature=include"), ["speedrun_sol"]);
    assert.deepEqual(await slugs("q=hades&type=channels&mature=include&language=de"), ["speedrun_sol"]);
    assert.deepEqual(await slugs("q=hades&type=channels&mature=include&language=en"), []);
    assert.deepEqual(await slugs("q=celeste&type=channels&category=celeste"), ["nova"]);
    assert.deepEqual(await slugs("q=celeste&type=channels&category=hades"), []);
    assert.deepEqual(await slugs("q=celeste&type=channels&category=no-such-game"), []);
    assert.deepEqual(await slugs("q=nova&type=channels&live=true"), ["nova"]);
    assert.deepEqual(await slugs("q=nova&type=channels&live=false"), []);
  });
});

Deno.test("search finds the seed's typed-with-typos prefixes: pixlp, gostw, sedrun, hads, lurkr", async () => {
  await withSql(async (sql) => {
    const handler = createHandler({ sql, typesense: null });
    // Other suites add channels to the same database: the seed's channel must be among the hits.
    const hits = async (q: string, type: string) =>
      (await (await handler(get(`q=${q}&type=${type}&mature=include&per_page=50`))).json())[type].hits as {
        slug: string;
        highlights: unknown;
      }[];
    const slugs = async (q: string, type: string) => (await hits(q, type)).map((h) => h.slug);
    assert.ok((await slugs("pixlp", "channels")).includes("pixelpete"));
    assert.ok((await slugs("gostw", "channels")).includes("ghostwave"));
    assert.ok((await slugs("sedrun", "channels")).includes("speedrun_sol"));
    assert.ok((await slugs("hads", "categories")).includes("hades"));
    assert.ok((await slugs("lurkr", "channels")).includes("lurker42"));
    assert.deepEqual((await hits("speedrunSol", "channels")).find((h) => h.slug === "speedrun_sol")?.highlights, [
      { field: "slug", matched_tokens: ["speedrun", "sol"] },
      { field: "username", matched_tokens: ["speedrun", "sol"] },
      { field: "display_name", matched_tokens: ["Sol"] },
    ]);
  });
});

Deno.test("search refuses bad filters and facets with 422 invalid_argument", async () => {
  await withSql(async (sql) => {
    const handler = createHandler({ sql, typesense: null });
    for (
      const q of [
        "q=a&language=english", "q=a&language=EN", "q=a&category=Not%20A%20Slug", `q=a&category=${"a".repeat(256)}`,
        "q=a&live=yes", "q=a&mature=only", "q=a&facets=genre", "q=a&facets=category,viewers",
      ]
    ) {
      const res = await handler(get(q));
      assert.equal(res.status, 422, q.slice(0, 40));
      assert.equal((await res.json()).error.code, "invalid_argument");
    }
    // Boundaries that pass: a 255-character slug, an explicit mature=exclude, both facets.
    for (const q of [`q=a&category=${"a".repeat(255)}`, "q=a&mature=exclude&facets=language,category", "q=a&live=false"]) {
      assert.equal((await handler(get(q))).status, 200, q.slice(0, 40));
    }
  });
});

Deno.test("search falls back to Postgres when Typesense fails", async () => {
  await withSql(async (sql) => {
    const fake = await startFakeTypesense();
    const config: TypesenseConfig = {
      host: "127.0.0.1", port: fake.port, protocol: "http", apiKey: fake.apiKey, searchApiKey: fake.apiKey, prefix: "f_",
    };
    try {
      fake.failNext(1, { status: 503 });
      const handler = createHandler({ sql, typesense: { client: createTypesenseClient(config, "search"), config } });
      const res = await handler(get("q=nova&type=channels"));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-search-backend"), "postgres");
      assert.equal((await res.json()).channels.hits[0].slug, "nova");
      // A missing collection (not synced yet) is a per-search error in a 200 answer: same fallback.
      const missing = await handler(get("q=nova&type=channels"));
      assert.equal(missing.headers.get("x-search-backend"), "postgres");
    } finally {
      await fake.close();
    }
  });
});

Deno.test("search on Typesense caps found at 1,000 and stops pages at the 1,000th hit, as on Postgres", async () => {
  await withTypesense("cap_", async ({ viaTypesense, fake }) => {
    // 1,050 channels holding one word, straight into the fake's collection.
    const docs = fake.documents("cap_channels");
    for (let i = 1; i <= 1050; i++) {
      const slug = `capword_${String(i).padStart(4, "0")}`;
      docs.set(`cap-${i}`, {
        id: `cap-${i}`, slug, username: slug, title: "capword marathon", language: "en", is_mature: false, is_live: false,
        live_rank: 0, followers_count: 2000 - i,
      });
    }
    const search = async (query: string) => {
      const res = await viaTypesense(get(`q=capword&type=channels&${query}`));
      assert.equal(res.headers.get("x-search-backend"), "typesense", query);
      const sent = JSON.parse(fake.requests.filter((r) => r.path === "/multi_search").at(-1)!.body).searches[0];
      return { body: (await res.json()).channels as { found: number; hits: { slug: string }[] }, sent };
    };
    const first = await search("per_page=10");
    assert.equal(first.body.found, 1000, "found: 1,000 or more");
    assert.equal(first.sent.limit_hits, 1000);
    const last = await search("page=100&per_page=10");
    assert.deepEqual(last.body.hits.map((h) => h.slug), Array.from({ length: 10 }, (_, i) => `capword_${String(991 + i).padStart(4, "0")}`),
      "the last page: hits 991 to 1,000");
    const crossing = await search("page=34&per_page=30");
    assert.deepEqual(crossing.body.hits.map((h) => h.slug), Array.from({ length: 10 }, (_, i) => `capword_${String(991 + i).padStart(4, "0")}`),
      "the page that crosses the cap is cut at it (hits 991-1,020 asked)");
    assert.deepEqual([crossing.sent.offset, crossing.sent.limit], [990, 10]);
    const beyond = await search("page=21&per_page=50");
    assert.deepEqual(beyond.body.hits, [], "no page beyond the cap");
    assert.equal(beyond.body.found, 1000);
    assert.equal(beyond.sent.per_page, 0, "only found (and facets) asked");
  });
});

Deno.test("search drops control and format characters from q: a zero-width space or a NUL never splits a word", () => {
  const q = (raw: string) => parseSearchParams(new URL(`http://local/search?q=${encodeURIComponent(raw)}`)).q;
  assert.equal(q("no\u200Bva"), "nova", "zero-width space");
  assert.equal(q("no\u0000va"), "nova", "NUL");
  assert.equal(q("pi\u00ADxel\u200Dpete\u2060"), "pixelpete", "soft hyphen, zero-width joiner, word joiner");
  assert.equal(q("\u202Enova\u202C"), "nova", "bidi override");
  assert.equal(q("\uFEFF  pixel \u0007 pete  "), "pixel pete", "BOM and BEL; spaces collapse");
  assert.equal(q("\u200B\u200B"), "", "nothing left");
  // Characters dropped do not count toward the 100.
  assert.equal(q("a".repeat(100) + "\u200B".repeat(20)), "a".repeat(100));
});

Deno.test("search sends Typesense the words, not its query syntax: no exclusion (-word), no phrase (quotes)", async () => {
  await withTypesense("w_", async ({ viaTypesense, viaPostgres, fake }) => {
    for (const [q, sent] of [
      [`-nova`, "nova"], [`"pixel pete"`, "pixel pete"], [`nova -pixelpete`, "nova pixelpete"], [`--nova`, "nova"],
      [`"speedrunSol"`, "speedrun Sol"], [`celeste-classic`, "celeste-classic"],
    ]) {
      const query = `q=${encodeURIComponent(q)}&type=channels&mature=include&per_page=50`;
      const res = await viaTypesense(get(query));
      assert.equal(JSON.parse(fake.requests.filter((r) => r.path === "/multi_search").at(-1)!.body).searches[0].q, sent, q);
      // Other suites add channels to the same database: compare which channels, not the order of ties.
      const slugs = (r: { channels: { found: number; hits: { slug: string }[] } }) =>
        ({ found: r.channels.found, slugs: r.channels.hits.map((h) => h.slug).sort() });
      assert.deepEqual(slugs(await res.json()), slugs(await (await viaPostgres(get(query))).json()), `${q}: the same hits on both backends`);
    }
  });
});

Deno.test("search folds accents and full-width letters on both backends alike: deja, full, oka, pokemon", async () => {
  await withSql(async (sql) => {
    const names = ["Déjà Vu Tactics", "ＦＵＬＬ Width Game", "Ōkami HD", "Pokemon Go", "Pokémon Emerald"];
    const ids = (await sql<{ id: string }[]>`
      insert into public.categories (igdb_id, name, slug)
      select 997000 + n, name, 'fold-' || n from unnest(${names}::text[]) with ordinality as t(name, n)
      returning id`).map((r) => r.id);
    try {
      await withTypesense("a_", async ({ viaTypesense, viaPostgres }) => {
        for (const [q, expected] of [
          ["deja", ["Déjà Vu Tactics"]], ["full", ["ＦＵＬＬ Width Game"]], ["oka", ["Ōkami HD"]],
          ["pokemon", ["Pokemon Go", "Pokémon Emerald"]], ["Pokémon", ["Pokemon Go", "Pokémon Emerald"]],
        ] as const) {
          const query = `q=${encodeURIComponent(q)}&type=categories`;
          const viaPg = await (await viaPostgres(get(query))).json();
          assert.deepEqual(viaPg.categories.hits.map((h: { name: string }) => h.name).sort(), [...expected].sort(), `${q} on Postgres`);
          // The same hits and highlights (categories rank by text match alone on Typesense: the order of
          // equal matches is the engine's).
          const byName = (r: { categories: { found: number; hits: { name: string }[] } }) =>
            ({ found: r.categories.found, hits: [...r.categories.hits].sort((a, b) => a.name < b.name ? -1 : 1) });
          assert.deepEqual(byName(await (await viaTypesense(get(query))).json()), byName(viaPg), `${q}: the same hits on Typesense`);
        }
      });
    } finally {
      await sql`delete from public.categories where id = any(${ids}::uuid[])`;
    }
  });
});
