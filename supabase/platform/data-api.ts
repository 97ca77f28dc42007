// LOCAL ONLY, NEVER DEPLOYED: a small PostgREST-compatible Data API for the docker-less stack.
//
// There is no PostgREST binary on these machines, so the local functions gateway mounts this at
// /rest/v1/ and `@supabase/supabase-js` can talk to the local database for tables and RPCs. It is a
// dev/test shim, not a reimplementation of PostgREST: it covers what our frontends send (column
// lists, JSON paths, resource embedding through foreign keys, filters with or/and/not, order,
// limit/offset, counts, single objects, insert/upsert/update/delete, RPCs with named arguments) and
// answers 400 for the rest (full-text and range operators, casts, spreads).
// Hosted Supabase runs the real PostgREST; docs/local-data-api.md lists the differences.
//
// Each request runs exactly as PostgREST runs it (reference/supabase-platform.md §6.2): connected as
// `authenticator`, `begin` (read only for GET/HEAD and stable functions), one `select set_config(...)`
// for search_path, role, request.jwt.claims, method, path and headers, the statement, `commit`
// (rollback on error), with the API role's own settings applied first (statement_timeout 3 s for anon,
// 8 s for authenticated) and UPDATE/DELETE without a filter refused (pg-safeupdate, 21000 → 400) as
// on hosted. Errors map SQLSTATE → HTTP like PostgREST (§6.1). In front of that, as hosted's API
// gateway does, a request without one of the project's API keys as `apikey` is refused; JWTs are
// checked as PostgREST 13 checks them.
//
// Safety: table, column and function names are checked against pg_catalog (schema public) and then
// quoted; every value travels as a bind parameter. Nothing from the request is spliced into SQL text.
import postgres from "postgres";
import { HttpError, MAX_BODY_BYTES, readBody as readBodyBytes } from "../functions/_shared/http.ts";
import { decodeProtectedHeader, type JWTPayload } from "jose";
import { JwtError, type Verifier, verifyJwt } from "../functions/_shared/jwt.ts";

/** Supabase's `max_rows` (supabase/config.toml): the most rows a read returns. */
export const MAX_ROWS = 1000;

/**
 * The largest request body, in bytes. PostgREST has no limit of its own (its maintainers leave it to
 * the proxy in front); hosted Supabase's gateway documents none, so the local stack uses the 1 MiB the
 * edge functions already enforce (_shared/http.ts): one limit for the whole local API.
 */
export const MAX_REQUEST_BYTES = MAX_BODY_BYTES;

/** PostgREST's default db-pool-acquisition-timeout (10 s). */
export const POOL_ACQUISITION_TIMEOUT_MS = 10_000;

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string | null,
    message: string,
    public details: string | null = null,
    public hint: string | null = null,
    public headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * A refusal by hosted Supabase's API gateway, in front of PostgREST: its own body (`message` and
 * `hint`, no `code`) and an `sb-error-code` header.
 */
export class GatewayError extends Error {
  constructor(public status: number, public errorCode: string, message: string, public hint: string) {
    super(message);
  }
}

/** The gateway's answer to a /rest/v1 request with no `apikey` header or query parameter. */
export const missingApiKey = () =>
  new GatewayError(401, "UNAUTHORIZED_MISSING_API_KEY", "No API key found in request", "No `apikey` request header or url param was found.");

/**
 * The gateway's answer to an `apikey` that is not one of the project's keys (a user's access token,
 * another project's key): hosted's message and hint as supabase-js callers report them.
 */
export const invalidApiKey = () =>
  new GatewayError(401, "UNAUTHORIZED_INVALID_API_KEY", "Invalid API key", "Double check your Supabase `anon` or `service_role` API key.");

const DOCS_HINT = "The local Data API (supabase/platform/data-api.ts) supports a subset of PostgREST; see docs/local-data-api.md.";
const unsupported = (what: string) => new ApiError(400, "PGRST100", `The local Data API does not support ${what}.`, null, DOCS_HINT);

// ---- the schema cache ---------------------------------------------------------------------------

export interface Table {
  name: string;
  columns: Set<string>;
  primaryKey: string[];
  types: Map<string, string>; // column -> its SQL type, for casting filter values
}

export interface Fn {
  name: string;
  args: { name: string; type: string }[]; // input arguments, in order
  required: number; // how many leading args have no default
  returnsSet: boolean;
  returnsVoid: boolean;
  readOnly: boolean; // stable or immutable
}

export interface Catalog {
  tables: Map<string, Table>;
  functions: Map<string, Fn[]>;
  relationships: Relationship[];
  /** Each role's own settings (`alter role ... set`), applied per request as PostgREST does. */
  roleSettings: Map<string, [string, string][]>;
}

const CATALOG_SQL = `
select json_build_object(
  'tables', coalesce((
    select json_agg(json_build_object(
      'name', c.relname,
      'columns', (select coalesce(json_agg(a.attname order by a.attnum), '[]') from pg_catalog.pg_attribute a
                  where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),
      'types', (select coalesce(json_object_agg(a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)), '{}')
                from pg_catalog.pg_attribute a
                where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),
      'primaryKey', (select coalesce(json_agg(a.attname order by k.ord), '[]')
                     from pg_catalog.pg_index i
                     cross join unnest(i.indkey) with ordinality k(attnum, ord)
                     join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
                     where i.indrelid = c.oid and i.indisprimary)))
    from pg_catalog.pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'v', 'm', 'p', 'f')), '[]'),
  'functions', coalesce((
    select json_agg(json_build_object(
      'name', p.proname,
      'args', (select coalesce(json_agg(json_build_object('name', a.name, 'type', pg_catalog.format_type(a.type, null)) order by a.ord), '[]')
               from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]), p.proargnames, p.proargmodes)
                    with ordinality a(type, name, mode, ord)
               where coalesce(a.mode, 'i') in ('i', 'b', 'v')),
      'defaults', p.pronargdefaults,
      'returnsSet', p.proretset,
      'returnsVoid', p.prorettype = 'pg_catalog.void'::pg_catalog.regtype,
      'readOnly', p.provolatile in ('s', 'i')))
    from pg_catalog.pg_proc p
    where p.pronamespace = 'public'::regnamespace and p.prokind = 'f'), '[]'),
  'relationships', coalesce((
    select json_agg(json_build_object(
      'name', k.conname, 'from', f.relname, 'to', t.relname,
      'fromColumns', (select json_agg(a.attname order by x.ord) from unnest(k.conkey) with ordinality x(attnum, ord)
                      join pg_catalog.pg_attribute a on a.attrelid = k.conrelid and a.attnum = x.attnum),
      'toColumns', (select json_agg(a.attname order by x.ord) from unnest(k.confkey) with ordinality x(attnum, ord)
                    join pg_catalog.pg_attribute a on a.attrelid = k.confrelid and a.attnum = x.attnum),
      'fromUnique', exists (select 1 from pg_catalog.pg_index i where i.indrelid = k.conrelid and i.indisunique
                              and (i.indkey::int2[])::int2[] @> k.conkey and (i.indkey::int2[])::int2[] <@ k.conkey)))
    from pg_catalog.pg_constraint k
    join pg_catalog.pg_class f on f.oid = k.conrelid
    join pg_catalog.pg_class t on t.oid = k.confrelid
    where k.contype = 'f' and f.relnamespace = 'public'::regnamespace and t.relnamespace = 'public'::regnamespace), '[]'),
  'roleSettings', coalesce((
    select json_object_agg(r.rolname, s.settings)
    from (select d.setrole, json_agg(c) as settings
          from pg_catalog.pg_db_role_setting d, unnest(d.setconfig) c
          where d.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
          group by d.setrole) s
    join pg_catalog.pg_roles r on r.oid = s.setrole), '{}')
)::text as catalog`;

