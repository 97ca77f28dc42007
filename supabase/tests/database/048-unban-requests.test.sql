-- Unban requests: only a user under an active ban in the room asks (1-500 characters), one pending
-- per ban, not within 7 days of a denial; the user and the room's staff read them; staff (or the
-- service role) resolve them, and approving lifts the ban in the same transaction.
begin;
select plan(39);

select tests.create_chat_world('ur');
select tests.create_user('ur_other_owner');
select tests.create_user('ur_timed_out', now() - interval '1 year');
create temporary table t (room uuid, mods text) on commit drop;
insert into t select tests.chatroom_of('ur_owner'), 'chatroom:' || tests.chatroom_of('ur_owner') || ':mods';
grant select on t to anon, authenticated, service_role;
insert into public.chatroom_bans (chatroom_id, user_id, banned_by, expires_at)
values ((select room from t), tests.user_id('ur_timed_out'), tests.user_id('ur_owner'), now() + interval '10 minutes');

-- asking -----------------------------------------------------------------------------------------
select is(tests.try_as(null, $$ insert into public.unban_requests (chatroom_id, text) values ((select room from t), 'sorry') $$), '42501', 'anon cannot ask');
select is(tests.api_as('ur_sub', $$ select tests.run($r$ insert into public.unban_requests (chatroom_id, text) values ((select room from t), 'sorry') $r$) $$) - 'message',
  '{"code": "not_banned", "details": null, "status": 409}', 'a user who is not banned cannot ask (not_banned, 409)');
select is(tests.api_code('ur_banned', $$ select tests.run($r$ insert into public.unban_requests (chatroom_id, text) values ((select room from t), '') $r$) $$), 'invalid_argument',
  'an empty request is refused');
select is(tests.api_code('ur_banned', $$ select tests.run($r$ insert into public.unban_requests (chatroom_id, text) values ((select room from t), repeat('s', 501)) $r$) $$), 'invalid_argument',
  'a request of 501 characters is refused');
select is(tests.api_code('ur_banned', $$ select tests.run($r$ insert into public.unban_requests (chatroom_id, text) values ((select room from t), repeat('s', 500)) $r$) $$), 'ok',
  'the banned user asks with 500 characters');
select is((select row(user_id, ban_id, status)::text from public.unban_requests where chatroom_id = (select room from t)),
  row(tests.user_id('ur_banned'), (select id from public.chatroom_bans where user_id = tests.user_id('ur_banned')), 'pending')::text,
  'the request names the user and the ban it appeals, pending');
select is((select payload ->> 'user_id' from tests.broadcasts((select mods from t)) where event = 'unban_request.created'), tests.user_id('ur_banned')::text,
  'unban_request.created reaches the mods topic');
select is(tests.api_as('ur_banned', $$ select tests.run($r$ insert into public.unban_requests (chatroom_id, text) values ((select room from t), 'please') $r$) $$) - 'message',
  '{"code": "unban_request_pending", "details": null, "status": 409}', 'a second request for the same ban waits (unban_request_pending, 409)');
select is(tests.try_as('ur_sub', $$ insert into public.unban_requests (chatroom_id, user_id, text) values ((select room from t), tests.user_id('ur_banned'), 'for a friend') $$),
  '42501', 'nobody asks in someone else''s name');
select is(tests.api_code('ur_timed_out', $$ select tests.run($r$ insert into public.unban_requests (chatroom_id, text) values ((select room from t), 'it was a joke') $r$) $$), 'ok',
  'a timed-out user can ask too');
select is(tests.api_code('ur_banned', $$ select tests.run($r$ insert into public.unban_requests (chatroom_id, text) values (tests.chatroom_of('ur_other_owner'), 'hi') $r$) $$), 'not_banned',
  'a ban in one room gives no right to ask in another');

-- who reads --------------------------------------------------------------------------------------
select is(tests.try_as('ur_banned', $$ select id, status, text from public.unban_requests $$), 'rows:1', 'the user reads their own request');
select is(tests.try_as('ur_owner', $$ select id, status, text from public.unban_requests $$), 'rows:2', 'the owner reads the room''s requests');
select is(tests.try_as('ur_mod', $$ select id, status, text from public.unban_requests $$), 'rows:2', 'a moderator reads the room''s requests');
select is(tests.try_as('ur_vip', $$ select id, status, text from public.unban_requests $$), 'rows:0', 'a VIP reads none');
select is(tests.try_as('ur_sub', $$ select id, status, text from public.unban_requests $$), 'rows:0', 'a viewer reads none');
select is(tests.try_as('ur_other_owner', $$ select id, status, text from public.unban_requests $$), 'rows:0', 'another channel''s owner reads none');
select is(tests.try_as(null, $$ select * from public.unban_requests $$), '42501', 'anon reads nothing');
select is(tests.try_as('ur_mod', $$ update public.unban_requests set status = 'approved' $$), '42501', 'staff resolve only through the RPC');
select is(tests.try_as('ur_banned', $$ delete from public.unban_requests $$), '42501', 'a request cannot be deleted');

