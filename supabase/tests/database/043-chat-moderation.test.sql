-- Moderation RPCs: ban_user, unban_user, delete_message, clear_chat, pin_message, unpin_message and
-- chat_identity, for every role, with their boundaries, error codes and events.
begin;
select plan(94);

select tests.create_chat_world('chat');
select tests.create_user('other_owner');
select tests.create_user('victim');
create temporary table t (room uuid) on commit drop;
insert into t values (tests.chatroom_of('chat_owner'));
grant select on t to anon, authenticated, service_role;

-- ban_user ---------------------------------------------------------------------------------------
select is(tests.api_as(null, $$ select public.ban_user((select room from t), tests.user_id('victim')) $$) - 'message',
  '{"code": "auth_required", "details": null, "status": 401}', 'anon cannot ban (auth_required, 401)');
select is(tests.api_code('chat_mod', $$ select public.ban_user(gen_random_uuid(), tests.user_id('victim')) $$), 'chatroom_not_found',
  'banning in an unknown chatroom gives chatroom_not_found');
select is(tests.api_as('chat_stranger', $$ select public.ban_user((select room from t), tests.user_id('victim')) $$) - 'message',
  '{"code": "not_staff", "details": null, "status": 403}', 'a stranger cannot ban (not_staff, 403)');
select is(tests.api_code('chat_vip', $$ select public.ban_user((select room from t), tests.user_id('victim')) $$), 'not_staff', 'a VIP cannot ban');
select is(tests.api_code('chat_sub', $$ select public.ban_user((select room from t), tests.user_id('victim')) $$), 'not_staff', 'a subscriber cannot ban');
select is(tests.api_code('chat_banned', $$ select public.ban_user((select room from t), tests.user_id('victim')) $$), 'not_staff', 'a banned user cannot ban');
select is(tests.api_code('other_owner', $$ select public.ban_user((select room from t), tests.user_id('victim')) $$), 'not_staff',
  'another channel''s owner cannot ban here');
select is(tests.api_as('chat_mod', $$ select public.ban_user((select room from t), tests.user_id('chat_owner')) $$) - 'message',
  '{"code": "cannot_target_staff", "details": null, "status": 403}', 'a moderator cannot ban the owner (cannot_target_staff, 403)');
select is(tests.api_code('chat_mod', $$ select public.ban_user((select room from t), tests.user_id('chat_mod2')) $$), 'cannot_target_staff',
  'a moderator cannot ban another moderator');
select is(tests.api_code('chat_owner', $$ select public.ban_user((select room from t), tests.user_id('chat_mod')) $$), 'cannot_target_staff',
  'the owner cannot ban a moderator');
select is(tests.api_as('chat_mod', $$ select public.ban_user((select room from t), gen_random_uuid()) $$) - 'message',
  '{"code": "not_found", "details": null, "status": 404}', 'banning an unknown user gives not_found (404)');
select is(tests.api_as('chat_mod', $$ select public.ban_user((select room from t), tests.user_id('victim'), null, 0) $$) - 'message',
  '{"code": "invalid_argument", "details": {"argument": "duration_seconds"}, "status": 422}', 'a timeout of 0 seconds is invalid (422)');
select is(tests.api_code('chat_mod', $$ select public.ban_user((select room from t), tests.user_id('victim'), null, 1209601) $$), 'invalid_argument',
  'a timeout of 1209601 seconds is invalid');
select is(tests.api_code('chat_mod', $$ select public.ban_user((select room from t), tests.user_id('victim'), repeat('r', 501)) $$), 'invalid_argument',
  'a reason of 501 characters is invalid');

select is((tests.api_as('chat_mod', $$ select public.ban_user((select room from t), tests.user_id('victim'), 'spam links') $$) -> 'result')
    - 'id' - 'created_at',
  jsonb_build_object('chatroom_id', (select room from t), 'user_id', tests.user_id('victim'), 'banned_by', tests.user_id('chat_mod'),
    'reason', 'spam links', 'expires_at', null),
  'a moderator bans a user permanently and gets the chatroom_bans row');
select is((select payload - 'id' from tests.broadcasts('chatroom:' || (select room from t)) where event = 'user.banned'
           and payload ->> 'user_id' = tests.user_id('victim')::text),
  jsonb_build_object('user_id', tests.user_id('victim'), 'expires_at', null), 'user.banned goes to the chatroom topic');
