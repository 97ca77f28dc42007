-- Raids: the owner or a moderator of a live channel raids another live channel that accepts raids
-- (allow_raids, raids_followed_only, no block between the owners), at most once per 10 minutes, and
-- may cancel within 90 s; raid.started / raid.incoming / raid.canceled and a raid_incoming
-- notification; the staff of either channel read the raids, nobody writes them directly.
begin;
select plan(50);

select tests.create_chat_world('rd');
select tests.create_user('rd_target', now() - interval '1 year');
select tests.create_user('rd_offline', now() - interval '1 year');
create temporary table t (source uuid, target uuid, offline uuid, target_room uuid) on commit drop;
insert into t select
  (select id from public.channels where slug = 'rd_owner'), (select id from public.channels where slug = 'rd_target'),
  (select id from public.channels where slug = 'rd_offline'), tests.chatroom_of('rd_target');
grant select on t to anon, authenticated, service_role;
insert into public.livestreams (channel_id, title, viewer_count)
values ((select source from t), 'Source live', 42), ((select target from t), 'Target live', 7);

-- who may start one --------------------------------------------------------------------------------
select is(tests.api_code(null, $$ select public.start_raid((select target from t)) $$), 'auth_required', 'anon cannot start a raid (auth_required, as every RPC)');
select is(tests.api_code('rd_vip', $$ select public.start_raid((select target from t), (select source from t)) $$), 'not_staff',
  'a VIP of the source cannot raid from it');
select is(tests.api_code('rd_stranger', $$ select public.start_raid((select target from t), (select source from t)) $$), 'not_staff',
  'a stranger cannot raid from someone else''s channel');
select is(tests.api_code('rd_stranger', $$ select public.start_raid((select target from t)) $$), 'raid_source_not_live',
  'a channel that is not live cannot raid (the caller''s own channel by default)');
select is(tests.api_code('rd_mod', $$ select public.start_raid((select target from t), gen_random_uuid()) $$), 'channel_not_found',
  'an unknown source channel gives channel_not_found');
select is(tests.api_code('rd_owner', $$ select public.start_raid(gen_random_uuid()) $$), 'channel_not_found',
  'an unknown target gives channel_not_found');
select is(tests.api_code('rd_owner', $$ select public.start_raid((select source from t)) $$), 'raid_same_channel',
  'a channel cannot raid itself');
select is(tests.api_code('rd_owner', $$ select public.start_raid((select offline from t)) $$), 'raid_target_not_live',
  'the target must be live');

-- what the target accepts --------------------------------------------------------------------------
select is(tests.try_as('rd_target', $$ update public.channels set allow_raids = false where slug = 'rd_target' $$), 'rows:1',
  'the target''s owner turns raids off');
select is(tests.try_as('rd_owner', $$ update public.channels set allow_raids = true where slug = 'rd_target' $$), 'rows:0',
  'nobody else can turn them back on');
select is(tests.api_code('rd_owner', $$ select public.start_raid((select target from t)) $$), 'raids_disabled',
  'a channel with allow_raids off refuses raids');
update public.channels set allow_raids = true, raids_followed_only = true where slug = 'rd_target';
select is(tests.api_as('rd_owner', $$ select public.start_raid((select target from t)) $$) ->> 'status', '403',
  'raid_not_followed answers 403');
select is(tests.api_code('rd_owner', $$ select public.start_raid((select target from t)) $$), 'raid_not_followed',
  'a channel that accepts raids only from followed channels refuses one it does not follow');
insert into public.follows (user_id, channel_id) values (tests.user_id('rd_target'), (select source from t));
insert into public.user_blocks (blocker_id, blocked_id) values (tests.user_id('rd_target'), tests.user_id('rd_owner'));
select is(tests.api_code('rd_owner', $$ select public.start_raid((select target from t)) $$), 'raids_disabled',
  'a target whose owner blocks the raider''s owner refuses (without saying why)');
delete from public.user_blocks where blocker_id = tests.user_id('rd_target');
insert into public.user_blocks (blocker_id, blocked_id) values (tests.user_id('rd_owner'), tests.user_id('rd_target'));
select is(tests.api_code('rd_mod', $$ select public.start_raid((select target from t), (select source from t)) $$), 'raids_disabled',
  'so does one the raider''s owner blocks');
delete from public.user_blocks where blocker_id = tests.user_id('rd_owner');
select is(count(*)::int, 0, 'no refused attempt wrote a raid') from public.raids;

-- a raid ---------------------------------------------------------------------------------------------
select is(tests.api_code('rd_mod', $$ select public.start_raid((select target from t), (select source from t)) $$), 'ok',
  'a moderator of the live source raids a followed live target');
select is((select row(source_channel_id = (select source from t), target_channel_id = (select target from t), started_by = tests.user_id('rd_mod'), viewer_count)::text
    from public.raids), '(t,t,t,42)', 'the raids row names both channels, the moderator and the source''s viewer count');
select is((select payload - 'id' - 'created_at' from tests.broadcasts('channel:' || (select source from t)) where event = 'raid.started'),
  jsonb_build_object('source_channel_id', (select source from t), 'target_channel_id', (select target from t), 'target_slug', 'rd_target', 'viewer_count', 42),
  'raid.started on the source''s channel topic names the target''s slug and the viewer count');
select is((select payload - 'id' - 'created_at' from tests.broadcasts('chatroom:' || (select target_room from t)) where event = 'raid.incoming'),
  jsonb_build_object('raider_channel_id', (select source from t), 'raider_slug', 'rd_owner', 'raider_display_name', 'rd_owner', 'viewer_count', 42),
  'raid.incoming on the target''s chatroom names the raider and the viewer count');
