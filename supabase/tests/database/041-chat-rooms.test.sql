-- Chatrooms and their configuration: settings, rules, blocked terms, emotes, chat identities, for
-- every role (anon, stranger, owner, moderator, VIP, subscriber, banned, service role).
begin;
select plan(80);

select tests.create_chat_world('chat');
select tests.create_user('other_owner');

-- chatrooms ---------------------------------------------------------------------------------------
select isnt(tests.chatroom_of('chat_owner'), null, 'a chatroom is created with every channel');
select is((select count(*) from public.channels c where not exists (select 1 from public.chatrooms r where r.channel_id = c.id))::int, 0,
  'every existing channel has a chatroom');
select throws_ok($$ insert into public.chatrooms (channel_id) select channel_id from public.chatrooms limit 1 $$, '23505', null,
  'a channel has exactly one chatroom');

select tests.authenticate_as_anon();
select is((select count(*) from public.chatrooms where id = tests.chatroom_of('chat_owner'))::int, 1, 'anon can read chatrooms');
select throws_ok($$ update public.chatrooms set slow_mode_seconds = 10 $$, '42501', null, 'anon cannot update chatroom settings');

select tests.authenticate_as('chat_stranger');
select is((select count(*) from public.chatrooms where id = tests.chatroom_of('chat_owner'))::int, 1, 'a signed-in user can read chatrooms');
update public.chatrooms set slow_mode_seconds = 10 where id = tests.chatroom_of('chat_owner');
select throws_ok($$ insert into public.chatrooms (channel_id) values (gen_random_uuid()) $$, '42501', null,
  'a user cannot create chatrooms');
select tests.authenticate_as('chat_vip');
update public.chatrooms set slow_mode_seconds = 11 where id = tests.chatroom_of('chat_owner');
select tests.authenticate_as('chat_sub');
update public.chatrooms set slow_mode_seconds = 12 where id = tests.chatroom_of('chat_owner');
select tests.authenticate_as('chat_banned');
update public.chatrooms set slow_mode_seconds = 13 where id = tests.chatroom_of('chat_owner');
select tests.authenticate_as('chat_og');
update public.chatrooms set slow_mode_seconds = 14 where id = tests.chatroom_of('chat_owner');
select tests.clear_authentication();
select is((select slow_mode_seconds from public.chatrooms where id = tests.chatroom_of('chat_owner')), 0,
  'a stranger, VIP, OG, subscriber or banned user cannot change chat settings');
select is((select count(*) from tests.broadcasts('chatroom:' || tests.chatroom_of('chat_owner')) where event = 'settings.updated')::int, 0,
  'refused setting changes send nothing');

select tests.authenticate_as('chat_owner');
update public.chatrooms set slow_mode_seconds = 30, emotes_only = true where id = tests.chatroom_of('chat_owner');
select tests.clear_authentication();
select is((select slow_mode_seconds from public.chatrooms where id = tests.chatroom_of('chat_owner')), 30, 'the owner can change chat settings');
select is((select payload - 'id' from tests.broadcasts('chatroom:' || tests.chatroom_of('chat_owner')) where event = 'settings.updated'),
  jsonb_build_object('chatroom_id', tests.chatroom_of('chat_owner'), 'slow_mode_seconds', 30, 'followers_only_minutes', null,
    'subscribers_only', false, 'emotes_only', true, 'min_account_age_minutes', null, 'require_verified_email', false),
  'a settings change sends settings.updated with the settings on the chatroom topic');
select is((select private from tests.broadcasts('chatroom:' || tests.chatroom_of('chat_owner')) where event = 'settings.updated'), true,
  'settings.updated is a private broadcast');

select tests.authenticate_as('chat_mod');
update public.chatrooms set followers_only_minutes = 10, subscribers_only = true, min_account_age_minutes = 60,
  require_verified_email = true where id = tests.chatroom_of('chat_owner');
select tests.clear_authentication();
select is((select followers_only_minutes from public.chatrooms where id = tests.chatroom_of('chat_owner')), 10, 'a moderator can change chat settings');

select tests.authenticate_as('chat_owner');
select throws_ok($$ update public.chatrooms set pinned_message_id = null, pinned_until = now() where id = tests.chatroom_of('chat_owner') $$,
  '42501', null, 'staff cannot write the pin columns directly');
select throws_ok($$ update public.chatrooms set channel_id = gen_random_uuid() where id = tests.chatroom_of('chat_owner') $$,
  '42501', null, 'staff cannot move a chatroom to another channel');
select throws_ok($$ update public.chatrooms set slow_mode_seconds = 2 where id = tests.chatroom_of('chat_owner') $$, '23514', null,
  'slow mode of 2 seconds is refused');