export function catalogFrom(raw: {
  tables: { name: string; columns: string[]; primaryKey: string[]; types?: Record<string, string> }[];
  functions: { name: string; args: { name: string | null; type: string }[]; defaults: number; returnsSet: boolean; returnsVoid: boolean; readOnly: boolean }[];
  roleSettings?: Record<string, string[]>;
  relationships?: Relationship[];
}): Catalog {
  const tables = new Map(raw.tables.map((t) => [t.name, {
    name: t.name,
    columns: new Set(t.columns),
    primaryKey: t.primaryKey,
    types: new Map(Object.entries(t.types ?? {})),
  }]));
  const functions = new Map<string, Fn[]>();
  for (const f of raw.functions) {
    if (f.args.some((a) => !a.name)) continue; // unnamed arguments cannot be called with a JSON object
    const fn: Fn = {
      name: f.name,
      args: f.args as Fn["args"],
      required: f.args.length - f.defaults,
      returnsSet: f.returnsSet,
      returnsVoid: f.returnsVoid,
      readOnly: f.readOnly,
    };
    functions.set(f.name, [...(functions.get(f.name) ?? []), fn]);
  }
  const roleSettings = new Map(Object.entries(raw.roleSettings ?? {}).map(([role, settings]) => [
    role,
    settings.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)] as [string, string]),
  ]));
  return { tables, functions, roleSettings, relationships: raw.relationships ?? [] };
}

// ---- query-string parsing and the SQL builder (pure; tested in data-api_test.ts) ----------------

/** A double-quoted SQL identifier; only ever applied to names already found in the catalog. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Collects bind parameters; `add` returns the placeholder. */
export class Params {
  values: string[] = [];
  add(value: string): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function table(catalog: Catalog, name: string): Table {
  const t = catalog.tables.get(name);
  if (!t) {
    throw new ApiError(404, "PGRST205", `Could not find the table 'public.${name}' in the schema cache`);
  }
  return t;
}

const parseError = (what: string, raw: string, details: string | null = null) =>
  new ApiError(400, "PGRST100", `"failed to parse ${what} (${raw})" (line 1, column 1)`, details, null);

/** Where a table's columns are referenced: `public."t"` at the top, `_e<n>` inside embeds, `_m` after a write. */
export interface Scope {
  t: Table;
  ref: string;
}
const scopeOf = (t: Table, ref = `public.${quoteIdent(t.name)}`): Scope => ({ t, ref });

function column(t: Table, name: string): string {
  if (!t.columns.has(name)) {
    if (/::/.test(name)) throw unsupported("casts in column names");
    throw new ApiError(400, "42703", `column ${t.name}.${name} does not exist`);
  }
  return quoteIdent(name);
}

const qualified = (s: Scope, col: string) => `${s.ref}.${column(s.t, col)}`;

/**
 * A column reference with an optional JSON path, `data->a->>b`: the SQL expression, its type (for
 * binding filter values) and the name PostgREST gives it in a result (the last key).
 */
export function columnPath(s: Scope, raw: string, qualify = true): { sql: string; type: string; name: string } {
  const parts = raw.split(/(->>?)/);
  const base = unquote(parts[0]);
  let sql = qualify ? qualified(s, base) : column(s.t, base);
  let type = s.t.types.get(base) ?? "text";
  let name = base;
  for (let i = 1; i < parts.length; i += 2) {
    const key = parts[i + 1];
    if (!/^-?\d+$/.test(key ?? "") && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key ?? "")) throw parseError("JSON path", raw);
    sql += ` ${parts[i]} ${/^-?\d+$/.test(key) ? key : `'${key}'`}`;
    type = parts[i] === "->>" ? "text" : "jsonb";
    name = key;
  }
  return { sql, type, name };
}

/** Splits on commas outside double quotes and parentheses; strips one pair of surrounding quotes. */
function splitList(raw: string): string[] {
  const items: string[] = [];
  let current = "", quoted = false, depth = 0;
  for (const ch of raw) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === "(") depth++;
    else if (!quoted && ch === ")") depth--;
    if (ch === "," && !quoted && depth === 0) {
      items.push(current);
      current = "";
    } else current += ch;
  }
  items.push(current);
  return items;
}

const unquote = (s: string) => (s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s);

// ---- resource embedding ---------------------------------------------------------------------------

/** A foreign key between two public tables, as PostgREST's schema cache holds it. */
export interface Relationship {
  name: string; // the constraint
  from: string; // the referencing table
  fromColumns: string[];
  to: string; // the referenced table
  toColumns: string[];
  fromUnique: boolean; // the referencing columns are unique (one-to-one)
}

/** How `child` hangs off `parent`: the join condition and whether it yields one row or many. */
interface Embedding {
  target: Table;
  toOne: boolean;
  join: (parentRef: string, childRef: string) => string;
}

function findEmbedding(catalog: Catalog, parent: Table, name: string, hint: string | undefined): Embedding {
  const target = catalog.tables.get(name);
  if (!target) {
    throw new ApiError(400, "PGRST200", `Could not find a relationship between '${parent.name}' and '${name}' in the schema cache`, null,
      DOCS_HINT);
  }
  const candidates = catalog.relationships.filter((r) =>
    ((r.from === parent.name && r.to === target.name) || (r.to === parent.name && r.from === target.name)) &&
    (!hint || r.name === hint || r.fromColumns.join(",") === hint)
  );
  if (candidates.length === 0) {
    throw new ApiError(400, "PGRST200", `Could not find a relationship between '${parent.name}' and '${name}' in the schema cache`);
  }
  if (candidates.length > 1) {
    throw new ApiError(300, "PGRST201", `Could not embed because more than one relationship was found for '${parent.name}' and '${name}'`,
      candidates.map((r) => `${r.from}(${r.fromColumns.join(", ")}) -> ${r.to} via ${r.name}`).join("; "),
      `Try changing '${name}' to one of: ${candidates.map((r) => `'${name}!${r.name}'`).join(", ")}`);
  }
  const r = candidates[0];
  const pairs = r.fromColumns.map((c, i) => [c, r.toColumns[i]]);
  if (r.from === parent.name && r.to === target.name && !(r.from === r.to && hint === undefined)) {
    // many-to-one: the parent holds the foreign key
    return {
      target, toOne: true,
      join: (p, c) => pairs.map(([f, t]) => `${c}.${quoteIdent(t)} = ${p}.${quoteIdent(f)}`).join(" and "),
    };
  }
  // one-to-many (one-to-one when the child's key is unique)
  return {
    target, toOne: r.fromUnique,
    join: (p, c) => pairs.map(([f, t]) => `${c}.${quoteIdent(f)} = ${p}.${quoteIdent(t)}`).join(" and "),
  };
}

/** Filters, order and limit addressed to one embedded resource (`channels.slug=eq.x`, `channels.limit=1`). */
interface EmbedParams {
  filters: [string, string][]; // [column or or/and key, value]
  order: string | null;
  limit: string | null;
  offset: string | null;
}

