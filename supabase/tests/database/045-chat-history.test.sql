-- History: the three keyset reads of API.md (room, user in room, user everywhere), as a signed-in
-- client runs them through RLS, each answered by its index (not a scan and sort).
begin;
select plan(6);

select tests.create_chat_world('chat');
select tests.create_user('filler_' || g) from generate_series(1, 32) g;
-- 40,000 messages over 33 rooms and 33 authors, skewed like a real site so that each read has a
-- cheaper wrong plan to avoid: chat_owner's room holds 1%, chat_sub wrote 1.2% (80 of them there).
-- (Not smaller: the planner estimates the block filter of signed-in reads at half the rows, and a
-- room of a few dozen messages is read as cheaply with a sort.)
create temporary table pool on commit drop as
  select row_number() over (order by u.id) - 1 as n, u.id as user_id, r.id as room_id
  from public.users u join public.channels c on c.owner_id = u.id join public.chatrooms r on r.channel_id = c.id
  where u.username::text like 'filler\_%';
insert into public.messages (chatroom_id, user_id, content, created_at, sender)
select case when g % 100 = 0 then tests.chatroom_of('chat_owner') else room.room_id end,
       case when g % 500 = 0 or g % 100 = 50 then tests.user_id('chat_sub') else author.user_id end,
       'message ' || g, now() - make_interval(secs => 40000 - g), '{}'
from generate_series(1, 40000) g
join pool room on room.n = g % 32
join pool author on author.n = (g / 32) % 32;
analyze public.messages;
create temporary table cursor_at on commit drop as select max(id) - 5000 as id from public.messages;
grant select on cursor_at to authenticated;

select tests.authenticate_as('chat_stranger');
select ok(tests.plan_of(format($q$ select * from public.messages where chatroom_id = %L and id < %s order by id desc limit 50 $q$,
  tests.chatroom_of('chat_owner'), (select id from cursor_at))) like '%"Index Name": "messages_chatroom_id_id_idx"%', 'room history uses (chatroom_id, id desc)');
select ok(tests.plan_of(format($q$ select * from public.messages where chatroom_id = %L and id < %s order by id desc limit 50 $q$,
  tests.chatroom_of('chat_owner'), (select id from cursor_at))) not like '%"Node Type": "Sort"%', 'room history needs no sort');
select ok(tests.plan_of(format($q$ select * from public.messages where chatroom_id = %L and user_id = %L and id < %s order by id desc limit 50 $q$,
  tests.chatroom_of('chat_owner'), tests.user_id('chat_sub'), (select id from cursor_at))) like '%"Index Name": "messages_chatroom_id_user_id_id_idx"%',
  'a user''s history in a room uses (chatroom_id, user_id, id desc)');
select ok(tests.plan_of(format($q$ select * from public.messages where user_id = %L and id < %s order by id desc limit 50 $q$,
  tests.user_id('chat_sub'), (select id from cursor_at))) like '%"Index Name": "messages_user_id_id_idx"%', 'a user''s history everywhere uses (user_id, id desc)');
select ok(tests.plan_of(format($q$ select * from public.messages where user_id = %L and id < %s order by id desc limit 50 $q$,
  tests.user_id('chat_sub'), (select id from cursor_at))) not like '%"Node Type": "Sort"%', 'a user''s history everywhere needs no sort');
select tests.clear_authentication();
select is((select count(*) from (select 1 from public.messages where chatroom_id = tests.chatroom_of('chat_owner') and id < (select id from cursor_at)
  order by id desc limit 50) p)::int, 50, 'a history page holds 50 messages');

select * from finish();
rollback;