-- resolving --------------------------------------------------------------------------------------
create temporary table req on commit drop as select id, user_id from public.unban_requests;
grant select on req to anon, authenticated, service_role;
select is(tests.api_code(null, $$ select public.resolve_unban_request((select id from req where user_id = tests.user_id('ur_banned')), false) $$), 'auth_required',
  'anon cannot resolve');
select is(tests.api_code('ur_vip', $$ select public.resolve_unban_request((select id from req where user_id = tests.user_id('ur_banned')), true) $$), 'not_staff',
  'a VIP cannot resolve');
select is(tests.api_code('ur_banned', $$ select public.resolve_unban_request((select id from req where user_id = tests.user_id('ur_banned')), true) $$), 'not_staff',
  'the banned user cannot approve their own request');
select is(tests.api_code('ur_mod', $$ select public.resolve_unban_request(999999999, true) $$), 'not_found', 'an unknown request gives not_found');
select is(tests.api_code('ur_mod', $$ select public.resolve_unban_request((select id from req where user_id = tests.user_id('ur_banned')), null) $$), 'invalid_argument',
  'approve must be true or false');
select is(tests.api_code('ur_mod', $$ select public.resolve_unban_request((select id from req where user_id = tests.user_id('ur_banned')), false, repeat('r', 501)) $$),
  'invalid_argument', 'a resolution text of 501 characters is refused');
select is(tests.api_as('ur_mod', $$ select public.resolve_unban_request((select id from req where user_id = tests.user_id('ur_banned')), false, 'not yet') $$) -> 'result' ->> 'status',
  'denied', 'a moderator denies');
select is(tests.send_code('ur_banned', (select room from t), 'hello?'), 'chat_banned', 'a denied user stays banned');
select is((select payload ->> 'resolution_text' from tests.broadcasts('user:' || tests.user_id('ur_banned')) where event = 'unban_request.resolved'), 'not yet',
  'the user hears the answer on their user topic');
select is(tests.api_code('ur_owner', $$ select public.resolve_unban_request((select id from req where user_id = tests.user_id('ur_banned')), true) $$), 'unban_request_closed',
  'a resolved request cannot be resolved again');
select is(tests.api_as('ur_banned', $$ select tests.run($r$ insert into public.unban_requests (chatroom_id, text) values ((select room from t), 'again') $r$) $$) - 'message',
  '{"code": "unban_request_cooldown", "details": {"retry_after_seconds": 604800}, "status": 429}',
  'asking again right after a denial is refused for 7 days (unban_request_cooldown, 429)');
update public.unban_requests set resolved_at = now() - interval '7 days' + interval '1 second' where user_id = tests.user_id('ur_banned');
select is(tests.api_code('ur_banned', $$ select tests.run($r$ insert into public.unban_requests (chatroom_id, text) values ((select room from t), 'again') $r$) $$),
  'unban_request_cooldown', 'one second before the 7 days are over it is still refused');
update public.unban_requests set resolved_at = now() - interval '7 days' where user_id = tests.user_id('ur_banned');
select is(tests.api_code('ur_banned', $$ select tests.run($r$ insert into public.unban_requests (chatroom_id, text) values ((select room from t), 'a week later') $r$) $$), 'ok',
  'after 7 days the user may ask again');
select is(tests.api_as('ur_owner', $$ select public.resolve_unban_request((select id from public.unban_requests where text = 'a week later'), true, 'welcome back') $$)
    -> 'result' ->> 'status', 'approved', 'the owner approves');
select is((select count(*) from public.chatroom_bans where user_id = tests.user_id('ur_banned') and chatroom_id = (select room from t))::int, 0,
  'approving lifts the ban in the same transaction');
select is((select count(*) from tests.broadcasts('chatroom:' || (select room from t)) where event = 'user.unbanned' and payload ->> 'user_id' = tests.user_id('ur_banned')::text)::int,
  1, 'and sends user.unbanned');
select is((select array_agg(action order by id) from public.moderation_actions where chatroom_id = (select room from t) and target_user_id = tests.user_id('ur_banned')
    and action <> 'user.banned'), array['unban_request.resolved', 'unban_request.resolved', 'user.unbanned'],
  'both resolutions and the unban are logged');
select is(tests.send_code('ur_banned', (select room from t), 'thanks!'), 'ok', 'the approved user chats again');

select tests.authenticate_as_service_role();
select is(tests.api($$ select public.resolve_unban_request((select id from req where user_id = tests.user_id('ur_timed_out')), true) $$) -> 'result' ->> 'status',
  'approved', 'the service role resolves any request');
select tests.clear_authentication();

select * from finish();
rollback;
