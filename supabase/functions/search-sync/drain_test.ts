// search-sync's drain against the real test database and a fake Typesense on loopback that answers
// as Typesense documents (per-line import results, 503 "Not Ready or Lagging", refused documents).
import assert from "node:assert/strict";
import { createPool, type Sql } from "../_shared/db.ts";
import { COLLECTIONS, createTypesenseClient, ensureCollections, SEARCH_TYPES, type TypesenseConfig } from "../_shared/typesense.ts";
import { type FakeTypesense, startFakeTypesense } from "../../../tests/fakes/typesense.ts";
import { drain, type DrainOptions } from "./drain.ts";

const dbUrl = Deno.env.get("SUPABASE_DB_URL");
if (!dbUrl) throw new Error("SUPABASE_DB_URL must point at the test database (npm test sets it).");

const noWait: Partial<DrainOptions> = { sleep: () => Promise.resolve(), baseDelay: "0 seconds" };
const tag = () => Math.random().toString(36).slice(2, 8);

interface World {
  sql: Sql;
  fake: FakeTypesense;
  config: TypesenseConfig;
  deps: { sql: Sql; client: ReturnType<typeof createTypesenseClient>; config: TypesenseConfig };
  cleanup: (() => Promise<unknown>)[];
}

/** A fresh fake Typesense with collections built, and an empty outbox. */
async function world(fn: (w: World) => Promise<void>) {
  const sql = createPool(dbUrl!);
  const fake = await startFakeTypesense();
  const config: TypesenseConfig = {
    host: "127.0.0.1", port: fake.port, protocol: "http", apiKey: fake.apiKey, searchApiKey: fake.apiKey,
    prefix: `t${tag()}_`,
  };
  const deps = { sql, client: createTypesenseClient(config), config };
  const w: World = { sql, fake, config, deps, cleanup: [] };
  try {
    await ensureCollections(deps);
    await sql`delete from private.search_outbox`;
    fake.requests.length = 0;
    await fn(w);
  } finally {
    for (const c of w.cleanup.reverse()) await c().catch(() => {});
    await sql`delete from private.search_outbox`;
    await fake.close();
    await sql.end();
  }
}

async function createCategory(w: World, name: string): Promise<string> {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  const [{ id }] = await w.sql<{ id: string }[]>`
    insert into public.categories (igdb_id, name, slug)
    values (${Math.floor(Math.random() * 1e12)}, ${name}, ${slug}) returning id`;
  w.cleanup.push(() => w.sql`delete from public.categories where id = ${id}`);
  return id;
}

async function createStreamer(w: World, username: string): Promise<{ userId: string; channelId: string }> {
  const [{ id: userId }] = await w.sql<{ id: string }[]>`
    select (private.provision_user(gen_random_uuid(), ${username})).id`;
  w.cleanup.push(() => w.sql`delete from public.users where id = ${userId}`);
  const [{ id: channelId }] = await w.sql<{ id: string }[]>`select id from public.channels where owner_id = ${userId}`;
  return { userId, channelId };
}

async function outbox(w: World) {
  return await w.sql<{ collection: string; document_id: string; op: string; attempts: number; last_error: string | null; parked: boolean }[]>`
    select collection, document_id, op, attempts, last_error, parked_at is not null as parked
    from private.search_outbox order by id`.then((rows) => [...rows]);
}

