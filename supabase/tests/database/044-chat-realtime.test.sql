-- Realtime authorization on chat topics (as Realtime checks it: tests.realtime_can), the
-- subscription.created event, and events that are private and absent after a rollback.
begin;
select plan(36);

select tests.create_chat_world('chat');
select tests.create_user('timed_out_before');
create temporary table t (room uuid, topic text, mods text) on commit drop;
insert into t select tests.chatroom_of('chat_owner'), 'chatroom:' || tests.chatroom_of('chat_owner'),
  'chatroom:' || tests.chatroom_of('chat_owner') || ':mods';
grant select on t to anon, authenticated, service_role;
insert into public.chatroom_bans (chatroom_id, user_id, banned_by)
values ((select room from t), tests.user_id('timed_out_before'), tests.user_id('chat_owner'));
update public.chatroom_bans set created_at = now() - interval '1 hour', expires_at = now() - interval '1 second'
where user_id = tests.user_id('timed_out_before');

-- chatroom:<id> — anyone receives ----------------------------------------------------------------
select is(tests.realtime_can('receive', null, (select topic from t)), true, 'anon can join a chatroom topic');
select is(tests.realtime_can('receive', 'chat_stranger', (select topic from t)), true, 'a stranger can join a chatroom topic');
select is(tests.realtime_can('receive', 'chat_banned', (select topic from t)), true, 'a banned user can still read the chatroom topic');
select is(tests.realtime_can('receive', 'chat_owner', (select topic from t)), true, 'the owner can join the chatroom topic');
select is(tests.realtime_can('receive', null, (select topic from t), 'presence'), true, 'anon can receive presence in a chatroom');
select is(tests.realtime_can('receive', null, 'chatroom:' || gen_random_uuid()), false, 'an unknown chatroom topic is refused');
select is(tests.realtime_can('receive', null, 'chatroom:not-a-uuid'), false, 'a malformed chatroom topic is refused');
select is(tests.realtime_can('receive', 'chat_stranger', (select topic from t) || ':other'), false, 'an unknown chatroom sub-topic is refused');

-- chatroom:<id>:mods — staff only ----------------------------------------------------------------
select is(tests.realtime_can('receive', 'chat_owner', (select mods from t)), true, 'the owner receives the mods topic');
select is(tests.realtime_can('receive', 'chat_mod', (select mods from t)), true, 'a moderator receives the mods topic');
select is(tests.realtime_can('receive', 'chat_vip', (select mods from t)), false, 'a VIP does not receive the mods topic');
select is(tests.realtime_can('receive', 'chat_og', (select mods from t)), false, 'an OG does not receive the mods topic');
select is(tests.realtime_can('receive', 'chat_sub', (select mods from t)), false, 'a subscriber does not receive the mods topic');
select is(tests.realtime_can('receive', 'chat_stranger', (select mods from t)), false, 'a stranger does not receive the mods topic');
select is(tests.realtime_can('receive', 'chat_banned', (select mods from t)), false, 'a banned user does not receive the mods topic');
select is(tests.realtime_can('receive', null, (select mods from t)), false, 'anon does not receive the mods topic');

-- sending: presence only, signed in and not banned -----------------------------------------------
select is(tests.realtime_can('send', 'chat_stranger', (select topic from t), 'presence'), true, 'a signed-in user can share presence in a chatroom');
select is(tests.realtime_can('send', 'chat_vip', (select topic from t), 'presence'), true, 'a VIP can share presence');
select is(tests.realtime_can('send', 'timed_out_before', (select topic from t), 'presence'), true, 'a user whose timeout ended can share presence');
select is(tests.realtime_can('send', 'chat_banned', (select topic from t), 'presence'), false, 'a banned user cannot share presence');
select is(tests.realtime_can('send', null, (select topic from t), 'presence'), false, 'anon cannot share presence');
select is(tests.realtime_can('send', 'chat_stranger', 'chatroom:' || gen_random_uuid(), 'presence'), false, 'no presence in an unknown chatroom');
select is(tests.realtime_can('send', 'chat_mod', (select mods from t), 'presence'), false, 'nobody shares presence on the mods topic');
select is(tests.realtime_can('send', 'chat_stranger', (select topic from t)), false, 'a user cannot broadcast on a chatroom topic');
select is(tests.realtime_can('send', 'chat_owner', (select topic from t)), false, 'the owner cannot broadcast on a chatroom topic');
select is(tests.realtime_can('send', 'chat_mod', (select mods from t)), false, 'a moderator cannot broadcast on the mods topic');
select is(tests.realtime_can('send', null, (select topic from t)), false, 'anon cannot broadcast on a chatroom topic');

