-- Lockdown: every room has a preset (defaults: followers-only 10 minutes, account age 1 day,
-- verified email) that its staff read and edit; set_chat_lockdown saves the settings, applies the
-- stricter of each setting and the preset, and restores what was saved when switched off, with
-- lockdown.started / lockdown.ended and settings.updated on the room topic.
begin;
select plan(33);

select tests.create_chat_world('ld');
select tests.create_user('ld_other_owner');
select tests.create_user('ld_fresh', now() - interval '2 hours');
create temporary table t (room uuid, topic text) on commit drop;
insert into t select tests.chatroom_of('ld_owner'), 'chatroom:' || tests.chatroom_of('ld_owner');
grant select on t to anon, authenticated, service_role;
update public.chatrooms set slow_mode_seconds = 30, min_account_age_minutes = 2880 where id = (select room from t);
insert into public.follows (user_id, channel_id)
select tests.user_id('ld_fresh'), channel_id from public.chatrooms where id = (select room from t);
update public.follows set created_at = now() - interval '1 hour' where user_id = tests.user_id('ld_fresh');

-- the preset -------------------------------------------------------------------------------------
select is((select row(slow_mode_seconds, followers_only_minutes, subscribers_only, emotes_only, min_account_age_minutes, require_verified_email, is_active)::text
    from public.chatroom_lockdowns where chatroom_id = (select room from t)),
  '(0,10,f,f,1440,t,f)', 'every room has a lockdown preset: followers-only 10 minutes, account age 1 day, verified email');
select is(tests.try_as('ld_owner', $$ select * from public.chatroom_lockdowns $$), 'rows:1', 'the owner reads the room''s lockdown');
select is(tests.try_as('ld_mod', $$ select * from public.chatroom_lockdowns where chatroom_id = (select room from t) $$), 'rows:1', 'a moderator reads it');
select is(tests.try_as('ld_vip', $$ select * from public.chatroom_lockdowns where chatroom_id = (select room from t) $$), 'rows:0', 'a VIP does not');
select is(tests.try_as('ld_stranger', $$ select * from public.chatroom_lockdowns where chatroom_id = (select room from t) $$), 'rows:0', 'a viewer does not');
select is(tests.try_as(null, $$ select * from public.chatroom_lockdowns $$), '42501', 'anon does not');
select is(tests.try_as('ld_mod', $$ update public.chatroom_lockdowns set emotes_only = false, followers_only_minutes = 15 where chatroom_id = (select room from t) $$),
  'rows:1', 'a moderator edits the preset');
select is(tests.try_as('ld_vip', $$ update public.chatroom_lockdowns set followers_only_minutes = 0 where chatroom_id = (select room from t) $$), 'rows:0',
  'a VIP cannot edit it');
select is(tests.try_as('ld_other_owner', $$ update public.chatroom_lockdowns set followers_only_minutes = 0 where chatroom_id = (select room from t) $$), 'rows:0',
  'another channel''s owner cannot edit it');
select is(tests.try_as('ld_owner', $$ update public.chatroom_lockdowns set slow_mode_seconds = 2 where chatroom_id = (select room from t) $$), '23514',
  'the preset keeps the settings'' ranges');
select is(tests.try_as('ld_owner', $$ update public.chatroom_lockdowns set is_active = true where chatroom_id = (select room from t) $$), '42501',
  'the state changes only through set_chat_lockdown');
select is((select count(*) from public.chatroom_lockdowns l join public.channels c on true join public.chatrooms r on r.channel_id = c.id and r.id = l.chatroom_id
    where c.slug = 'ld_other_owner')::int, 1, 'a new channel''s room gets its preset');