Deno.test("first run creates each collection from the schema in code and fills it from the database", async () => {
  const sql = createPool(dbUrl);
  const fake = await startFakeTypesense();
  const config: TypesenseConfig = {
    host: "127.0.0.1", port: fake.port, protocol: "http", apiKey: fake.apiKey, searchApiKey: fake.apiKey, prefix: "first_",
  };
  const deps = { sql, client: createTypesenseClient(config), config };
  try {
    const first = await ensureCollections(deps);
    assert.deepEqual(first.created, [...SEARCH_TYPES]);
    for (const type of SEARCH_TYPES) {
      const target = fake.aliases.get(`first_${type}`);
      assert.ok(target?.startsWith(`first_${type}_`), `alias for ${type}`);
      const created = fake.collections.get(target!)!;
      assert.deepEqual(created.fields.map((f) => f.name), COLLECTIONS[type].fields.map((f) => f.name));
      const [{ count }] = await sql.unsafe(`select count(*)::int as count from ${COLLECTIONS[type].view}`);
      assert.equal(fake.documents(`first_${type}`).size, count, `${type} backfilled`);
    }
    const second = await ensureCollections(deps);
    assert.deepEqual(second.created, [], "a current schema is left alone");
  } finally {
    await fake.close();
    await sql.end();
  }
});

Deno.test("a collection whose schema differs from the code is rebuilt and the alias moved", async () => {
  await world(async (w) => {
    const alias = `${w.config.prefix}categories`;
    const old = w.fake.aliases.get(alias)!;
    w.fake.collections.get(old)!.fields.pop(); // an older schema without `genres`
    await new Promise((r) => setTimeout(r, 2)); // a new collection name (ms)
    const result = await ensureCollections(w.deps);
    assert.deepEqual(result.created, ["categories"]);
    assert.notEqual(w.fake.aliases.get(alias), old);
    assert.equal(w.fake.collections.has(old), false, "the replaced collection is dropped");
  });
});

Deno.test("every queued change is sent once with action=upsert and the outbox empties", async () => {
  await world(async (w) => {
    const categoryId = await createCategory(w, `Drain Quest ${tag()}`);
    const { channelId } = await createStreamer(w, `drainer_${tag()}`);
    await w.sql`update public.channels set title = 'Drain speedrun', category_id = ${categoryId} where id = ${channelId}`;
    assert.equal((await outbox(w)).length, 2, "one row per document, however many changes");

    const result = await drain(w.deps, noWait);
    assert.deepEqual(result, { synced: 2, failed: 0, parked: 0 });
    assert.deepEqual(await outbox(w), []);
    const doc = w.fake.documents(`${w.config.prefix}channels`).get(channelId)!;
    assert.equal(doc.title, "Drain speedrun");
    assert.equal(doc.category_id, categoryId);
    assert.equal("avatar_url" in doc, false, "null fields are left out");
    const imports = w.fake.requests.filter((r) => r.path.endsWith("/documents/import"));
    assert.ok(imports.every((r) => r.query.action === "upsert"));

    assert.deepEqual(await drain(w.deps, noWait), { synced: 0, failed: 0, parked: 0 }, "nothing sent twice");
  });
});

Deno.test("deletes are sent by id and removed from Typesense", async () => {
  await world(async (w) => {
    const categoryId = await createCategory(w, `Gone Game ${tag()}`);
    await drain(w.deps, noWait);
    assert.ok(w.fake.documents(`${w.config.prefix}categories`).has(categoryId));
    await w.sql`delete from public.categories where id = ${categoryId}`;
    assert.deepEqual((await outbox(w)).map((r) => r.op), ["delete"]);
    assert.deepEqual(await drain(w.deps, noWait), { synced: 1, failed: 0, parked: 0 });
    assert.equal(w.fake.documents(`${w.config.prefix}categories`).has(categoryId), false);
  });
});

Deno.test("a removed category (deleted_at) leaves the index", async () => {
  await world(async (w) => {
    const categoryId = await createCategory(w, `Hidden Game ${tag()}`);
    await drain(w.deps, noWait);
    await w.sql`update public.categories set deleted_at = now() where id = ${categoryId}`;
    assert.deepEqual(await drain(w.deps, noWait), { synced: 1, failed: 0, parked: 0 });
    assert.equal(w.fake.documents(`${w.config.prefix}categories`).has(categoryId), false);
  });
});

