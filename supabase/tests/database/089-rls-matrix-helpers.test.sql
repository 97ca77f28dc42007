-- RLS role-matrix helpers (schema `tests`), committed like 000-helpers so the 090-09x matrix files
-- share them: name a cell after its outcome (running it with tests.try_as), and prove refused writes
-- left a table unchanged. Never part of the migrations.
begin;
select plan(1);

-- tests.try_as (one statement as a role: 'rows:N' or the SQLSTATE) is in 000-helpers.test.sql.

create or replace function tests.who(who text) returns text
language sql immutable set search_path = '' as $$
  select case
    when who is null then 'anon'
    when who = 'service_role' then 'the service role'
    when who like '%\_owner' then 'the channel owner'
    when who like '%\_mod' then 'a moderator'
    when who like '%\_vip' then 'a VIP'
    when who like '%\_sub' then 'a subscriber'
    when who like '%\_banned' then 'a banned user'
    when who like '%\_stranger' then 'a stranger (signed in, no role)'
    else who end
$$;

-- One matrix cell: `who` tries `statement`; `expected` is 'rows:N' or a SQLSTATE. The test name
-- says whether the role can or cannot, and how a denial shows (the error, or 0 rows).
-- (search_path `extensions`: pgTAP's own functions call each other unqualified.)
create or replace function tests.cell(who text, action text, statement text, expected text) returns text
language plpgsql set search_path = extensions as $$
begin
  return extensions.is(tests.try_as(who, statement), expected,
    tests.who(who) || case
      when expected = 'rows:0' then ' cannot ' || action || ' (RLS filters it: 0 rows)'
      when expected like 'rows:%' then ' can ' || action || ' (' || substr(expected, 6) || ' rows)'
      else ' cannot ' || action || ' (' || expected || ')' end);
end
$$;

-- A table's content as the test runner sees it (every row, RLS bypassed), to prove denied writes
-- changed nothing.
create or replace function tests.digest(tbl regclass) returns text
language plpgsql set search_path = '' as $$
declare
  d text;
begin
  execute format('select count(*) || '' rows, md5 '' || md5(coalesce(string_agg(t::text, ''|'' order by t::text), '''')) from %s t', tbl)
    into d;
  return d;
end
$$;

create table if not exists tests.matrix_snapshots (tbl regclass primary key, digest text not null);

create or replace function tests.remember(tbl regclass) returns void
language sql set search_path = '' as $$
  insert into tests.matrix_snapshots (tbl, digest) values (tbl, tests.digest(tbl))
  on conflict (tbl) do update set digest = excluded.digest
$$;

create or replace function tests.unchanged(tbl regclass) returns text
language sql set search_path = extensions as $$
  select extensions.is(tests.digest(tbl), (select s.digest from tests.matrix_snapshots s where s.tbl = unchanged.tbl),
    'the refused writes left ' || tbl::text || ' unchanged (same rows, read as the test runner)')
$$;

select has_function('tests', 'cell', array['text', 'text', 'text', 'text'], 'the RLS matrix helpers exist');
select * from finish();
commit;
