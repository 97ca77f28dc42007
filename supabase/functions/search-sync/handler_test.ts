import assert from "node:assert/strict";
import { createPool } from "../_shared/db.ts";
import { createTypesenseClient, type TypesenseConfig } from "../_shared/typesense.ts";
import { startFakeTypesense } from "../../../tests/fakes/typesense.ts";
import { createHandler, serviceKeysFrom } from "./handler.ts";

const dbUrl = Deno.env.get("SUPABASE_DB_URL");
if (!dbUrl) throw new Error("SUPABASE_DB_URL must point at the test database (npm test sets it).");

const SERVICE = "service-role-jwt";
const SECRET = "sb_secret_example";
const keys = serviceKeysFrom({ serviceRoleKey: SERVICE, secretKeys: JSON.stringify({ default: SECRET }) });
const post = (headers: Record<string, string> = {}) => new Request("http://local/search-sync", { method: "POST", headers });

Deno.test("search-sync refuses callers without a service key: 401 without one, 403 with another key", async () => {
  const sql = createPool(dbUrl);
  try {
    const handler = createHandler({ sql, serviceKeys: keys, typesense: null });
    const none = await handler(post());
    assert.equal(none.status, 401);
    assert.equal((await none.json()).error.code, "unauthorized");
    const anon = await handler(post({ authorization: "Bearer anon-jwt", apikey: "anon-jwt" }));
    assert.equal(anon.status, 403);
    assert.equal((await anon.json()).error.code, "forbidden");
    const prefix = await handler(post({ authorization: `Bearer ${SERVICE.slice(0, -1)}` }));
    assert.equal(prefix.status, 403, "a near miss is no match");
  } finally {
    await sql.end();
  }
});

Deno.test("search-sync answers only POST", async () => {
  const sql = createPool(dbUrl);
  try {
    const res = await createHandler({ sql, serviceKeys: keys, typesense: null })(new Request("http://local/search-sync"));
    assert.equal(res.status, 405);
  } finally {
    await sql.end();
  }
});

Deno.test("search-sync without Typesense configured answers 503 search_not_configured and leaves the outbox", async () => {
  const sql = createPool(dbUrl);
  try {
    const [{ before }] = await sql`select count(*)::int as before from private.search_outbox`;
    const res = await createHandler({ sql, serviceKeys: keys, typesense: null })(post({ authorization: `Bearer ${SERVICE}` }));
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error.code, "search_not_configured");
    const [{ after }] = await sql`select count(*)::int as after from private.search_outbox`;
    assert.equal(after, before);
  } finally {
    await sql.end();
  }
});

Deno.test("search-sync with the secret key (apikey header) builds the collections and drains: {synced, failed}", async () => {
  const sql = createPool(dbUrl);
  const fake = await startFakeTypesense();
  const config: TypesenseConfig = {
    host: "127.0.0.1", port: fake.port, protocol: "http", apiKey: fake.apiKey, searchApiKey: fake.apiKey, prefix: "h_",
  };
  const [{ userId }] = await sql`select (private.provision_user(gen_random_uuid(), ${"sync_" + Date.now().toString(36)})).id as "userId"`;
  try {
    const handler = createHandler({ sql, serviceKeys: keys, typesense: { client: createTypesenseClient(config), config } });
    const res = await handler(post({ apikey: SECRET }));
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.failed, 0);
    assert.ok(body.synced >= 1, "the new channel was queued and sent");
    assert.ok(fake.aliases.has("h_channels") && fake.aliases.has("h_categories") && fake.aliases.has("h_livestreams"));
    const [{ channelId }] = await sql`select id as "channelId" from public.channels where owner_id = ${userId}`;
    assert.ok(fake.documents("h_channels").has(channelId));
    const [{ left }] = await sql`select count(*)::int as left from private.search_outbox where parked_at is null`;
    assert.equal(left, 0);
  } finally {
    await sql`delete from public.users where id = ${userId}`;
    await sql`delete from private.search_outbox`;
    await fake.close();
    await sql.end();
  }
});

Deno.test("search-sync answers 503 search_unavailable when Typesense is unreachable, and keeps the outbox", async () => {
  const sql = createPool(dbUrl);
  const config: TypesenseConfig = {
    host: "127.0.0.1", port: 1, protocol: "http", apiKey: "k", searchApiKey: "k", prefix: "down_",
  };
  const [{ userId }] = await sql`select (private.provision_user(gen_random_uuid(), ${"down_" + Date.now().toString(36)})).id as "userId"`;
  try {
    const [{ before }] = await sql`select count(*)::int as before from private.search_outbox`;
    assert.ok(before >= 1);
    const handler = createHandler({ sql, serviceKeys: keys, typesense: { client: createTypesenseClient(config), config } });
    const res = await handler(post({ authorization: `Bearer ${SERVICE}` }));
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error.code, "search_unavailable");
    const [{ after }] = await sql`select count(*)::int as after from private.search_outbox`;
    assert.equal(after, before);
  } finally {
    await sql`delete from public.users where id = ${userId}`;
    await sql`delete from private.search_outbox`;
    await sql.end();
  }
});