Deno.test("partial failure: refused lines stay queued with their error, the others are sent", async () => {
  await world(async (w) => {
    const ok1 = await createCategory(w, `Fine One ${tag()}`);
    const bad = await createCategory(w, `Refused ${tag()}`);
    const ok2 = await createCategory(w, `Fine Two ${tag()}`);
    w.fake.rejectDocument(bad, "Field `name` must be a string.");

    const result = await drain(w.deps, { ...noWait, baseDelay: "1 minute" });
    assert.deepEqual(result, { synced: 2, failed: 1, parked: 0 });
    const docs = w.fake.documents(`${w.config.prefix}categories`);
    assert.ok(docs.has(ok1) && docs.has(ok2) && !docs.has(bad));
    const rows = await outbox(w);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].document_id, bad);
    assert.equal(rows[0].attempts, 1);
    assert.match(rows[0].last_error!, /400: Field `name` must be a string/);
    const [{ later }] = await w.sql`select next_attempt_at > now() + interval '30 seconds' as later from private.search_outbox`;
    assert.equal(later, true, "backed off before the next try");
    assert.deepEqual(await drain(w.deps, noWait), { synced: 0, failed: 0, parked: 0 }, "not retried before its time");
  });
});

Deno.test("503 Not Ready or Lagging, then success: retried with backoff within the run", async () => {
  await world(async (w) => {
    const id = await createCategory(w, `Lagging ${tag()}`);
    w.fake.failNext(2, { status: 503, path: /\/documents\/import$/ });
    const waits: number[] = [];
    const result = await drain(w.deps, { ...noWait, sleep: (ms) => (waits.push(ms), Promise.resolve()) });
    assert.deepEqual(result, { synced: 1, failed: 0, parked: 0 });
    assert.equal(w.fake.requests.filter((r) => r.path.endsWith("/documents/import")).length, 3);
    assert.equal(waits.length, 2);
    assert.ok(waits[1] > waits[0], "the wait grows");
    assert.ok(w.fake.documents(`${w.config.prefix}categories`).has(id));
  });
});

Deno.test("a line failing with 503 is retried alone within the run", async () => {
  await world(async (w) => {
    const a = await createCategory(w, `Line A ${tag()}`);
    const b = await createCategory(w, `Line B ${tag()}`);
    w.fake.rejectDocument(b, "Not Ready or Lagging", { code: 503, times: 1 });
    assert.deepEqual(await drain(w.deps, noWait), { synced: 2, failed: 0, parked: 0 });
    const imports = w.fake.requests.filter((r) => r.path.endsWith("/documents/import"));
    assert.equal(imports.length, 2);
    assert.equal(imports[1].body.split("\n").length, 1, "only the failed line is sent again");
    assert.ok(w.fake.documents(`${w.config.prefix}categories`).has(a));
  });
});

Deno.test("a poison document is parked with its error after maxAttempts and never blocks the queue", async () => {
  await world(async (w) => {
    const poison = await createCategory(w, `Poison ${tag()}`);
    w.fake.rejectDocument(poison, "Field `genres` must be a string[].");
    const runs = [];
    for (let i = 0; i < 3; i++) {
      await createCategory(w, `Healthy ${i} ${tag()}`); // fresh work queued behind the poison each time
      runs.push(await drain(w.deps, { ...noWait, maxAttempts: 3 }));
    }
    assert.deepEqual(runs, [
      { synced: 1, failed: 1, parked: 0 },
      { synced: 1, failed: 1, parked: 0 },
      { synced: 1, failed: 1, parked: 1 },
    ]);
    const [row] = await outbox(w);
    assert.equal(row.document_id, poison);
    assert.equal(row.parked, true);
    assert.equal(row.attempts, 3);
    assert.match(row.last_error!, /genres/);
    assert.deepEqual(await drain(w.deps, noWait), { synced: 0, failed: 0, parked: 0 }, "parked rows are left aside");

    // A new change to the document gives it a fresh start.
    await w.sql`update public.categories set name = name || ' (fixed)' where id = ${poison}`;
    const [again] = await outbox(w);
    assert.equal(again.parked, false);
    assert.equal(again.attempts, 0);
  });
});

