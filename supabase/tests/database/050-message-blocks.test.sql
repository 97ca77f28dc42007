-- Blocks on reads of messages: a signed-in reader never gets the messages of users they block (room
-- history, one user, everywhere); anon and other readers are unaffected; unblocking shows them
-- again. The blocked set is one array per statement, so every history read keeps its index path,
-- with no blocks and with 5,000.
begin;
select plan(14);

select tests.create_chat_world('mb');
select tests.create_user('mb_harasser');
select tests.create_user('mb_viewer');
create temporary table t (room uuid) on commit drop;
insert into t values (tests.chatroom_of('mb_owner'));
grant select on t to anon, authenticated, service_role;
select tests.add_message((select room from t), 'mb_harasser', 'nasty ' || g) from generate_series(1, 5) g;
select tests.add_message((select room from t), 'mb_sub', 'nice ' || g) from generate_series(1, 3) g;
select tests.add_message(tests.chatroom_of('mb_stranger'), 'mb_harasser', 'nasty elsewhere');

select is(tests.try_as('mb_viewer', $$ select * from public.messages where chatroom_id = (select room from t) $$), 'rows:8', 'before blocking, a viewer reads all 8');
select tests.authenticate_as('mb_viewer');
insert into public.user_blocks (blocked_id) values (tests.user_id('mb_harasser'));
select tests.clear_authentication();
select is(tests.try_as('mb_viewer', $$ select * from public.messages where chatroom_id = (select room from t) order by id desc limit 50 $$), 'rows:3',
  'after blocking, the room''s history leaves out the blocked user''s messages');
select is(tests.try_as('mb_viewer', $$ select * from public.messages where user_id = tests.user_id('mb_harasser') $$), 'rows:0',
  'the blocked user''s messages everywhere are hidden from the blocker');
select is(tests.try_as('mb_viewer', $$ select * from public.messages where chatroom_id = (select room from t) and user_id = tests.user_id('mb_sub') $$), 'rows:3',
  'other users'' messages still show');
select is(tests.try_as(null, $$ select * from public.messages where chatroom_id = (select room from t) $$), 'rows:8', 'anon reads are unchanged');
select is(tests.try_as('mb_sub', $$ select * from public.messages where chatroom_id = (select room from t) $$), 'rows:8', 'other readers still see everything');
select is(tests.try_as('mb_harasser', $$ select * from public.messages where chatroom_id = (select room from t) $$), 'rows:8',
  'the blocked user is not hidden from themselves (a block is one-way)');
select is(tests.try_as('mb_mod', $$ select * from public.messages where user_id = tests.user_id('mb_harasser') $$), 'rows:6', 'moderators still see the harasser');
select is(tests.try_as('service_role', $$ select * from public.messages where user_id = tests.user_id('mb_harasser') $$), 'rows:6', 'the service role sees everything');
select tests.authenticate_as('mb_viewer');
delete from public.user_blocks where blocked_id = tests.user_id('mb_harasser');
select tests.clear_authentication();
select is(tests.try_as('mb_viewer', $$ select * from public.messages where chatroom_id = (select room from t) $$), 'rows:8', 'unblocking shows them again');

-- The plan with 5,000 blocks: the same index paths as without (045, same 1% room), the set built once.
select tests.create_user('mb_filler_' || g) from generate_series(1, 32) g;
create temporary table pool on commit drop as
  select row_number() over (order by u.id) - 1 as n, u.id as user_id, r.id as room_id
  from public.users u join public.channels c on c.owner_id = u.id join public.chatrooms r on r.channel_id = c.id
  where u.username::text like 'mb\_filler\_%';
insert into public.messages (chatroom_id, user_id, content, created_at, sender)
select case when g % 100 = 0 then (select room from t) else room.room_id end, author.user_id, 'message ' || g, now(), '{}'
from generate_series(1, 40000) g join pool room on room.n = g % 32 join pool author on author.n = (g / 32) % 32;
insert into public.users (id, username) select gen_random_uuid(), 'mb_blocked_' || g from generate_series(1, 5000) g;
insert into public.user_blocks (blocker_id, blocked_id)
select tests.user_id('mb_viewer'), u.id from public.users u where u.username::text like 'mb\_blocked\_%';
analyze public.messages;
analyze public.user_blocks;
select tests.authenticate_as('mb_viewer');
select is((select count(*) from public.user_blocks)::int, 5000, 'the viewer blocks 5,000 users');
select ok(tests.plan_of(format($q$ select * from public.messages where chatroom_id = %L order by id desc limit 50 $q$, (select room from t)))
  like '%"Index Name": "messages_chatroom_id_id_idx"%', 'with 5,000 blocks, room history still uses (chatroom_id, id desc)');
select ok(tests.plan_of(format($q$ select * from public.messages where user_id = %L order by id desc limit 50 $q$, tests.user_id('mb_sub')))
  like '%"Index Name": "messages_user_id_id_idx"%', 'and a user''s history still uses (user_id, id desc)');
select ok(plan like '%"Subplan Name": "InitPlan%' and plan not like '%"Subplan Name": "SubPlan%',
  'the blocked set is one InitPlan: loaded once per statement, no sub-query run per row')
from tests.plan_of(format($q$ select * from public.messages where chatroom_id = %L order by id desc limit 50 $q$, (select room from t))) plan;
select tests.clear_authentication();

select * from finish();
rollback;