/** The query parameters split by the embed path they address ("" = the top-level table). */
function paramsByPath(query: URLSearchParams): Map<string, EmbedParams> {
  const byPath = new Map<string, EmbedParams>();
  const at = (path: string) => {
    if (!byPath.has(path)) byPath.set(path, { filters: [], order: null, limit: null, offset: null });
    return byPath.get(path)!;
  };
  for (const [key, value] of query) {
    if (RESERVED_TOP.has(key)) continue;
    // The part of the key before any JSON arrow holds the path: `a.b.col`, `a.or`, `a.not.and`.
    const arrow = key.search(/->/);
    const head = arrow < 0 ? key : key.slice(0, arrow);
    const tail = arrow < 0 ? "" : key.slice(arrow);
    const logical = head.match(/^(?:(.*)\.)?((?:not\.)?(?:or|and))$/);
    let path: string, last: string;
    if (logical) [path, last] = [logical[1] ?? "", logical[2]];
    else {
      const dot = head.lastIndexOf(".");
      [path, last] = dot < 0 ? ["", head] : [head.slice(0, dot), head.slice(dot + 1)];
    }
    const p = at(path);
    if (last === "order" && !tail && path) p.order = value;
    else if (last === "limit" && !tail && path) p.limit = value;
    else if (last === "offset" && !tail && path) p.offset = value;
    else p.filters.push([last + tail, value]);
  }
  return byPath;
}

interface BuildContext {
  catalog?: Catalog;
  params: Params;
  byPath: Map<string, EmbedParams>;
  aliases: { n: number };
  inner: string[]; // conditions !inner embeds add to their parent
  /** The row cap of every to-many embed: MAX_ROWS in a read, none in a write's returned rows (as PostgREST). */
  maxRows?: number;
  /** Filled with the top-level columns the list reads (a write's RETURNING names only those). */
  used?: Set<string>;
}

/**
 * `select=` → a select list for one level: `*`, `col`, `alias:col`, `col->a->>b`, and embedded
 * resources `[alias:]table[!hint][!inner](...)`, to-one as an object and to-many as an array, with
 * their own filters, order and limit from `<path>.<param>`.
 */
function selectItems(s: Scope, raw: string | null, ctx: BuildContext, path: string, inner: string[]): string {
  if (raw === null || raw === "" || raw === "*") return "*";
  return splitList(raw).map((item) => {
    item = item.trim();
    if (item === "*") return "*";
    const embed = item.match(/^(?:([A-Za-z_][A-Za-z0-9_]*):)?([A-Za-z_][A-Za-z0-9_]*)((?:![A-Za-z_][A-Za-z0-9_]*)*)\((.*)\)$/s);
    if (embed) {
      if (!ctx.catalog) throw unsupported("resource embedding here");
      const [, alias, name, bangs, inside] = embed;
      const marks = bangs.split("!").filter(Boolean);
      const isInner = marks.includes("inner");
      const hint = marks.find((m) => m !== "inner" && m !== "left");
      const e = findEmbedding(ctx.catalog, s.t, name, hint);
      const childPath = path ? `${path}.${alias ?? name}` : alias ?? name;
      const child = scopeOf(e.target, `_e${++ctx.aliases.n}`);
      const from = `public.${quoteIdent(e.target.name)} ${child.ref}`;
      const own = ctx.byPath.get(childPath) ?? { filters: [], order: null, limit: null, offset: null };
      const childInner: string[] = [];
      const list = selectItems(child, inside, ctx, childPath, childInner);
      const conds = [e.join(s.ref, child.ref), ...own.filters.map(([k, v]) => filterFor(child, k, v, ctx.params)), ...childInner];
      const where = ` where ${conds.join(" and ")}`;
      if (isInner) {
        const filtersOnly = [e.join(s.ref, child.ref), ...own.filters.map(([k, v]) => filterFor(child, k, v, ctx.params)), ...childInner];
        inner.push(`exists (select 1 from ${from} where ${filtersOnly.join(" and ")})`);
      }
      const label = quoteIdent(alias ?? name);
      if (e.toOne) return `(select row_to_json(_r) from (select ${list} from ${from}${where} limit 1) _r) as ${label}`;
      const order = orderBy(child, own.order);
      const limit = cappedLimit(nonNegativeInt("limit", own.limit), ctx.maxRows);
      const offset = own.offset !== null ? ` offset ${nonNegativeInt("offset", own.offset)}` : "";
      return `coalesce((select json_agg(_r) from (select ${list} from ${from}${where}${order}${limit}${offset}) _r), '[]') as ${label}`;
    }
    if (/[()]/.test(item.replace(/"[^"]*"/g, ""))) throw parseError("select", item);
    const alias = item.match(/^("[^"]*"|[^":]+):([^:].*)$/);
    const target = alias ? unquote(alias[2]) : unquote(item);
    const col = columnPath(s, target, false);
    if (path === "") ctx.used?.add(column(s.t, unquote(target.split(/->>?/)[0])));
    const label = alias ? unquote(alias[1]) : col.name;
    return target.includes("->") || alias ? `${col.sql} as ${quoteIdent(label)}` : col.sql;
  }).join(", ");
}

/** The select list of a top-level read or of a write's returned rows (no embedding without a catalog). */
export function selectList(t: Table, raw: string | null, catalog?: Catalog, params = new Params(), ref?: string,
  query = new URLSearchParams(), used?: Set<string>): string {
  const ctx: BuildContext = { catalog, params, byPath: paramsByPath(query), aliases: { n: 0 }, inner: [], used };
  return selectItems(scopeOf(t, ref), raw, ctx, "", ctx.inner);
}

const COMPARISONS: Record<string, string> = {
  eq: "=", neq: "<>", lt: "<", lte: "<=", gt: ">", gte: ">=", like: "like", ilike: "ilike", match: "~", imatch: "~*",
  cs: "@>", cd: "<@", ov: "&&", isdistinct: "is distinct from",
};
const IS_VALUES = new Set(["null", "true", "false", "unknown"]);

/** `[not.]<op>.<value>` on one column (with an optional JSON path) → a boolean SQL expression. */
function opExpr(s: Scope, col: string, raw: string, params: Params): string {
  let rest = raw, negate = false;
  if (rest.startsWith("not.")) {
    negate = true;
    rest = rest.slice(4);
  }
  const dot = rest.indexOf(".");
  const op = dot < 0 ? rest : rest.slice(0, dot);
  const value = dot < 0 ? "" : rest.slice(dot + 1);
  if (dot < 0 && !(op in COMPARISONS) && op !== "is" && op !== "in") throw parseError("filter", raw);
  const target = columnPath(s, unquote(col));
  const c = target.sql;
  // Values travel as text and are cast to the column's type, as PostgREST's untyped literals are
  // (a driver serializing by the inferred type would, e.g., turn the string "true" into false).
  const bind = (v: string, type = target.type) => `${params.add(v)}::text::${type}`;
  let expr: string;
  if (op === "cs" || op === "cd" || op === "ov") {
    // Arrays take `{a,b}` (PostgREST's `ov.(a,b)` too); jsonb takes JSON.
    const v = op === "ov" && /^\(.*\)$/s.test(value) ? `{${value.slice(1, -1)}}` : value;
    expr = `${c} ${COMPARISONS[op]} ${bind(v)}`;
  } else if (op === "match" || op === "imatch") {
    expr = `${c}::text ${COMPARISONS[op]} ${bind(value, "text")}`;
  } else if (op in COMPARISONS) {
    const v = op === "like" || op === "ilike" ? value.replaceAll("*", "%") : value;
    expr = `${c} ${COMPARISONS[op]} ${bind(v)}`;
  } else if (op === "is") {
    if (!IS_VALUES.has(value.toLowerCase())) throw parseError("filter", raw, "is accepts null, true, false or unknown");
    expr = `${c} is ${value.toLowerCase()}`; // one of four keywords, never user text
  } else if (op === "in") {
    const list = value.match(/^\((.*)\)$/s);
    if (!list) throw parseError("filter", raw, "in expects in.(a,b,c)");
    const items = list[1] === "" ? [] : splitList(list[1]).map(unquote);
    expr = items.length ? `${c} in (${items.map((v) => bind(v)).join(", ")})` : "false";
  } else if (["fts", "plfts", "phfts", "wfts", "sl", "sr", "nxl", "nxr", "adj"].includes(op)) {
    throw unsupported(`the \`${op}\` filter operator`);
  } else {
    throw parseError("filter", raw, `unknown operator ${op}`);
  }
  return negate ? `not (${expr})` : expr;
}