select lives_ok($$ update public.chatrooms set slow_mode_seconds = 3 where id = tests.chatroom_of('chat_owner') $$, 'slow mode of 3 seconds is allowed');
select lives_ok($$ update public.chatrooms set slow_mode_seconds = 120 where id = tests.chatroom_of('chat_owner') $$, 'slow mode of 120 seconds is allowed');
select throws_ok($$ update public.chatrooms set slow_mode_seconds = 121 where id = tests.chatroom_of('chat_owner') $$, '23514', null,
  'slow mode of 121 seconds is refused');
select lives_ok($$ update public.chatrooms set slow_mode_seconds = 0 where id = tests.chatroom_of('chat_owner') $$, 'slow mode can be turned off (0)');
select lives_ok($$ update public.chatrooms set followers_only_minutes = 0 where id = tests.chatroom_of('chat_owner') $$, 'followers-only of 0 minutes is allowed');
select lives_ok($$ update public.chatrooms set followers_only_minutes = 129600 where id = tests.chatroom_of('chat_owner') $$, 'followers-only of 129600 minutes is allowed');
select throws_ok($$ update public.chatrooms set followers_only_minutes = 129601 where id = tests.chatroom_of('chat_owner') $$, '23514', null,
  'followers-only over 129600 minutes is refused');
select throws_ok($$ update public.chatrooms set followers_only_minutes = -1 where id = tests.chatroom_of('chat_owner') $$, '23514', null,
  'negative followers-only minutes are refused');
select lives_ok($$ update public.chatrooms set min_account_age_minutes = 259200 where id = tests.chatroom_of('chat_owner') $$, 'an account age of 259200 minutes is allowed');
select throws_ok($$ update public.chatrooms set min_account_age_minutes = 259201 where id = tests.chatroom_of('chat_owner') $$, '23514', null,
  'an account age over 259200 minutes is refused');
select tests.clear_authentication();

select tests.authenticate_as_service_role();
select lives_ok($$ update public.chatrooms set emotes_only = false where id = tests.chatroom_of('chat_owner') $$, 'the service role can change chatrooms');
select tests.clear_authentication();

-- chatroom_rules ----------------------------------------------------------------------------------
select tests.authenticate_as('chat_owner');
select lives_ok($$ insert into public.chatroom_rules (chatroom_id, position, body) values (tests.chatroom_of('chat_owner'), 0, 'Be kind.') $$,
  'the owner can add a rule');
select lives_ok($$ insert into public.chatroom_rules (chatroom_id, position, body) values (tests.chatroom_of('chat_owner'), 1, repeat('x', 500)) $$,
  'a rule of 500 characters is allowed');
select throws_ok($$ insert into public.chatroom_rules (chatroom_id, body) values (tests.chatroom_of('chat_owner'), repeat('x', 501)) $$, '23514', null,
  'a rule of 501 characters is refused');
select throws_ok($$ insert into public.chatroom_rules (chatroom_id, body) values (tests.chatroom_of('chat_owner'), '') $$, '23514', null,
  'an empty rule is refused');
select throws_ok($$ insert into public.chatroom_rules (chatroom_id, body) values (tests.chatroom_of('other_owner'), 'Mine now') $$, '42501', null,
  'an owner cannot add rules to another channel''s chatroom');
select tests.authenticate_as('chat_mod');
select lives_ok($$ insert into public.chatroom_rules (chatroom_id, position, body) values (tests.chatroom_of('chat_owner'), 2, 'No spoilers.') $$,
  'a moderator can add a rule');
select tests.authenticate_as('chat_vip');
select throws_ok($$ insert into public.chatroom_rules (chatroom_id, body) values (tests.chatroom_of('chat_owner'), 'VIP rule') $$, '42501', null,
  'a VIP cannot add rules');
select tests.authenticate_as('chat_stranger');
select throws_ok($$ insert into public.chatroom_rules (chatroom_id, body) values (tests.chatroom_of('chat_owner'), 'My rule') $$, '42501', null,
  'a stranger cannot add rules');
delete from public.chatroom_rules where chatroom_id = tests.chatroom_of('chat_owner');
select is((select count(*) from public.chatroom_rules where chatroom_id = tests.chatroom_of('chat_owner'))::int, 3,
  'a stranger can read rules but not delete them');
select tests.authenticate_as_anon();
select is((select count(*) from public.chatroom_rules where chatroom_id = tests.chatroom_of('chat_owner'))::int, 3, 'anon can read rules');
select throws_ok($$ insert into public.chatroom_rules (chatroom_id, body) values (tests.chatroom_of('chat_owner'), 'x') $$, '42501', null,
  'anon cannot add rules');
