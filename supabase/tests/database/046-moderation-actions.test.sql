-- The moderators' log (moderation_actions): every moderation path writes one row through
-- private.log_moderation_action and sends moderation.action on the mods topic; only the room's owner
-- and moderators read it, newest first by index; nobody writes it directly. Removed text also leaves
-- the realtime.messages rows (broadcast replay), within a bounded window, and message.deleted never
-- carries content.
begin;
select plan(55);

select tests.create_chat_world('ma');
select tests.create_user('ma_other_owner');
select tests.create_user('ma_target', now() - interval '1 year');
select tests.create_user('ma_spammer', now() - interval '1 year');
create temporary table t (room uuid, other uuid, mods text, topic text) on commit drop;
insert into t select tests.chatroom_of('ma_owner'), tests.chatroom_of('ma_other_owner'),
  'chatroom:' || tests.chatroom_of('ma_owner') || ':mods', 'chatroom:' || tests.chatroom_of('ma_owner');
grant select on t to anon, authenticated, service_role;
create temporary table msg (name text primary key, id bigint) on commit drop;
grant select on msg to anon, authenticated, service_role;
-- Start from an empty log for this room (the world's own ban and role grants are logged too).
delete from public.moderation_actions where chatroom_id = (select room from t);

-- every path writes one row --------------------------------------------------------------------
select is(tests.api_code('ma_mod', $$ select public.ban_user((select room from t), tests.user_id('ma_target'), 'slurs') $$), 'ok', 'a moderator bans');
select is(tests.api_code('ma_mod', $$ select public.ban_user((select room from t), tests.user_id('ma_target'), 'cool off', 600) $$), 'ok',
  'a moderator replaces the ban with a timeout');
select is(tests.api_code('ma_mod2', $$ select public.unban_user((select room from t), tests.user_id('ma_target')) $$), 'ok', 'a moderator unbans');
insert into msg values ('spam', (tests.send_as('ma_spammer', (select room from t), 'buy followers at example dot com') -> 'result' ->> 'id')::bigint);
select is(tests.api_code('ma_mod', $$ select public.delete_message((select id from msg where name = 'spam')) $$), 'ok', 'a moderator deletes a message');
select is(tests.api_code('ma_owner', $$ select public.clear_chat((select room from t), tests.user_id('ma_spammer')) $$), 'ok', 'the owner clears a user');
insert into msg values ('pin', tests.add_message((select room from t), 'ma_owner', 'schedule: 8pm'));
select is(tests.api_code('ma_mod', $$ select public.pin_message((select id from msg where name = 'pin'), 60) $$), 'ok', 'a moderator pins');
select is(tests.api_code('ma_mod', $$ select public.unpin_message((select room from t)) $$), 'ok', 'a moderator unpins');
select is(tests.api_code('ma_mod', $$ select public.unpin_message((select room from t)) $$), 'ok', 'unpinning twice is harmless');
select tests.authenticate_as('ma_mod');
update public.chatrooms set slow_mode_seconds = 5 where id = (select room from t);
update public.chatrooms set slow_mode_seconds = 5 where id = (select room from t);
select tests.authenticate_as('ma_owner');
insert into public.channel_roles (channel_id, user_id, role)
select channel_id, tests.user_id('ma_target'), 'vip' from public.chatrooms where id = (select room from t);
delete from public.channel_roles where user_id = tests.user_id('ma_target');
insert into public.chatroom_blocked_terms (chatroom_id, term) values ((select room from t), 'badword');
select tests.clear_authentication();
-- Blocked attempts count for slow mode: the spammer's earlier message is made old enough first.
update public.messages set created_at = created_at - interval '1 minute' where user_id = tests.user_id('ma_spammer');
select is(tests.send_code('ma_spammer', (select room from t), 'a badword here'), 'chat_blocked_term', 'a blocked term is refused');

select results_eq($$ select action, (select username::text from public.users where id = actor_id), (select username::text from public.users where id = target_user_id),
      reason from public.moderation_actions where chatroom_id = (select room from t) order by id $$,
  $$ values ('user.banned', 'ma_mod', 'ma_target', 'slurs'), ('user.timed_out', 'ma_mod', 'ma_target', 'cool off'),
            ('user.unbanned', 'ma_mod2', 'ma_target', null), ('message.deleted', 'ma_mod', 'ma_spammer', null),
            ('messages.cleared', 'ma_owner', 'ma_spammer', null), ('message.pinned', 'ma_mod', 'ma_owner', null),
            ('message.unpinned', 'ma_mod', null, null), ('settings.updated', 'ma_mod', null, null),
            ('role.granted', 'ma_owner', 'ma_target', null), ('role.revoked', 'ma_owner', 'ma_target', null),
            ('message.blocked', null, 'ma_spammer', null) $$,
  'each ban, timeout, unban, deletion, clear, pin, unpin, settings change, role grant and revoke and blocked term is one row, with actor and target');
select is((select details ->> 'content' from public.moderation_actions where action = 'message.deleted' and chatroom_id = (select room from t)),
  'buy followers at example dot com', 'a deletion keeps the removed text for staff (details.content)');
select is((select details ->> 'content' from public.moderation_actions where action = 'message.blocked' and chatroom_id = (select room from t)),
  'a badword here', 'a blocked-term hit keeps the attempted text for staff');
select is((select details from public.moderation_actions where action = 'settings.updated' and chatroom_id = (select room from t)) #> '{after,slow_mode_seconds}',
  '5', 'a settings change records before and after (and an update changing nothing logs nothing)');
select is((select details ->> 'role' from public.moderation_actions where action = 'role.granted' and chatroom_id = (select room from t)), 'vip',
  'a role change records the role');
select is((select array_agg(message_id = (select id from msg where name = 'pin')) from public.moderation_actions
    where action in ('message.pinned', 'message.unpinned') and chatroom_id = (select room from t)), array[true, true],
  'a pin and an unpin name the message (the unpin the one that was pinned)');
select is((select count(*) from tests.broadcasts((select mods from t)) where event = 'moderation.action'
    and (payload ->> 'id')::bigint in (select id from public.moderation_actions where chatroom_id = (select room from t)))::int,
  (select count(*) from public.moderation_actions where chatroom_id = (select room from t))::int,
  'each new row is sent as moderation.action on the mods topic');
select is((select payload - 'id' from tests.broadcasts((select mods from t)) where event = 'moderation.action' and payload ->> 'action' = 'message.unpinned'),
  (select to_jsonb(a) - 'id' from public.moderation_actions a where action = 'message.unpinned' and chatroom_id = (select room from t)),
  'moderation.action carries the row');

-- who reads it -----------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.moderation_actions $$, '42501', null, 'anon cannot read the log');
select tests.clear_authentication();
select is(tests.try_as('ma_owner', $$ select * from public.moderation_actions where chatroom_id = (select room from t) $$), 'rows:11',
  'the owner reads the room''s log');