/** `or=(a.eq.1,and(b.gt.2,c.is.null),not.or(...))` → a boolean SQL expression. */
function logicalExpr(s: Scope, op: string, raw: string, params: Params): string {
  const negate = op.startsWith("not.");
  const joiner = op.endsWith("or") ? " or " : " and ";
  const list = raw.match(/^\((.*)\)$/s);
  if (!list || !list[1].trim()) throw parseError("logic tree", raw);
  const parts = splitList(list[1]).map((item) => {
    item = item.trim();
    const nested = item.match(/^((?:not\.)?(?:or|and))(\(.*\))$/s);
    if (nested) return logicalExpr(s, nested[1], nested[2], params);
    const dot = item.search(/\.(?:not\.)?[a-z]+(?:\.|$)/);
    if (dot <= 0) throw parseError("logic tree", raw);
    return opExpr(s, item.slice(0, dot), item.slice(dot + 1), params);
  });
  const expr = `(${parts.join(joiner)})`;
  return negate ? `not ${expr}` : expr;
}

function filterFor(s: Scope, key: string, value: string, params: Params): string {
  if (/^(not\.)?(or|and)$/.test(key)) return logicalExpr(s, key, value, params);
  return opExpr(s, key, value, params);
}

/** One `<col>=[not.]<op>.<value>` filter on a top-level table → a boolean SQL expression, its value bound. */
export function filterExpr(t: Table, col: string, raw: string, params: Params): string {
  return filterFor(scopeOf(t), col, raw, params);
}

/** `order=a.desc.nullslast,b` → `order by ...`. */
export function orderBy(s: Scope | Table, raw: string | null): string {
  if (!raw) return "";
  const scope = "ref" in s ? s : scopeOf(s);
  const terms = raw.split(",").map((term) => {
    const [col, ...mods] = term.split(".");
    let sql = columnPath(scope, unquote(col)).sql;
    for (const m of mods) {
      if (m === "asc" || m === "desc") sql += ` ${m}`;
      else if (m === "nullsfirst") sql += " nulls first";
      else if (m === "nullslast") sql += " nulls last";
      else throw new ApiError(400, "PGRST100", `"failed to parse order (${raw})" (line 1, column 1)`);
    }
    return sql;
  });
  return ` order by ${terms.join(", ")}`;
}

function nonNegativeInt(name: string, raw: string | null): number | null {
  if (raw === null) return null;
  if (!/^\d{1,9}$/.test(raw)) throw new ApiError(400, "PGRST100", `"failed to parse ${name} (${raw})"`);
  return Number(raw);
}

/**
 * ` limit n`: the requested limit held to `maxRows`, as PostgREST's treeRestrictRange holds every node
 * of a read (the top level and each embed, src/PostgREST/Plan.hs) to db-max-rows; none without either.
 */
function cappedLimit(requested: number | null, maxRows?: number): string {
  const limit = requested === null ? maxRows : maxRows === undefined ? requested : Math.min(requested, maxRows);
  return limit === undefined ? "" : ` limit ${limit}`;
}

const RESERVED_TOP = new Set(["select", "order", "limit", "offset", "on_conflict", "columns"]);

/** The `where` clause from the top-level filters (embedded ones, `a.col=...`, go to their embed). */
export function whereClause(t: Table, query: URLSearchParams, params: Params, extra: string[] = []): string {
  const own = paramsByPath(query).get("") ?? { filters: [] };
  const exprs = [...own.filters.map(([k, v]) => filterFor(scopeOf(t), k, v, params)), ...extra];
  return exprs.length ? ` where ${exprs.join(" and ")}` : "";
}

export interface Prefer {
  representation: boolean;
  count: boolean;
  resolution?: "merge" | "ignore";
  handling?: "strict" | "lenient";
  /** `max-affected=n`, honoured only with `handling=strict` (PostgREST 13). */
  maxAffected?: number;
}

export function parsePrefer(header: string | null): Prefer {
  const parts = (header ?? "").split(",").map((p) => p.trim());
  const resolution = parts.includes("resolution=merge-duplicates")
    ? "merge"
    : parts.includes("resolution=ignore-duplicates")
    ? "ignore"
    : undefined;
  const prefer: Prefer = { representation: parts.includes("return=representation"), count: parts.includes("count=exact"), resolution };
  const handling = parts.find((p) => p === "handling=strict" || p === "handling=lenient");
  if (handling) prefer.handling = handling.slice("handling=".length) as Prefer["handling"];
  const maxAffected = parts.map((p) => p.match(/^max-affected=(\d{1,15})$/)).find(Boolean);
  if (maxAffected) prefer.maxAffected = Number(maxAffected[1]);
  return prefer;
}

/** A planned statement: `text` yields one row `{body text, n int}` (rows affected or returned). */
export interface Plan {
  text: string;
  params: string[];
  countText?: string; // GET with Prefer: count=exact
  readOnly: boolean;
  kind: "read" | "insert" | "update" | "delete" | "rpc";
  returnsSet: boolean;
  returnsVoid?: boolean;
}

const AGGREGATE = `coalesce(json_agg(_t), '[]')::text as body, count(*)::int as n`;

export function planRead(catalog: Catalog, name: string, query: URLSearchParams): Plan {
  const t = table(catalog, name);
  const params = new Params();
  const ctx: BuildContext = { catalog, params, byPath: paramsByPath(query), aliases: { n: 0 }, inner: [], maxRows: MAX_ROWS };
  const list = selectItems(scopeOf(t), query.get("select"), ctx, "", ctx.inner);
  const where = whereClause(t, query, params, ctx.inner);
  const order = orderBy(t, query.get("order"));
  const limit = cappedLimit(nonNegativeInt("limit", query.get("limit")), MAX_ROWS);
  const offset = nonNegativeInt("offset", query.get("offset")) ?? 0;
  const from = `public.${quoteIdent(t.name)}`;
  const text = `select ${AGGREGATE} from (select ${list} from ${from}${where}${order}${limit} offset ${offset}) _t`;
  const countText = `select count(*)::int as total from ${from}${where}`;
  return { text, params: params.values, countText, readOnly: true, kind: "read", returnsSet: true };
}

