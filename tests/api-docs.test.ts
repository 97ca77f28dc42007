// docs/API.md cannot drift from the database: every public table and column, every RPC (arguments
// and return type), every error code (private.error_codes) and every realtime event the database
// sends is documented there, and everything API.md lists in those places exists. The database side
// is read from the catalog of the database under test, so a table, column, function, code or event
// a later migration adds fails here until API.md describes it. Objects whose `comment on` starts with
// "test-only:" (probes a test creates and drops) are not part of the contract.
//
// The schema describes itself too (`comment on`, which Studio and the OpenAPI output show): every
// public table and view, each of their columns, every RPC and every search function API.md names
// has a comment, and a comment never leaves out a limit the schema sets: each number in a
// single-column CHECK constraint (outside quoted literals: `char_length(bio) <= 300` needs 300 in
// users.bio's comment, a regular expression needs nothing) appears in that column's comment, and
// each per-parent row cap (`private.enforce_row_limit`) in its table's comment. Numbers in comments
// may be grouped (`5,000`).
//
// How API.md is read (the format this test pins):
// - "## Tables": one row per table, `name` in the first cell; its columns are the identifiers in
//   backticks in the second cell (`id uuid` counts `id`; `(a, b)` counts a and b; a value list such
//   as `moderator, vip, og` or a pattern such as `[A-Za-z0-9_]` is not a column).
// - "## RPCs": the first table, one row per function, `name(arg type [default …], …)` in the first
//   cell and its return type in the third: `void`, `jsonb …`, the `<table>` row (a table's row type),
//   `setof <table>` rows, or a scalar type in backticks.
// - "## Error codes": one row per code, `code` and its HTTP status.
// - "## Realtime topics": one row per topic family, its topic in the first cell as
//   supabase/contract/contract.json writes it (`chatroom:<chatroom_id>`); the events are the
//   `noun.verb` names in backticks in the events column.
//
// supabase/contract/contract.json (the schemas of every event and error code's details) is held to
// the same: its events per topic equal API.md's, its events equal the database's, its codes equal
// private.error_codes.
//
// Realtime events cannot be read from a catalog: the database sends them from trigger and RPC
// bodies. They are the `'noun.verb'` string literals in the current definition (pg_proc.prosrc, so
// a function replaced by a later migration counts once, as it now is) of every function outside
// `realtime` that calls realtime.send or realtime.broadcast_changes or inserts into realtime.messages
// (a bulk send, as realtime.send does row by row), minus setting names passed to
// set_config/current_setting. The project rule this relies on: an event name is written as a literal
// in the function that sends it (never computed), which every migration so far follows.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "./db.ts";

afterAll(() => sql.end());

const apiMd = readFileSync(join(import.meta.dirname, "../docs/API.md"), "utf8");
const contract = JSON.parse(readFileSync(join(import.meta.dirname, "../supabase/contract/contract.json"), "utf8")) as {
  topics: Record<string, { topic: string; events: Record<string, unknown> }>;
  errors: Record<string, unknown>;
};

/** The lines of one `## ` section of API.md. */
function section(title: string): string[] {
  const lines = apiMd.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`## ${title}`));
  if (start < 0) throw new Error(`docs/API.md has no "## ${title}" section`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Body rows of the markdown tables in `lines` (header and separator rows dropped), as cells. */
function rows(lines: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith("|") || /^\|[-| ]+\|$/.test(lines[i])) continue;
    if (/^\|[-| ]+\|$/.test(lines[i + 1] ?? "")) continue; // a header row
    // Cells split on `|` outside backticks (`a \| b` inside code stays one cell).
    const cells: string[] = [];
    let cell = "", code = false;
    for (const ch of lines[i].slice(1, -1)) {
      if (ch === "`") code = !code;
      if (ch === "|" && !code) {
        cells.push(cell.trim());
        cell = "";
      } else cell += ch;
    }
    cells.push(cell.trim());
    out.push(cells);
  }
  return out;
}

const backticked = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
const first = (cell: string) => backticked(cell)[0] ?? "";

