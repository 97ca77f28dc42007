// Tests of the local Data API's parser and SQL builder (local only; see data-api.ts). No database:
// a hand-made schema cache stands in for pg_catalog (the body limit needs no catalog at all).
import assert from "node:assert/strict";
import {
  ApiError, type Catalog, catalogFrom, contentRange, createDataApi, filterExpr, fromPgError, httpStatus, MAX_REQUEST_BYTES,
  Params, parsePrefer, planDelete, planInsert, planRead, planRpc, planUpdate, quoteIdent, readRange, selectList,
  writeContentRange, writeStatus,
} from "./data-api.ts";
import { SignJWT } from "jose";
import { secretVerifier } from "../functions/_shared/jwt.ts";

const catalog: Catalog = catalogFrom({
  tables: [
    {
      name: "users", columns: ["id", "username", "bio", 'we"ird'], primaryKey: ["id"],
      types: { id: "uuid", username: "extensions.citext", bio: "text", 'we"ird': "text" },
    },
    {
      name: "follows", columns: ["user_id", "channel_id", "notifications"], primaryKey: ["user_id", "channel_id"],
      types: { user_id: "uuid", channel_id: "uuid", notifications: "boolean" },
    },
    {
      name: "channels", columns: ["id", "owner_id", "slug", "tags", "meta"], primaryKey: ["id"],
      types: { id: "uuid", owner_id: "uuid", slug: "text", tags: "text[]", meta: "jsonb" },
    },
    {
      name: "bans", columns: ["id", "user_id", "banned_by"], primaryKey: ["id"],
      types: { id: "bigint", user_id: "uuid", banned_by: "uuid" },
    },
  ],
  relationships: [
    { name: "channels_owner_id_fkey", from: "channels", fromColumns: ["owner_id"], to: "users", toColumns: ["id"], fromUnique: true },
    { name: "follows_user_id_fkey", from: "follows", fromColumns: ["user_id"], to: "users", toColumns: ["id"], fromUnique: false },
    { name: "follows_channel_id_fkey", from: "follows", fromColumns: ["channel_id"], to: "channels", toColumns: ["id"], fromUnique: false },
    { name: "bans_user_id_fkey", from: "bans", fromColumns: ["user_id"], to: "users", toColumns: ["id"], fromUnique: false },
    { name: "bans_banned_by_fkey", from: "bans", fromColumns: ["banned_by"], to: "users", toColumns: ["id"], fromUnique: false },
  ],
  functions: [
    {
      name: "send_message",
      args: [{ name: "chatroom_id", type: "uuid" }, { name: "content", type: "text" }, { name: "reply_to_id", type: "bigint" }],
      defaults: 1, returnsSet: false, returnsVoid: false, readOnly: false,
    },
    { name: "unpin_message", args: [{ name: "chatroom_id", type: "uuid" }], defaults: 0, returnsSet: false, returnsVoid: true, readOnly: false },
    { name: "search_users", args: [], defaults: 0, returnsSet: true, returnsVoid: false, readOnly: true },
  ],
  roleSettings: { anon: ["statement_timeout=3s"], authenticator: ["statement_timeout=8s", "lock_timeout=8s"] },
});
const users = catalog.tables.get("users")!;
const q = (s: string) => new URLSearchParams(s);