-- switching it on and off ------------------------------------------------------------------------
select is(tests.api_code(null, $$ select public.set_chat_lockdown((select room from t), true) $$), 'auth_required', 'anon cannot lock a room down');
select is(tests.api_code('ld_vip', $$ select public.set_chat_lockdown((select room from t), true) $$), 'not_staff', 'a VIP cannot');
select is(tests.api_code('ld_stranger', $$ select public.set_chat_lockdown((select room from t), true) $$), 'not_staff', 'a viewer cannot');
select is(tests.api_code('ld_mod', $$ select public.set_chat_lockdown(gen_random_uuid(), true) $$), 'chatroom_not_found', 'an unknown room gives chatroom_not_found');
select is(tests.api_code('ld_mod', $$ select public.set_chat_lockdown((select room from t), null) $$), 'invalid_argument', 'enabled must be true or false');
select is(tests.send_code('ld_fresh', (select room from t), 'before'), 'chat_account_too_new', 'before: the room wants 2-day-old accounts');
update public.chatrooms set min_account_age_minutes = null where id = (select room from t);
select is(tests.send_code('ld_fresh', (select room from t), 'before'), 'ok', 'before: a 2-hour-old account that follows for an hour chats');
update public.chatrooms set min_account_age_minutes = 2880 where id = (select room from t);
-- Count only what lockdown sends (broadcast rows cannot be deleted: postgres holds no DELETE on them).
select count(*) as settings_before from tests.broadcasts((select topic from t)) where event = 'settings.updated' \gset

select is(tests.api_as('ld_mod', $$ select public.set_chat_lockdown((select room from t), true) $$) -> 'result' -> 'saved_settings',
  '{"emotes_only": false, "subscribers_only": false, "slow_mode_seconds": 30, "followers_only_minutes": null, "require_verified_email": false, "min_account_age_minutes": 2880}',
  'a moderator locks the room down; the settings are saved');
select is((select row(slow_mode_seconds, followers_only_minutes, subscribers_only, emotes_only, min_account_age_minutes, require_verified_email)::text
    from public.chatrooms where id = (select room from t)), '(30,15,f,f,2880,t)',
  'each setting becomes the stricter of the room''s and the preset''s');
select is(tests.send_code('ld_fresh', (select room from t), 'during'), 'chat_account_too_new', 'during: new accounts are kept out');
select is(tests.send_code('ld_vip', (select room from t), 'vip during'), 'ok', 'VIPs keep their exemptions');
select is((select (count(*) filter (where event = 'lockdown.started'))::text || ',' || (count(*) filter (where event = 'settings.updated') - :settings_before)::text
    from tests.broadcasts((select topic from t))), '1,1', 'lockdown.started and settings.updated reach the room topic');
select is(tests.api_as('ld_owner', $$ select public.set_chat_lockdown((select room from t), true) $$) -> 'result' ->> 'is_active', 'true',
  'locking down a locked room changes nothing');
select is((select count(*) from tests.broadcasts((select topic from t)) where event = 'lockdown.started')::int, 1, 'and sends nothing');

select is(tests.api_as('ld_owner', $$ select public.set_chat_lockdown((select room from t), false) $$) -> 'result' ->> 'is_active', 'false', 'the owner ends the lockdown');
select is((select row(slow_mode_seconds, followers_only_minutes, subscribers_only, emotes_only, min_account_age_minutes, require_verified_email)::text
    from public.chatrooms where id = (select room from t)), '(30,,f,f,2880,f)', 'the saved settings are restored');
select is((select count(*) from tests.broadcasts((select topic from t)) where event in ('lockdown.ended', 'settings.updated'))::int - :settings_before, 3,
  'lockdown.ended and a second settings.updated are sent');
select is(tests.api_code('ld_owner', $$ select public.set_chat_lockdown((select room from t), false) $$), 'ok', 'ending it twice is harmless');
select is((select array_agg(action order by id) from public.moderation_actions where chatroom_id = (select room from t)
    and action in ('lockdown.started', 'lockdown.ended', 'settings.updated') and created_at = now() and actor_id is not null
    and (action <> 'settings.updated' or details -> 'after' ->> 'require_verified_email' <> details -> 'before' ->> 'require_verified_email')),
  array['settings.updated', 'lockdown.started', 'settings.updated', 'lockdown.ended'], 'both switches and their settings changes are logged');
select is((select actor_id from public.moderation_actions where chatroom_id = (select room from t) and action = 'lockdown.started'), tests.user_id('ld_mod'),
  'under the moderator who started it');

select tests.authenticate_as_service_role();
select is(tests.api($$ select public.set_chat_lockdown((select room from t), true) $$) ->> 'code', 'auth_required',
  'the service role has no user to lock down as (it edits chatrooms directly)');
select tests.clear_authentication();

select * from finish();
rollback;