select is((select row(kind, channel_id = (select target from t), actor_id = tests.user_id('rd_owner'), payload ->> 'raider_slug', (payload ->> 'viewer_count')::int,
      (payload ->> 'raid_id')::bigint = (select id from public.raids))::text
    from public.notifications where user_id = tests.user_id('rd_target')), '(raid_incoming,t,t,rd_owner,42,t)',
  'the target''s owner gets a raid_incoming notification');
select is((select count(*)::int from tests.broadcasts('user:' || tests.user_id('rd_target')) where event = 'notification.created'), 1,
  'which arrives as notification.created');

-- the cooldown -------------------------------------------------------------------------------------
select is(tests.api_code('rd_owner', $$ select public.start_raid((select target from t)) $$), 'raid_cooldown',
  'a second raid within 10 minutes is refused');
select ok((tests.api_as('rd_owner', $$ select public.start_raid((select target from t)) $$) -> 'details' ->> 'retry_after_seconds')::int between 595 and 600,
  'with retry_after_seconds until the 10 minutes are over');
update public.raids set created_at = now() - interval '9 minutes 58 seconds';
select is(tests.api_code('rd_owner', $$ select public.start_raid((select target from t)) $$), 'raid_cooldown', 'still refused at 9 min 58 s');
update public.raids set created_at = now() - interval '10 minutes 1 second';
select is(tests.api_code('rd_owner', $$ select public.start_raid((select target from t)) $$), 'ok', 'allowed again after 10 minutes');

-- reading raids ------------------------------------------------------------------------------------
select is(tests.try_as(null, $$ select * from public.raids $$), '42501', 'anon cannot read raids');
select is(tests.try_as('rd_owner', $$ select * from public.raids $$), 'rows:2', 'the source''s owner reads its raids');
select is(tests.try_as('rd_mod', $$ select * from public.raids $$), 'rows:2', 'a source moderator reads them');
select is(tests.try_as('rd_target', $$ select * from public.raids $$), 'rows:2', 'the target''s owner reads the raids it received');
select is(tests.try_as('rd_vip', $$ select * from public.raids $$), 'rows:0', 'a VIP does not');
select is(tests.try_as('rd_stranger', $$ select * from public.raids $$), 'rows:0', 'a stranger does not');
select is(tests.try_as('service_role', $$ select * from public.raids $$), 'rows:2', 'the service role reads all');
select is(tests.try_as('rd_owner', $$ insert into public.raids (source_channel_id, target_channel_id) values ((select source from t), (select target from t)) $$),
  '42501', 'nobody inserts raids directly');
select is(tests.try_as('rd_owner', $$ update public.raids set canceled_at = now() $$), '42501', 'nor updates them');
select is(tests.try_as('rd_target', $$ delete from public.raids $$), '42501', 'nor deletes them');
select is(tests.plan_of($$ select * from public.raids where source_channel_id = '00000000-0000-0000-0000-000000000001' order by created_at desc limit 1 $$)
    like '%raids_source_channel_id_created_at_idx%', true, 'a source''s latest raid is an index look-up');

-- canceling ----------------------------------------------------------------------------------------
select is(tests.api_code('rd_vip', $$ select public.cancel_raid((select source from t)) $$), 'not_staff', 'a VIP cannot cancel');
select is(tests.api_code('rd_target', $$ select public.cancel_raid((select source from t)) $$), 'not_staff', 'nor can the target''s owner');
update public.raids set created_at = now() - interval '91 seconds' where id = (select max(id) from public.raids);
select is(tests.api_code('rd_owner', $$ select public.cancel_raid() $$), 'raid_cancel_expired', 'after 90 s a raid cannot be canceled');
update public.raids set created_at = now() - interval '89 seconds' where id = (select max(id) from public.raids);
select is(tests.api_code('rd_mod', $$ select public.cancel_raid((select source from t)) $$), 'ok', 'at 89 s a moderator cancels it');
select is((select row(canceled_at is not null, canceled_by = tests.user_id('rd_mod'))::text from public.raids where id = (select max(id) from public.raids)),
  '(t,t)', 'the raid is marked canceled, by whom');
select is((select count(*)::int from tests.broadcasts() where event = 'raid.canceled'
    and topic in ('channel:' || (select source from t), 'chatroom:' || (select target_room from t))
    and (payload ->> 'id')::bigint = (select max(id) from public.raids)), 2,
  'raid.canceled goes to the source''s channel topic and the target''s chatroom');
select is(tests.api_code('rd_owner', $$ select public.cancel_raid() $$), 'raid_not_found', 'there is nothing left to cancel');
select is(tests.api_code('rd_stranger', $$ select public.cancel_raid() $$), 'raid_not_found', 'a channel that never raided has nothing to cancel');
select is(tests.api_code('rd_owner', $$ select public.start_raid((select target from t)) $$), 'raid_cooldown',
  'a canceled raid still counts for the cooldown');
select is(tests.api_code(null, $$ select public.cancel_raid() $$), 'auth_required', 'anon cannot cancel (auth_required)');

-- who receives the events -----------------------------------------------------------------------
select ok(tests.realtime_can('receive', null, 'chatroom:' || (select target_room from t)), 'anyone in the target''s chat receives raid.incoming');
select ok(tests.realtime_can('receive', null, 'channel:' || (select source from t)), 'anyone watching the source receives raid.started');
select is((select count(*)::int from private.error_codes where code in ('channel_not_found', 'raid_source_not_live', 'raid_target_not_live',
    'raid_same_channel', 'raids_disabled', 'raid_not_followed', 'raid_cooldown', 'raid_not_found', 'raid_cancel_expired')), 9,
  'every raid refusal has its error code');

select * from finish();
rollback;