select is((select (payload ->> 'reason') || ' by ' || (payload -> 'moderator' ->> 'username')
           from tests.broadcasts('chatroom:' || (select room from t) || ':mods') where event = 'ban.created'
             and payload ->> 'user_id' = tests.user_id('victim')::text),
  'spam links by chat_mod', 'ban.created goes to the mods topic with the reason and the moderator');
select is((select payload ->> 'chatroom_id' from tests.broadcasts('user:' || tests.user_id('victim')) where event = 'ban.received'),
  (select room from t)::text, 'ban.received goes to the banned user''s topic');
select is((select count(*) from public.moderation_actions where action = 'user.banned' and target_user_id = tests.user_id('victim'))::int, 1,
  'the ban is logged');
select is(tests.api_as('chat_mod', $$ select public.ban_user((select room from t), tests.user_id('victim'), repeat('r', 500), 1) $$)
    -> 'result' ->> 'expires_at', to_jsonb(now() + interval '1 second') #>> '{}',
  'a 1-second timeout with a 500-character reason replaces the ban');
select is((select count(*) from public.chatroom_bans where user_id = tests.user_id('victim'))::int, 1, 'a user has one ban row per chatroom');
select is((select count(*) from tests.broadcasts('chatroom:' || (select room from t)) where event = 'user.unbanned')::int, 0,
  'replacing a ban sends no user.unbanned');
select is(tests.api_code('chat_owner', $$ select public.ban_user((select room from t), tests.user_id('victim'), null, 1209600) $$), 'ok',
  'the owner can time a user out for 1209600 seconds');

-- reading and writing chatroom_bans directly -----------------------------------------------------
select tests.authenticate_as('victim');
select is((select count(*) from public.chatroom_bans)::int, 1, 'a banned user reads their own ban');
delete from public.chatroom_bans where user_id = auth.uid();
select is((select count(*) from public.chatroom_bans)::int, 1, 'a banned user cannot lift their own ban');
select tests.authenticate_as('chat_stranger');
select is((select count(*) from public.chatroom_bans)::int, 0, 'a stranger reads no one else''s bans');
select throws_ok($$ insert into public.chatroom_bans (chatroom_id, user_id) values ((select room from t), tests.user_id('chat_og')) $$, '42501', null,
  'a stranger cannot insert a ban');
select tests.authenticate_as('chat_mod2');
select is((select count(*) from public.chatroom_bans where chatroom_id = (select room from t))::int, 2, 'a moderator reads the chatroom''s bans');
select lives_ok($$ insert into public.chatroom_bans (chatroom_id, user_id, reason) values ((select room from t), tests.user_id('chat_og'), 'table ban') $$,
  'a moderator can insert a ban directly');
select throws_ok($$ insert into public.chatroom_bans (chatroom_id, user_id) values ((select room from t), tests.user_id('chat_owner')) $$, '42501', null,
  'a moderator cannot insert a ban of the owner');
select throws_ok($$ insert into public.chatroom_bans (chatroom_id, user_id, expires_at) values ((select room from t), tests.user_id('chat_sub'), now() + interval '1209601 seconds') $$,
  '23514', null, 'a direct timeout over 1209600 seconds is refused');
delete from public.chatroom_bans where user_id = tests.user_id('chat_og');
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.chatroom_bans $$, '42501', null, 'anon cannot read bans');
select tests.clear_authentication();
select is((select count(*) from public.chatroom_bans where user_id = tests.user_id('chat_og'))::int, 0, 'a moderator can delete a ban directly');
select is((select count(*) from tests.broadcasts('chatroom:' || (select room from t)) where event = 'user.unbanned'
           and payload ->> 'user_id' = tests.user_id('chat_og')::text)::int, 1, 'deleting an active ban sends user.unbanned');

-- unban_user -------------------------------------------------------------------------------------
select is(tests.api_code(null, $$ select public.unban_user((select room from t), tests.user_id('victim')) $$), 'auth_required', 'anon cannot unban');
select is(tests.api_code('chat_vip', $$ select public.unban_user((select room from t), tests.user_id('victim')) $$), 'not_staff', 'a VIP cannot unban');
select is(tests.api_code('chat_mod', $$ select public.unban_user(gen_random_uuid(), tests.user_id('victim')) $$), 'chatroom_not_found',
  'unbanning in an unknown chatroom gives chatroom_not_found');