-- the community topics keep working --------------------------------------------------------------
select is(tests.realtime_can('receive', null, 'channel:' || (select channel_id from public.chatrooms where id = (select room from t))), true,
  'anon still receives channel topics');
select is(tests.realtime_can('receive', 'chat_sub', 'user:' || tests.user_id('chat_sub')), true, 'a user still receives their own user topic');
select is(tests.realtime_can('receive', 'chat_sub', 'user:' || tests.user_id('chat_mod')), false, 'a user still cannot receive another user''s topic');

-- subscription.created ---------------------------------------------------------------------------
select tests.create_user('new_sub');
select tests.create_user('gifter');
select tests.authenticate_as_service_role();
insert into public.subscriptions (channel_id, user_id, tier, cumulative_months, current_period_end, is_gift, gifter_id)
select channel_id, tests.user_id('new_sub'), 2, 3, now() + interval '30 days', true, tests.user_id('gifter')
from public.chatrooms where id = (select room from t);
select tests.clear_authentication();
select is((select payload - 'id' from tests.broadcasts((select topic from t)) where event = 'subscription.created'
           and payload ->> 'user_id' = tests.user_id('new_sub')::text),
  jsonb_build_object('user_id', tests.user_id('new_sub'), 'username', 'new_sub', 'tier', 2, 'cumulative_months', 3, 'is_gift', true),
  'a new subscription sends subscription.created on the channel''s chatroom topic');
update public.subscriptions set tier = 3 where user_id = tests.user_id('new_sub');
select is((select count(*) from tests.broadcasts((select topic from t)) where event = 'subscription.created'
           and payload ->> 'user_id' = tests.user_id('new_sub')::text)::int, 1, 'changing a subscription sends no new subscription.created');

-- every chat event is private, and a rollback sends nothing --------------------------------------
select tests.api_code('chat_mod', $$ select public.clear_chat((select room from t)) $$) is not null as done;
select tests.send_code('chat_stranger', (select room from t), 'hello') is not null as done;
select tests.api_code('chat_mod', $$ select public.ban_user((select room from t), tests.user_id('chat_og'), 'test') $$) is not null as done;
select is((select count(*) from tests.broadcasts() where topic like 'chatroom:%' and not private)::int, 0, 'every chat event is a private broadcast');
select ok((select count(*) from tests.broadcasts() where topic like 'chatroom:%')::int >= 6, 'the chat events above were all sent');
create temporary table counted on commit drop as select count(*)::int as n from tests.broadcasts();
do $$
begin
  perform tests.api_code('chat_mod', $q$ select public.ban_user((select room from t), tests.user_id('chat_sub'), 'rolled back') $q$);
  perform tests.api_code('chat_mod', $q$ select public.clear_chat((select room from t)) $q$);
  insert into public.subscriptions (channel_id, user_id, current_period_end)
  select channel_id, tests.user_id('gifter'), now() + interval '30 days' from public.chatrooms where id = (select room from t);
  update public.chatrooms set slow_mode_seconds = 10 where id = (select room from t);
  raise exception 'roll it back';
exception when raise_exception then null;
end
$$;
select is((select count(*)::int from tests.broadcasts()), (select n from counted), 'changes rolled back send no events');
select is((select count(*) from public.chatroom_bans where user_id = tests.user_id('chat_sub'))::int, 0, 'and leave no rows');

select * from finish();
rollback;
