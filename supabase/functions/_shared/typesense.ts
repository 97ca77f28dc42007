// Typesense: configuration, the official client, the collection schemas (kept here, in code) and
// how they reach the server. Each collection is reached through an alias (`channels` ->
// `channels_<ms>`): a schema change or a full reindex builds a fresh collection from the database,
// then moves the alias, so searches never see a half-built collection.
import { Client } from "typesense";
import type { Sql } from "./db.ts";
import type { Env } from "./config.ts";

export const SEARCH_TYPES = ["channels", "categories", "livestreams"] as const;
export type SearchType = typeof SEARCH_TYPES[number];

export interface TypesenseConfig {
  host: string;
  port: number;
  protocol: "http" | "https";
  apiKey: string; // admin key: search-sync and reindex (server-side only)
  searchApiKey: string; // search-only key for the search function; the admin key when unset
  prefix: string; // prepended to every collection and alias name (several projects, one cluster)
}

/** TYPESENSE_HOST + TYPESENSE_API_KEY turn Typesense on; null when unset (search uses Postgres). */
export function readTypesenseConfig(env: Env = (n) => Deno.env.get(n)): TypesenseConfig | null {
  const host = env("TYPESENSE_HOST");
  const apiKey = env("TYPESENSE_API_KEY");
  if (!host || !apiKey) return null;
  const protocol = (env("TYPESENSE_PROTOCOL") ?? "https").toLowerCase();
  if (protocol !== "http" && protocol !== "https") throw new Error("TYPESENSE_PROTOCOL must be http or https.");
  const port = Number(env("TYPESENSE_PORT") ?? (protocol === "https" ? 443 : 8108));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error("TYPESENSE_PORT must be a port number.");
  return {
    host,
    port,
    protocol,
    apiKey,
    searchApiKey: env("TYPESENSE_SEARCH_API_KEY") || apiKey,
    prefix: env("TYPESENSE_COLLECTION_PREFIX") ?? "",
  };
}

/** The official client, with retries left to the caller (search-sync backs off on its own). */
export function createTypesenseClient(config: TypesenseConfig, key: "admin" | "search" = "admin"): Client {
  return new Client({
    nodes: [{ host: config.host, port: config.port, protocol: config.protocol }],
    apiKey: key === "admin" ? config.apiKey : config.searchApiKey,
    connectionTimeoutSeconds: key === "admin" ? 10 : 3,
    numRetries: 0,
    logLevel: "silent",
  });
}

export interface Field {
  name: string;
  type: "string" | "string[]" | "int32" | "int64" | "bool";
  optional?: boolean;
  facet?: boolean;
}

export interface CollectionSchema {
  name: string;
  fields: Field[];
  default_sorting_field?: string;
  token_separators: string[];
}

export interface CollectionSpec {
  name: SearchType;
  /** The database view holding the documents (id, document jsonb). */
  view: string;
  fields: Field[];
  defaultSortingField?: string;
  tokenSeparators: string[];
  /** What `search` returns for each hit: the public fields, in this order, null when absent. */
  hitFields: string[];
  /** The searched fields, in priority order; also the fields a hit's `highlights` may name. */
  queryBy: string[];
  queryByWeights: number[];
  /** Text match in 3 buckets (exact, completion, typo, as the Postgres path ranks), then live, then popularity. */
  sortBy: string;
  /** Takes the language, category, live and mature filters and counts facets (channels, livestreams). */
  filterable: boolean;
}

// Words split on `_` and `-` too, so `mods_mia` is found by "mia" and `counter-strike-2` by "strike".
const SEPARATORS = ["_", "-"];

/**
 * Typesense splits words only on spaces and `token_separators`, never where the case changes; the
 * Postgres path does (`speedrunSol` holds speedrun and sol). So each document also carries
 * `split_words`, the parts of its searched camel-case words ("speedrun Sol"), searched last, and a
 * query is split the same way before it is sent (`splitQuery`).
 */
export const SPLIT_WORDS: Field = { name: "split_words", type: "string", optional: true };
/** The searched fields of every collection (a livestream's category_name excepted: a channel document holds it unsearched). */
const SPLIT_SOURCES = ["slug", "username", "display_name", "title", "name", "channel_slug"];

/** A word's parts where its case changes (`speedrunSol` -> speedrun, Sol; `XMLHttp` -> XML, Http), as Postgres splits it. */
function caseParts(word: string): string[] {
  return word.replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, "$1 $2").replace(/([\p{Ll}\p{Nd}])(\p{Lu})/gu, "$1 $2").split(" ");
}

/** The parts of a document's camel-case words, space-separated ("" when it has none). */
export function splitWords(document: Record<string, unknown>): string {
  return SPLIT_SOURCES.flatMap((f) => typeof document[f] === "string" ? (document[f] as string).match(/[\p{L}\p{N}]+/gu) ?? [] : [])
    .map(caseParts).filter((parts) => parts.length > 1).flat().join(" ");
}

