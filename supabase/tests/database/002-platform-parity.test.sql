-- The platform shim matches hosted Supabase where a migration or client could tell the difference:
-- postgres's rights on `realtime`, realtime.messages' daily partitions, realtime.send never raising,
-- and the API roles' statement timeouts. Each case failed on the shim before it was made to match.
begin;
select plan(15);

-- postgres and the realtime schema (hosted since Realtime's 20260707120000_restrict_realtime_schema).
select ok(not pg_has_role('postgres', 'supabase_realtime_admin', 'member'),
  'postgres is not a member of supabase_realtime_admin');
select lives_ok($$ create policy "parity probe can read" on realtime.messages for select to authenticated using (false) $$,
  'postgres may still create a policy on realtime.messages (supautils policy grants)');
select ok(not pg_has_role('postgres', 'supabase_realtime_admin', 'member'),
  'and holds no membership once the policy exists');
select throws_ok($$ alter table realtime.messages add column parity_probe int $$, '42501', null,
  'postgres cannot alter realtime.messages');
select throws_ok($$ create index parity_probe on realtime.messages (topic) $$, '42501', null,
  'postgres cannot index realtime.messages');
select throws_ok($$ create table realtime.parity_probe (id int) $$, '42501', null,
  'postgres cannot create tables in realtime');

-- Daily partitions, yesterday to today+3 (UTC), no default partition.
create temporary view partitions as
  select c.relname::text as name, pg_get_expr(c.relpartbound, c.oid) as bound
  from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'realtime.messages'::regclass;
select set_eq($$ select name from partitions $$,
  $$ select 'messages_' || to_char(d, 'YYYY_MM_DD') from generate_series((now() at time zone 'utc')::date - 1,
       (now() at time zone 'utc')::date + 3, interval '1 day') d $$,
  'realtime.messages has a partition per day from yesterday to today+3');
select is_empty($$ select name from partitions where bound = 'DEFAULT' $$, 'and no default partition');
select throws_ok($$ insert into realtime.messages (topic, extension, inserted_at)
    values ('parity:probe', 'broadcast', now() - interval '5 days') $$, '23514', null,
  'a message outside the kept days has no partition to go to');
select realtime.streamz_local_maintain_partitions(((now() at time zone 'utc')::date + 10));
select set_eq($$ select name from partitions $$,
  $$ select 'messages_' || to_char(d, 'YYYY_MM_DD') from generate_series((now() at time zone 'utc')::date + 9,
       (now() at time zone 'utc')::date + 13, interval '1 day') d $$,
  'maintenance ten days later makes that day''s partitions and drops those whose day ended over 72 hours before');

-- realtime.send never raises: a bad payload is a WARNING and nothing is stored.
select realtime.streamz_local_maintain_partitions();
select lives_ok($$ select realtime.send('42'::jsonb, 'parity.scalar', 'parity:probe') $$,
  'realtime.send with a payload that is not an object warns instead of failing the transaction');
select is((select count(*)::int from realtime.messages where event = 'parity.scalar'), 0, 'and stores nothing');

-- Per-role settings as hosted sets them (PostgREST applies the API role's settings per request).
create temporary view role_settings as
  select r.rolname::text as role, s.setting
  from pg_db_role_setting d join pg_roles r on r.oid = d.setrole, unnest(d.setconfig) s(setting)
  where d.setdatabase = 0;
select ok(exists (select from role_settings where role = 'anon' and setting = 'statement_timeout=3s'),
  'anon has a 3 s statement_timeout');
select ok(exists (select from role_settings where role = 'authenticated' and setting = 'statement_timeout=8s'),
  'authenticated has an 8 s statement_timeout');
select ok(exists (select from role_settings where role = 'authenticator' and setting = 'statement_timeout=8s')
    and exists (select from role_settings where role = 'authenticator' and setting = 'lock_timeout=8s'),
  'the authenticator has 8 s statement and lock timeouts');

select * from finish();
rollback;