/** The column names a "key columns" cell documents. */
function documentedColumns(cell: string): string[] {
  const names: string[] = [];
  for (const token of backticked(cell)) {
    const list = token.match(/^\((.+)\)$/);
    if (list) names.push(...list[1].split(",").map((s) => s.trim()));
    else if (/^[a-z_][a-z0-9_]*( [a-z][a-z0-9_ \[\]]*)?$/.test(token)) names.push(token.split(" ")[0]);
  }
  return names;
}

// Type names as API.md writes them → as format_type() does.
const TYPE_ALIASES: Record<string, string> = { int: "integer", bool: "boolean", int8: "bigint", int4: "integer" };
const normalType = (t: string) => TYPE_ALIASES[t] ?? t;

interface DbFunction {
  name: string;
  args: { name: string; type: string }[];
  defaults: number;
  returns: string; // format_type of the return type
  returnsSet: boolean;
  returnsTable: string | null; // the public table whose row type it returns
  comment: string | null;
}

let dbTables = new Map<string, { comment: string | null; columns: string[]; comments: Record<string, string> }>();
let dbFunctions: DbFunction[] = [];
let dbCodes: [string, number][] = [];
let dbEvents: string[] = [];

beforeAll(async () => {
  const tables = await sql`
    select c.relname as name, obj_description(c.oid, 'pg_class') as comment,
      json_agg(a.attname::text order by a.attnum) as columns,
      coalesce(json_object_agg(a.attname, col_description(c.oid, a.attnum)) filter (where col_description(c.oid, a.attnum) is not null), '{}') as comments
    from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm')
      and coalesce(obj_description(c.oid, 'pg_class'), '') not like 'test-only:%'
    group by c.oid`;
  dbTables = new Map(tables.map((t) => [t.name as string, { comment: t.comment, columns: t.columns, comments: t.comments }]));

  // The RPCs: functions in public that anon or authenticated may execute (what PostgREST exposes to them).
  dbFunctions = (await sql`
    select p.proname as name, p.pronargdefaults as defaults, p.proretset as "returnsSet",
      obj_description(p.oid, 'pg_proc') as comment,
      format_type(p.prorettype, null) as returns,
      (select c.relname from pg_class c where c.reltype = p.prorettype and c.relnamespace = 'public'::regnamespace) as "returnsTable",
      coalesce((select json_agg(json_build_object('name', a.name, 'type', format_type(a.type, null)) order by a.ord)
        from unnest(p.proargtypes::oid[], p.proargnames) with ordinality a(type, name, ord)), '[]') as args
    from pg_proc p
    where p.pronamespace = 'public'::regnamespace and p.prokind = 'f'
      and coalesce(obj_description(p.oid, 'pg_proc'), '') not like 'test-only:%'
      and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute'))`) as unknown as DbFunction[];

  dbCodes = (await sql`select code, http_status from private.error_codes`).map((r) => [r.code as string, r.http_status as number]);

  const bodies = await sql`
    select p.prosrc from pg_proc p
    where p.pronamespace <> 'realtime'::regnamespace
      and p.prosrc ~* 'realtime\\.(send|broadcast_changes)|insert\\s+into\\s+realtime\\.messages'`;
  const events = new Set<string>();
  for (const { prosrc } of bodies) {
    const body = withoutCalls((prosrc as string).replace(/(set_config|current_setting)\s*\(\s*'[^']*'/g, ""),
      "log_moderation_action");
    for (const m of body.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) events.add(m[1]);
  }
  dbEvents = [...events];
});

const sorted = (xs: Iterable<string>) => [...xs].sort();

/** `body` without the calls of `fn` (arguments included, parentheses balanced): the moderators' log
 * names its actions (`user.timed_out`) in the same `noun.verb` form as events, but they are rows of
 * `moderation_actions`, not broadcasts. */
function withoutCalls(body: string, fn: string): string {
  let out = body;
  for (let at = out.indexOf(`${fn}(`); at >= 0; at = out.indexOf(`${fn}(`)) {
    let depth = 0;
    let end = at + fn.length;
    for (; end < out.length; end++) {
      if (out[end] === "(") depth++;
      else if (out[end] === ")" && --depth === 0) break;
    }
    out = out.slice(0, at) + out.slice(end + 1);
  }
  return out;
}

describe("docs/API.md matches the database", () => {
  it("lists exactly the tables in public", () => {
    const documented = rows(section("Tables")).map((r) => first(r[0]));
    expect(sorted(documented)).toEqual(sorted(dbTables.keys()));
  });

  it("lists every column of every public table, and no column a table lacks", () => {
    const missing: string[] = [];
    const extra: string[] = [];
    for (const row of rows(section("Tables"))) {
      const table = dbTables.get(first(row[0]));
      if (!table) continue; // the table test reports it
      const documented = new Set(documentedColumns(row[1]));
      for (const c of table.columns) {
        if (!documented.has(c)) missing.push(`${first(row[0])}.${c}${table.comments[c] ? ` (comment: ${table.comments[c]})` : ""}`);
      }
      for (const c of documented) if (!table.columns.includes(c)) extra.push(`${first(row[0])}.${c}`);
    }
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it("lists exactly the RPCs anon and authenticated can call, with their arguments and return types", () => {
    const documented = new Map<string, { signature: string; returns: string }>();
    const rpcRows = rows(section("RPCs")).filter((r) => /^`[a-z_]+\(.*\)`$/.test(r[0]));
    for (const r of rpcRows) documented.set(first(r[0]).split("(")[0], { signature: first(r[0]), returns: r[2] });
    expect(sorted(documented.keys())).toEqual(sorted(dbFunctions.map((f) => f.name)));

    const wrong: string[] = [];
    for (const fn of dbFunctions) {
      const doc = documented.get(fn.name);
      if (!doc) continue;
      const args = doc.signature.slice(fn.name.length + 1, -1).split(",").map((a) => a.trim()).filter(Boolean);
      const docArgs = args.map((a) => {
        const [name, type] = a.split(/\s+/);
        return { name, type: normalType(type), hasDefault: / default /.test(a) };
      });
      const dbArgs = fn.args.map((a, i) => ({ name: a.name, type: a.type, hasDefault: i >= fn.args.length - fn.defaults }));
      if (JSON.stringify(docArgs) !== JSON.stringify(dbArgs)) {
        wrong.push(`${fn.name}: documented ${JSON.stringify(docArgs)}, database ${JSON.stringify(dbArgs)}`);
      }
      const expected = fn.returns === "void"
        ? /^void\b/
        : fn.returnsTable
        ? new RegExp(fn.returnsSet ? `^\`setof ${fn.returnsTable}\` rows` : `^the( new)? \`${fn.returnsTable}\` row\\b`)
        : new RegExp(`^\`${fn.returnsSet ? `setof ${fn.returns}` : fn.returns}\``);
      if (!expected.test(doc.returns)) wrong.push(`${fn.name}: returns ${fn.returnsSet ? "setof " : ""}${fn.returnsTable ?? fn.returns}, documented "${doc.returns}"`);
    }
    expect(wrong).toEqual([]);
  });

  it("lists exactly the error codes in private.error_codes, each with its HTTP status", () => {
    const documented = rows(section("Error codes")).map((r) => `${first(r[0])} ${r[1]}`);
    expect(sorted(documented)).toEqual(sorted(dbCodes.map(([code, status]) => `${code} ${status}`)));
  });

  it("lists exactly the realtime events the database sends", () => {
    const documented = new Set(rows(section("Realtime topics")).flatMap((r) => backticked(r[3] ?? "")).filter((t) => /^[a-z_]+\.[a-z_]+$/.test(t)));
    expect(dbEvents.length).toBeGreaterThan(0);
    expect(sorted(documented)).toEqual(sorted(dbEvents));
  });
});

/** The numbers a text holds, grouped ones (`5,000`) read as one. */
const numbersIn = (text: string) => new Set([...text.matchAll(/\d{1,3}(?:,\d{3})+|\d+/g)].map((m) => m[0].replaceAll(",", "")));

describe("the schema comments every object of the contract, and each comment states the schema's limits", () => {
  it("comments every public table and view", () => {
    const bare = [...dbTables].filter(([, t]) => !t.comment).map(([name]) => name);
    expect(dbTables.size).toBeGreaterThan(0);
    expect(sorted(bare)).toEqual([]);
  });

  it("comments every column of every public table and view", () => {
    const bare = [...dbTables].flatMap(([name, t]) => t.columns.filter((c) => !t.comments[c]).map((c) => `${name}.${c}`));
    expect(sorted(bare)).toEqual([]);
  });

  it("comments every RPC", () => {
    expect(dbFunctions.length).toBeGreaterThan(0);
    expect(sorted(dbFunctions.filter((f) => !f.comment).map((f) => f.name))).toEqual([]);
  });

  it("comments every signature of each search function API.md names", async () => {
    const names = [...new Set(rows(section("Search functions")).flatMap((r) => backticked(r[0]))
      .map((t) => t.match(/^(?:private\.)?(search_[a-z_]+)/)?.[1]).filter((n): n is string => !!n))];
    expect(names.length).toBeGreaterThan(0);
    const found = await sql`
      select p.proname as name, p.oid::regprocedure::text as signature, obj_description(p.oid, 'pg_proc') as comment
      from pg_proc p where p.pronamespace = 'private'::regnamespace and p.proname = any (${names})`;
    expect(sorted(new Set(found.map((f) => f.name as string)))).toEqual(sorted(names));
    expect(found.filter((f) => !f.comment).map((f) => f.signature)).toEqual([]);
  });

  it("states every bound of a single-column CHECK constraint in that column's comment", async () => {
    const checks = await sql`
      select c.conrelid::regclass::text as "table", a.attname as "column", c.conname as name,
        pg_get_constraintdef(c.oid) as definition, coalesce(col_description(c.conrelid, a.attnum), '') as comment
      from pg_constraint c
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      where c.contype = 'c' and c.connamespace = 'public'::regnamespace and cardinality(c.conkey) = 1
        and coalesce(obj_description(c.conrelid, 'pg_class'), '') not like 'test-only:%'`;
    expect(checks.length).toBeGreaterThan(0);
    const unstated: string[] = [];
    for (const check of checks) {
      const stated = numbersIn(check.comment as string);
      const bounds = numbersIn((check.definition as string).replace(/'(?:[^']|'')*'/g, ""));
      for (const n of bounds) if (!stated.has(n)) unstated.push(`${check.table}.${check.column}: ${n} (${check.name})`);
    }
    expect(unstated).toEqual([]);
  });

  it("states every per-parent row cap in its table's comment", async () => {
    const caps = await sql`
      select t.tgrelid::regclass::text as "table", pg_get_triggerdef(t.oid) as definition,
        coalesce(obj_description(t.tgrelid, 'pg_class'), '') as comment
      from pg_trigger t
      where t.tgfoid = 'private.enforce_row_limit'::regproc and not t.tgisinternal`;
    expect(caps.length).toBeGreaterThan(0);
    const unstated = caps.flatMap((cap) => {
      const max = (cap.definition as string).match(/enforce_row_limit\('[^']*', '(\d+)'/)?.[1];
      return max && numbersIn(cap.comment as string).has(max) ? [] : [`${cap.table}: ${max ?? cap.definition}`];
    });
    expect(unstated).toEqual([]);
  });
});

describe("supabase/contract/contract.json matches docs/API.md and the database", () => {
  it("has exactly the error codes of private.error_codes", () => {
    expect(sorted(Object.keys(contract.errors))).toEqual(sorted(dbCodes.map(([code]) => code)));
  });

  it("has exactly the events the database sends", () => {
    const events = new Set(Object.values(contract.topics).flatMap((f) => Object.keys(f.events)));
    expect(sorted(events)).toEqual(sorted(new Set(dbEvents)));
  });

  it("lists on each topic exactly the events API.md lists there", () => {
    const documented = Object.fromEntries(rows(section("Realtime topics")).map((r) => [
      first(r[0]),
      sorted(backticked(r[3] ?? "").filter((t) => /^[a-z_]+\.[a-z_]+$/.test(t))),
    ]));
    const inContract = Object.fromEntries(Object.values(contract.topics).map((f) => [f.topic, sorted(Object.keys(f.events))]));
    expect(documented).toEqual(inContract);
  });
});
