// The search function on both backends: Postgres (the default) against the seeded test database, and
// Typesense (a fake on loopback, filled from the same database by the real collection builder).
import assert from "node:assert/strict";
import { createPool, type Sql } from "../_shared/db.ts";
import { COLLECTIONS, createTypesenseClient, ensureCollections, type TypesenseConfig } from "../_shared/typesense.ts";
import { startFakeTypesense } from "../_shared/typesense_fake.ts";
import { createHandler } from "./handler.ts";

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
    assert.deepEqual(Object.keys(body.channels.hits[0]), COLLECTIONS.channels.hitFields);
    for (const type of ["categories", "livestreams"] as const) {
      for (const hit of body[type].hits) assert.deepEqual(Object.keys(hit), COLLECTIONS[type].hitFields);
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

Deno.test("search from Typesense (multi_search) returns the same hits as Postgres", async () => {
  await withSql(async (sql) => {
    const fake = startFakeTypesense();
    const config: TypesenseConfig = {
      host: "127.0.0.1", port: fake.port, protocol: "http", apiKey: fake.apiKey, searchApiKey: fake.apiKey, prefix: "s_",
    };
    try {
      await ensureCollections({ client: createTypesenseClient(config), sql, config });
      const viaTypesense = createHandler({ sql, typesense: { client: createTypesenseClient(config, "search"), config } });
      const viaPostgres = createHandler({ sql, typesense: null });
      for (const query of ["q=pixelpete&type=channels", "q=stardew&type=categories", "q=celeste&type=categories"]) {
        const ts = await viaTypesense(get(query));
        assert.equal(ts.headers.get("x-search-backend"), "typesense");
        const a = await ts.json(), b = await (await viaPostgres(get(query))).json();
        assert.deepEqual(a, b, query);
        assert.ok(Object.values(a).some((r) => (r as { found: number }).found > 0), query);
      }
      const search = fake.requests.find((r) => r.path === "/multi_search")!;
      const { searches } = JSON.parse(search.body);
      assert.equal(searches[0].collection, "s_channels");
      assert.equal(searches[0].sort_by, "live_rank:desc,_text_match:desc,followers_count:desc");
      assert.equal(searches[0].per_page, 10);
    } finally {
      await fake.close();
    }
  });
});

Deno.test("search falls back to Postgres when Typesense fails", async () => {
  await withSql(async (sql) => {
    const fake = startFakeTypesense();
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
