-- What a send keeps for its rate window is pruned by a job once past it (20261201191050): the kept matching
-- forms of a burst (private.chat_message_forms, 30 s) and the refused blocked-term attempts
-- (private.chat_blocked_attempts, 2 minutes). At most a batch of each per run, oldest first, through an
-- primary key; a form pruned only costs the duplicate rule a fold. No API role may run the prune.
begin;
select plan(30);

select tests.create_chat_world('mf') as room \gset
select set_config('mf.room', :'room', true) \g /dev/null

-- the job -------------------------------------------------------------------------------------------
select results_eq($$ select schedule, command from private.notification_jobs() where name = 'chat-send-windows-prune' $$,
  $$ values ('30 seconds', 'select private.prune_chat_send_windows()') $$,
  'the prune is one of the SQL jobs pg_cron and the local scheduler run, every 30 s');
select is((select count(*)::int from private.notification_jobs()), 4, 'beside the three jobs before it');

-- a burst keeps a form; the job prunes it once past the window --------------------------------------
select tests.send_code('mf_og', :'room', E'\u043d\u0430\u0440\u0440\u0443 one') as send_1 \gset
select tests.send_code('mf_og', :'room', E'\u043d\u0430\u0440\u0440\u0443 two') as send_2 \gset
select is(:'send_1' || '/' || :'send_2', 'ok/ok', 'two non-ASCII messages in a burst are sent');
select is((select count(*)::int from private.chat_message_forms where user_id = tests.user_id('mf_og')), 1, 'the second keeps its form');
select is(private.prune_chat_send_windows(), 0, 'a form within its 30 s is not pruned');
update private.chat_message_forms set created_at = now() - interval '30 seconds' where user_id = tests.user_id('mf_og');
select is(private.prune_chat_send_windows(), 0, 'nor one exactly 30 s old (the window''s edge)');
update private.chat_message_forms set created_at = now() - interval '30.001 seconds' where user_id = tests.user_id('mf_og');
select is(private.prune_chat_send_windows(), 1, 'one just past it is pruned, though the sender sent nothing since');
select is((select count(*)::int from public.messages where user_id = tests.user_id('mf_og')), 2, 'its message stays');
select is(tests.send_code('mf_og', :'room', 'HAPPY TWO'), 'chat_duplicate',
  'the duplicate rule folds the message again instead: the same text within 30 s is still a duplicate');

-- batches, oldest first ------------------------------------------------------------------------------
delete from private.chat_message_forms;
insert into private.chat_message_forms (message_id, chatroom_id, user_id, content_form, created_at)
select tests.add_message(:'room', 'mf_sub', 'form ' || g), :'room', tests.user_id('mf_sub'), 'form ' || g,
  now() - make_interval(secs => 60 - g)
from generate_series(1, 12) g;
insert into private.chat_message_forms (message_id, chatroom_id, user_id, content_form, created_at)
select tests.add_message(:'room', 'mf_vip', 'fresh ' || g), :'room', tests.user_id('mf_vip'), 'fresh ' || g,
  now() - make_interval(secs => g)
from generate_series(1, 3) g;
select is(private.prune_chat_send_windows(5), 5, 'a run deletes at most its batch');
select is((select array_agg(content_form order by created_at) from private.chat_message_forms where user_id = tests.user_id('mf_sub')),
  (select array_agg('form ' || g order by g) from generate_series(6, 12) g), 'the oldest first');
select is(private.prune_chat_send_windows(5), 5, 'the next run the next batch');
select is(private.prune_chat_send_windows(), 2, 'then what is left past the window');
select is(private.prune_chat_send_windows(), 0, 'then nothing');
select is((select count(*)::int from private.chat_message_forms), 3, 'the forms within their window stay');

-- refused attempts: kept 2 minutes, then pruned, in batches ----------------------------------------------
insert into public.chatroom_blocked_terms (chatroom_id, term) values (:'room', 'mfbadword');
select is(tests.send_code('mf_og', :'room', 'mfbadword here'), 'chat_blocked_term', 'a refused attempt');
select is((select count(*)::int from private.chat_blocked_attempts where user_id = tests.user_id('mf_og')), 1, 'is kept');
update private.chat_blocked_attempts set created_at = now() - interval '2 minutes' where user_id = tests.user_id('mf_og');
select is(private.prune_chat_send_windows(), 0, 'an attempt exactly 2 minutes old is not pruned');
update private.chat_blocked_attempts set created_at = now() - interval '121 seconds' where user_id = tests.user_id('mf_og');
insert into private.chat_blocked_attempts (chatroom_id, user_id, content_form, created_at)
select :'room', tests.user_id('mf_sub'), 'attempt ' || g, now() - make_interval(secs => 130 - g) from generate_series(1, 6) g;
select is(private.prune_chat_send_windows(4), 4, 'past it, at most a batch per run');
select is(private.prune_chat_send_windows(4), 3, 'then the rest, the sender''s own attempt too though they sent nothing since');
select is((select count(*)::int from private.chat_blocked_attempts), 0, 'no attempt is left');

-- bad input deletes nothing ----------------------------------------------------------------------------
update private.chat_message_forms set created_at = now() - interval '1 minute';
select is(array[private.prune_chat_send_windows(0), private.prune_chat_send_windows(-1), private.prune_chat_send_windows(null)],
  array[0, 0, 0], 'a batch of 0, a negative or a null batch deletes nothing');
select is((select count(*)::int from private.chat_message_forms), 3, 'and the rows are all there');

-- by index, bounded, and private -------------------------------------------------------------------------
select ok((select prosecdef and proconfig @> array['search_path=""', 'enable_seqscan=off'] from pg_proc
    where oid = 'private.prune_chat_send_windows(integer)'::regprocedure),
  'the prune is security definer, with an empty search_path, and plans by index however small the table');
set local enable_seqscan = off;
select matches(tests.plan_of($$ select o.message_id from private.chat_message_forms o where o.created_at < now() - interval '30 seconds'
    order by o.message_id limit 5000 for update skip locked $$),
  '"Index Name"', 'the batch is read by index (on a tiny table the planner may walk either; never a scan)');
select matches(tests.plan_of($$ delete from private.chat_message_forms f where f.message_id = any (array[1, 2]::bigint[]) $$),
  'chat_message_forms_pkey', 'and deleted through the primary key');
select matches(tests.plan_of($$ select o.id from private.chat_blocked_attempts o where o.created_at < now() - interval '2 minutes'
    order by o.id limit 5000 for update skip locked $$),
  '"Index Name"', 'attempts too');
select is((select count(*)::int from pg_indexes where schemaname = 'private'
    and tablename in ('chat_message_forms', 'chat_blocked_attempts') and indexdef like '%(created_at)%'), 0,
  'no index on created_at alone, which the sends'' window look-ups would be planned on');
reset enable_seqscan;
select is(array[has_function_privilege('anon', 'private.prune_chat_send_windows(integer)', 'execute'),
    has_function_privilege('authenticated', 'private.prune_chat_send_windows(integer)', 'execute'),
    has_function_privilege('service_role', 'private.prune_chat_send_windows(integer)', 'execute')],
  array[false, false, false], 'no API role may run it');
select is(tests.try_as('service_role', 'select private.prune_chat_send_windows()'), '42501', 'the service role is refused (42501)');

select * from finish();
rollback;