function rejects(fn: () => unknown, status: number, code: string | null, message?: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${e}`);
    assert.equal(e.status, status);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

Deno.test("quoteIdent doubles embedded quotes", () => {
  assert.equal(quoteIdent("id"), '"id"');
  assert.equal(quoteIdent('we"ird'), '"we""ird"');
});

Deno.test("select lists: *, columns, aliases, quoted names", () => {
  assert.equal(selectList(users, null), "*");
  assert.equal(selectList(users, "*"), "*");
  assert.equal(selectList(users, "id,username"), '"id", "username"');
  assert.equal(selectList(users, "name:username"), '"username" as "name"');
  assert.equal(selectList(users, '"we""ird"'.replace('""', '"')), '"we""ird"');
});

Deno.test("select refuses embedding without the schema cache, unknown columns and injection attempts", () => {
  rejects(() => selectList(users, "id,channels!inner(slug)"), 400, "PGRST100", /embedding/);
  rejects(() => selectList(users, "id;drop table x"), 400, "42703", /users\.id;drop table x does not exist/);
  rejects(() => selectList(users, 'id" from users; --'), 400, "42703");
  rejects(() => selectList(users, "nope"), 400, "42703");
  rejects(() => selectList(users, "bio->>x';drop"), 400, "PGRST100", /JSON path/);
});

Deno.test("filters bind every value as a parameter", () => {
  const p = new Params();
  assert.equal(filterExpr(users, "id", "eq.1", p), 'public."users"."id" = $1::text::uuid');
  assert.equal(filterExpr(users, "id", "neq.2", p), 'public."users"."id" <> $2::text::uuid');
  assert.equal(filterExpr(users, "id", "lt.3", p), 'public."users"."id" < $3::text::uuid');
  assert.equal(filterExpr(users, "id", "lte.4", p), 'public."users"."id" <= $4::text::uuid');
  assert.equal(filterExpr(users, "id", "gt.5", p), 'public."users"."id" > $5::text::uuid');
  assert.equal(filterExpr(users, "id", "gte.6", p), 'public."users"."id" >= $6::text::uuid');
  assert.equal(filterExpr(users, "username", "like.no*", p), 'public."users"."username" like $7::text::extensions.citext');
  assert.equal(filterExpr(users, "username", "ilike.*VA", p), 'public."users"."username" ilike $8::text::extensions.citext');
  assert.equal(filterExpr(users, "bio", "is.null", p), 'public."users"."bio" is null');
  assert.equal(filterExpr(users, "bio", "not.is.NULL", p), 'not (public."users"."bio" is null)');
  assert.equal(filterExpr(users, "id", 'in.(a,"b,c",d)', p), 'public."users"."id" in ($9::text::uuid, $10::text::uuid, $11::text::uuid)');
  assert.equal(filterExpr(users, "id", "in.()", p), "false");
  assert.deepEqual(p.values, ["1", "2", "3", "4", "5", "6", "no%", "%VA", "a", "b,c", "d"]);
});

Deno.test("filter values travel as text cast to the column's type, so eq.true on a boolean means true", () => {
  const follows = catalog.tables.get("follows")!;
  const p = new Params();
  assert.equal(filterExpr(follows, "notifications", "eq.true", p), 'public."follows"."notifications" = $1::text::boolean');
  assert.equal(filterExpr(follows, "notifications", "eq.false", p), 'public."follows"."notifications" = $2::text::boolean');
  assert.deepEqual(p.values, ["true", "false"]);
});

Deno.test("filter values with SQL in them stay values", () => {
  const p = new Params();
  const sql = filterExpr(users, "username", "eq.x'; drop table users; --", p);
  assert.equal(sql, 'public."users"."username" = $1::text::extensions.citext');
  assert.deepEqual(p.values, ["x'; drop table users; --"]);
  rejects(() => filterExpr(users, "bio", "is.null; drop table users", new Params()), 400, "PGRST100");
  rejects(() => filterExpr(users, "id;drop table x", "eq.1", new Params()), 400, "42703");
  rejects(() => filterExpr(users, "id", "between.1", new Params()), 400, "PGRST100", /parse filter/);
  rejects(() => filterExpr(users, "bio", "fts.word", new Params()), 400, "PGRST100", /fts/);
});

Deno.test("reads: filters, order with nulls, limit capped at max rows, offset, count", () => {
  const plan = planRead(catalog, "users", q("select=id,bio&username=eq.nova&order=bio.desc.nullslast,id&limit=5000&offset=10"));
  assert.equal(
    plan.text,
    `select coalesce(json_agg(_t), '[]')::text as body, count(*)::int as n from (select "id", "bio" from public."users"` +
      ` where public."users"."username" = $1::text::extensions.citext order by public."users"."bio" desc nulls last, public."users"."id" limit 1000 offset 10) _t`,
  );
  assert.deepEqual(plan.params, ["nova"]);
  assert.equal(plan.countText, `select count(*)::int as total from public."users" where public."users"."username" = $1::text::extensions.citext`);
  assert.equal(plan.readOnly, true);
  rejects(() => planRead(catalog, "users", q("order=id.sideways")), 400, "PGRST100");
  rejects(() => planRead(catalog, "users", q("order=id;drop table x")), 400, "42703");
  rejects(() => planRead(catalog, "users", q("limit=1;drop")), 400, "PGRST100");
  rejects(() => planRead(catalog, "nope", q("")), 404, "PGRST205", /public\.nope/);
  rejects(() => planRead(catalog, 'users"; drop table x; --', q("")), 404, "PGRST205");
});

Deno.test("inserts: json_populate_recordset, minimal vs representation, upserts", () => {
  const minimal = planInsert(catalog, "follows", q(""), { channel_id: "c" }, parsePrefer(null));
  assert.equal(
    minimal.text,
    `with _m as (insert into public."follows" ("channel_id") select "channel_id" from json_populate_recordset(null::public."follows", $1::text::json)` +
      ` returning 1) select '' as body, count(*)::int as n from _m`,
  );
  assert.deepEqual(minimal.params, ['[{"channel_id":"c"}]']);
  const upsert = planInsert(catalog, "follows", q("on_conflict=user_id,channel_id&select=channel_id"), [{ user_id: "u", channel_id: "c", notifications: true }],
    parsePrefer("resolution=merge-duplicates, return=representation"));
  assert.match(upsert.text, /on conflict \("user_id", "channel_id"\) do update set "user_id" = excluded\."user_id", "channel_id" = excluded\."channel_id", "notifications" = excluded\."notifications" where .* returning public\."follows"\."channel_id"\) select .* from \(select "channel_id" from _m\) _t$/);
  // RETURNING names only what the select reads (a table may have columns the caller cannot read).
  const all = planInsert(catalog, "follows", q("select=*"), { channel_id: "c" }, parsePrefer("return=representation"));
  assert.match(all.text, /returning public\."follows"\.\*\) select/);
  const ignore = planInsert(catalog, "follows", q(""), { channel_id: "c" }, parsePrefer("resolution=ignore-duplicates"));
  assert.match(ignore.text, /on conflict \("user_id", "channel_id"\) do nothing returning 1/);
  rejects(() => planInsert(catalog, "follows", q(""), { "channel_id\"); drop table x; --": 1 }, parsePrefer(null)), 400, "PGRST204");
  rejects(() => planInsert(catalog, "follows", q(""), [1, 2], parsePrefer(null)), 400, "PGRST102");
});

Deno.test("an update or delete without a filter is refused with 21000 and 400, as pg-safeupdate makes PostgREST answer", () => {
  rejects(() => planDelete(catalog, "follows", q(""), parsePrefer(null)), 400, "21000", /^DELETE requires a WHERE clause$/);
  rejects(() => planUpdate(catalog, "users", q("select=id"), { bio: "x" }, parsePrefer(null)), 400, "21000", /^UPDATE requires a WHERE clause$/);
  assert.ok(planDelete(catalog, "follows", q("user_id=eq.u"), parsePrefer(null)).text.includes(" where "));
});

Deno.test("each role's own settings are kept from the catalog, split at the first =", () => {
  assert.deepEqual(catalog.roleSettings.get("anon"), [["statement_timeout", "3s"]]);
  assert.deepEqual(catalog.roleSettings.get("authenticator"), [["statement_timeout", "8s"], ["lock_timeout", "8s"]]);
  assert.equal(catalog.roleSettings.get("authenticated"), undefined);
});

Deno.test("updates and deletes keep the filters qualified and parameterised", () => {
  const update = planUpdate(catalog, "users", q("id=eq.u1"), { bio: "hi" }, parsePrefer("return=representation"));
  assert.equal(
    update.text,
    `with _m as (update public."users" set "bio" = _p."bio" from json_populate_record(null::public."users", $1::text::json) _p` +
      ` where public."users"."id" = $2::text::uuid returning public."users".*) select coalesce(json_agg(_t), '[]')::text as body, count(*)::int as n` +
      ` from (select * from _m) _t`,
  );
  assert.deepEqual(update.params, ['{"bio":"hi"}', "u1"]);
  rejects(() => planUpdate(catalog, "users", q(""), { nope: 1 }, parsePrefer(null)), 400, "PGRST204");
  const del = planDelete(catalog, "follows", q("channel_id=eq.c"), parsePrefer(null));
  assert.equal(
    del.text,
    `with _m as (delete from public."follows" where public."follows"."channel_id" = $1::text::uuid returning 1) select '' as body, count(*)::int as n from _m`,
  );
});

Deno.test("rpc: named arguments typed by json_to_record; result shapes; overload and missing-argument errors", () => {
  const send = planRpc(catalog, "send_message", { chatroom_id: "r", content: "hi" }, false);
  assert.equal(
    send.text,
    `select to_json(_t)::text as body, 1 as n from json_to_record($1::text::json) as _a("chatroom_id" uuid, "content" text), ` +
      `public."send_message"("chatroom_id" => _a."chatroom_id", "content" => _a."content") _t`,
  );
  assert.deepEqual(send.params, ['{"chatroom_id":"r","content":"hi"}']);
  assert.equal(send.readOnly, false);
  const unpin = planRpc(catalog, "unpin_message", { chatroom_id: "r" }, false);
  assert.equal(unpin.returnsVoid, true);
  const search = planRpc(catalog, "search_users", {}, false);
  assert.equal(search.text,
    `select coalesce(json_agg(_t), '[]')::text as body, count(*)::int as n from (select _t from public."search_users"() _t limit 1000) _s(_t)`);
  assert.equal(search.readOnly, true);
  rejects(() => planRpc(catalog, "send_message", { content: "hi" }, false), 404, "PGRST202");
  rejects(() => planRpc(catalog, "send_message", { chatroom_id: "r", content: "x", "evil\" => 1); --": 1 }, false), 404, "PGRST202");
  rejects(() => planRpc(catalog, "nope", {}, false), 404, "PGRST202", /^Could not find the function public\.nope without parameters in the schema cache$/);
  assert.throws(() => planRpc(catalog, "send_message", { content: "hi" }, false), (e: ApiError) =>
    e.message === "Could not find the function public.send_message(content) in the schema cache" &&
    e.details === "Searched for the function public.send_message with parameter content or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.");
  assert.throws(() => planRpc(catalog, "send_message", { a: "1", b: "2" }, true), (e: ApiError) =>
    e.details === "Searched for the function public.send_message with parameters a, b, but no matches were found in the schema cache.");
});

Deno.test("JSON bodies reach SQL as their own text, so a bigint past 2^53 keeps every digit (PostgREST passes the body through)", () => {
  const big = '{"chatroom_id": "r", "content": "hi", "reply_to_id": 9223372036854775807}';
  const send = planRpc(catalog, "send_message", JSON.parse(big), false, big);
  assert.deepEqual(send.params, [big]);
  assert.match(send.text, /"reply_to_id" bigint/);
  const row = '{"id": 9223372036854775807, "user_id": "u"}';
  assert.deepEqual(planInsert(catalog, "bans", q(""), JSON.parse(row), parsePrefer(null), row).params, [`[${row}]`]);
  const rows = `[${row}, {"id": 1.50000000000000000001}]`;
  assert.deepEqual(planInsert(catalog, "bans", q(""), JSON.parse(rows), parsePrefer(null), rows).params, [rows]);
  const patch = '{"id": 9223372036854775807}';
  assert.deepEqual(planUpdate(catalog, "bans", q("user_id=eq.u"), JSON.parse(patch), parsePrefer(null), patch).params, [patch, "u"]);
  // Without the text (GET arguments, direct callers) the value is serialized as before.
  assert.deepEqual(planRpc(catalog, "send_message", { chatroom_id: "r", content: "hi" }, true).params, ['{"chatroom_id":"r","content":"hi"}']);
});

Deno.test("read status and Content-Range as PostgREST's rangeStatusHeader: 416 PGRST103 past the total, 206 for a partial page", () => {
  // Without count=exact the total is unknown: always 200.
  assert.deepEqual(readRange(0, 3), { status: 200, contentRange: "0-2/*" });
  assert.deepEqual(readRange(50, 0), { status: 200, contentRange: "*/*" });
  // With it: the whole result is 200, a page of it 206, an empty result */0.
  assert.deepEqual(readRange(0, 3, 3), { status: 200, contentRange: "0-2/3" });
  assert.deepEqual(readRange(1, 2, 7), { status: 206, contentRange: "1-2/7" });
  assert.deepEqual(readRange(0, 0, 0), { status: 200, contentRange: "*/0" });
  // An offset at the total is an empty page (206); past it, supabase-js gets an error.
  assert.deepEqual(readRange(7, 0, 7), { status: 206, contentRange: "*/7" });
  rejects(() => readRange(8, 0, 7), 416, "PGRST103", /^Requested range not satisfiable$/);
  assert.throws(() => readRange(20, 0, 7), (e: ApiError) => e.details === "An offset of 20 was requested, but there are only 7 rows.");
});

Deno.test("an insert of [] inserts no row and {} one row of defaults, as PostgREST (one row per element)", () => {
  const none = planInsert(catalog, "bans", q(""), [], parsePrefer("return=representation"), "[]");
  assert.match(none.text, /^with _m as \(insert into public\."bans" select from json_populate_recordset\(null::public\."bans", \$1::text::json\) returning/);
  assert.deepEqual(none.params, ["[]"]);
  const defaults = planInsert(catalog, "bans", q(""), {}, parsePrefer(null), "{}");
  assert.deepEqual(defaults.params, ["[{}]"]);
  assert.doesNotMatch(defaults.text, /default values/);
});

Deno.test("Prefer parsing", () => {
  assert.deepEqual(parsePrefer("return=representation,count=exact"), { representation: true, count: true, resolution: undefined });
  assert.deepEqual(parsePrefer("resolution=ignore-duplicates, return=minimal"), { representation: false, count: false, resolution: "ignore" });
});

Deno.test("SQLSTATE → HTTP like PostgREST", () => {
  assert.equal(httpStatus("42501", "permission denied", true), 401);
  assert.equal(httpStatus("42501", "permission denied", false), 403);
  assert.equal(httpStatus("23505", "", false), 409);
  assert.equal(httpStatus("23503", "", false), 409);
  assert.equal(httpStatus("23514", "", false), 400);
  assert.equal(httpStatus("22P02", "", false), 400);
  assert.equal(httpStatus("P0001", "", false), 400);
  assert.equal(httpStatus("P0002", "", false), 500);
  assert.equal(httpStatus("PT402", "", false), 402);
  assert.equal(httpStatus("42883", "", false), 404);
  assert.equal(httpStatus("08006", "", false), 503);
  assert.equal(httpStatus("22023", 'role "x" does not exist', false), 401);
});

Deno.test("an SQL error answered with 401 asks for a bearer token, as PostgREST's", () => {
  assert.equal(fromPgError({ code: "42501", message: "permission denied for table follows" }, true).headers["WWW-Authenticate"], "Bearer");
  assert.equal(fromPgError({ code: "42501", message: "permission denied for table follows" }, false).headers["WWW-Authenticate"], undefined);
});

Deno.test("custom PGRST errors carry their own code and status", () => {
  const e = fromPgError({
    code: "PGRST",
    message: JSON.stringify({ code: "chat_slow_mode", message: "Slow down.", details: '{"retry_after_seconds":3}' }),
    detail: JSON.stringify({ status: 429 }),
  }, false);
  assert.deepEqual([e.status, e.code, e.message, e.details, e.hint], [429, "chat_slow_mode", "Slow down.", '{"retry_after_seconds":3}', null]);
  const bad = fromPgError({ code: "PGRST", message: "not json" }, false);
  assert.deepEqual([bad.status, bad.code], [500, "PGRST121"]);
});

const channels = catalog.tables.get("channels")!;

Deno.test("or/and/not trees, nested, with every operator inside and values bound", () => {
  const p = new Params();
  assert.equal(
    filterExpr(users, "or", "(bio.is.null,and(username.like.n*,id.in.(a,b)),not.and(bio.eq.x,username.neq.y))", p),
    '(public."users"."bio" is null or (public."users"."username" like $1::text::extensions.citext and public."users"."id" in ($2::text::uuid, $3::text::uuid))' +
      ' or not (public."users"."bio" = $4::text::text and public."users"."username" <> $5::text::extensions.citext))',
  );
  assert.equal(filterExpr(users, "not.or", "(bio.eq.a,bio.not.eq.b)", p), 'not (public."users"."bio" = $6::text::text or not (public."users"."bio" = $7::text::text))');
  assert.deepEqual(p.values, ["n%", "a", "b", "x", "y", "a", "b"]);
  rejects(() => filterExpr(users, "or", "bio.eq.a", new Params()), 400, "PGRST100", /logic tree/);
  rejects(() => filterExpr(users, "or", "(nope.eq.a)", new Params()), 400, "42703");
});

Deno.test("cs/cd/ov on arrays and jsonb, JSON paths in filters, select and order", () => {
  const p = new Params();
  assert.equal(filterExpr(channels, "tags", "cs.{a,b}", p), 'public."channels"."tags" @> $1::text::text[]');
  assert.equal(filterExpr(channels, "tags", "cd.{a}", p), 'public."channels"."tags" <@ $2::text::text[]');
  assert.equal(filterExpr(channels, "tags", "ov.(a,b)", p), 'public."channels"."tags" && $3::text::text[]');
  assert.equal(filterExpr(channels, "meta", 'cs.{"k":1}', p), 'public."channels"."meta" @> $4::text::jsonb');
  assert.equal(filterExpr(channels, "meta->>k", "eq.v", p), `public."channels"."meta" ->> 'k' = $5::text::text`);
  assert.equal(filterExpr(channels, "meta->a->0", "eq.1", p), `public."channels"."meta" -> 'a' -> 0 = $6::text::jsonb`);
  assert.equal(selectList(channels, "meta->a->>b,x:meta->>k"), `"meta" -> 'a' ->> 'b' as "b", "meta" ->> 'k' as "x"`);
  assert.equal(planRead(catalog, "channels", q("order=meta->>k.desc")).text.includes(`order by public."channels"."meta" ->> 'k' desc`), true);
});

Deno.test("embedding: to-one as an object, to-many as an array, aliases, nesting, filters, order and limit on the embed", () => {
  const plan = planRead(catalog, "channels", q("select=slug,owner:users(username,follows(channel_id)),follows(user_id)&owner.username=eq.nova&follows.limit=2&follows.order=user_id.desc"));
  assert.equal(
    plan.text,
    `select coalesce(json_agg(_t), '[]')::text as body, count(*)::int as n from (select "slug", ` +
      `(select row_to_json(_r) from (select "username", coalesce((select json_agg(_r) from (select "channel_id" from public."follows" _e2 where _e2."user_id" = _e1."id" limit 1000) _r), '[]') as "follows" ` +
      `from public."users" _e1 where _e1."id" = public."channels"."owner_id" and _e1."username" = $1::text::extensions.citext limit 1) _r) as "owner", ` +
      `coalesce((select json_agg(_r) from (select "user_id" from public."follows" _e3 where _e3."channel_id" = public."channels"."id" order by _e3."user_id" desc limit 2) _r), '[]') as "follows" ` +
      `from public."channels" limit 1000 offset 0) _t`,
  );
  assert.deepEqual(plan.params, ["nova"]);
});

Deno.test("embedding: !inner keeps only parents whose embed matches, in the rows and in the count", () => {
  const plan = planRead(catalog, "follows", q("select=user_id,channels!inner(slug)&channels.slug=eq.nova"));
  const inner = `exists (select 1 from public."channels" _e1 where _e1."id" = public."follows"."channel_id" and _e1."slug" = $2::text::text)`;
  assert.ok(plan.text.includes(` where ${inner} limit 1000`), plan.text);
  assert.equal(plan.countText, `select count(*)::int as total from public."follows" where ${inner}`);
  assert.deepEqual(plan.params, ["nova", "nova"]);
});

Deno.test("embedding: an ambiguous relationship asks for a hint (300 PGRST201); the hint picks the key; no relationship is 400 PGRST200", () => {
  rejects(() => planRead(catalog, "bans", q("select=id,users(username)")), 300, "PGRST201", /more than one relationship/);
  assert.match(planRead(catalog, "bans", q("select=id,moderator:users!bans_banned_by_fkey(username)")).text, /_e1\."id" = public\."bans"\."banned_by"/);
  assert.match(planRead(catalog, "bans", q("select=id,users!user_id(username)")).text, /_e1\."id" = public\."bans"\."user_id"/);
  rejects(() => planRead(catalog, "bans", q("select=id,channels(slug)")), 400, "PGRST200");
  rejects(() => planRead(catalog, "bans", q("select=id,nope(slug)")), 400, "PGRST200");
});

Deno.test("a body over MAX_REQUEST_BYTES gets 413 with a PostgREST-style error, counted while streaming; one at the limit is read", async () => {
  const secret = "super-secret-jwt-token-with-at-least-32-characters-long";
  const anon = await new SignJWT({ role: "anon" }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(secret));
  // No database: the body is read and checked before anything reaches one.
  const api = createDataApi({ dbUrl: "postgres://postgres:postgres@127.0.0.1:1/none", verifier: secretVerifier(secret), apiKeys: [anon] });
  const post = (body: BodyInit, path = "/rest/v1/users") =>
    api.handle(new Request(`http://local${path}`, { method: "POST", headers: { apikey: anon, "content-type": "application/json" }, body }));
  const json = (bytes: number) => `[{"bio":"${"x".repeat(bytes - 12)}"}]`;
  try {
    for (const res of [await post(json(MAX_REQUEST_BYTES + 1)), await post(json(MAX_REQUEST_BYTES + 1), "/rest/v1/rpc/send_message")]) {
      assert.equal(res.status, 413);
      const error = await res.json();
      assert.deepEqual(Object.keys(error).sort(), ["code", "details", "hint", "message"]);
      assert.equal(error.message, `Request body is larger than ${MAX_REQUEST_BYTES} bytes`);
    }
    // A streamed body has no content-length to trust: its bytes are counted.
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_REQUEST_BYTES) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    assert.equal((await post(stream)).status, 413);
    // Exactly at the limit the body is read and parsed: not JSON, so 400 PGRST102 (and no database needed).
    const atLimit = await post("x".repeat(MAX_REQUEST_BYTES));
    assert.equal(atLimit.status, 400);
    assert.equal((await atLimit.json()).code, "PGRST102");
  } finally {
    await api.close();
  }
});