/** What a mutation returns: the selected columns of the changed rows, or just their count. */
function returning(catalog: Catalog, t: Table, query: URLSearchParams, prefer: Prefer, target: string, statement: string, params: Params): string {
  if (!prefer.representation) {
    return `with _m as (${statement} returning 1) select '' as body, count(*)::int as n from _m`;
  }
  const used = new Set<string>();
  const list = selectList(t, query.get("select"), catalog, params, "_m", query, used);
  // RETURNING names only the columns the select reads, its own and those its embeds join on (as
  // PostgREST does), so a client can insert a row and read back the columns it is granted of a table
  // with columns it cannot read. `*` anywhere at the top needs them all.
  for (const m of list.matchAll(/\b_m\.("(?:[^"]|"")+")/g)) used.add(m[1]);
  const everything = list === "*" || splitList(query.get("select") ?? "*").some((i) => i.trim() === "*");
  const columns = everything ? `${target}.*` : used.size > 0 ? [...used].map((c) => `${target}.${c}`).join(", ") : "1";
  return `with _m as (${statement} returning ${columns}) select ${AGGREGATE} from (select ${list} from _m) _t`;
}

/**
 * The request body as SQL receives it: its own JSON text, as PostgREST passes it, so numbers keep every
 * digit (`JSON.stringify(JSON.parse(...))` would round 9223372036854775807 to a double that overflows
 * bigint). `body` is only inspected for its shape and keys.
 */
const jsonText = (body: unknown, raw?: string) => raw ?? JSON.stringify(body);

export function planInsert(catalog: Catalog, name: string, query: URLSearchParams, body: unknown, prefer: Prefer, raw?: string): Plan {
  const t = table(catalog, name);
  const rows = Array.isArray(body) ? body : [body];
  if (rows.some((r) => r === null || typeof r !== "object" || Array.isArray(r))) {
    throw new ApiError(400, "PGRST102", "All object keys must match", null, "Send a JSON object or an array of objects.");
  }
  const fromParam = query.get("columns");
  const keys = fromParam !== null
    ? splitList(fromParam).map((c) => unquote(c.trim()))
    : [...new Set(rows.flatMap((r) => Object.keys(r as object)))];
  for (const k of keys) {
    if (!t.columns.has(k)) throw new ApiError(400, "PGRST204", `Could not find the '${k}' column of '${t.name}' in the schema cache`);
  }
  const target = `public.${quoteIdent(t.name)}`;
  const params = new Params();
  const cols = keys.map(quoteIdent).join(", ");
  // One row per element, as PostgREST: `{}` or `[{}]` inserts a row of defaults, `[]` inserts none.
  const source = `json_populate_recordset(null::${target}, ${params.add(Array.isArray(body) ? jsonText(body, raw) : `[${jsonText(body, raw)}]`)}::text::json)`;
  let statement = keys.length ? `insert into ${target} (${cols}) select ${cols} from ${source}` : `insert into ${target} select from ${source}`;
  if (prefer.resolution) {
    const onConflict = query.get("on_conflict");
    const conflictCols = onConflict ? splitList(onConflict).map((c) => column(t, unquote(c.trim()))) : t.primaryKey.map(quoteIdent);
    if (!conflictCols.length) throw new ApiError(400, "PGRST100", `Table ${t.name} has no primary key; pass on_conflict`);
    const updates = keys.map((k) => `${quoteIdent(k)} = excluded.${quoteIdent(k)}`);
    // As PostgREST (addConfigPgrstInserted in src/PostgREST/Query/SqlFragment.hs): in a merge, each
    // candidate row adds one to pgrst.inserted and each conflict that updates takes one off, so the
    // request answers 200 instead of 201 when nothing was inserted. Both conditions are always true.
    if (prefer.resolution === "merge") statement += ` where ${countInserted("+")} <> '0'`;
    statement += prefer.resolution === "ignore" || !updates.length
      ? ` on conflict (${conflictCols.join(", ")}) do nothing`
      : ` on conflict (${conflictCols.join(", ")}) do update set ${updates.join(", ")} where ${countInserted("-")} <> '-1'`;
  }
  return { text: returning(catalog, t, query, prefer, target, statement, params), params: params.values, readOnly: false, kind: "insert", returnsSet: true };
}

/** pgrst.inserted, one up or down, transaction-local (a pooled connection keeps '' after a transaction). */
const countInserted = (sign: "+" | "-") =>
  `set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0) ${sign} 1)::text, true)`;

/**
 * pg-safeupdate, which hosted Supabase loads for the authenticator (session_preload_libraries): an
 * UPDATE or DELETE without a WHERE clause fails with 21000, which PostgREST answers with 400.
 */
function requireWhere(command: "UPDATE" | "DELETE", where: string): string {
  if (!where) throw new ApiError(400, "21000", `${command} requires a WHERE clause`);
  return where;
}

/**
 * `limit`/`offset` on PATCH or DELETE. PostgREST 12 limited the changed rows only with an `order`
 * (else 400 PGRST109); PostgREST 13, which new hosted projects run, dropped limited updates/deletes,
 * so there every matching row changes and `limit` only trims the rows returned. Neither can be
 * matched safely for both, so the local API refuses before anything changes: filter to the rows
 * meant, and cap them with `Prefer: handling=strict, max-affected=n` (supabase-js `.maxAffected(n)`).
 */
function refuseLimitedWrite(method: "PATCH" | "DELETE", query: URLSearchParams) {
  const used = ["limit", "offset"].filter((k) => query.has(k));
  if (!used.length) return;
  throw new ApiError(400, "PGRST100", `The local Data API does not support ${used.join("/")} on ${method}`,
    "PostgREST 13 (hosted Supabase's) ignores limit/offset on PATCH and DELETE when choosing the rows to change, so every matching row would change there; PostgREST 12 required an order.",
    "Filter to exactly the rows to change; cap them with .maxAffected(n) (Prefer: handling=strict, max-affected=n). See docs/local-data-api.md.");
}

export function planUpdate(catalog: Catalog, name: string, query: URLSearchParams, body: unknown, prefer: Prefer, raw?: string): Plan {
  const t = table(catalog, name);
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ApiError(400, "PGRST102", "A PATCH body must be a JSON object");
  }
  const keys = Object.keys(body);
  if (!keys.length) throw new ApiError(400, "PGRST102", "A PATCH body must name at least one column");
  for (const k of keys) {
    if (!t.columns.has(k)) throw new ApiError(400, "PGRST204", `Could not find the '${k}' column of '${t.name}' in the schema cache`);
  }
  refuseLimitedWrite("PATCH", query);
  const target = `public.${quoteIdent(t.name)}`;
  const params = new Params();
  const source = params.add(jsonText(body, raw));
  const where = requireWhere("UPDATE", whereClause(t, query, params));
  const sets = keys.map((k) => `${quoteIdent(k)} = _p.${quoteIdent(k)}`).join(", ");
  const statement = `update ${target} set ${sets} from json_populate_record(null::${target}, ${source}::text::json) _p${where}`;
  return { text: returning(catalog, t, query, prefer, target, statement, params), params: params.values, readOnly: false, kind: "update", returnsSet: true };
}

export function planDelete(catalog: Catalog, name: string, query: URLSearchParams, prefer: Prefer): Plan {
  const t = table(catalog, name);
  refuseLimitedWrite("DELETE", query);
  const target = `public.${quoteIdent(t.name)}`;
  const params = new Params();
  const statement = `delete from ${target}${requireWhere("DELETE", whereClause(t, query, params))}`;
  return { text: returning(catalog, t, query, prefer, target, statement, params), params: params.values, readOnly: false, kind: "delete", returnsSet: true };
}