select is(tests.try_as('ma_mod2', $$ select * from public.moderation_actions $$), 'rows:11', 'a moderator reads the room''s log');
select is(tests.try_as('ma_vip', $$ select * from public.moderation_actions $$), 'rows:0', 'a VIP reads nothing');
select is(tests.try_as('ma_target', $$ select * from public.moderation_actions $$), 'rows:0', 'the target of actions reads nothing');
select is(tests.try_as('ma_sub', $$ select * from public.moderation_actions $$), 'rows:0', 'a viewer reads nothing');
select is(tests.try_as('ma_other_owner', $$ select * from public.moderation_actions where chatroom_id = (select room from t) $$), 'rows:0',
  'another channel''s owner reads nothing of this room');
select is(tests.try_as('service_role', $$ select * from public.moderation_actions where chatroom_id = (select room from t) $$), 'rows:11',
  'the service role reads every log');
select is(tests.try_as('ma_mod', $$ select id from public.moderation_actions where chatroom_id = (select room from t)
    and id < (select max(id) from public.moderation_actions where chatroom_id = (select room from t)) order by id desc limit 3 $$), 'rows:3',
  'staff page through the log with a keyset');

-- nobody writes it -------------------------------------------------------------------------------
select is(tests.try_as('ma_owner', $$ insert into public.moderation_actions (chatroom_id, action) values ((select room from t), 'user.banned') $$), '42501',
  'the owner cannot write the log');