select tests.clear_authentication();
insert into public.chatroom_rules (chatroom_id, position, body)
select tests.chatroom_of('chat_owner'), g, 'Rule ' || g from generate_series(4, 19) g;
select tests.authenticate_as('chat_owner');
select lives_ok($$ insert into public.chatroom_rules (chatroom_id, position, body) values (tests.chatroom_of('chat_owner'), 20, 'The 20th rule') $$,
  'the 20th rule is allowed');
select throws_ok($$ insert into public.chatroom_rules (chatroom_id, position, body) values (tests.chatroom_of('chat_owner'), 21, 'The 21st rule') $$,
  '23514', null, 'the 21st rule is refused');
select tests.authenticate_as('chat_mod');
delete from public.chatroom_rules where chatroom_id = tests.chatroom_of('chat_owner') and body = 'The 20th rule';
select tests.clear_authentication();
select is((select count(*) from public.chatroom_rules where chatroom_id = tests.chatroom_of('chat_owner'))::int, 19, 'a moderator can delete a rule');

-- chatroom_blocked_terms --------------------------------------------------------------------------
select tests.authenticate_as('chat_owner');
select lives_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('chat_owner'), 'ab') $$,
  'a blocked term of 2 characters is allowed');
select throws_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('chat_owner'), 'a') $$, '23514', null,
  'a blocked term of 1 character is refused');
select lives_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('chat_owner'), repeat('x', 500)) $$,
  'a blocked term of 500 characters is allowed');
select throws_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('chat_owner'), repeat('x', 501)) $$, '23514', null,
  'a blocked term of 501 characters is refused');
select lives_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term, expires_at)
  values (tests.chatroom_of('chat_owner'), '*bait', now() + interval '1 day'), (tests.chatroom_of('chat_owner'), 'spoil*', null),
         (tests.chatroom_of('chat_owner'), '*both* words', null) $$,
  'wildcards at a word''s start or end are allowed');
select throws_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('chat_owner'), 'mid*dle') $$, '23514', null,
  'a wildcard inside a word is refused');
select throws_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('chat_owner'), '**') $$, '23514', null,
  'a term of wildcards only is refused');
select is((select created_by from public.chatroom_blocked_terms where term = 'ab'), tests.user_id('chat_owner'),
  'a blocked term records who added it');
select throws_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term, created_by)
  values (tests.chatroom_of('chat_owner'), 'framed', tests.user_id('chat_mod')) $$, '42501', null,
  'staff cannot attribute a term to someone else');
select tests.authenticate_as('chat_mod');
select is((select count(*) from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('chat_owner'))::int, 5,
  'a moderator can read the blocked terms');
select lives_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('chat_owner'), 'modterm') $$,
  'a moderator can add a blocked term');
delete from public.chatroom_blocked_terms where term = 'ab';
select is((select count(*) from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('chat_owner'))::int, 5,
  'a moderator can delete a blocked term');
select tests.authenticate_as('chat_vip');
select is((select count(*) from public.chatroom_blocked_terms)::int, 0, 'a VIP cannot read blocked terms');
select throws_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('chat_owner'), 'viplist') $$, '42501', null,
  'a VIP cannot add blocked terms');
select tests.authenticate_as('chat_stranger');
select is((select count(*) from public.chatroom_blocked_terms)::int, 0, 'a stranger cannot read blocked terms');
delete from public.chatroom_blocked_terms;
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.chatroom_blocked_terms $$, '42501', null, 'anon cannot read blocked terms');
select tests.clear_authentication();
select is((select count(*) from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('chat_owner'))::int, 5,
  'a stranger cannot delete blocked terms');

-- emotes ------------------------------------------------------------------------------------------
select tests.authenticate_as('chat_owner');
select lives_ok($$ insert into public.emotes (channel_id, code, image_url, subscribers_only)
  values (private.owned_channel_id(auth.uid()), 'chatHype', 'https://cdn.example.test/hype.png', true) $$,
  'an owner can add an emote to their channel');
select lives_ok($$ insert into public.emotes (channel_id, code, image_url)
  values (private.owned_channel_id(auth.uid()), 'ab', 'https://cdn.example.test/ab.png'),
         (private.owned_channel_id(auth.uid()), repeat('c', 25), 'https://cdn.example.test/c.png') $$,
  'emote codes of 2 and 25 characters are allowed');
select throws_ok($$ insert into public.emotes (channel_id, code, image_url)
  values (private.owned_channel_id(auth.uid()), 'a', 'https://cdn.example.test/a.png') $$, '23514', null, 'an emote code of 1 character is refused');