/** `public.<fn>(name => value, ...)` with arguments typed by `json_to_record`, as PostgREST does. */
export function planRpc(catalog: Catalog, name: string, args: Record<string, unknown>, readOnlyRequest: boolean, raw?: string): Plan {
  const names = Object.keys(args);
  const candidates = (catalog.functions.get(name) ?? []).filter((f) => {
    const accepted = new Set(f.args.map((a) => a.name));
    return names.every((n) => accepted.has(n)) && f.args.slice(0, f.required).every((a) => names.includes(a.name));
  });
  if (candidates.length !== 1) {
    const signature = `public.${name}(${names.join(", ")})`;
    if (candidates.length > 1) {
      throw new ApiError(300, "PGRST203", `Could not choose the best candidate function between several overloads of ${signature}`);
    }
    // PostgREST's NoRpc wording (src/PostgREST/Error.hs), for a JSON body or query arguments.
    const withArgs = names.length ? `with parameter${names.length > 1 ? "s" : ""} ${names.join(", ")}` : "without parameters";
    throw new ApiError(404, "PGRST202",
      `Could not find the function public.${name}${names.length ? `(${names.join(", ")})` : " without parameters"} in the schema cache`,
      `Searched for the function public.${name} ${withArgs}${readOnlyRequest ? "" : " or with a single unnamed json/jsonb parameter"}, but no matches were found in the schema cache.`,
      "Check the function name and its named arguments.");
  }
  const fn = candidates[0];
  const params = new Params();
  const used = fn.args.filter((a) => names.includes(a.name));
  const from = used.length
    ? `json_to_record(${params.add(jsonText(args, raw))}::text::json) as _a(${used.map((a) => `${quoteIdent(a.name)} ${a.type}`).join(", ")}), `
    : "";
  const call = `public.${quoteIdent(fn.name)}(${used.map((a) => `${quoteIdent(a.name)} => _a.${quoteIdent(a.name)}`).join(", ")})`;
  // A scalar function in FROM yields one column named like the alias, so `_t` is the value itself;
  // a composite one yields its columns, so `_t` is the whole row.
  // A set is held to MAX_ROWS like a read (PostgREST plans an RPC's result as a read): its rows (the
  // value itself for a scalar set, the row for a composite one) go through a subquery with the limit.
  const text = fn.returnsVoid
    ? `select '' as body, 0 as n from ${from}${call} _t`
    : fn.returnsSet
    ? `select ${AGGREGATE} from (select _t from ${from}${call} _t limit ${MAX_ROWS}) _s(_t)`
    : `select to_json(_t)::text as body, 1 as n from ${from}${call} _t`;
  return {
    text,
    params: params.values,
    readOnly: readOnlyRequest || fn.readOnly,
    kind: "rpc",
    returnsSet: fn.returnsSet,
    returnsVoid: fn.returnsVoid,
  };
}

/**
 * A read's status and Content-Range, as PostgREST's rangeStatusHeader gives them: with a total
 * (`count=exact`) an offset past it is 416 `PGRST103`, a page short of it 206, else 200.
 */
export function readRange(offset: number, n: number, total?: number): { status: number; contentRange: string } {
  const contentRange = `${n ? `${offset}-${offset + n - 1}` : "*"}/${total ?? "*"}`;
  if (total === undefined) return { status: 200, contentRange };
  if (offset > total) {
    throw new ApiError(416, "PGRST103", "Requested range not satisfiable",
      `An offset of ${offset} was requested, but there are only ${total} rows.`);
  }
  return { status: n < total ? 206 : 200, contentRange };
}

/** PostgREST's contentRangeH (src/PostgREST/RangeQuery.hs): `lower-upper/total`, `*` for an empty range or a zero total. */
export function contentRange(lower: number, upper: number, total?: number): string {
  return `${total !== 0 && lower <= upper ? `${lower}-${upper}` : "*"}/${total ?? "*"}`;
}

/**
 * A write's Content-Range, always sent, as PostgREST's actionResponse (src/PostgREST/Response.hs)
 * builds it: `*` for inserts and deletes, `0-(n-1)` for updates, and the total only with count=exact.
 */
export function writeContentRange(kind: "insert" | "update" | "delete", n: number, count: boolean): string {
  return kind === "update" ? contentRange(0, n - 1, count ? n : undefined) : contentRange(1, 0, count ? n : undefined);
}

/**
 * A write's status as PostgREST's actionResponse gives it: an insert 201, except an upsert
 * (`resolution=merge-duplicates`) that inserted no row (it only updated existing ones, or had none),
 * which is 200; an update or delete 200 with the rows, 204 without.
 */
export function writeStatus(kind: "insert" | "update" | "delete", prefer: Prefer, inserted: number | null): number {
  if (kind === "insert") return prefer.resolution === "merge" && !(inserted !== null && inserted > 0) ? 200 : 201;
  return prefer.representation ? 200 : 204;
}

// ---- errors ---------------------------------------------------------------------------------------

interface PgError {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
}

/** PostgREST's SQLSTATE → HTTP mapping (reference/supabase-platform.md §6.1). */
export function httpStatus(code: string, message: string, anonymous: boolean): number {
  if (code === "42501") return anonymous ? 401 : 403;
  if (code === "23503" || code === "23505") return 409;
  if (code === "25006") return 405;
  if (code === "P0001") return 400;
  if (code === "21000") return message.endsWith("requires a WHERE clause") ? 400 : 500;
  if (code === "22023") return /^role .* does not exist$/.test(message) ? 401 : 400;
  if (code === "53400") return 500;
  if (code === "57P01") return 503;
  if (code === "42883" || code === "42P01") return 404;
  if (code === "42P17") return 500;
  const pt = code.match(/^PT(\d{3})$/);
  if (pt) return Number(pt[1]);
  if (code.startsWith("PT")) return 500;
  const prefix = code.slice(0, 2);
  if (prefix === "08" || prefix === "53") return 503;
  if (prefix === "0L" || prefix === "0P" || prefix === "28") return 403;
  if (["09", "25", "2D", "38", "39", "3B", "40", "54", "55", "57", "58", "F0", "HV", "XX", "P0"].includes(prefix)) return 500;
  return 400;
}

export function fromPgError(e: PgError, anonymous: boolean): ApiError {
  const code = e.code ?? "";
  const message = e.message ?? "";
  if (code === "PGRST") {
    try {
      const body = JSON.parse(message);
      const detail = e.detail ? JSON.parse(e.detail) : {};
      return new ApiError(Number(detail.status) || 500, body.code ?? null, body.message ?? "", body.details ?? null, body.hint ?? null);
    } catch {
      return new ApiError(500, "PGRST121", "Could not parse JSON in the RAISE SQLSTATE 'PGRST' error", message);
    }
  }
  const status = httpStatus(code, message, anonymous);
  // As PostgREST's PgError headers (src/PostgREST/Error.hs): a 401 asks for a bearer token.
  const headers: Record<string, string> = status === 401 ? { "WWW-Authenticate": "Bearer" } : {};
  return new ApiError(status, code || null, message, e.detail ?? null, e.hint ?? null, headers);
}

// ---- authentication -----------------------------------------------------------------------------

/** PostgREST's JWT error (src/PostgREST/Error.hs, v13+): 401 with its code and a `WWW-Authenticate` header. */
function jwtError(code: "PGRST301" | "PGRST303", message: string, details: string | null = null): ApiError {
  return new ApiError(401, code, message, details, null, {
    // Haskell's `show` of the message: double-quoted.
    "WWW-Authenticate": `Bearer error="invalid_token", error_description=${JSON.stringify(message)}`,
  });
}

