-- Server-side time of the four history reads (planning + execution from EXPLAIN ANALYZE, no client
-- round trip), :runs runs each at random cursors: as a signed-in client through RLS, and the same
-- query as postgres without RLS, in alternating order. Prints p50 and p99 in ms and what RLS adds at p99.
-- The runs are made twice and only the second pass is kept. An API connection is pooled and has long
-- since touched the pages it reads; a new session's first pass also pays for mapping each shared
-- buffer into the process and for pages the OS let go of while the bench was sending (measured at
-- 10M messages: p99 1.2-2.6 ms on the first pass, 0.4-0.6 ms on the second, p50 alike).
\ir server-ms.sql
create temporary table runs (read text, rls boolean, ms double precision);
grant insert on runs to authenticated;
\o /dev/null
select set_config('bench.runs', :'runs', false), set_config('bench.room', :'room', false),
  set_config('bench.hot_room', :'hot_room', false), set_config('bench.min_id', :'min_id', false),
  set_config('bench.max_id', :'max_id', false), set_config('bench.claims', :'claims', false);
\o

do $$
declare
  pass integer;
  i integer;
  with_rls boolean;
  read record;
  q text;
begin
  for pass in 1 .. 2 loop
    for i in 1 .. current_setting('bench.runs')::integer loop
      for read in select * from (values
        ('history-room', format('select * from public.messages where chatroom_id = %L and id < %s order by id desc limit 50',
          current_setting('bench.room'), '%s')),
        ('history-hot-room', format('select * from public.messages where chatroom_id = %L and id < %s order by id desc limit 50',
          current_setting('bench.hot_room'), '%s')),
        ('history-user-room', format('select * from public.messages where chatroom_id = %L and user_id = %L and id < %s order by id desc limit 50',
          current_setting('bench.hot_room'), '00000000-0000-4000-8000-' || lpad((i % 20000)::text, 12, '0'), '%s')),
        ('history-user', format('select * from public.messages where user_id = %L and id < %s order by id desc limit 50',
          '00000000-0000-4000-8000-' || lpad((i * 7 % 20000)::text, 12, '0'), '%s'))
      ) v (name, template) loop
        q := format(read.template, current_setting('bench.min_id')::bigint
          + floor(random() * (current_setting('bench.max_id')::bigint - current_setting('bench.min_id')::bigint))::bigint);
        -- Which goes first alternates: the second run reads the pages the first just brought in.
        foreach with_rls in array case when i % 2 = 0 then array[true, false] else array[false, true] end loop
          if with_rls then
            perform set_config('request.jwt.claims', current_setting('bench.claims'), true);
            set local role authenticated;
          end if;
          if pass = 1 then
            perform pg_temp.server_ms(q);
          else
            insert into runs values (read.name, with_rls, pg_temp.server_ms(q));
          end if;
          if with_rls then
            reset role;
          end if;
        end loop;
      end loop;
    end loop;
  end loop;
end
$$;

\pset footer off
-- What RLS adds is printed at p99 (the goal) and at p50: the tail also holds the machine's hiccups,
-- which fall on either side, while the median shows the policy's own cost.
select read,
  round((percentile_cont(0.5) within group (order by ms) filter (where rls))::numeric, 3) as rls_p50_ms,
  round((percentile_cont(0.5) within group (order by ms) filter (where not rls))::numeric, 3) as no_rls_p50_ms,
  round((percentile_cont(0.99) within group (order by ms) filter (where rls))::numeric, 3) as rls_p99_ms,
  round((percentile_cont(0.99) within group (order by ms) filter (where not rls))::numeric, 3) as no_rls_p99_ms,
  round((100 * (percentile_cont(0.5) within group (order by ms) filter (where rls))
    / nullif(percentile_cont(0.5) within group (order by ms) filter (where not rls), 0) - 100)::numeric, 1) as rls_cost_p50_pct,
  round((100 * (percentile_cont(0.99) within group (order by ms) filter (where rls))
    / nullif(percentile_cont(0.99) within group (order by ms) filter (where not rls), 0) - 100)::numeric, 1) as rls_cost_p99_pct
from runs group by read order by read;
