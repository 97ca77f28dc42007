-- Moderators stay anonymous to the users they act on (20261201171756): no signed-in user reads
-- chatroom_bans.banned_by, reports.resolved_by or unban_requests.resolved_by (staff neither: column
-- privileges cannot depend on the reader), nor learns the moderator from the events they receive; staff
-- find the moderator in the moderators' log and on the mods topic; the service role reads the columns.
begin;
select plan(24);

select tests.create_chat_world('an') as room \gset
select tests.create_user('an_troll', now() - interval '1 year');
select set_config('an.room', :'room', true) \g /dev/null
select (tests.api_as('an_mod', format('select public.ban_user(%L::uuid, %L::uuid, %L, 600)', :'room', tests.user_id('an_troll'), 'spam'))
  -> 'result') as ban \gset
select set_config('an.ban', :'ban', true) \g /dev/null

-- bans --------------------------------------------------------------------------------------------
select is((current_setting('an.ban')::jsonb ->> 'banned_by')::uuid, tests.user_id('an_mod'),
  'ban_user returns the ban with its moderator to the moderator who called it');
select is(tests.try_as('an_troll', $$ select reason, expires_at from public.chatroom_bans $$), 'rows:1',
  'the timed-out user reads their ban: reason and end');
select is(tests.try_as('an_troll', $$ select banned_by from public.chatroom_bans $$), '42501', 'but not who timed them out');
select is(tests.try_as('an_troll', $$ select b.reason, u.username from public.chatroom_bans b join public.users u on u.id = b.banned_by $$), '42501',
  'nor through a join on banned_by (the Data API''s users!banned_by embedding)');
select is(tests.try_as('an_troll', $$ select id from public.chatroom_bans where banned_by = tests.user_id('an_mod') $$), '42501',
  'nor by filtering on it');
select is(tests.try_as('an_troll', $$ select * from public.chatroom_bans $$), '42501', 'select * is refused: signed-in readers name their columns');
select is(tests.try_as('an_stranger', $$ select banned_by from public.chatroom_bans $$), '42501', 'a stranger cannot read banned_by');
select is(tests.try_as(null, $$ select banned_by from public.chatroom_bans $$), '42501', 'nor can anon');
select is(tests.try_as('an_owner', $$ select banned_by from public.chatroom_bans $$), '42501', 'the owner cannot read the column either');
select is(tests.try_as('an_owner', format($$ select 1 from public.moderation_actions where chatroom_id = %L and action = 'user.timed_out'
    and actor_id = tests.user_id('an_mod') and details ->> 'ban_id' = %L $$, :'room', current_setting('an.ban')::jsonb ->> 'id')), 'rows:1',
  'the owner finds the moderator of that ban in the moderators'' log (actor_id, details.ban_id)');
select is((select payload -> 'moderator' ->> 'username' from tests.broadcasts('chatroom:' || :'room' || ':mods') where event = 'ban.created'
    and payload ->> 'user_id' = tests.user_id('an_troll')::text), 'an_mod',
  'ban.created on the mods topic names the moderator');
select is((select array_agg(k order by k) from tests.broadcasts('user:' || tests.user_id('an_troll')), jsonb_object_keys(payload) k where event = 'ban.received'),
  array['channel_id', 'chatroom_id', 'created_at', 'expires_at', 'id', 'reason'],
  'ban.received tells the user the room, reason and times: no moderator');
select is(tests.try_as('service_role', $$ select banned_by from public.chatroom_bans where chatroom_id = current_setting('an.room')::uuid and banned_by is not null $$), 'rows:2',
  'the service role reads banned_by');

-- reports -----------------------------------------------------------------------------------------
insert into public.reports (reporter_id, message_id, reason)
values (tests.user_id('an_sub'), tests.add_message(:'room', 'an_troll', 'spam spam'), 'spam');
select is(tests.api_code('an_mod', format('select public.resolve_report(%s, %L)', (select max(id) from public.reports), 'actioned')), 'ok',
  'a moderator resolves the report');
select is(tests.try_as('an_sub', $$ select status, resolution_note, resolved_at from public.reports $$), 'rows:1', 'the reporter reads the outcome');
select is(tests.try_as('an_sub', $$ select resolved_by from public.reports $$), '42501', 'but not who resolved it');
select is((select array_agg(k order by k) from tests.broadcasts('user:' || tests.user_id('an_sub')), jsonb_object_keys(payload) k where event = 'report.resolved'),
  array['id', 'reason', 'report_id', 'status'], 'report.resolved names no resolver');
select is(tests.try_as('an_owner', $$ select actor_id from public.moderation_actions where action = 'report.resolved' and actor_id = tests.user_id('an_mod') $$),
  'rows:1', 'the owner finds the resolver in the moderators'' log');
select is(tests.try_as('service_role', $$ select resolved_by from public.reports where resolved_by = tests.user_id('an_mod') $$), 'rows:1',
  'the service role reads resolved_by');

-- unban requests ----------------------------------------------------------------------------------
insert into public.unban_requests (chatroom_id, user_id, text) values (:'room', tests.user_id('an_banned'), 'sorry');
select is(tests.api_code('an_mod', format('select public.resolve_unban_request(%s, false, %L)', (select max(id) from public.unban_requests), 'not yet')), 'ok',
  'a moderator denies the appeal');
select is(tests.try_as('an_banned', $$ select status, resolution_text from public.unban_requests $$), 'rows:1', 'the user reads the answer');
select is(tests.try_as('an_banned', $$ select resolved_by from public.unban_requests $$), '42501', 'but not who answered');
select is((select array_agg(k order by k) from tests.broadcasts('user:' || tests.user_id('an_banned')), jsonb_object_keys(payload) k
    where event = 'unban_request.resolved'),
  array['chatroom_id', 'id', 'resolution_text', 'resolved_at', 'status'], 'unban_request.resolved names no resolver');
select is(tests.try_as('an_mod', $$ select actor_id from public.moderation_actions where action = 'unban_request.resolved' and actor_id = tests.user_id('an_mod') $$),
  'rows:1', 'staff find who answered in the moderators'' log');

select * from finish();
rollback;