/** PostgREST's allowed clock skew for exp, nbf and iat (src/PostgREST/Auth.hs). */
const JWT_SKEW_SECONDS = 30;

/**
 * A bearer token checked as PostgREST 13+ checks it (src/PostgREST/Auth.hs `parseToken`), with its
 * errors: decoding and signature problems are PGRST301, claims problems PGRST303 ("JWT expired", what
 * supabase-js and token refresh key on). The signature and exp/nbf are checked by `verifyJwt`; its
 * failures are mapped to PostgREST's messages here, and the checks jose does not make (iat in the
 * future, the type of aud) follow.
 */
export async function verifyToken(verifier: Verifier, token: string): Promise<JWTPayload> {
  if (token === "") throw jwtError("PGRST301", "Empty JWT is sent in Authorization header");
  const parts = token.split(".").length;
  if (parts !== 3) throw jwtError("PGRST301", `Expected 3 parts in JWT; got ${parts}`);
  let payload: JWTPayload;
  try {
    payload = await verifyJwt(verifier, token, { clockTolerance: JWT_SKEW_SECONDS });
  } catch (e) {
    if (!(e instanceof JwtError)) throw e;
    throw jwtErrorFor(token, e);
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.iat === "number" && now < payload.iat - JWT_SKEW_SECONDS) throw jwtError("PGRST303", "JWT issued at future");
  const aud = payload.aud as unknown;
  if (aud !== undefined && aud !== null && typeof aud !== "string" && !(Array.isArray(aud) && aud.every((a) => typeof a === "string"))) {
    throw jwtError("PGRST303", "The JWT 'aud' claim must be a string or an array of strings");
  }
  return payload;
}

/** verifyJwt's failure (jose's reason) as PostgREST's error for the same token. */
function jwtErrorFor(token: string, e: JwtError): ApiError {
  switch (e.failure) {
    case "expired":
      return jwtError("PGRST303", "JWT expired");
    case "claims": {
      const notNumber = e.message.match(/^"(exp|nbf|iat)" claim must be a number$/);
      if (notNumber) return jwtError("PGRST303", `The JWT '${notNumber[1]}' claim must be a number`);
      if (e.message.startsWith('"nbf" claim timestamp check failed')) return jwtError("PGRST303", "JWT not yet valid");
      return jwtError("PGRST303", "Parsing claims failed");
    }
    case "signature":
      return jwtError("PGRST301", "No suitable key or wrong key type", "None of the keys was able to decode the JWT");
    case "algorithm": {
      let alg: unknown;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch { /* reported as undecodable below */ }
      if (alg === "none") {
        return jwtError("PGRST301", "Wrong or unsupported encoding algorithm", "JWT is unsecured but expected 'alg' was not 'none'");
      }
      if (typeof alg === "string") {
        return jwtError("PGRST301", "No suitable key or wrong key type", "No suitable key was found to decode the JWT");
      }
      return jwtError("PGRST301", "JWT cryptographic operation failed");
    }
    default:
      // A signed claims set that is not a JSON object; anything else did not decode.
      return /Claims Set/.test(e.message)
        ? jwtError("PGRST303", "Parsing claims failed")
        : jwtError("PGRST301", "JWT cryptographic operation failed");
  }
}

// ---- HTTP ---------------------------------------------------------------------------------------

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "Content-Range, Content-Profile",
};
const PREFLIGHT = {
  ...CORS,
  "Access-Control-Allow-Methods": "GET, HEAD, POST, PATCH, DELETE, OPTIONS",
  "Access-Control-Allow-Headers":
    "authorization, apikey, content-type, prefer, accept, accept-profile, content-profile, x-client-info, range",
  "Access-Control-Max-Age": "3600",
};

function errorResponse(e: ApiError | GatewayError): Response {
  if (e instanceof GatewayError) {
    return Response.json({ message: e.message, hint: e.hint }, { status: e.status, headers: { ...CORS, "sb-error-code": e.errorCode } });
  }
  return Response.json({ code: e.code, message: e.message, details: e.details, hint: e.hint }, {
    status: e.status,
    headers: { ...CORS, ...e.headers },
  });
}

/** The authenticator URL: SUPABASE_DB_URL with user and password swapped (local passwords, roles.sql). */
export function authenticatorUrl(dbUrl: string): string {
  const url = new URL(dbUrl);
  url.username = "authenticator";
  url.password = "postgres";
  return url.toString();
}

/** The body as bytes; 413 past MAX_REQUEST_BYTES (counted while streaming, not trusted from headers). */
async function readLimitedBody(req: Request): Promise<Uint8Array> {
  try {
    return await readBodyBytes(req, MAX_REQUEST_BYTES);
  } catch (e) {
    if (!(e instanceof HttpError) || e.status !== 413) throw e;
    throw new ApiError(
      413,
      null,
      `Request body is larger than ${MAX_REQUEST_BYTES} bytes`,
      null,
      "Send fewer or smaller rows per request; docs/local-data-api.md explains the limit.",
    );
  }
}

export interface DataApi {
  handle(req: Request): Promise<Response>;
  close(): Promise<void>;
}

/**
 * `apiKeys`: the project's API keys (locally the stack's anon and service_role JWTs), the only values
 * the gateway lets through as `apikey`.
 */
