// `npm run bench:search`: search at scale, on a throwaway database (never the dev one).
//   1. Postgres search latency with 100k channels, 10k livestreams, 600 categories: per query class
//      (exact, prefix, typo, typo-in-prefix, multi-word, 1-2 characters, no match, broad) p50/p95/p99
//      of private.search_channels and of the search function's Postgres path for all three types,
//      against a primary-key lookup of one document.
//   2. The cost the search index adds to a title change, a follow and a go-live, triggers on vs off.
//   3. Outbox drain rate into a fake Typesense on loopback against posting the same JSONL batches
//      to a no-op HTTP server (the floor: HTTP + JSON, no database, no Typesense work).
// Prints each measure and its ratio to the baseline measured in the same run. Not part of npm test.
// Usage: npm run bench:search [-- --channels=100000 --drain=20000 --rounds=12 --keep]
import {
  applyRoles, buildDatabase, dbUrl, dropDatabase, ensurePostgres, initCluster, startServer,
} from "../../scripts/lib/cluster.ts";
import { createPool, type Sql } from "../../supabase/functions/_shared/db.ts";
import { createTypesenseClient, ensureCollections, type TypesenseConfig } from "../../supabase/functions/_shared/typesense.ts";
import { startFakeTypesense } from "../../tests/fakes/typesense.ts";
import { drain } from "../../supabase/functions/search-sync/drain.ts";
import { searchPostgres } from "../../supabase/functions/search/handler.ts";