select is(tests.try_as('ma_mod', $$ update public.moderation_actions set reason = 'edited' $$), '42501', 'a moderator cannot edit the log');
select is(tests.try_as('ma_mod', $$ delete from public.moderation_actions $$), '42501', 'a moderator cannot erase the log');
select is(tests.try_as('service_role', $$ insert into public.moderation_actions (chatroom_id, action) values ((select room from t), 'user.banned') $$), '42501',
  'the service role cannot write the log either');
select is(tests.try_as('ma_mod', $$ select private.log_moderation_action((select room from t), null, null, 'user.banned', null, null, null) $$), '42501',
  'clients cannot call the log writer');
select throws_ok($$ select private.log_moderation_action((select room from t), null, null, 'user.kicked', null, null, null) $$, '23514', null,
  'an unknown action is refused');

-- the read plan: newest first per room, by index, no sort -----------------------------------------
-- 60 more rooms with 200 rows each, so one room is a small part of the table (as on a real site).
select tests.create_user('ma_filler_' || g) from generate_series(1, 60) g;
insert into public.moderation_actions (chatroom_id, action, details)
select r.id, 'settings.updated', '{}' from public.chatrooms r, generate_series(1, 200);
insert into public.moderation_actions (chatroom_id, action, details)
select (select room from t), 'settings.updated', '{}' from generate_series(1, 2000);
analyze public.moderation_actions;
select tests.authenticate_as('ma_mod');
select ok(tests.plan_of(format($q$ select * from public.moderation_actions where chatroom_id = %L and id < %s order by id desc limit 50 $q$,
  (select room from t), 2147483647)) like '%"Index Name": "moderation_actions_chatroom_id_id_idx"%', 'a log page uses (chatroom_id, id desc)');
select ok(tests.plan_of(format($q$ select * from public.moderation_actions where chatroom_id = %L and id < %s order by id desc limit 50 $q$,
  (select room from t), 2147483647)) not like '%"Node Type": "Sort"%', 'a log page of a busy room needs no sort');
select tests.clear_authentication();

-- removed means removed: realtime.messages no longer holds the text -------------------------------
select is((select count(*) from tests.broadcasts((select topic from t)) where event = 'message.created'
    and payload ->> 'id' = (select id::text from msg where name = 'spam') and payload ->> 'content' is null)::int, 1,
  'the deleted message''s message.created broadcast no longer holds its text');
select is((select payload - 'id' from tests.broadcasts((select topic from t)) where event = 'message.deleted'), '{}',
  'message.deleted carries only the id');
select is((select array_agg(topic) from realtime.messages where payload::text like '%buy followers%'), array[(select mods from t)],
  'the deleted text is left only in the staff-only mods topic (moderation.action, as in the log)');
select is((select payload -> 'emotes' from tests.broadcasts((select topic from t)) where event = 'message.created'
    and payload ->> 'id' = (select id::text from msg where name = 'spam')), '[]', 'and its emotes are gone');

insert into msg values
  ('a', (tests.send_as('ma_sub', (select room from t), 'sub talks') -> 'result' ->> 'id')::bigint),
  ('b', (tests.send_as('ma_og', (select room from t), 'og talks') -> 'result' ->> 'id')::bigint),
  ('elsewhere', (tests.send_as('ma_og', (select other from t), 'og elsewhere') -> 'result' ->> 'id')::bigint);
