// Tests of the local Data API's parser and SQL builder (local only; see data-api.ts). No database:
// a hand-made schema cache stands in for pg_catalog.
import assert from "node:assert/strict";
import {
  ApiError, type Catalog, catalogFrom, filterExpr, fromPgError, httpStatus, Params, parsePrefer, planDelete, planInsert,
  planRead, planRpc, planUpdate, quoteIdent, selectList,
} from "./data-api.ts";

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

Deno.test("select refuses embedding, unknown columns and injection attempts", () => {
  rejects(() => selectList(users, "id,channels!inner(slug)"), 400, "PGRST100", /embedding/);
  rejects(() => selectList(users, "*,follows(*)"), 400, "PGRST100", /embedding/);
  rejects(() => selectList(users, "id;drop table x"), 400, "42703", /users\.id;drop table x does not exist/);
  rejects(() => selectList(users, 'id" from users; --'), 400, "42703");
  rejects(() => selectList(users, "nope"), 400, "42703");
  rejects(() => selectList(users, "bio->>x"), 400, "PGRST100", /JSON paths/);
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
  rejects(() => filterExpr(users, "id", "cs.{1}", new Params()), 400, "PGRST100", /cs/);
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
  rejects(() => planRead(catalog, "users", q("or=(id.eq.1,id.eq.2)")), 400, "PGRST100", /or/);
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
  assert.match(upsert.text, /on conflict \("user_id", "channel_id"\) do update set "user_id" = excluded\."user_id", "channel_id" = excluded\."channel_id", "notifications" = excluded\."notifications" returning public\."follows"\.\*\) select .* from \(select "channel_id" from _m\) _t$/);
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
  assert.equal(search.text, `select coalesce(json_agg(_t), '[]')::text as body, count(*)::int as n from public."search_users"() _t`);
  assert.equal(search.readOnly, true);
  rejects(() => planRpc(catalog, "send_message", { content: "hi" }, false), 404, "PGRST202");
  rejects(() => planRpc(catalog, "send_message", { chatroom_id: "r", content: "x", "evil\" => 1); --": 1 }, false), 404, "PGRST202");
  rejects(() => planRpc(catalog, "nope", {}, false), 404, "PGRST202");
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