export function createDataApi(options: { dbUrl: string; verifier: Verifier; apiKeys: string[] }): DataApi {
  // connect_timeout: while the database restarts, a request fails (503) within 5 s instead of
  // waiting 30 s (postgres.js's default) and committing long after its client gave up.
  const sql = postgres(authenticatorUrl(options.dbUrl), {
    max: 10, prepare: false, onnotice: () => {}, idle_timeout: 60, connect_timeout: 5,
  });
  let catalog: Promise<Catalog> | undefined;

  const loadCatalog = () => (catalog = sql.unsafe(CATALOG_SQL).then((rows) => catalogFrom(JSON.parse(rows[0].catalog))));
  /** The cached schema; reloaded once when a name is missing (e.g. after `stack reset`). */
  async function withCatalog<T>(fn: (c: Catalog) => T): Promise<T> {
    try {
      return fn(await (catalog ?? loadCatalog()));
    } catch (e) {
      if (e instanceof ApiError && (e.code === "PGRST205" || e.code === "PGRST202" || e.code === "PGRST204" || e.code === "42703")) {
        return fn(await loadCatalog());
      }
      throw e;
    }
  }

  /** The request's claims (with `role`), as hosted's gateway and then PostgREST check them. */
  async function authenticate(req: Request, search: URLSearchParams): Promise<Record<string, unknown>> {
    // The gateway first: every /rest/v1 request carries an API key, even one with a user JWT.
    const apikey = req.headers.get("apikey") || search.get("apikey");
    if (!apikey) throw missingApiKey();
    if (!options.apiKeys.includes(apikey)) throw invalidApiKey();
    // Then PostgREST, which reads only `Authorization: Bearer` (Wai's extractBearerAuth); here a
    // request without one runs with the API key's JWT, as the gateway forwards it.
    const bearer = req.headers.get("authorization")?.match(/^bearer(?:\s+(.*))?$/is);
    const token = bearer ? (bearer[1] ?? "").trim() : apikey;
    const payload = await verifyToken(options.verifier, token);
    return { ...payload, role: typeof payload.role === "string" ? payload.role : "anon" };
  }

  async function handle(req: Request): Promise<Response> {
    const arrived = performance.now();
    if (req.method === "OPTIONS") return new Response(null, { status: 200, headers: PREFLIGHT });
    const url = new URL(req.url);
    const path = url.pathname.replace(/^\/rest\/v1/, "") || "/";
    // The gateway takes the API key from the query too; PostgREST never sees it as a filter.
    const query = new URLSearchParams(url.searchParams);
    query.delete("apikey");
    let anonymous = true;
    try {
      const claims = await authenticate(req, url.searchParams);
      const role = claims.role as string;
      anonymous = role === "anon";
      const profile = req.headers.get("accept-profile") ?? req.headers.get("content-profile");
      if (profile && profile !== "public") {
        throw new ApiError(406, "PGRST106", "The schema must be one of the following: public");
      }
      const single = (req.headers.get("accept") ?? "").includes("application/vnd.pgrst.object+json");
      const prefer = parsePrefer(req.headers.get("prefer"));
      const method = req.method;
      // The parsed body (for its shape and keys) and its text, which is what reaches SQL.
      const readBody = async (): Promise<[unknown, string]> => {
        const text = new TextDecoder().decode(await readLimitedBody(req)) || "{}";
        try {
          return [JSON.parse(text), text];
        } catch {
          throw new ApiError(400, "PGRST102", "Empty or invalid json");
        }
      };

      const rpc = path.match(/^\/rpc\/([^/]+)$/);
      const tableName = path.match(/^\/([^/]+)$/);
      let plan: Plan;
      if (rpc && ["GET", "HEAD", "POST"].includes(method)) {
        const [args, raw] = method === "POST" ? await readBody() : [Object.fromEntries(query), undefined];
        if (args === null || typeof args !== "object" || Array.isArray(args)) {
          throw new ApiError(400, "PGRST102", "RPC arguments must be a JSON object of named arguments");
        }
        plan = await withCatalog((c) => planRpc(c, decodeURIComponent(rpc[1]), args as Record<string, unknown>, method !== "POST", raw));
      } else if (tableName) {
        const name = decodeURIComponent(tableName[1]);
        if (method === "GET" || method === "HEAD") plan = await withCatalog((c) => planRead(c, name, query));
        else if (method === "POST") {
          const [body, raw] = await readBody();
          plan = await withCatalog((c) => planInsert(c, name, query, body, prefer, raw));
        } else if (method === "PATCH") {
          const [body, raw] = await readBody();
          plan = await withCatalog((c) => planUpdate(c, name, query, body, prefer, raw));
        } else if (method === "DELETE") plan = await withCatalog((c) => planDelete(c, name, query, prefer));
        else throw new ApiError(405, "PGRST117", `Unsupported HTTP method: ${method}`);
      } else {
        throw new ApiError(404, "PGRST125", `Invalid path specified in request URL: ${url.pathname}`, null, DOCS_HINT);
      }
      const maxAffected = prefer.handling === "strict" ? prefer.maxAffected : undefined;
      if (maxAffected !== undefined && plan.kind === "rpc" && !plan.returnsSet) {
        throw new ApiError(400, "PGRST128", "Function must return SETOF or TABLE when max-affected preference is used with handling=strict");
      }

      const headers = Object.fromEntries([...req.headers].map(([k, v]) => [k.toLowerCase(), v]));
      const roleSettings = (await (catalog ?? loadCatalog())).roleSettings.get(role) ?? [];
      const result = await sql.begin(plan.readOnly ? "read only" : "read write", async (tx) => {
        // As PostgREST's db-pool-acquisition-timeout: a request that waited this long for a
        // connection (the database was restarting) runs nothing; its client may have given up.
        if (performance.now() - arrived > POOL_ACQUISITION_TIMEOUT_MS) {
          throw new ApiError(504, "PGRST003", "Timed out acquiring connection from connection pool.");
        }
        // The role's own settings first (hosted: statement_timeout 3 s for anon, 8 s for authenticated).
        if (roleSettings.length) {
          await tx.unsafe(`select set_config(k, v, true) from unnest($1::text[], $2::text[]) s(k, v)`,
            [roleSettings.map(([k]) => k), roleSettings.map(([, v]) => v)] as unknown as string[]);
        }
        await tx.unsafe(
          `select set_config('search_path', $1, true), set_config('role', $2, true),
                  set_config('request.jwt.claims', $3, true), set_config('request.method', $4, true),
                  set_config('request.path', $5, true), set_config('request.headers', $6, true)`,
          ["public, extensions", role, JSON.stringify(claims), method, path, JSON.stringify(headers)],
        );
        const [row] = await tx.unsafe(plan.text, plan.params);
        const total = prefer.count && plan.countText ? (await tx.unsafe(plan.countText, plan.params))[0].total as number : undefined;
        // pgrst.inserted: what an upsert inserted, counted as PostgREST counts it (planInsert).
        const [{ status, inserted }] = await tx.unsafe(
          `select current_setting('response.status', true) as status, nullif(current_setting('pgrst.inserted', true), '')::int as inserted`,
        );
        if (single && plan.returnsSet && row.n !== 1) {
          throw new ApiError(406, "PGRST116", "Cannot coerce the result to a single JSON object", `The result contains ${row.n} rows`);
        }
        // Prefer: handling=strict, max-affected=n (PostgREST 13): more rows changed (or returned by a
        // function) than allowed rolls everything back.
        if (maxAffected !== undefined && plan.kind !== "read" && plan.kind !== "insert" && row.n > maxAffected) {
          throw new ApiError(400, "PGRST124", "Query result exceeds max-affected preference constraint", `The query affects ${row.n} rows`);
        }
        return {
          body: row.body as string | null,
          n: row.n as number,
          total,
          status: status ? Number(status) : undefined,
          inserted: inserted as number | null,
        };
      });

      const out: Record<string, string> = { ...CORS };
      let body: string | null = result.body ?? "null";
      let status: number;
      if (single && plan.returnsSet && body !== "") body = JSON.stringify(JSON.parse(body)[0]);
      if (plan.kind === "read") {
        const range = readRange(Number(query.get("offset") ?? 0), result.n, result.total);
        status = range.status;
        out["Content-Range"] = range.contentRange;
      } else if (plan.kind === "rpc") {
        status = plan.returnsVoid ? 204 : 200;
        if (plan.returnsVoid) body = null;
      } else {
        status = writeStatus(plan.kind, prefer, result.inserted);
        if (!prefer.representation) body = null;
        out["Content-Range"] = writeContentRange(plan.kind, result.n, prefer.count);
      }
      if (result.status && result.status >= 100 && result.status <= 599) status = result.status;
      if (status === 204) body = null;
      if (body !== null) {
        out["Content-Type"] = single ? "application/vnd.pgrst.object+json; charset=utf-8" : "application/json; charset=utf-8";
      }
      return new Response(method === "HEAD" ? null : body, { status, headers: out });
    } catch (e) {
      if (e instanceof ApiError || e instanceof GatewayError) return errorResponse(e);
      const pg = e as PgError & { name?: string };
      if (pg?.code && pg.name === "PostgresError") return errorResponse(fromPgError(pg, anonymous));
      console.error("data api:", e);
      return errorResponse(new ApiError(503, "PGRST000", `Database connection error: ${(e as Error)?.message ?? e}`));
    }
  }

  return { handle, close: () => sql.end() };
}