select is(tests.api_code('ma_mod', $$ select public.ban_user((select room from t), tests.user_id('ma_sub'), null, 60) $$), 'ok', 'a moderator times out a subscriber');
select is((select array_agg(payload ->> 'content' order by payload ->> 'id') from tests.broadcasts((select topic from t))
    where event = 'message.created' and payload ->> 'id' in (select id::text from msg where name in ('a', 'b'))),
  array[null, 'og talks'], 'a timeout scrubs that user''s broadcasts only');
select is(tests.api_code('ma_mod', $$ select public.pin_message((select id from msg where name = 'b')) $$), 'ok', 'a moderator pins the OG''s message');
select is(tests.api_code('ma_mod', $$ select public.clear_chat((select room from t)) $$), 'ok', 'a moderator clears the chat');
select is((select count(*) from tests.broadcasts((select topic from t)) where event = 'message.created' and payload ->> 'content' is not null)::int, 0,
  'clearing the chat scrubs every message.created of the room');
select is((select count(*) from tests.broadcasts((select topic from t)) where event = 'pin.updated' and payload -> 'message' ->> 'content' is not null)::int, 0,
  'and the pinned text inside pin.updated');
select is((select payload ->> 'content' from tests.broadcasts('chatroom:' || (select other from t)) where event = 'message.created'
    and payload ->> 'id' = (select id::text from msg where name = 'elsewhere')), 'og elsewhere', 'other rooms are untouched');
select is((select content from public.messages where id = (select id from msg where name = 'b')), null, 'clearing removes the text from history too');

-- the scrub reaches as far back as Realtime keeps broadcasts (daily partitions from yesterday on)
insert into realtime.messages (topic, extension, event, payload, private, inserted_at)
values ((select topic from t), 'broadcast', 'message.created', jsonb_build_object('id', -1, 'user_id', tests.user_id('ma_og'), 'content', 'yesterday'), true,
  date_trunc('day', now() at time zone 'UTC') - interval '12 hours');
select is(tests.api_code('ma_owner', $$ select public.clear_chat((select room from t)) $$), 'ok', 'the owner clears again');
select is((select payload ->> 'content' from realtime.messages where payload ->> 'id' = '-1'), null,
  'a broadcast from yesterday, the oldest partition Realtime keeps, is scrubbed too');

-- staff can still read what was removed, clients cannot
select is(tests.try_as('ma_mod', $$ select * from public.moderation_actions where action = 'message.deleted' and details ->> 'content' like 'buy followers%' $$),
  'rows:1', 'staff still read the removed text in the log');
select tests.authenticate_as_anon();
select is((select content from public.messages where id = (select id from msg where name = 'spam')), null, 'readers see no content for the deleted message');
select tests.clear_authentication();

-- the log is ordered and indexed per user too
select is(tests.try_as('ma_mod', $$ select * from public.moderation_actions where chatroom_id = (select room from t) and target_user_id = tests.user_id('ma_target')
    order by id desc $$), 'rows:5', 'a user''s record in a room (ban, timeout, unban, role granted and revoked)');
select is((select count(*) from public.moderation_actions where chatroom_id = (select room from t) and action = 'user.timed_out')::int, 2,
  'timeouts are logged as user.timed_out');
select is((select details ->> 'expires_at' is not null from public.moderation_actions where chatroom_id = (select room from t) and action = 'user.timed_out'
    and target_user_id = tests.user_id('ma_sub')), true, 'with their end');

-- A deleted account takes its roles along without a revoke in the log (it would name a user who is gone).
select tests.create_user('ma_leaving');
insert into public.channel_roles (channel_id, user_id, role)
select channel_id, tests.user_id('ma_leaving'), 'vip' from public.chatrooms where id = (select room from t);
select lives_ok($$ delete from public.users where username = 'ma_leaving' $$, 'a user who holds a channel role can be deleted');
select is((select count(*)::integer from public.moderation_actions where chatroom_id = (select room from t)
    and action = 'role.revoked' and target_user_id is null), 0, 'and no revoke is logged for them');

select * from finish();
rollback;