// ---- parity with hosted Supabase (PostgREST 13 behind the API gateway) -------------------------------

const SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(secret));
const b64url = (o: unknown) => btoa(JSON.stringify(o)).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");

/** A header that a request past authentication is refused for (406 PGRST106) before any SQL. */
const PAST_AUTH = { "accept-profile": "not_exposed" };

/** A Data API with no database behind it: what is refused before SQL can be checked. */
async function withApi(fn: (handle: (path: string, init?: RequestInit) => Promise<Response>, anonKey: string) => Promise<void>) {
  const anonKey = await sign({ role: "anon" });
  const api = createDataApi({ dbUrl: "postgres://postgres:postgres@127.0.0.1:1/none", verifier: secretVerifier(SECRET), apiKeys: [anonKey] });
  try {
    await fn((path, init) => api.handle(new Request(`http://local${path}`, init)), anonKey);
  } finally {
    await api.close();
  }
}

Deno.test("JWT errors are PostgREST 13's: PGRST303 for claims (JWT expired), PGRST301 for decoding, with WWW-Authenticate", async () => {
  await withApi(async (handle, anonKey) => {
    const expect401 = async (token: string, code: string, message: string, details: string | null = null) => {
      const res = await handle("/rest/v1/users", { headers: { apikey: anonKey, authorization: `Bearer ${token}` } });
      assert.equal(res.status, 401, message);
      assert.deepEqual(await res.json(), { code, message, details, hint: null });
      assert.equal(res.headers.get("www-authenticate"), `Bearer error="invalid_token", error_description="${message}"`);
    };
    // Past the 30 s of skew PostgREST allows; within it the token still passes (below).
    await expect401(await sign({ role: "authenticated", exp: now() - 31 }), "PGRST303", "JWT expired");
    await expect401(await sign({ role: "authenticated", nbf: now() + 60 }), "PGRST303", "JWT not yet valid");
    await expect401(await sign({ role: "authenticated", iat: now() + 60 }), "PGRST303", "JWT issued at future");
    await expect401(await sign({ role: "authenticated", exp: "soon" }), "PGRST303", "The JWT 'exp' claim must be a number");
    await expect401(await sign({ role: "authenticated", aud: { x: 1 } }), "PGRST303", "The JWT 'aud' claim must be a string or an array of strings");
    await expect401(await sign({ role: "authenticated" }, "another-secret-that-is-at-least-32-characters"), "PGRST301",
      "No suitable key or wrong key type", "None of the keys was able to decode the JWT");
    await expect401("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90IGFuIG9iamVjdA", "PGRST301", "Expected 3 parts in JWT; got 2");
    await expect401("quifquirndsjagnrgniur.fonvoienqhhdj.iuqvnvhojah", "PGRST301", "JWT cryptographic operation failed");
    await expect401(`${b64url({ typ: "JWT", alg: "none" })}.${b64url({ role: "service_role" })}.`, "PGRST301",
      "Wrong or unsupported encoding algorithm", "JWT is unsecured but expected 'alg' was not 'none'");
    await expect401("", "PGRST301", "Empty JWT is sent in Authorization header");
    // Within the skew a token is accepted: the request goes on (to a schema check that needs no database).
    const skewed = await sign({ role: "authenticated", exp: now() - 10, nbf: now() + 10, iat: now() + 10 });
    const res = await handle("/rest/v1/users", { headers: { apikey: anonKey, authorization: `Bearer ${skewed}`, ...PAST_AUTH } });
    assert.equal((await res.json()).code, "PGRST106");
  });
});