/** A query with its camel-case words split (`speedrunSol` -> `speedrun Sol`), as the Postgres path reads it. */
export function splitQuery(q: string): string {
  return q.replace(/[\p{L}\p{N}]+/gu, (w) => caseParts(w).join(" "));
}

export const COLLECTIONS: Record<SearchType, CollectionSpec> = {
  channels: {
    name: "channels",
    view: "private.search_channel_documents",
    fields: [
      { name: "slug", type: "string" },
      { name: "username", type: "string" },
      { name: "display_name", type: "string", optional: true },
      { name: "title", type: "string" },
      { name: "category_name", type: "string", optional: true },
      { name: "category_id", type: "string", optional: true, facet: true },
      { name: "category_slug", type: "string", optional: true, facet: true },
      { name: "language", type: "string", facet: true },
      { name: "is_mature", type: "bool", facet: true },
      { name: "is_live", type: "bool", facet: true },
      { name: "live_rank", type: "int32" },
      { name: "followers_count", type: "int32" },
      SPLIT_WORDS,
    ],
    defaultSortingField: "followers_count",
    tokenSeparators: SEPARATORS,
    hitFields: [
      "id", "slug", "title", "language", "is_mature", "is_live", "followers_count", "category_id", "category_name",
      "category_slug", "username", "display_name", "avatar_url",
    ],
    // The same fields the Postgres search looks at (names and title; not the category).
    queryBy: ["slug", "username", "display_name", "title"],
    queryByWeights: [5, 5, 5, 3],
    sortBy: "_text_match(buckets: 3):desc,live_rank:desc,followers_count:desc",
    filterable: true,
  },
  categories: {
    name: "categories",
    view: "private.search_category_documents",
    fields: [
      { name: "name", type: "string" },
      { name: "slug", type: "string" },
      { name: "genres", type: "string[]", facet: true },
      SPLIT_WORDS,
    ],
    tokenSeparators: SEPARATORS,
    hitFields: ["id", "name", "slug", "cover_url", "genres", "first_release_date"],
    queryBy: ["name", "slug"],
    queryByWeights: [2, 1],
    sortBy: "_text_match:desc",
    filterable: false,
  },
  livestreams: {
    name: "livestreams",
    view: "private.search_livestream_documents",
    fields: [
      { name: "title", type: "string" },
      { name: "channel_slug", type: "string" },
      { name: "category_name", type: "string", optional: true },
      { name: "channel_id", type: "string", facet: true },
      { name: "category_id", type: "string", optional: true, facet: true },
      { name: "category_slug", type: "string", optional: true, facet: true },
      { name: "language", type: "string", facet: true },
      { name: "is_mature", type: "bool", facet: true },
      { name: "is_live", type: "bool", facet: true },
      { name: "live_rank", type: "int32" },
      { name: "viewer_count", type: "int32" },
      { name: "started_at_ts", type: "int64" },
      SPLIT_WORDS,
    ],
    defaultSortingField: "viewer_count",
    tokenSeparators: SEPARATORS,
    hitFields: [
      "id", "channel_id", "channel_slug", "title", "category_id", "category_name", "started_at", "ended_at", "is_live",
      "viewer_count",
    ],
    queryBy: ["title", "channel_slug", "category_name"],
    queryByWeights: [3, 3, 1],
    sortBy: "_text_match(buckets: 3):desc,live_rank:desc,viewer_count:desc",
    filterable: true,
  },
};

export function aliasName(config: Pick<TypesenseConfig, "prefix">, type: SearchType): string {
  return `${config.prefix}${type}`;
}

export function collectionSchema(spec: CollectionSpec, name: string): CollectionSchema {
  return {
    name,
    fields: spec.fields,
    ...(spec.defaultSortingField ? { default_sorting_field: spec.defaultSortingField } : {}),
    token_separators: spec.tokenSeparators,
  };
}

/** A database document as Typesense takes it: null fields left out (optional fields may be absent). */
export function toTypesenseDocument(document: Record<string, unknown>): Record<string, unknown> {
  const words = splitWords(document);
  return {
    ...Object.fromEntries(Object.entries(document).filter(([, v]) => v !== null && v !== undefined)),
    ...(words ? { [SPLIT_WORDS.name]: words } : {}),
  };
}

export interface Highlight {
  field: string;
  matched_tokens: string[];
}

/**
 * A document (from Postgres or Typesense) as `search` returns it: the public fields only, then
 * `highlights` (which searched fields matched, with the matched words as written), in query_by order.
 */
export function toHit(
  type: SearchType,
  document: Record<string, unknown>,
  highlights: { field?: unknown; matched_tokens?: unknown }[] = [],
): Record<string, unknown> {
  const spec = COLLECTIONS[type];
  const byField = new Map(highlights.map((h) => [String(h.field), h.matched_tokens]));
  const ordered: Highlight[] = spec.queryBy
    .filter((f) => Array.isArray(byField.get(f)) && (byField.get(f) as unknown[]).length > 0)
    .map((f) => ({ field: f, matched_tokens: (byField.get(f) as unknown[]).map(String) }));
  return { ...Object.fromEntries(spec.hitFields.map((f) => [f, document[f] ?? null])), highlights: ordered };
}