select throws_ok($$ insert into public.emotes (channel_id, code, image_url)
  values (private.owned_channel_id(auth.uid()), repeat('c', 26), 'https://cdn.example.test/c.png') $$, '23514', null, 'an emote code of 26 characters is refused');
select throws_ok($$ insert into public.emotes (channel_id, code, image_url)
  values (private.owned_channel_id(auth.uid()), 'bad-code', 'https://cdn.example.test/c.png') $$, '23514', null, 'an emote code outside [A-Za-z0-9_] is refused');
select throws_ok($$ insert into public.emotes (channel_id, code, image_url)
  values (private.owned_channel_id(auth.uid()), 'chatHype', 'https://cdn.example.test/again.png') $$, '23505', null,
  'emote codes are unique per channel');
select throws_ok($$ insert into public.emotes (channel_id, code, image_url)
  values ((select id from public.channels where slug = 'other_owner'), 'stolen', 'https://cdn.example.test/s.png') $$, '42501', null,
  'an owner cannot add emotes to another channel');
select throws_ok($$ insert into public.emotes (channel_id, code, image_url) values (null, 'GlobalMine', 'https://cdn.example.test/g.png') $$,
  '42501', null, 'an owner cannot add global emotes');
select tests.authenticate_as('other_owner');
select lives_ok($$ insert into public.emotes (channel_id, code, image_url)
  values (private.owned_channel_id(auth.uid()), 'chatHype', 'https://cdn.example.test/other.png') $$,
  'two channels can use the same emote code');
select tests.authenticate_as('chat_mod');
select throws_ok($$ insert into public.emotes (channel_id, code, image_url)
  values ((select channel_id from public.chatrooms where id = tests.chatroom_of('chat_owner')), 'modEmote', 'https://cdn.example.test/m.png') $$,
  '42501', null, 'a moderator cannot add emotes');
delete from public.emotes where code = 'ab';
select tests.authenticate_as_anon();
select is((select count(*) from public.emotes where code = 'ab')::int, 1, 'anon can read emotes, and a moderator cannot delete them');
select tests.authenticate_as('chat_owner');
delete from public.emotes where code = 'ab';
select is((select count(*) from public.emotes where code = 'ab')::int, 0, 'the owner can delete their emotes');
select tests.authenticate_as_service_role();
select lives_ok($$ insert into public.emotes (code, image_url) values ('GlobalWave', 'https://cdn.example.test/wave.png') $$,
  'the service role can add global emotes');
select throws_ok($$ insert into public.emotes (code, image_url) values ('GlobalWave', 'https://cdn.example.test/wave2.png') $$, '23505', null,
  'global emote codes are unique');
select throws_ok($$ insert into public.emotes (code, image_url, subscribers_only) values ('GlobalSub', 'https://cdn.example.test/s.png', true) $$,
  '23514', null, 'global emotes cannot be subscriber-only');
select tests.clear_authentication();

-- chat_identities ---------------------------------------------------------------------------------
select tests.authenticate_as('chat_sub');
select lives_ok($$ insert into public.chat_identities (chatroom_id, user_id, color, badges)
  values (tests.chatroom_of('chat_owner'), auth.uid(), '#1E90FF', '{subscriber}') $$,
  'a subscriber can choose a color and their subscriber badge');
select throws_ok($$ update public.chat_identities set color = 'blue' where user_id = auth.uid() $$, '23514', null,
  'a color must be #RRGGBB');
select throws_ok($$ update public.chat_identities set badges = '{moderator}' where user_id = auth.uid() $$, '23514', null,
  'a user cannot show a badge they do not hold');
select throws_ok($$ insert into public.chat_identities (chatroom_id, user_id, color)
  values (tests.chatroom_of('chat_owner'), tests.user_id('chat_vip'), '#000000') $$, '42501', null,
  'a user cannot create someone else''s chat identity');
select tests.authenticate_as('chat_mod');
select lives_ok($$ insert into public.chat_identities (chatroom_id, user_id, badges)
  values (tests.chatroom_of('chat_owner'), auth.uid(), '{moderator}') $$, 'a moderator can show their moderator badge');
update public.chat_identities set color = '#FF0000' where user_id = tests.user_id('chat_sub');
select tests.authenticate_as_anon();
select is((select color from public.chat_identities where user_id = tests.user_id('chat_sub')), '#1E90FF',
  'anon can read chat identities, and nobody changes someone else''s');
select throws_ok($$ insert into public.chat_identities (chatroom_id, user_id) values (tests.chatroom_of('chat_owner'), tests.user_id('chat_sub')) $$,
  '42501', null, 'anon cannot create chat identities');
select tests.clear_authentication();

select * from finish();
rollback;
