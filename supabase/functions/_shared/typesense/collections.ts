// Collections reach the server through aliases (`channels` -> `channels_<ms>`): a schema change or
// a full reindex builds a fresh collection from the database, then moves the alias, so searches never
// see a half-built collection. One advisory lock orders the writers: a build holds it exclusively, a
// drain (search-sync) shares it, so no drain writes to a collection (or completes outbox rows) while a
// build copies the database into its successor: changes made meanwhile wait in the outbox and reach
// the new collection after the swap.
import type { Client } from "typesense";
import type { Sql } from "../db.ts";
import { SEARCH_TYPES, type SearchType, type TypesenseConfig } from "./config.ts";
import { importDocuments } from "./documents.ts";
import { httpStatusOf } from "./client.ts";
import { aliasName, COLLECTIONS, collectionSchema, schemaMatches } from "./schemas.ts";

/** The advisory lock of the collections: exclusive while one is built, shared while the outbox drains. */
const LOCK_KEY = "streamz.search.collections";
const PAGE = 1000;

export interface EnsureResult {
  created: SearchType[];
  backfilled: number;
  failed: number;
}

/**
 * Makes every collection match the code: an alias missing, or pointing at a collection whose schema
 * differs, gets a fresh collection filled from the database (as `rebuildCollection`). Under the
 * collections lock, exclusively (no build or drain runs meanwhile). Idempotent.
 */
export async function ensureCollections(
  deps: { client: Client; sql: Sql; config: Pick<TypesenseConfig, "prefix"> },
  types: readonly SearchType[] = SEARCH_TYPES,
): Promise<EnsureResult> {
  const result: EnsureResult = { created: [], backfilled: 0, failed: 0 };
  for (const type of types) {
    if (await collectionIsCurrent(deps, type)) continue;
    await withExclusiveLock(deps.sql, async () => {
      if (await collectionIsCurrent(deps, type)) return; // another run built it meanwhile
      const built = await buildCollection(deps, type);
      result.created.push(type);
      result.backfilled += built.imported;
      result.failed += built.failed;
    });
  }
  return result;
}

async function collectionIsCurrent(
  deps: { client: Client; config: Pick<TypesenseConfig, "prefix"> },
  type: SearchType,
): Promise<boolean> {
  const alias = aliasName(deps.config, type);
  let target: string;
  try {
    target = (await deps.client.aliases(alias).retrieve()).collection_name;
  } catch (e) {
    if (httpStatusOf(e) === 404) return false;
    throw e;
  }
  try {
    return schemaMatches(COLLECTIONS[type], await deps.client.collections(target).retrieve() as never);
  } catch (e) {
    if (httpStatusOf(e) === 404) return false;
    throw e;
  }
}

/** Runs `fn` holding the collections lock exclusively, waiting for drains and other builds to end. */
async function withExclusiveLock<T>(sql: Sql, fn: () => Promise<T>): Promise<T> {
  const conn = await sql.reserve();
  try {
    await conn`select pg_advisory_lock(hashtextextended(${LOCK_KEY}, 0))`;
    try {
      return await fn();
    } finally {
      await conn`select pg_advisory_unlock(hashtextextended(${LOCK_KEY}, 0))`;
    }
  } finally {
    conn.release();
  }
}

/**
 * Runs `fn` on a connection holding the collections lock shared (drains run side by side), or returns
 * null at once when a build holds it or waits for it: the caller tries again later.
 */
export async function withSharedCollectionsLock<T>(sql: Sql, fn: (conn: Sql) => Promise<T>): Promise<T | null> {
  const conn = await sql.reserve();
  try {
    const [{ locked }] = await conn<{ locked: boolean }[]>`
      select pg_try_advisory_lock_shared(hashtextextended(${LOCK_KEY}, 0)) as locked`;
    if (!locked) return null;
    try {
      return await fn(conn as unknown as Sql);
    } finally {
      await conn`select pg_advisory_unlock_shared(hashtextextended(${LOCK_KEY}, 0))`;
    }
  } finally {
    conn.release();
  }
}

/**
 * Drops the `<alias>_<ms>` collections no alias points to: what a build that died before its swap
 * left behind.
 */
async function sweepLeftovers(client: Client, alias: string): Promise<string[]> {
  let target: string | undefined;
  try {
    target = (await client.aliases(alias).retrieve()).collection_name;
  } catch (e) {
    if (httpStatusOf(e) !== 404) throw e;
  }
  const own = new RegExp(`^${alias.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}_\\d+$`);
  const leftovers = (await client.collections().retrieve({ exclude_fields: "fields" }))
    .map((c) => c.name).filter((name) => own.test(name) && name !== target);
  for (const name of leftovers) await client.collections(name).delete().catch(() => {});
  return leftovers;
}

interface BuildOptions {
  pageSize?: number;
  /** Called after each page is imported (awaited). */
  onProgress?: (imported: number) => void | Promise<void>;
}

/**
 * Builds `<alias>_<ms>` from the database view, then points the alias at it and drops the
 * collection it replaced (and any left over by an earlier build that died). Holds the collections
 * lock exclusively throughout: it waits for running drains, and drains started meanwhile leave their
 * rows in the outbox for the new collection. Documents Typesense refuses are queued in the outbox,
 * where search-sync retries them and parks them if they keep failing.
 */
export async function rebuildCollection(
  deps: { client: Client; sql: Sql; config: Pick<TypesenseConfig, "prefix"> },
  type: SearchType,
  options: BuildOptions = {},
): Promise<{ collection: string; imported: number; failed: number }> {
  return await withExclusiveLock(deps.sql, () => buildCollection(deps, type, options));
}

/** rebuildCollection's work; the caller holds the collections lock exclusively. */
async function buildCollection(
  deps: { client: Client; sql: Sql; config: Pick<TypesenseConfig, "prefix"> },
  type: SearchType,
  options: BuildOptions = {},
): Promise<{ collection: string; imported: number; failed: number }> {
  const spec = COLLECTIONS[type];
  const alias = aliasName(deps.config, type);
  await sweepLeftovers(deps.client, alias);
  const name = `${alias}_${Date.now()}`;
  await deps.client.collections().create(collectionSchema(spec, name) as never);
  let imported = 0, failed = 0;
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const rows = await deps.sql.unsafe<{ id: string; document: Record<string, unknown> }[]>(
      `select id, document from ${spec.view} where id > $1 order by id limit $2`,
      [after, options.pageSize ?? PAGE],
    );
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    const lines = await importDocuments(deps.client, name, rows.map((r) => r.document));
    const refused = rows.filter((_, i) => !lines[i].success).map((r) => r.id);
    imported += rows.length - refused.length;
    failed += refused.length;
    if (refused.length > 0) {
      await deps.sql`select private.search_enqueue(${type}, ${refused}::uuid[], 'upsert')`;
    }
    await options.onProgress?.(imported);
  }
  let previous: string | undefined;
  try {
    previous = (await deps.client.aliases(alias).retrieve()).collection_name;
  } catch (e) {
    if (httpStatusOf(e) !== 404) throw e;
  }
  await deps.client.aliases().upsert(alias, { collection_name: name });
  if (previous && previous !== name) {
    await deps.client.collections(previous).delete().catch(() => {});
  }
  return { collection: name, imported, failed };
}
