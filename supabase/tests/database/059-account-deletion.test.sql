-- A user's account can be deleted whatever they did in rooms (20261201124036): their channel, room and
-- everything in it go first, then their references elsewhere are cleared. A channel with active bans
-- can be deleted too. Everything here is created in one transaction, which makes postgres re-check
-- more references than a deletion of older rows would.
begin;
select plan(13);

select tests.create_chat_world('ad') as room \gset
select tests.create_chat_world('ae') as other \gset
select tests.user_id('ad_owner') as owner_id \gset
insert into public.channel_roles (channel_id, user_id, role)
select r.channel_id, tests.user_id('ad_owner'), 'moderator' from public.chatrooms r where r.id = :'other';

-- In their own room: a pin of their own message, lifted; a reply they deleted; a report they resolved.
select (tests.send_as('ad_owner', :'room', 'pin me') -> 'result' ->> 'id')::bigint as pinned \gset
select is(tests.api_code('ad_owner', format('select public.pin_message(%s)', :'pinned')), 'ok', 'the owner pins their own message');
select is(tests.api_code('ad_owner', format('select public.unpin_message(%L)', :'room')), 'ok', 'and unpins it');
select tests.add_message(:'room', 'ad_og', 'first') as first \gset
select tests.send_as('ad_sub', :'room', 'a reply', :'first') ? 'ok' as replied \gset
select is(tests.api_code('ad_owner', format('select public.delete_message(%s)', (select max(id) from public.messages where chatroom_id = :'room'))), 'ok',
  'the owner deletes a reply');
insert into public.reports (reporter_id, message_id, reason) values (tests.user_id('ad_stranger'), :'first', 'spam');
select is(tests.api_code('ad_owner', format('select public.resolve_report(%s, %L)', (select max(id) from public.reports), 'dismissed')), 'ok',
  'the owner resolves a report in their room');
-- In another room, as a moderator: a pin of their own message (they are actor and target).
select (tests.send_as('ad_owner', :'other', 'mod pin') -> 'result' ->> 'id')::bigint as modpin \gset
select is(tests.api_code('ad_owner', format('select public.pin_message(%s)', :'modpin')), 'ok', 'they pin their own message in a room they moderate');

select lives_ok(format('delete from public.users where id = %L', tests.user_id('ad_owner')),
  'a streamer with pins, a deleted reply, a resolved report and a ban in their room is deleted');
select is((select count(*)::int from public.chatrooms where id = :'room'), 0, 'their room is gone');
select is((select count(*)::int from public.moderation_actions where chatroom_id = :'room'), 0, 'with its log');
select is((select count(*)::int from public.users where username like 'ad\_%'), 7, 'the room''s other users stay');
select is((select row(actor_id, target_user_id)::text from public.moderation_actions where chatroom_id = :'other' and action = 'message.pinned'),
  row(null::uuid, null::uuid)::text, 'their log row in the other room stays, naming nobody');

-- A token issued before the deletion still verifies; it sends as nobody.
select set_config('role', 'authenticated', true), set_config('request.jwt.claims',
  json_build_object('sub', :'owner_id', 'role', 'authenticated')::text, true) \g /dev/null
select is(tests.api(format('select public.send_message(%L::uuid, %L)', :'other', 'still here?')) ->> 'code', 'auth_required',
  'a deleted user''s token cannot send (auth_required, not a database error)');
select tests.clear_authentication();

-- A channel deleted on its own (the service role), its room holding an active ban.
select lives_ok(format('delete from public.channels where id = (select channel_id from public.chatrooms where id = %L)', :'other'),
  'a channel whose room has an active ban is deleted');
select is((select count(*)::int from public.moderation_actions m where not exists (select 1 from public.chatrooms r where r.id = m.chatroom_id)), 0,
  'no log row outlives its room');

select * from finish();
rollback;