Deno.test("a /rest/v1 request without an apikey (header or query) gets the gateway's 401, even with a valid Bearer JWT", async () => {
  await withApi(async (handle, anonKey) => {
    const inits: RequestInit[] = [{}, { headers: { authorization: `Bearer ${anonKey}` } }, { headers: { apikey: "" } }];
    for (const init of inits) {
      const res = await handle("/rest/v1/users?select=id", init);
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { message: "No API key found in request", hint: "No `apikey` request header or url param was found." });
      assert.equal(res.headers.get("sb-error-code"), "UNAUTHORIZED_MISSING_API_KEY");
    }
    // The key is checked before the JWT, as the gateway stands in front of PostgREST.
    const expired = await sign({ role: "authenticated", exp: now() - 60 });
    const first = await handle("/rest/v1/users", { headers: { authorization: `Bearer ${expired}` } });
    assert.equal((await first.json()).message, "No API key found in request");
    // `?apikey=` counts (and is no filter); preflights need none.
    const viaQuery = await handle(`/rest/v1/users?select=id&apikey=${anonKey}`, { headers: PAST_AUTH });
    assert.equal((await viaQuery.json()).code, "PGRST106");
    const preflight = await handle("/rest/v1/users", { method: "OPTIONS" });
    assert.equal(preflight.status, 200);
  });
});

