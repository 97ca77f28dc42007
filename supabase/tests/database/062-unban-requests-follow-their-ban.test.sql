-- Unban requests follow the ban they appeal (20261201135212): approving an appeal lifts the user's
-- current ban in the room even when a newer ban replaced the appealed one; lifting a ban closes the
-- user's pending appeals there, so a later denial cannot start a cooldown against the next ban.
begin;
select plan(10);

create function pg_temp.appeal(who text, room uuid, body text) returns text language sql as $$
  select tests.api_code(who, format('select tests.run(%L)',
    format('insert into public.unban_requests (chatroom_id, text) values (%L, %L)', room, body)))
$$;

-- A timeout escalated to a permanent ban while its appeal is pending, then the appeal approved.
select tests.create_chat_world('ub1') as room \gset
select is(tests.api_code('ub1_mod', format($$ select public.ban_user(%L, tests.user_id('ub1_stranger'), 'spam', 600) $$, :'room')), 'ok', 'a moderator times out the stranger');
select is(pg_temp.appeal('ub1_stranger', :'room', 'sorry'), 'ok', 'who appeals');
select is(tests.api_code('ub1_mod', format($$ select public.ban_user(%L, tests.user_id('ub1_stranger'), 'escalated', null) $$, :'room')), 'ok',
  'the timeout is replaced by a permanent ban');
select is((select status from public.unban_requests where chatroom_id = :'room' and user_id = tests.user_id('ub1_stranger')), 'pending',
  'a replaced ban keeps its appeal pending');
select is(tests.api_code('ub1_owner', format($$ select public.resolve_unban_request((select id from public.unban_requests where chatroom_id = %L), true, 'ok') $$, :'room')), 'ok',
  'the owner approves the appeal');
select is(tests.send_code('ub1_stranger', :'room', 'hello again'), 'ok', 'and the ban that replaced the appealed one is lifted');

-- An appeal whose ban a moderator lifts with unban_user.
select tests.create_chat_world('ub2') as room2 \gset
select is(pg_temp.appeal('ub2_banned', :'room2', 'sorry'), 'ok', 'the banned user appeals');
select is(tests.api_code('ub2_mod', format($$ select public.unban_user(%L, tests.user_id('ub2_banned')) $$, :'room2')), 'ok', 'a moderator lifts the ban');
select is((select row(status, resolution_text)::text from public.unban_requests where chatroom_id = :'room2'),
  row('approved', 'The ban was lifted.')::text, 'the appeal is closed as approved');
select ok(exists (select 1 from tests.broadcasts('user:' || tests.user_id('ub2_banned'))
                  where event = 'unban_request.resolved' and payload ->> 'status' = 'approved'),
  'and the user hears unban_request.resolved');

select * from finish();
rollback;
