// The collection schemas (kept here, in code), alias names, and how a document becomes a search hit.
import type { SearchType, TypesenseConfig } from "./config.ts";

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
 * query is split the same way before it is sent (`typesenseQuery`).
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

/**
 * The query as Typesense is sent it, without its query syntax: in NFKC, quotes dropped and each
 * word's leading `-` too, so neither means what Typesense gives them (a phrase, an exclusion): on both
 * backends they are punctuation. Camel-case words are split (`speedrunSol` -> `speedrun Sol`), as the
 * Postgres path splits them.
 */
export function typesenseQuery(q: string): string {
  return q.normalize("NFKC").replaceAll('"', " ").split(/\s+/u).map((w) => w.replace(/^-+/, "")).filter(Boolean).join(" ")
    .replace(/[\p{L}\p{N}]+/gu, (w) => caseParts(w).join(" "));
}

// What the filterable collections (channels, livestreams) are filtered, faceted and ranked by: the
// search function's filters (search/params.ts) and the live-first order.
const FILTER_FIELDS: Field[] = [
  { name: "category_id", type: "string", optional: true, facet: true },
  { name: "category_slug", type: "string", optional: true, facet: true },
  { name: "language", type: "string", facet: true },
  { name: "is_mature", type: "bool", facet: true },
  { name: "is_live", type: "bool", facet: true },
  { name: "live_rank", type: "int32" },
];

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
      ...FILTER_FIELDS,
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
      ...FILTER_FIELDS,
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