Deno.test("an apikey that is not one of the project's keys gets the gateway's 401 Invalid API key, before the JWT is read", async () => {
  await withApi(async (handle, anonKey) => {
    const user = await sign({ role: "authenticated", sub: "00000000-0000-4000-8000-000000000001", exp: now() + 600 });
    const otherProject = await sign({ role: "anon" }, "another-secret-that-is-at-least-32-characters");
    const sameSecretNotAKey = await sign({ role: "anon", iss: "someone" });
    for (const apikey of [user, otherProject, sameSecretNotAKey, "sb_publishable_0123456789abcdefghijkl", anonKey.slice(0, -1)]) {
      for (const res of [
        await handle("/rest/v1/users?select=id", { headers: { apikey, authorization: `Bearer ${user}` } }),
        await handle(`/rest/v1/users?select=id&apikey=${encodeURIComponent(apikey)}`),
      ]) {
        assert.equal(res.status, 401);
        assert.deepEqual(await res.json(), { message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key." });
        assert.equal(res.headers.get("sb-error-code"), "UNAUTHORIZED_INVALID_API_KEY");
      }
    }
    // The project's key with a user's JWT goes on to PostgREST's checks (here the schema header).
    const res = await handle("/rest/v1/users", { headers: { apikey: anonKey, authorization: `Bearer ${user}`, ...PAST_AUTH } });
    assert.equal((await res.json()).code, "PGRST106");
  });
});

Deno.test("max_rows holds every to-many embed of a read (and an RPC's set), not a write's returned rows", () => {
  const embed = (query: string) => planRead(catalog, "channels", q(query)).text.match(/from public\."follows" _e1 [^)]*\)/)![0];
  assert.equal(embed("select=slug,follows(user_id)"), `from public."follows" _e1 where _e1."channel_id" = public."channels"."id" limit 1000)`);
  assert.match(embed("select=slug,follows(user_id)&follows.limit=5000"), / limit 1000\)$/);
  assert.match(embed("select=slug,follows(user_id)&follows.limit=2&follows.offset=3"), / limit 2 offset 3\)$/);
  assert.match(embed("select=slug,follows(user_id)&follows.limit=0"), / limit 0\)$/);
  // A write's representation is not capped (PostgREST's treeRestrictRange skips mutations).
  const update = planUpdate(catalog, "channels", q("select=slug,follows(user_id)&id=eq.c"), { slug: "x" }, parsePrefer("return=representation"));
  assert.doesNotMatch(update.text, /limit/);
  assert.match(planRpc(catalog, "search_users", {}, true).text, / limit 1000\) _s\(_t\)$/);
});

