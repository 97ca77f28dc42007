-- What send_message reads instead of the source tables: a sender's facts per room
-- (private.chat_sender_facts) and each room's emote map (private.chatroom_emote_sets). Both must
-- follow every change to what they are built from, and no API role may reach them.
begin;
select plan(43);

select tests.create_chat_world('facts');
select tests.create_user('facts_fan');
select tests.create_user('facts_gifter');
select tests.create_user('facts_other_owner');
create temporary table t (room uuid, channel uuid, other_room uuid) on commit drop;
insert into t select r.id, r.channel_id, tests.chatroom_of('facts_other_owner')
from public.chatrooms r where r.id = tests.chatroom_of('facts_owner');
grant select on t to anon, authenticated, service_role;

create function pg_temp.facts(username text) returns private.chat_sender_facts language sql as $$
  select f from private.chat_sender_facts f where f.chatroom_id = (select room from t) and f.user_id = tests.user_id(username)
$$;
-- The whole table against a rebuild from the source tables: the invariant every change keeps.
create function pg_temp.matches_rebuild() returns boolean language plpgsql as $$
declare
  kept text;
  rebuilt text;
begin
  select string_agg(f::text, ';' order by f.chatroom_id, f.user_id) into kept from private.chat_sender_facts f;
  perform private.rebuild_chat_sender_facts();
  select string_agg(f::text, ';' order by f.chatroom_id, f.user_id) into rebuilt from private.chat_sender_facts f;
  return kept is not distinct from rebuilt;
end
$$;

-- the facts follow their tables --------------------------------------------------------------------
select is((pg_temp.facts('facts_owner')).is_owner and (pg_temp.facts('facts_owner')).is_staff, true,
  'a new channel''s owner is owner and staff in its room');
select is((pg_temp.facts('facts_mod')).roles, '{moderator}', 'a moderator''s role is kept');
select is((pg_temp.facts('facts_mod')).is_staff, true, 'a moderator is staff');
select is((pg_temp.facts('facts_vip')).is_staff, false, 'a VIP is not staff');
select is((pg_temp.facts('facts_banned')).banned_until, 'infinity', 'a permanent ban is kept as infinity');
select is((pg_temp.facts('facts_sub')).subscribed_months, 7, 'a subscriber''s months are kept');
select is(pg_temp.facts('facts_fan'), null, 'a user with no fact in the room has no row');

insert into public.follows (user_id, channel_id, created_at) values (tests.user_id('facts_fan'), (select channel from t), now() - interval '2 days');
select is((pg_temp.facts('facts_fan')).followed_at, now() - interval '2 days', 'a follow is kept with its time');
create temporary table fan_row as select ctid::text as version from private.chat_sender_facts
where chatroom_id = (select room from t) and user_id = tests.user_id('facts_fan');
update public.follows set notifications = false where user_id = tests.user_id('facts_fan');
select is((select ctid::text from private.chat_sender_facts where chatroom_id = (select room from t) and user_id = tests.user_id('facts_fan')),
  (select version from fan_row), 'turning a follow''s notifications off leaves the facts row untouched');
insert into public.channel_roles (channel_id, user_id, role) values ((select channel from t), tests.user_id('facts_fan'), 'og');
insert into public.channel_roles (channel_id, user_id, role) values ((select channel from t), tests.user_id('facts_fan'), 'vip');
select is((pg_temp.facts('facts_fan')).roles, '{vip,og}', 'roles are kept in display order');
insert into public.chat_identities (chatroom_id, user_id, color) values ((select room from t), tests.user_id('facts_fan'), '#112233');
update public.chat_identities set color = '#445566', badges = '{og}' where user_id = tests.user_id('facts_fan');
select is(((pg_temp.facts('facts_fan')).color, (pg_temp.facts('facts_fan')).chosen_badges), ('#445566'::text, '{og}'::text[]),
  'an identity change is kept');
insert into public.chatroom_bans (chatroom_id, user_id, banned_by, expires_at)
values ((select room from t), tests.user_id('facts_fan'), tests.user_id('facts_owner'), now() + interval '10 minutes');
select is((pg_temp.facts('facts_fan')).banned_until, now() + interval '10 minutes', 'a timeout is kept with its end');
select is(tests.send_code('facts_fan', (select room from t), 'hi'), 'chat_banned', 'the timed-out user is refused');
delete from public.chatroom_bans where user_id = tests.user_id('facts_fan');
select is((pg_temp.facts('facts_fan')).banned_until, null, 'a lifted ban is forgotten');
select is(tests.send_code('facts_fan', (select room from t), 'hi'), 'ok', 'and the user may chat again');

insert into public.subscriptions (channel_id, user_id, started_at, current_period_end, is_gift, gifter_id, cumulative_months)
values ((select channel from t), tests.user_id('facts_fan'), now() - interval '1 month', now() + interval '30 days', true,
  tests.user_id('facts_gifter'), 1);
select is((pg_temp.facts('facts_gifter')).gifts, 1, 'a gift counts for the gifter');
select is((pg_temp.facts('facts_fan')).subscribed_months, 1, 'and subscribes the recipient');
update public.subscriptions set current_period_end = now() - interval '1 second', cumulative_months = 2
where user_id = tests.user_id('facts_fan');
select is(((pg_temp.facts('facts_fan')).subscribed_months, (pg_temp.facts('facts_fan')).subscription_ends_at),
  (2, now() - interval '1 second'), 'a subscription change is kept with its end');
select is((private.chat_sender((select room from t), tests.user_id('facts_fan'))).subscribed_months, null,
  'a subscription past its end does not count');