select is(tests.send_code('victim', (select room from t), 'am I back?'), 'chat_banned', 'the timed-out user cannot chat');
select is(tests.api_code('chat_mod2', $$ select public.unban_user((select room from t), tests.user_id('victim')) $$), 'ok', 'a moderator can unban');
select is((select payload - 'id' from tests.broadcasts('chatroom:' || (select room from t)) where event = 'user.unbanned'
           and payload ->> 'user_id' = tests.user_id('victim')::text), jsonb_build_object('user_id', tests.user_id('victim')),
  'unbanning sends user.unbanned {user_id}');
select is(tests.send_code('victim', (select room from t), 'am I back?'), 'ok', 'an unbanned user can chat again');
select is(tests.api_code('chat_mod2', $$ select public.unban_user((select room from t), tests.user_id('victim')) $$), 'ok',
  'unbanning someone who is not banned is harmless');
select is((select count(*) from tests.broadcasts('chatroom:' || (select room from t)) where event = 'user.unbanned'
           and payload ->> 'user_id' = tests.user_id('victim')::text)::int, 1, 'and sends nothing');

-- delete_message ---------------------------------------------------------------------------------
create temporary table msg (name text primary key, id bigint) on commit drop;
grant select on msg to anon, authenticated, service_role;
insert into msg values
  ('victim', tests.add_message((select room from t), 'victim', 'rude words')),
  ('owner', tests.add_message((select room from t), 'chat_owner', 'owner says')),
  ('mod', tests.add_message((select room from t), 'chat_mod', 'mod says')),
  ('mod2', tests.add_message((select room from t), 'chat_mod2', 'mod2 says')),
  ('vip', tests.add_message((select room from t), 'chat_vip', 'vip says'));
select is(tests.api_code(null, $$ select public.delete_message((select id from msg where name = 'victim')) $$), 'auth_required', 'anon cannot delete messages');
select is(tests.api_as('chat_stranger', $$ select public.delete_message((select id from msg where name = 'victim')) $$) ->> 'code', 'not_staff',
  'a stranger cannot delete messages');
select is(tests.api_code('chat_vip', $$ select public.delete_message((select id from msg where name = 'victim')) $$), 'not_staff', 'a VIP cannot delete messages');
select is(tests.api_code('victim', $$ select public.delete_message((select id from msg where name = 'victim')) $$), 'not_staff',
  'a user cannot delete their own message');
select is(tests.api_code('chat_mod', $$ select public.delete_message(999999999) $$), 'not_found', 'deleting an unknown message gives not_found');
select is(tests.api_code('chat_mod', $$ select public.delete_message((select id from msg where name = 'owner')) $$), 'cannot_target_staff',
  'a moderator cannot delete the owner''s message');
select is(tests.api_code('chat_mod', $$ select public.delete_message((select id from msg where name = 'mod2')) $$), 'cannot_target_staff',
  'a moderator cannot delete another moderator''s message');
select is(tests.api_code('chat_mod', $$ select public.delete_message((select id from msg where name = 'mod')) $$), 'ok',
  'a moderator can delete their own message');
select is(tests.api_code('chat_owner', $$ select public.delete_message((select id from msg where name = 'mod2')) $$), 'ok',
  'the owner can delete a moderator''s message');
select is(tests.api_code('chat_mod', $$ select public.delete_message((select id from msg where name = 'victim')) $$), 'ok',
  'a moderator can delete a viewer''s message');
select tests.authenticate_as_anon();
select is((select row(content, deleted_by, deleted_at is not null, emotes)::text from public.messages where id = (select id from msg where name = 'victim')),
  row(null::text, null::uuid, true, '[]'::jsonb)::text,
  'readers see a deleted message without content, and not which moderator deleted it (20261201172959)');
select tests.clear_authentication();
select is((select details ->> 'content' from public.moderation_actions where action = 'message.deleted' and message_id = (select id from msg where name = 'victim')),
  'rude words', 'the moderation log keeps the original content');
select is((select payload - 'id' || jsonb_build_object('id', payload -> 'id') from tests.broadcasts('chatroom:' || (select room from t))
           where event = 'message.deleted' and (payload ->> 'id')::bigint = (select id from msg where name = 'victim')),
  jsonb_build_object('id', (select id from msg where name = 'victim')), 'message.deleted {id} goes to the chatroom topic');