const arg = (name: string, fallback: number) => Number(Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const CHANNELS = arg("channels", 100_000);
const DRAIN = arg("drain", 20_000);
const ROUNDS = arg("rounds", 12);
const keep = Deno.args.includes("--keep");

const major = await ensurePostgres();
await initCluster(major);
await startServer(major);
await applyRoles(major);
const database = `streamz_bench_search_${Date.now().toString(36)}`;
console.log(`building ${database} (PostgreSQL ${major})`);
await buildDatabase(major, database, { seed: true });
const sql = createPool(dbUrl(database), { max: 4 }); // the 4 connections warmed below (POOL)
try {

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}
const ms = (n: number) => `${n.toFixed(2)} ms`;

async function time<T>(fn: () => Promise<T>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function populate(sql: Sql) {
  console.log(`populating ${CHANNELS.toLocaleString()} users/channels, 600 categories, ${(CHANNELS / 10).toLocaleString()} livestreams ...`);
  const t = performance.now();
  // Names built from word lists, like real handles: pixelwolf_123, NovaRuns, ...
  await sql.unsafe(`
    create temporary table words (i int, w text);
    insert into words select row_number() over () - 1, w from unnest(array[
      'pixel','nova','shadow','cosmic','retro','turbo','lunar','frost','ember','glitch','neon','storm','mystic','iron',
      'velvet','atomic','crimson','silent','rapid','golden','hyper','arcane','echo','solar','wild','lucky','savage',
      'quiet','brave','cozy']) w;
    create temporary table nouns (i int, w text);
    insert into nouns select row_number() over () - 1, w from unnest(array[
      'wolf','runner','gamer','fox','knight','wizard','panda','ninja','raven','tiger','ghost','pilot','dragon','otter',
      'falcon','golem','bard','rogue','sprite','titan','viper','moth','badger','comet','lynx','yeti','kraken','owl',
      'hawk','bear']) w;
  `);
  await sql.unsafe(`
    insert into public.categories (igdb_id, name, slug, genres)
    select 500000 + g, initcap(a.w) || ' ' || initcap(b.w) || ' ' || g, a.w || '-' || b.w || '-' || g, array['Indie']
    from generate_series(1, 600) g
    join words a on a.i = g % 30 join nouns b on b.i = (g / 30) % 30;
  `);
  await sql.unsafe(`
    insert into public.users (id, username, display_name)
    select gen_random_uuid(), a.w || b.w || '_' || g, initcap(a.w) || ' ' || initcap(b.w)
    from generate_series(1, ${CHANNELS}) g
    join words a on a.i = g % 30 join nouns b on b.i = (g / 30) % 30;
  `);
  await sql.unsafe(`
    update public.channels c set
      title = initcap(w.w) || ' ' || n.w || ' ' || (array['marathon', 'chill', 'ranked', 'speedrun', 'co-op', 'first playthrough',
        'tournament', 'challenge run', 'late night', 'hardcore'])[1 + abs(hashtext(c.id::text || 't')) % 10]
        || ', day ' || (abs(hashtext(c.id::text)) % 400),
      followers_count = abs(hashtext(c.slug::text)) % 50000,
      category_id = (select id from public.categories order by igdb_id offset (abs(hashtext(c.id::text)) % 600) limit 1)
    from words w, nouns n
    where w.i = abs(hashtext(c.id::text || 'w')) % 30 and n.i = abs(hashtext(c.id::text || 'n')) % 30;
  `);
  await sql.unsafe(`
    insert into public.livestreams (channel_id, title, category_id, viewer_count)
    select c.id, c.title, c.category_id, abs(hashtext(c.slug::text)) % 20000
    from public.channels c where abs(hashtext(c.id::text)) % 10 = 0
      and not exists (select 1 from public.livestreams l where l.channel_id = c.id and l.ended_at is null);
    analyze;
  `);
  console.log(`  done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

// The search index is built once after the bulk load (its triggers are off meanwhile), as a restore
// would. The outbox and channel-event triggers are off during the load too: they are not measured
// here, and at 1M rows they would make the load take most of an hour.
const SEARCH_TRIGGERS = [
  "public.users search_index_update", "public.channels search_index_insert", "public.channels search_index_update",
  "public.channels search_index_popularity", "public.categories search_index_insert",
  "public.livestreams search_index_insert", "public.livestreams search_index_update", "public.livestreams search_index_popularity",
  "public.users search_enqueue_update", "public.channels search_enqueue_insert_delete", "public.channels search_enqueue_update",
  "public.categories search_enqueue_insert_delete", "public.livestreams search_enqueue_insert_delete",
  "public.livestreams search_enqueue_update", "public.channels broadcast_channel_updated",
];
async function searchTriggers(sql: Sql, on: boolean) {
  for (const t of SEARCH_TRIGGERS) {
    const [table, name] = t.split(" ");
    await sql.unsafe(`alter table ${table} ${on ? "enable" : "disable"} trigger ${name}`);
  }
}
async function buildSearchIndex(sql: Sql) {
  const t = performance.now();
  for (const type of ["categories", "channels", "livestreams"]) {
    // In slices of 50,000 documents, so no statement holds a million rows at once.
    for (let after = "00000000-0000-0000-0000-000000000000";;) {
      const [{ last }] = await sql.unsafe(`
        with ids as (select id from public.${type} where id > $1 order by id limit 50000),
        done as (select private.search_index_refresh('${type}', array(select id from ids)))
        select (select max(id::text) from ids) as last, (select count(*) from done) as n`, [after]);
      if (!last) break;
      after = last;
    }
  }
  await sql.unsafe("analyze private.search_index; analyze private.search_rank; analyze private.search_vocabulary");
  const [{ words }] = await sql<{ words: number }[]>`select count(*)::int as words from private.search_vocabulary`;
  console.log(`  search index built in ${((performance.now() - t) / 1000).toFixed(1)} s (${words.toLocaleString()} words)`);
}

await searchTriggers(sql, false);
await populate(sql);
await searchTriggers(sql, true);
await buildSearchIndex(sql);
const [{ channels }] = await sql<{ channels: number }[]>`select count(*)::int as channels from public.channels`;
const ids = (await sql<{ id: string }[]>`select id from public.channels order by random() limit 500`).map((r) => r.id);

// 1. Search latency ----------------------------------------------------------------------------------
// Words of the generated names: usernames pixelwolf_123, display names "Pixel Wolf", titles
// "Pixel wolf marathon, day 12", categories "Pixel Wolf 31".
const CLASSES: Record<string, string[]> = {
  "exact": [], // filled below with real names
  "prefix": ["pixelwo", "crims", "tourna", "hyperfal"],
  "typo": ["pixlwolf", "shdowfox", "marathn", "crimsonyeit"],
  "typo-in-prefix": ["pixlwo", "shdowf", "tornam", "crimsn"],
  "multi-word": ["cosmic dragon", "turbo knight", "marathon day 12", "velvet moth chill"],
  "1-2 chars": ["zz", "p", "ne", "7"],
  "no match": ["xylophonic", "qqqqzz", "blorptastic", "zzyzx"],
  "broad": ["nova", "retro", "arcane", "day"],
};
// Two real usernames (pixelwolf_900 style) for the exact class.
const names = (await sql<{ username: string }[]>`
  select username from public.users where username::text ~ '_[0-9]+$' order by id limit 2`).map((r) => r.username);
CLASSES.exact = [names[0], names[1].split("_")[0], "marathon", "ghost"];
const channelsSql = (q: string) => sql`select private.search_channels(${q}, 10, 0, null, null, null, false, '{}') as r`;
const lookup = (id: string) => sql`select document from private.search_channel_documents where id = ${id}`;
const allTypesSql = (s: Sql, q: string) => searchPostgres(s, {
  q, types: ["channels", "categories", "livestreams"], page: 1, perPage: 10,
  filters: { language: null, category: null, live: null, includeMature: false }, facets: [],
});
// A session's first search makes the plans of every statement it runs (about 15 ms; each further
// statement a later query needs for the first time, a few ms more). The pool hands sequential
// queries to its connections in turn, so every connection is warmed with every query first: the
// samples below measure searches, not a connection's first ones (measured apart, after them).
const POOL = 4;
await Promise.all(Array.from({ length: POOL }, async () => {
  const conn = await sql.reserve();
  try {
    for (const qs of Object.values(CLASSES)) {
      for (const q of qs) {
        await conn`select private.search_channels(${q}, 10, 0, null, null, null, false, '{}')`;
        await allTypesSql(conn, q);
      }
    }
    await conn`select private.search_channels('nova', 10, 0, 'en', null, true, false, '{category,language}')`;
    await conn`select private.search_channels('retro', 10, 0, null, null, false, false, '{}')`;
    for (let i = 0; i < 3; i++) await conn`select document from private.search_channel_documents where id = ${ids[i]}`;
  } finally {
    conn.release();
  }
}));

const pk: number[] = [];
const channelSearch = new Map<string, number[]>(), allTypes = new Map<string, number[]>();
const allTypesParallel = new Map<string, number[]>();
// The three types as three statements in parallel on three connections (how the search function
// queried them before it sent one statement), measured beside it for comparison.
const parallelSql = (q: string) => Promise.all([
  sql`select private.search_channels(${q}, 10, 0, null, null, null, false, '{}')`,
  sql`select private.search_categories(${q}, 10, 0, '{}')`,
  sql`select private.search_livestreams(${q}, 10, 0, null, null, null, false, '{}')`,
]);
const perQuery = new Map<string, number[]>();
let n = 0;
for (let r = 0; r < ROUNDS; r++) {
  for (const [cls, qs] of Object.entries(CLASSES)) {
    for (const q of qs) {
      // Interleaved, so load from other users of the machine hits every measure alike.
      pk.push(await time(() => lookup(ids[n++ % ids.length])));
      const t = await time(() => channelsSql(q));
      channelSearch.set(cls, [...(channelSearch.get(cls) ?? []), t]);
      perQuery.set(q, [...(perQuery.get(q) ?? []), t]);
      allTypes.set(cls, [...(allTypes.get(cls) ?? []), await time(() => allTypesSql(sql, q))]);
      allTypesParallel.set(cls, [...(allTypesParallel.get(cls) ?? []), await time(() => parallelSql(q))]);
    }
  }
}
const found = new Map<string, number>();
for (const qs of Object.values(CLASSES)) {
  for (const q of qs) found.set(q, Number((await channelsSql(q))[0].r.found));
}
// Filters and facets on a broad query, and the slowest statement any class needs (anon's
// statement_timeout is 3 s; the search function's connection has none, but no query should come close).
const filtered: number[] = [], offlineSearch: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  filtered.push(await time(() => sql`select private.search_channels('nova', 10, 0, 'en', null, true, false, '{category,language}')`));
  // Offline channels only: most documents, the end of the ranking a walk reaches last.
  offlineSearch.push(await time(() => sql`select private.search_channels('retro', 10, 0, null, null, false, false, '{}')`));
}

// A new connection's first search (the pool's connections are closed after 30 s idle in the search
// function): each sample on a connection of its own, after one `select 1` (the connection is set up).
const firstChannels: number[] = [], firstAllTypes: number[] = [];
for (let r = 0; r < 6; r++) {
  const runs: [number[], (s: Sql) => Promise<unknown>][] = [
    [firstChannels, async (s) => await s`select private.search_channels('marathon', 10, 0, null, null, null, false, '{}')`],
    [firstAllTypes, (s) => allTypesSql(s, "marathon")],
  ];
  for (const [into, run] of runs) {
    const fresh = createPool(dbUrl(database), { max: 1 });
    try {
      await fresh`select 1`;
      into.push(await time(() => run(fresh)));
    } finally {
      await fresh.end();
    }
  }
}

// 2. Write cost of the search index --------------------------------------------------------------------
// Three writes, each 200 times with the search index triggers on and 200 times off (autocommit): a
// title change (re-tokenizes the channel), a follow (followers_count + 1 through the follows trigger)
// and a go-live (a livestream starts: the stream is indexed and the channel becomes live).
const WRITES = 200;
const INDEX_TRIGGERS = [
  "public.channels search_index_update", "public.channels search_index_popularity",
  "public.livestreams search_index_insert", "public.livestreams search_index_update", "public.livestreams search_index_popularity",
];
async function indexTriggers(on: boolean) {
  for (const t of INDEX_TRIGGERS) {
    const [table, name] = t.split(" ");
    await sql.unsafe(`alter table ${table} ${on ? "enable" : "disable"} trigger ${name}`);
  }
}
const offline = (await sql<{ id: string }[]>`
  select id from public.channels c where not c.is_live order by md5(id::text) limit ${2 * WRITES}`).map((r) => r.id);
const followers = (await sql<{ id: string }[]>`
  select id from public.users order by md5(id::text) limit ${2 * WRITES}`).map((r) => r.id);
// Interleaved in slices of 20 (triggers on, then off), so load from other users of the machine hits
// both alike; every write uses rows of its own.
const SLICE = 20;
async function write(kind: "title" | "follow" | "go-live", k: number) {
  const id = ids[k % ids.length];
  return await time(() =>
    kind === "title"
      ? sql`update public.channels set title = ${`Retro night ${k} ${Math.random().toString(36).slice(2, 8)}`} where id = ${id}`
      : kind === "follow"
      ? sql`insert into public.follows (user_id, channel_id) values (${followers[k]}, ${id}) on conflict do nothing`
      : sql`insert into public.livestreams (channel_id, title) values (${offline[k]}, ${`Going live ${k}`})`
  );
}
const WRITE_KINDS = ["title", "follow", "go-live"] as const;
const withSamples = new Map<string, number[]>(), withoutSamples = new Map<string, number[]>();
for (let k = 0; k < 2 * WRITES; k += 2 * SLICE) {
  for (const on of [true, false]) {
    await indexTriggers(on);
    const into = on ? withSamples : withoutSamples;
    for (const kind of WRITE_KINDS) {
      for (let j = 0; j < SLICE; j++) into.set(kind, [...(into.get(kind) ?? []), await write(kind, k + (on ? 0 : SLICE) + j)]);
    }
  }
}
await indexTriggers(true);
const writeWith = Object.fromEntries(WRITE_KINDS.map((k) => [k, stats(withSamples.get(k)!)]));
const writeWithout = Object.fromEntries(WRITE_KINDS.map((k) => [k, stats(withoutSamples.get(k)!)]));

// 2. Drain rate ------------------------------------------------------------------------------------
const fake = await startFakeTypesense();
const config: TypesenseConfig = {
  host: "127.0.0.1", port: fake.port, protocol: "http", apiKey: fake.apiKey, searchApiKey: fake.apiKey, prefix: "bench_",
};
const deps = { sql, client: createTypesenseClient(config), config };
const backfill = await time(() => ensureCollections(deps));
await sql`delete from private.search_outbox`;
await sql`select private.search_enqueue('channels', array(select id from public.channels order by id limit ${DRAIN}), 'upsert')`;
const BATCH = 200;
let synced = 0;
const drainMs = await time(async () => {
  for (;;) {
    const r = await drain(deps, { batchSize: BATCH, timeBudgetMs: 600_000 });
    synced += r.synced;
    if (r.synced === 0) break;
  }
});
const sample = (await sql<{ document: Record<string, unknown> }[]>`
  select document from private.search_channel_documents order by id limit ${BATCH}`).map((r) => r.document);
const body = sample.map((d) => JSON.stringify(d)).join("\n");
const noop = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
  const text = await req.text();
  return new Response(text.split("\n").map(() => '{"success":true}').join("\n"));
});
const noopUrl = `http://127.0.0.1:${(noop.addr as Deno.NetAddr).port}/collections/c/documents/import?action=upsert`;
const batches = Math.ceil(DRAIN / BATCH);
const baselineMs = await time(async () => {
  for (let i = 0; i < batches; i++) await (await fetch(noopUrl, { method: "POST", body })).text();
});
await noop.shutdown();
await fake.close();

// Report ---------------------------------------------------------------------------------------------
const pkS = stats(pk);
const row = (label: string, t: ReturnType<typeof stats>) =>
  `${label.padEnd(16)} p50 ${ms(t.p50).padStart(9)}  p95 ${ms(t.p95).padStart(9)}  p99 ${ms(t.p99).padStart(9)}` +
  `  ratio to baseline p50 ${(t.p50 / pkS.p50).toFixed(1)}x  p99 ${(t.p99 / pkS.p99).toFixed(1)}x`;
console.log(`\n== Postgres search, ${channels.toLocaleString()} channels (${ROUNDS} rounds x 4 queries per class) ==`);
console.log(row("baseline: PK lookup", pkS));
console.log("search_channels (page of 10, found):");
for (const [cls, t] of channelSearch) console.log("  " + row(cls, stats(t)));
console.log("search function, all three types (one statement):");
for (const [cls, t] of allTypes) console.log("  " + row(cls, stats(t)));
console.log("  " + row("all classes", stats([...allTypes.values()].flat())));
console.log("for comparison, the three types as 3 statements in parallel:");
for (const [cls, t] of allTypesParallel) console.log("  " + row(cls, stats(t)));
console.log("  " + row("all classes", stats([...allTypesParallel.values()].flat())));
console.log(row("nova, en, live, facets", stats(filtered)));
console.log(row("retro, live=false", stats(offlineSearch)));
console.log(`a new connection's first search ("marathon", 6 samples): search_channels p50 ${ms(stats(firstChannels).p50)} max ${
  ms(Math.max(...firstChannels))}, three types p50 ${ms(stats(firstAllTypes).p50)} max ${ms(Math.max(...firstAllTypes))}`);
console.log("per query (search_channels p50, found):");
for (const [q, t] of perQuery) console.log(`  ${JSON.stringify(q).padEnd(20)} p50 ${ms(stats(t).p50)}  found ${found.get(q)}`);
console.log(`\n== Writes, ${WRITES} each, with the search index triggers vs without ==`);
for (const k of WRITE_KINDS) {
  console.log(`${k.padEnd(10)} with p50 ${ms(writeWith[k].p50)} p95 ${ms(writeWith[k].p95)}   without p50 ${
    ms(writeWithout[k].p50)} p95 ${ms(writeWithout[k].p95)}   added p50 ${ms(writeWith[k].p50 - writeWithout[k].p50)}`);
}
console.log(`\n== Outbox drain into a fake Typesense on loopback (${DRAIN.toLocaleString()} channel upserts, batches of ${BATCH}) ==`);
console.log(`first-run backfill of every collection: ${(backfill / 1000).toFixed(1)} s`);
console.log(`baseline: same JSONL batches to a no-op HTTP server  ${(DRAIN / (baselineMs / 1000)).toFixed(0)} docs/s`);
console.log(`drain (claim + build + import + per-line check + complete)  ${(synced / (drainMs / 1000)).toFixed(0)} docs/s` +
  `  ratio ${(drainMs / baselineMs).toFixed(1)}x the baseline's time`);
if (synced !== DRAIN) console.log(`WARNING: synced ${synced} of ${DRAIN}`);

} finally {
  await sql.end();
  if (!keep) await dropDatabase(major, database);
  else console.log(`kept ${dbUrl(database)}`);
}
