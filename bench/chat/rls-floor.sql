-- What any per-statement evaluation in the messages read policy costs, against the policy in force:
-- the hot-room and one-user reads (bench/chat/history-p99.sql's) as a signed-in client under three
-- policies, recreated in turn (in random order, :rounds rounds of :per reads each, a warm-up pass
-- first): the policy as migrated, `true` (no filter: the floor), and a constant through an InitPlan,
-- the cheapest policy that evaluates anything once per statement. Run on the throwaway bench database
-- only: it drops and recreates the policy, and puts the migrated one back at the end.
\ir server-ms.sql
create temporary table runs (policy text, read text, ms double precision);
grant insert on runs to authenticated;
create temporary table policies (name text, qual text);
insert into policies
select 'as migrated', p.qual from pg_policies p
where p.schemaname = 'public' and p.tablename = 'messages' and p.policyname = 'signed-in users read messages except from users they block';
insert into policies values ('true (no filter)', 'true'),
  ('a constant through an InitPlan', $q$user_id <> all ((select '{}'::uuid[])::uuid[])$q$);
\o /dev/null
select set_config('bench.rounds', :'rounds', false), set_config('bench.per', :'per', false),
  set_config('bench.hot_room', :'hot_room', false), set_config('bench.min_id', :'min_id', false),
  set_config('bench.max_id', :'max_id', false), set_config('bench.claims', :'claims', false);
\o

do $$
declare
  policy record;
  round integer;
  pass integer;
  i integer;
  read record;
  migrated text := (select qual from policies where name = 'as migrated');
begin
  if migrated is null then
    raise exception 'the messages read policy for signed-in users is not there';
  end if;
  for round in 1 .. current_setting('bench.rounds')::integer loop
    for policy in select * from policies order by random() loop
      drop policy "signed-in users read messages except from users they block" on public.messages;
      execute format('create policy "signed-in users read messages except from users they block" on public.messages
        for select to authenticated using (%s)', policy.qual);
      for pass in 1 .. 2 loop
        for i in 1 .. current_setting('bench.per')::integer loop
          for read in select * from (values
            ('hot room', format('select * from public.messages where chatroom_id = %L and id < %s order by id desc limit 50',
              current_setting('bench.hot_room'), current_setting('bench.min_id')::bigint
                + floor(random() * (current_setting('bench.max_id')::bigint - current_setting('bench.min_id')::bigint))::bigint)),
            ('one user', format('select * from public.messages where user_id = %L and id < %s order by id desc limit 50',
              '00000000-0000-4000-8000-' || lpad((i * 7 % 20000)::text, 12, '0'), current_setting('bench.min_id')::bigint
                + floor(random() * (current_setting('bench.max_id')::bigint - current_setting('bench.min_id')::bigint))::bigint))
          ) v (name, query) loop
            perform set_config('request.jwt.claims', current_setting('bench.claims'), true);
            set local role authenticated;
            if pass = 1 then
              perform pg_temp.server_ms(read.query);
            else
              insert into runs values (policy.name, read.name, pg_temp.server_ms(read.query));
            end if;
            reset role;
          end loop;
        end loop;
      end loop;
    end loop;
  end loop;
  drop policy "signed-in users read messages except from users they block" on public.messages;
  execute format('create policy "signed-in users read messages except from users they block" on public.messages
    for select to authenticated using (%s)', migrated);
end
$$;

\pset footer off
select r.read, r.policy,
  round((percentile_cont(0.5) within group (order by r.ms))::numeric * 1000) as p50_us,
  round((percentile_cont(0.99) within group (order by r.ms))::numeric * 1000) as p99_us,
  round((100 * percentile_cont(0.5) within group (order by r.ms) / (select percentile_cont(0.5) within group (order by f.ms)
    from runs f where f.read = r.read and f.policy = 'true (no filter)') - 100)::numeric, 1) as p50_vs_floor_pct
from runs r group by r.read, r.policy order by r.read, p50_us;