interface LiveField {
  name: string;
  type: string;
  optional?: boolean;
  facet?: boolean;
}

/** Does the live collection have exactly the fields (name, type, optional, facet) the code declares? */
export function schemaMatches(
  spec: CollectionSpec,
  live: { fields?: LiveField[]; default_sorting_field?: string; token_separators?: string[] },
): boolean {
  const norm = (f: LiveField) => `${f.name}:${f.type}:${f.optional === true}:${f.facet === true}`;
  const want = spec.fields.map(norm).sort();
  const have = (live.fields ?? []).map(norm).sort();
  return JSON.stringify(want) === JSON.stringify(have) &&
    (live.default_sorting_field ?? "") === (spec.defaultSortingField ?? "") &&
    JSON.stringify([...(live.token_separators ?? [])].sort()) === JSON.stringify([...spec.tokenSeparators].sort());
}

export function httpStatusOf(e: unknown): number | undefined {
  const status = (e as { httpStatus?: unknown })?.httpStatus;
  return typeof status === "number" ? status : undefined;
}

export interface ImportLine {
  success: boolean;
  error?: string;
  code?: number;
}

/**
 * Imports documents with action=upsert and returns Typesense's answer line by line (HTTP 200 even
 * when lines failed). Throws when the request itself fails or the answer does not have one line per
 * document.
 */
/** How long an import may go unanswered before it counts as a transient failure (no HTTP status). */
export const IMPORT_TIMEOUT_MS = 30_000;

export async function importDocuments(
  client: Client,
  collection: string,
  documents: Record<string, unknown>[],
  timeoutMs = IMPORT_TIMEOUT_MS,
): Promise<ImportLine[]> {
  // typesense-js never times out an import (skipConnectionTimeout) and takes no abort signal, so a
  // Typesense that accepts the connection and never answers would hang the caller: give up after
  // timeoutMs (the documents stay in the outbox; a later upsert of the same version is harmless).
  const request = client.collections(collection).documents().import(documents.map(toTypesenseDocument), {
    action: "upsert",
    throwOnFail: false,
  });
  request.catch(() => {}); // a late failure after the timeout is nobody's to handle
  let timer: ReturnType<typeof setTimeout> | undefined;
  const lines = await Promise.race([
    request,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Typesense did not answer the import within ${timeoutMs} ms.`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer)) as ImportLine[];
  if (!Array.isArray(lines) || lines.length !== documents.length) {
    throw new Error(`Typesense answered ${Array.isArray(lines) ? lines.length : "no"} lines for ${documents.length} documents.`);
  }
  return lines;
}

/** Deletes documents by id (absent ones are fine); returns how many Typesense removed. */
export async function deleteDocuments(client: Client, collection: string, ids: string[]): Promise<number> {
  const filter = `id:[${ids.map((id) => "`" + id.replaceAll("`", "") + "`").join(",")}]`;
  const res = await client.collections(collection).documents().delete({ filter_by: filter, batch_size: ids.length });
  return (res as { num_deleted?: number }).num_deleted ?? 0;
}

const LOCK_KEY = "streamz.search.collections";
const PAGE = 1000;

export interface EnsureResult {
  created: SearchType[];
  backfilled: number;
  failed: number;
}

/**
 * Makes every collection match the code: an alias missing, or pointing at a collection whose schema
 * differs, gets a fresh collection filled from the database (`rebuildCollection`). Serialized across
 * runs by an advisory lock. Idempotent.
 */
export async function ensureCollections(
  deps: { client: Client; sql: Sql; config: Pick<TypesenseConfig, "prefix"> },
  types: readonly SearchType[] = SEARCH_TYPES,
): Promise<EnsureResult> {
  const result: EnsureResult = { created: [], backfilled: 0, failed: 0 };
  for (const type of types) {
    if (await collectionIsCurrent(deps, type)) continue;
    await withLock(deps.sql, async () => {
      if (await collectionIsCurrent(deps, type)) return; // another run built it meanwhile
      const built = await rebuildCollection(deps, type);
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

async function withLock(sql: Sql, fn: () => Promise<void>) {
  const conn = await sql.reserve();
  try {
    await conn`select pg_advisory_lock(hashtextextended(${LOCK_KEY}, 0))`;
    try {
      await fn();
    } finally {
      await conn`select pg_advisory_unlock(hashtextextended(${LOCK_KEY}, 0))`;
    }
  } finally {
    conn.release();
  }
}

/**
 * Builds `<alias>_<ms>` from the database view, then points the alias at it and drops the
 * collection it replaced. Documents Typesense refuses are queued in the outbox, where search-sync
 * retries them and parks them if they keep failing.
 */
export async function rebuildCollection(
  deps: { client: Client; sql: Sql; config: Pick<TypesenseConfig, "prefix"> },
  type: SearchType,
  options: { pageSize?: number; onProgress?: (imported: number) => void } = {},
): Promise<{ collection: string; imported: number; failed: number }> {
  const spec = COLLECTIONS[type];
  const alias = aliasName(deps.config, type);
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
    options.onProgress?.(imported);
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
