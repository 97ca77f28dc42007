-- Clearing chat, and banning or timing out a user, remove the messages from history as well as from
-- Realtime's stored broadcasts (20261201164616): the latest 10,000 of the room (or of the user in it)
-- read as delete_message leaves one (content null, emotes empty, deleted_at/deleted_by set), for every
-- reader, anon included. One messages.cleared or user.banned goes out, not a message.deleted per row;
-- a removed pinned message is unpinned; other rooms and users are untouched.
begin;
select plan(17);

select tests.create_chat_world('rh');
select tests.create_user('rh_troll', now() - interval '1 year');
select tests.create_user('rh_other_owner');
create temporary table t (room uuid, other uuid) on commit drop;
insert into t select tests.chatroom_of('rh_owner'), tests.chatroom_of('rh_other_owner');
grant select on t to anon, authenticated, service_role;

create function pg_temp.say(username text, room uuid, content text) returns bigint language sql as $$
  select tests.add_message(room, username, content)
$$;
-- What an anonymous reader gets from the room's history: (sender, content) oldest first.
create function pg_temp.history(room uuid) returns text[] language plpgsql as $$
declare
  seen text[];
begin
  set local role anon;
  select coalesce(array_agg(u.username || ': ' || coalesce(m.content, '(removed)') order by m.id), '{}') into seen
  from public.messages m join public.users u on u.id = m.user_id where m.chatroom_id = room;
  reset role;
  return seen;
end
$$;

select pg_temp.say('rh_troll', (select room from t), 'go back to your cave');
select pg_temp.say('rh_sub', (select room from t), 'hello chat');
select pg_temp.say('rh_troll', (select room from t), 'buy followers');
select pg_temp.say('rh_troll', (select other from t), 'elsewhere');

-- Clearing one user ----------------------------------------------------------------------------
select is(tests.api_code('rh_mod', $$ select public.clear_chat((select room from t), tests.user_id('rh_troll')) $$), 'ok',
  'a moderator clears a user');
select is(pg_temp.history((select room from t)),
  array['rh_troll: (removed)', 'rh_sub: hello chat', 'rh_troll: (removed)'],
  'anyone loading the history afterwards gets the user''s messages as removed, the others as they were');
select is((select count(*) from public.messages where chatroom_id = (select room from t) and user_id = tests.user_id('rh_troll')
    and deleted_by = tests.user_id('rh_mod') and deleted_at is not null and emotes = '[]')::int, 2,
  'removed as delete_message removes one: deleted_at, deleted_by the moderator, no emotes');
select is(pg_temp.history((select other from t)), array['rh_troll: elsewhere'], 'the user''s messages in other rooms stay');
select is((select count(*) from tests.broadcasts('chatroom:' || (select room from t)) where event = 'message.deleted')::int, 0,
  'no message.deleted per removed message');
select is((select count(*) from tests.broadcasts('chatroom:' || (select room from t)) where event = 'messages.cleared')::int, 1,
  'one messages.cleared');
select is((select count(*) from public.moderation_actions where chatroom_id = (select room from t) and action = 'messages.cleared')::int, 1,
  'and one row in the moderators'' log');

-- A timeout, and a ban ---------------------------------------------------------------------------
select pg_temp.say('rh_troll', (select room from t), 'still here');
select is(tests.api_code('rh_mod', $$ select public.ban_user((select room from t), tests.user_id('rh_troll'), 'cave talk', 600) $$), 'ok',
  'a moderator times the user out');
select is((select content from public.messages where chatroom_id = (select room from t) and user_id = tests.user_id('rh_troll')
    order by id desc limit 1), null, 'a timeout removes the user''s messages from history');
select is((select count(*) from tests.broadcasts('chatroom:' || (select room from t)) where event = 'message.deleted')::int, 0,
  'still without a message.deleted each');

-- A pinned message is unpinned with it ---------------------------------------------------------------
select is(tests.api_code('rh_owner', $$ select public.unban_user((select room from t), tests.user_id('rh_troll')) $$), 'ok', 'the owner lifts it');
create temporary table pinned on commit drop as select pg_temp.say('rh_troll', (select room from t), 'pinned words') as id;
grant select on pinned to authenticated;
select is(tests.api_code('rh_mod', $$ select public.pin_message((select id from pinned)) $$), 'ok', 'a moderator pins the user''s message');
select is(tests.api_code('rh_owner', $$ select public.ban_user((select room from t), tests.user_id('rh_troll'), 'again') $$), 'ok', 'the owner bans the user');
select is((select pinned_message_id from public.chatrooms where id = (select room from t)), null, 'the removed pinned message is unpinned');

-- The whole room ------------------------------------------------------------------------------------
select is(tests.api_code('rh_mod', $$ select public.clear_chat((select room from t)) $$), 'ok', 'a moderator clears the chat');
select is((select count(*) from public.messages where chatroom_id = (select room from t) and content is not null)::int, 0,
  'the room''s whole history reads as removed');

-- Bounded: the latest max_messages only -----------------------------------------------------------------
select pg_temp.say('rh_sub', (select other from t), 'one');
select pg_temp.say('rh_sub', (select other from t), 'two');
select pg_temp.say('rh_sub', (select other from t), 'three');
select is(private.remove_chat_messages((select other from t), null, tests.user_id('rh_other_owner'), 2), 2,
  'a removal takes at most max_messages (10,000 by default), the latest first');

select * from finish();
rollback;