update public.subscriptions set current_period_end = now() + interval '1 day' where user_id = tests.user_id('facts_fan');
select is((private.chat_sender((select room from t), tests.user_id('facts_fan'))).subscribed_months, 2,
  'a renewed one counts again');
select ok(pg_temp.matches_rebuild(), 'after follows, roles, identities, bans and subscriptions, the kept facts equal a rebuild');

delete from public.subscriptions where user_id = tests.user_id('facts_fan');
delete from public.channel_roles where user_id = tests.user_id('facts_fan');
delete from public.chat_identities where user_id = tests.user_id('facts_fan');
delete from public.follows where user_id = tests.user_id('facts_fan');
select is(pg_temp.facts('facts_fan'), null, 'a user whose every fact is gone loses the row');
select is(pg_temp.facts('facts_gifter'), null, 'a deleted gift no longer counts: the gifter, with no other fact, loses the row');
select ok(pg_temp.matches_rebuild(), 'after the deletes, the kept facts still equal a rebuild');

delete from public.channels where owner_id = tests.user_id('facts_fan');
update public.channels set owner_id = tests.user_id('facts_fan') where id = (select channel from t);
select is(((pg_temp.facts('facts_fan')).is_owner, (pg_temp.facts('facts_fan')).is_staff), (true, true),
  'a new owner becomes owner and staff');
select is(pg_temp.facts('facts_owner'), null, 'the previous owner, with no other fact, loses the row');
update public.channels set owner_id = tests.user_id('facts_owner') where id = (select channel from t);
select is(((pg_temp.facts('facts_owner')).is_owner, pg_temp.facts('facts_fan')), (true, null::private.chat_sender_facts),
  'handing it back restores the owner and drops the fan''s row');

delete from public.users where id = tests.user_id('facts_vip');
select is((select count(*)::integer from private.chat_sender_facts where user_id not in (select id from public.users)), 0,
  'a deleted user''s facts go with the user');
select ok(pg_temp.matches_rebuild(), 'after an ownership change and a deleted user, the kept facts equal a rebuild');

-- the room's emote set ------------------------------------------------------------------------------
insert into public.emotes (channel_id, code, image_url) values (null, 'FactsGlobal', 'https://cdn.test/g.png');
insert into public.emotes (channel_id, code, image_url) values ((select channel from t), 'factsRoom', 'https://cdn.test/r.png');
select is(tests.send_as('facts_og', (select room from t), 'factsRoom FactsGlobal') -> 'result' -> 'emotes' -> 0 ->> 'code',
  'factsRoom', 'a send finds the channel''s emote');
select ok(exists (select 1 from private.chatroom_emote_sets where chatroom_id = (select room from t)),
  'the first send builds the room''s emote set');
insert into public.emotes (channel_id, code, image_url, subscribers_only)
values ((select channel from t), 'factsSubOnly', 'https://cdn.test/s.png', true);
select ok(not exists (select 1 from private.chatroom_emote_sets where chatroom_id = (select room from t)),
  'a new channel emote drops that room''s set');
select is(jsonb_array_length(tests.send_as('facts_og', (select room from t), 'factsSubOnly x') -> 'result' -> 'emotes'), 0,
  'a subscriber-only emote is plain text for a non-subscriber');
select is(tests.send_as('facts_sub', (select room from t), 'factsSubOnly y') -> 'result' -> 'emotes' -> 0 ->> 'code',
  'factsSubOnly', 'and an emote for a subscriber, as soon as it is added');
select is(tests.send_code('facts_og', (select other_room from t), 'hello'), 'ok', 'a send in another room');
select ok(exists (select 1 from private.chatroom_emote_sets where chatroom_id = (select other_room from t)),
  'another room has its own set');
insert into public.emotes (channel_id, code, image_url) values (null, 'FactsGlobal2', 'https://cdn.test/g2.png');
select is((select count(*)::integer from private.chatroom_emote_sets), 0, 'a new global emote drops every room''s set');
select is(tests.send_as('facts_og', (select other_room from t), 'FactsGlobal2') -> 'result' -> 'emotes' -> 0 ->> 'code',
  'FactsGlobal2', 'the next send sees the new global emote');
update public.emotes set code = 'factsRenamed' where code = 'factsRoom';
select is(tests.send_as('facts_mod', (select room from t), 'factsRenamed factsRoom') -> 'result' -> 'emotes',
  (select jsonb_build_array(jsonb_build_object('id', id, 'code', 'factsRenamed', 'image_url', image_url,
     'positions', jsonb_build_array(jsonb_build_object('s', 0, 'e', 11)))) from public.emotes where code = 'factsRenamed'),
  'a renamed emote is found by its new code only');

-- no API role reaches either table or their functions ---------------------------------------------
select is(tests.try_as('facts_stranger', 'select * from private.chat_sender_facts'), '42501', 'a signed-in user cannot read the facts');
select is(tests.try_as(null, 'select * from private.chatroom_emote_sets'), '42501', 'anon cannot read the emote sets');
select is(tests.try_as('service_role', 'delete from private.chat_sender_facts'), '42501', 'the service role cannot change the facts');
select ok(not has_function_privilege('authenticated', 'private.rebuild_chat_sender_facts()', 'execute')
  and not has_function_privilege('service_role', 'private.refresh_chat_sender_facts(uuid[], uuid[])', 'execute')
  and not has_function_privilege('anon', 'private.chatroom_emote_set(uuid)', 'execute'),
  'no API role may run the builders');

select * from finish();
rollback;
