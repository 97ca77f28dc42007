// search-sync's drain against the real test database and a fake Typesense on loopback that answers
// as Typesense documents (per-line import results, 503 "Not Ready or Lagging", refused documents).
import assert from "node:assert/strict";
import postgres from "postgres";
import { createPool, type Sql } from "../_shared/db.ts";
import {
  COLLECTIONS, createTypesenseClient, ensureCollections, rebuildCollection, SEARCH_TYPES, type TypesenseConfig,
} from "../_shared/typesense.ts";
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
    assert.equal(w.fake.requests.filter((r) => r.path.endsWith("/documents/import")).length, 1,
      "a send that may still land is not sent again in the run");
    const [row] = await outbox(w);
    assert.equal(row.document_id, id);
    assert.equal(row.attempts, 0, "a hung Typesense is not the document's fault");
    assert.equal(row.parked, false);
    assert.match(row.last_error!, /did not answer the import/);
    const [{ held }] = await w.sql`select locked_until > now() + interval '4 minutes' as held from private.search_outbox`;
    assert.equal(held, true, "the row stays leased (5 minutes by default): the import may still land");
    w.fake.delayMs = 0;
  });
});

/** Waits until `check` holds (polling), failing after `ms`. */
async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 15_000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// An import that times out is aborted, but Typesense may already hold it and apply it later: the
// fake applies a delayed request after its client gave up, as Typesense would. Its rows stay leased
// for unknownOutcomeHold (longer than the late import takes here), so no newer version is sent before
// it lands; the next send is the last write.
const lateImport = { importTimeoutMs: 300, unknownOutcomeHold: "2 seconds" };
const LATE_MS = 1_000;

Deno.test("an import that times out cannot land after a newer change: its rows wait, then the newer version is sent", async () => {
  await world(async (w) => {
    const id = await createCategory(w, `Late ${tag()}`);
    w.fake.delayNext(1, LATE_MS, { path: /\/documents\/import$/ });
    const started = Date.now();
    assert.deepEqual(await drain(w.deps, { ...noWait, ...lateImport }), { synced: 0, failed: 1, parked: 0 });
    assert.ok(Date.now() - started < LATE_MS, "the import was aborted, not waited for");

    await w.sql`update public.categories set name = 'Late (renamed)' where id = ${id}`;
    assert.deepEqual(await drain(w.deps, { ...noWait, ...lateImport }), { synced: 0, failed: 0, parked: 0 },
      "the renamed category waits while the timed-out import may land");
    const docs = w.fake.documents(`${w.config.prefix}categories`);
    await waitFor(() => docs.has(id), "the late import to land");
    assert.notEqual(docs.get(id)!.name, "Late (renamed)", "(the late import carried the old name)");

    await waitFor(async () => {
      await drain(w.deps, { ...noWait, ...lateImport });
      return (await outbox(w)).length === 0;
    }, "the hold to pass and the row to be sent");
    assert.equal(docs.get(id)!.name, "Late (renamed)", "the last write is the newest version");
  });
});

Deno.test("a delete made while an import of the document timed out is not undone when the import lands", async () => {
  await world(async (w) => {
    const id = await createCategory(w, `Revenant ${tag()}`);
    await drain(w.deps, noWait);
    await w.sql`update public.categories set name = name || ' (renamed)' where id = ${id}`;
    w.fake.delayNext(1, LATE_MS, { path: /\/documents\/import$/ });
    assert.deepEqual(await drain(w.deps, { ...noWait, ...lateImport }), { synced: 0, failed: 1, parked: 0 });

    await w.sql`delete from public.categories where id = ${id}`;
    assert.deepEqual(await drain(w.deps, { ...noWait, ...lateImport }), { synced: 0, failed: 0, parked: 0 },
      "the delete waits while the timed-out import may land");
    const docs = w.fake.documents(`${w.config.prefix}categories`);
    await waitFor(() => String(docs.get(id)?.name).endsWith("(renamed)"), "the late import to land");

    await waitFor(async () => {
      await drain(w.deps, { ...noWait, ...lateImport });
      return (await outbox(w)).length === 0;
    }, "the hold to pass and the delete to be sent");
    assert.equal(docs.has(id), false, "the deleted category stays deleted");
  });
});