select is(tests.api_code('chat_mod', $$ select public.delete_message((select id from msg where name = 'victim')) $$), 'ok',
  'deleting a deleted message is harmless');
select is((select count(*) from tests.broadcasts('chatroom:' || (select room from t)) where event = 'message.deleted'
           and (payload ->> 'id')::bigint = (select id from msg where name = 'victim'))::int, 1, 'and sends nothing more');

-- pin_message / unpin_message --------------------------------------------------------------------
select is(tests.api_code(null, $$ select public.pin_message((select id from msg where name = 'vip')) $$), 'auth_required', 'anon cannot pin');
select is(tests.api_code('chat_vip', $$ select public.pin_message((select id from msg where name = 'vip')) $$), 'not_staff', 'a VIP cannot pin');
select is(tests.api_code('chat_mod', $$ select public.pin_message(999999999) $$), 'not_found', 'pinning an unknown message gives not_found');
select is(tests.api_code('chat_mod', $$ select public.pin_message((select id from msg where name = 'victim')) $$), 'not_found',
  'a deleted message cannot be pinned');
select is(tests.api_code('chat_mod', $$ select public.pin_message((select id from msg where name = 'vip'), 29) $$), 'invalid_argument',
  'a pin of 29 seconds is invalid');
select is(tests.api_code('chat_mod', $$ select public.pin_message((select id from msg where name = 'vip'), 1801) $$), 'invalid_argument',
  'a pin of 1801 seconds is invalid');