Deno.test("limit/offset on PATCH or DELETE is refused before anything runs (PostgREST 13 would change every matching row)", () => {
  rejects(() => planUpdate(catalog, "follows", q("channel_id=eq.c&limit=1"), { notifications: false }, parsePrefer(null)), 400, "PGRST100",
    /does not support limit on PATCH/);
  rejects(() => planUpdate(catalog, "follows", q("channel_id=eq.c&limit=1&order=user_id"), { notifications: false }, parsePrefer(null)), 400,
    "PGRST100");
  rejects(() => planDelete(catalog, "follows", q("channel_id=eq.c&offset=1"), parsePrefer(null)), 400, "PGRST100", /offset on DELETE/);
  rejects(() => planDelete(catalog, "follows", q("limit=1&order=user_id"), parsePrefer(null)), 400, "PGRST100");
  // An embed's own limit in the returned rows is a read, and allowed.
  assert.ok(planUpdate(catalog, "channels", q("id=eq.c&select=slug,follows(user_id)&follows.limit=1"), { slug: "x" }, parsePrefer("return=representation")));
});

Deno.test("writes answer like PostgREST: upsert 200 when it inserted nothing, and a Content-Range on every write", () => {
  const merge = parsePrefer("resolution=merge-duplicates");
  assert.equal(writeStatus("insert", merge, 0), 200);
  assert.equal(writeStatus("insert", merge, -1), 200);
  assert.equal(writeStatus("insert", merge, null), 200); // an empty array
  assert.equal(writeStatus("insert", merge, 1), 201);
  assert.equal(writeStatus("insert", parsePrefer("resolution=ignore-duplicates"), 0), 201);
  assert.equal(writeStatus("insert", parsePrefer(null), null), 201);
  assert.equal(writeStatus("update", parsePrefer(null), null), 204);
  assert.equal(writeStatus("delete", parsePrefer("return=representation"), null), 200);
  assert.equal(writeContentRange("insert", 2, false), "*/*");
  assert.equal(writeContentRange("insert", 2, true), "*/2");
  assert.equal(writeContentRange("update", 3, false), "0-2/*");
  assert.equal(writeContentRange("update", 3, true), "0-2/3");
  assert.equal(writeContentRange("update", 0, false), "*/*");
  assert.equal(writeContentRange("update", 0, true), "*/0");
  assert.equal(writeContentRange("delete", 4, false), "*/*");
  assert.equal(writeContentRange("delete", 4, true), "*/4");
  assert.equal(contentRange(5, 9, 20), "5-9/20");
  // The merge counts what it inserts as PostgREST does; ignore-duplicates and plain inserts do not.
  const upsert = planInsert(catalog, "follows", q(""), { user_id: "u", channel_id: "c" }, merge);
  assert.match(upsert.text, /json_populate_recordset\(.*\) where set_config\('pgrst\.inserted', .* \+ 1\)::text, true\) <> '0' on conflict/);
  assert.match(upsert.text, /do update set .* where set_config\('pgrst\.inserted', .* - 1\)::text, true\) <> '-1' returning/);
  assert.doesNotMatch(planInsert(catalog, "follows", q(""), { channel_id: "c" }, parsePrefer("resolution=ignore-duplicates")).text, /pgrst\.inserted/);
});

Deno.test("Prefer: handling=strict, max-affected=n (supabase-js .maxAffected) is parsed; the first of each wins", () => {
  assert.deepEqual(parsePrefer("handling=strict, max-affected=10"), {
    representation: false, count: false, resolution: undefined, handling: "strict", maxAffected: 10,
  });
  assert.equal(parsePrefer("max-affected=5, max-affected=7").maxAffected, 5);
  assert.equal(parsePrefer("max-affected=-1").maxAffected, undefined);
});