Deno.test("a write committed while the claim runs is sent with its own document, never with the one before it", async () => {
  await world(async (w) => {
    // Two rows: a category (claimed first), then a channel.
    await createCategory(w, `Claimed First ${tag()}`);
    const { channelId } = await createStreamer(w, `claimrace_${tag()}`);
    await w.sql`update public.channels set title = 'Before the claim' where id = ${channelId}`;

    // The claim pauses while it leases its first row (the category), until `pause` is released: a
    // trigger for this test's claiming session only.
    await w.sql`create schema streamz_test_claim_race`;
    w.cleanup.push(() => w.sql`drop schema streamz_test_claim_race cascade`);
    await w.sql.unsafe(`
      create function streamz_test_claim_race.pause() returns trigger language plpgsql as $$
      begin
        if current_setting('application_name') = 'search-claim-race' and new.collection = 'categories'
           and new.locked_until is distinct from old.locked_until then
          perform pg_advisory_xact_lock(8675309);
        end if;
        return new;
      end $$`);
    await w.sql`create trigger streamz_test_claim_race before update on private.search_outbox
      for each row execute function streamz_test_claim_race.pause()`;
    w.cleanup.push(() => w.sql`drop trigger if exists streamz_test_claim_race on private.search_outbox`);
    const pause = await w.sql.reserve();
    const writer = await w.sql.reserve();
    // The claiming session plans without hash joins, so it leases each row as it locks it (a hash join
    // locks the whole batch first): the pause then falls between locking the category and the channel,
    // the window in which a write can commit after the claim's snapshot and before its row is locked.
    const claimer = postgres(dbUrl!, {
      max: 2,
      onnotice: () => {},
      connection: { application_name: "search-claim-race", enable_hashjoin: "off", enable_mergejoin: "off" },
    });
    let committed = false;
    try {
      await pause`select pg_advisory_lock(8675309)`;
      // The writer's transaction starts before the claim's, so the change it queues is due (its
      // next_attempt_at is its now()) when the claim reaches the row.
      await writer`begin`;
      await writer`select now()`;
      const running = drain({ ...w.deps, sql: claimer }, noWait);
      await waitFor(async () => {
        const [{ n }] = await w.sql<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where application_name = 'search-claim-race' and wait_event_type = 'Lock' and wait_event = 'advisory'`;
        return n === 1;
      }, "the claim to pause");
      // While it is paused: the channel changes and commits (its outbox row is not leased yet).
      const write = (async () => {
        await writer`update public.channels set title = 'Committed during the claim' where id = ${channelId}`;
        await writer`commit`;
        committed = true;
      })();
      await Promise.race([write, new Promise((r) => setTimeout(r, 5_000))]);
      assert.ok(committed, "the write committed while the claim was paused");
      await pause`select pg_advisory_unlock(8675309)`;
      await running;
      await write;
      await waitFor(async () => {
        await drain(w.deps, noWait);
        return (await outbox(w)).length === 0;
      }, "the outbox to empty");
      assert.equal(w.fake.documents(`${w.config.prefix}channels`).get(channelId)!.title, "Committed during the claim",
        "Typesense holds the committed title");
    } finally {
      await pause`select pg_advisory_unlock_all()`;
      if (!committed) await writer`rollback`.catch(() => {});
      pause.release();
      writer.release();
      await claimer.end({ timeout: 5 });
    }
  });
});

Deno.test("a reindex running: drains leave their rows in the outbox, and the changes reach the new collection", async () => {
  await world(async (w) => {
    const { channelId } = await createStreamer(w, `reindexed_${tag()}`);
    await drain(w.deps, noWait);
    const alias = `${w.config.prefix}channels`;
    const before = w.fake.aliases.get(alias)!;
    let during: unknown;
    // After the rebuild has read and imported its page, before the alias moves: the channel changes
    // and a drain runs.
    const built = await rebuildCollection(w.deps, "channels", {
      onProgress: async () => {
        if (during) return;
        await w.sql`update public.channels set title = 'Changed during the reindex' where id = ${channelId}`;
        during = await drain(w.deps, noWait);
      },
    });
    assert.deepEqual(during, { synced: 0, failed: 0, parked: 0 }, "the drain sent nothing while the collection was built");
    assert.notEqual(w.fake.aliases.get(alias), before);
    assert.equal(w.fake.aliases.get(alias), built.collection);
    assert.equal(w.fake.collections.has(before), false, "the replaced collection is dropped");
    assert.equal((await outbox(w)).length, 1, "the change waits in the outbox");
    assert.deepEqual(await drain(w.deps, noWait), { synced: 1, failed: 0, parked: 0 });
    assert.equal(w.fake.documents(alias).get(channelId)!.title, "Changed during the reindex",
      "the new collection holds the change made during its build");
  });
});

Deno.test("a rebuild first drops the collections an interrupted build left behind, and only those", async () => {
  await world(async (w) => {
    const alias = `${w.config.prefix}categories`;
    const schema = (name: string) => ({ name, fields: [{ name: "name", type: "string" }] }) as never;
    for (const name of [`${alias}_1`, `${alias}_2x`, `${w.config.prefix}categoriesx_3`, `other_${alias}_4`]) {
      await w.deps.client.collections().create(schema(name));
    }
    const built = await rebuildCollection(w.deps, "categories");
    assert.equal(w.fake.collections.has(`${alias}_1`), false, "a leftover <alias>_<ms> is dropped");
    assert.ok(w.fake.collections.has(built.collection), "the new collection stays");
    for (const name of [`${alias}_2x`, `${w.config.prefix}categoriesx_3`, `other_${alias}_4`]) {
      assert.ok(w.fake.collections.has(name), `${name} is not one of the alias's: kept`);
    }
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