select is(tests.api_as('chat_mod', $$ select public.pin_message((select id from msg where name = 'vip'), 30) $$) -> 'result' ->> 'pinned_until',
  to_jsonb(now() + interval '30 seconds') #>> '{}', 'a pin of 30 seconds returns the chatroom pinned until then');
select is(tests.api_as('chat_owner', $$ select public.pin_message((select id from msg where name = 'vip'), 1800) $$) -> 'result' ->> 'pinned_message_id',
  (select id from msg where name = 'vip')::text, 'a pin of 1800 seconds is allowed');
select is(tests.api_as('chat_mod', $$ select public.pin_message((select id from msg where name = 'owner')) $$) -> 'result' -> 'pinned_until', 'null',
  'a pin without duration lasts until unpinned');
select is((select payload -> 'message' ->> 'content' from tests.broadcasts('chatroom:' || (select room from t))
           where event = 'pin.updated' and payload -> 'pinned_until' = 'null' and payload -> 'message' <> 'null'),
  'owner says', 'pin.updated carries the pinned message and pinned_until');
select is(tests.api_code('chat_stranger', $$ select public.unpin_message((select room from t)) $$), 'not_staff', 'a stranger cannot unpin');
select is(tests.api_code('chat_mod', $$ select public.unpin_message(gen_random_uuid()) $$), 'chatroom_not_found', 'unpinning an unknown chatroom');
select is(tests.api_code('chat_mod2', $$ select public.unpin_message((select room from t)) $$), 'ok', 'a moderator can unpin');
select is((select row(pinned_message_id, pinned_until)::text from public.chatrooms where id = (select room from t)), '(,)', 'the pin is gone');
select is((select count(*) from tests.broadcasts('chatroom:' || (select room from t)) where event = 'pin.updated'
           and payload = jsonb_build_object('message', null, 'pinned_until', null, 'id', payload -> 'id'))::int, 1,
  'unpinning sends pin.updated with message null');
select tests.api_code('chat_mod2', $$ select public.unpin_message((select room from t)) $$) is not null as done;
select is((select count(*) from tests.broadcasts('chatroom:' || (select room from t)) where event = 'pin.updated')::int, 4,
  'unpinning when nothing is pinned sends nothing');
select tests.api_code('chat_owner', $$ select public.pin_message((select id from msg where name = 'owner')) $$) is not null as done;
select tests.api_code('chat_owner', $$ select public.delete_message((select id from msg where name = 'owner')) $$) is not null as done;
select is((select pinned_message_id from public.chatrooms where id = (select room from t)), null, 'deleting the pinned message unpins it');

-- clear_chat -------------------------------------------------------------------------------------
create temporary table before_clear on commit drop as
  select count(*)::int as n from public.messages where chatroom_id = (select room from t) and deleted_at is null;
select is(tests.api_code(null, $$ select public.clear_chat((select room from t)) $$), 'auth_required', 'anon cannot clear chat');
select is(tests.api_code('chat_vip', $$ select public.clear_chat((select room from t)) $$), 'not_staff', 'a VIP cannot clear chat');
select is(tests.api_code('chat_mod', $$ select public.clear_chat(gen_random_uuid()) $$), 'chatroom_not_found', 'clearing an unknown chatroom');
select is(tests.api_code('chat_mod', $$ select public.clear_chat((select room from t), tests.user_id('chat_owner')) $$), 'cannot_target_staff',
  'a moderator cannot clear the owner''s messages');
select is(tests.api_code('chat_mod', $$ select public.clear_chat((select room from t), gen_random_uuid()) $$), 'not_found',
  'clearing the messages of a user who does not exist gives not_found (no event for nobody)');
select is(tests.api_code('chat_vip', $$ select public.clear_chat((select room from t), gen_random_uuid()) $$), 'not_staff',
  'a non-staff caller learns nothing about which users exist');
select is(tests.api_code('chat_mod', $$ select public.clear_chat((select room from t)) $$), 'ok', 'a moderator can clear the chat');
select is(tests.api_code('chat_owner', $$ select public.clear_chat((select room from t), tests.user_id('victim')) $$), 'ok',
  'the owner can clear one user''s messages');
select is((select jsonb_agg(payload -> 'user_id' order by payload ->> 'user_id' nulls first) from tests.broadcasts('chatroom:' || (select room from t))
           where event = 'messages.cleared'), jsonb_build_array(null, tests.user_id('victim')),
  'messages.cleared carries user_id null for the whole chat, or the user');
select is((select count(*) from public.messages where chatroom_id = (select room from t) and content is not null)::int, 0,
  'clearing the chat removes its history too (before: ' || (select n from before_clear) || ' messages)');

-- the service role: trusted with the tables, but the RPCs act as a signed-in user ------------------
select tests.authenticate_as_service_role();
select is(tests.api($$ select public.ban_user((select room from t), tests.user_id('chat_og')) $$) ->> 'code', 'auth_required',
  'the service role has no user to ban as');
select is(tests.api($$ select public.delete_message((select id from msg where name = 'vip')) $$) ->> 'code', 'auth_required',
  'the service role has no user to delete as');
select ok((select count(*) from public.chatroom_bans where chatroom_id = (select room from t)) >= 1, 'the service role reads every ban');
select lives_ok($$ insert into public.chatroom_bans (chatroom_id, user_id, reason) values ((select room from t), tests.user_id('chat_og'), 'service') $$,
  'the service role can write bans directly');
select tests.clear_authentication();

-- chat_identity ----------------------------------------------------------------------------------
insert into public.chat_identities (chatroom_id, user_id, color) values ((select room from t), tests.user_id('chat_sub'), '#00FF7F');
select is(tests.api_as(null, $$ select public.chat_identity((select room from t), tests.user_id('chat_sub')) $$) -> 'result',
  jsonb_build_object('user_id', tests.user_id('chat_sub'), 'username', 'chat_sub', 'display_name', null, 'color', '#00FF7F',
    'badges', '[{"type": "subscriber", "text": "Subscriber", "count": 7}]'::jsonb),
  'anyone reads a chat identity with color and badges');
select is(tests.api_as('chat_stranger', $$ select public.chat_identity((select room from t), tests.user_id('chat_mod')) $$) -> 'result' -> 'badges',
  '[{"type": "moderator", "text": "Moderator"}]', 'a moderator''s identity shows the moderator badge');
select is(tests.api_as('chat_stranger', $$ select public.chat_identity((select room from t), tests.user_id('chat_og')) $$) -> 'result' -> 'badges' -> 0 ->> 'type',
  'og', 'an OG''s identity shows the og badge');
select is(tests.api_code(null, $$ select public.chat_identity(gen_random_uuid(), tests.user_id('chat_sub')) $$), 'chatroom_not_found',
  'an unknown chatroom gives chatroom_not_found');
select is(tests.api_code(null, $$ select public.chat_identity((select room from t), gen_random_uuid()) $$), 'not_found',
  'an unknown user gives not_found');

select * from finish();
rollback;