Deno.test("Typesense down: nothing is lost and nothing is parked", async () => {
  await world(async (w) => {
    const id = await createCategory(w, `Outage ${tag()}`);
    w.fake.failNext(1000, { status: 503 });
    for (let i = 0; i < 6; i++) {
      const result = await drain(w.deps, { ...noWait, maxAttempts: 2 });
      assert.equal(result.synced, 0);
      assert.equal(result.parked, 0);
      await w.sql`update private.search_outbox set next_attempt_at = now()`; // skip the backoff
    }
    const [row] = await outbox(w);
    assert.equal(row.document_id, id);
    assert.equal(row.attempts, 0, "an outage is not the document's fault");
    assert.match(row.last_error!, /503/);

    // Unreachable (connection refused) behaves the same.
    const gone = createTypesenseClient({ ...w.config, port: 1 });
    assert.deepEqual(await drain({ ...w.deps, client: gone }, noWait), { synced: 0, failed: 1, parked: 0 });
    assert.equal((await outbox(w)).length, 1);
  });
});

Deno.test("Typesense accepting imports but never answering: the drain gives up after importTimeoutMs, nothing parked", async () => {
  await world(async (w) => {
    const id = await createCategory(w, `Hung ${tag()}`);
    w.fake.delayMs = 2_000; // longer than the import timeout below; typesense-js itself never times out imports
    const started = performance.now();
    const result = await drain(w.deps, { ...noWait, importTimeoutMs: 200, retries: 1 });
    assert.ok(performance.now() - started < 1_500, "the drain returned before Typesense answered");
    assert.deepEqual(result, { synced: 0, failed: 1, parked: 0 });
    const [row] = await outbox(w);
    assert.equal(row.document_id, id);
    assert.equal(row.attempts, 0, "a hung Typesense is not the document's fault");
    assert.match(row.last_error!, /did not answer the import/);
    w.fake.delayMs = 0;
  });
});

Deno.test("two drains running at once never send the same row", async () => {
  await world(async (w) => {
    const ids = [];
    for (let i = 0; i < 60; i++) ids.push(await createCategory(w, `Parallel ${i} ${tag()}`));
    w.fake.delayMs = 20;
    const [a, b] = await Promise.all([
      drain(w.deps, { ...noWait, batchSize: 10 }),
      drain(w.deps, { ...noWait, batchSize: 10 }),
    ]);
    assert.equal(a.synced + b.synced, 60);
    assert.ok(a.synced > 0 && b.synced > 0, "both drains took work");
    const sent = w.fake.requests.filter((r) => r.path.endsWith("/documents/import"))
      .flatMap((r) => r.body.split("\n").map((l) => JSON.parse(l).id as string));
    assert.equal(sent.length, 60);
    assert.equal(new Set(sent).size, 60, "no row sent twice");
  });
});

Deno.test("a change made while its row is being sent is sent again, never lost", async () => {
  await world(async (w) => {
    const id = await createCategory(w, `Racing ${tag()}`);
    w.fake.delayMs = 150;
    const running = drain(w.deps, noWait);
    await new Promise((r) => setTimeout(r, 60)); // claimed, import in flight
    await w.sql`update public.categories set name = 'Racing (renamed)' where id = ${id}`;
    // The first send carried the old name; the row stayed queued (newer version) and went next.
    assert.deepEqual(await running, { synced: 2, failed: 0, parked: 0 });
    const imports = w.fake.requests.filter((r) => r.path.endsWith("/documents/import"));
    assert.deepEqual(imports.map((r) => JSON.parse(r.body).name), [imports.length && JSON.parse(imports[0].body).name, "Racing (renamed)"]);
    assert.notEqual(JSON.parse(imports[0].body).name, "Racing (renamed)");
    assert.equal(w.fake.documents(`${w.config.prefix}categories`).get(id)!.name, "Racing (renamed)");
    assert.deepEqual(await outbox(w), []);
  });
});
