-- send_message: every rule in API.md's order, both sides of each boundary, each role's exemptions,
-- the stored sender/emotes, and the events (none for a refusal or a rollback).
begin;
select plan(102);

select tests.create_chat_world('chat');
select tests.create_user('other_owner');
create temporary table t (room uuid, other_room uuid) on commit drop;
insert into t values (tests.chatroom_of('chat_owner'), tests.chatroom_of('other_owner'));
grant select on t to anon, authenticated, service_role;

-- who may call, and the room ---------------------------------------------------------------------
select is(tests.send_as(null, (select room from t), 'hi') - 'message',
  '{"code": "auth_required", "details": null, "status": 401}', 'anon gets auth_required (401)');
select tests.authenticate_as_service_role();
select is(tests.api($$ select public.send_message((select room from t), 'hi') $$) ->> 'code', 'auth_required',
  'the service role has no user to send as');
select tests.clear_authentication();
select is(tests.send_as('chat_stranger', gen_random_uuid(), 'hi') - 'message',
  '{"code": "chatroom_not_found", "details": null, "status": 404}', 'an unknown chatroom gives chatroom_not_found (404)');

-- a plain message --------------------------------------------------------------------------------
select is(tests.send_code('chat_stranger', (select room from t), '  hello there  '), 'ok', 'a stranger can send a message');
select is((select content from public.messages where user_id = tests.user_id('chat_stranger')), 'hello there',
  'the message is stored trimmed');
select is((select sender ->> 'username' from public.messages where user_id = tests.user_id('chat_stranger')), 'chat_stranger',
  'the message carries the sender''s username');
select is((select payload from tests.broadcasts('chatroom:' || (select room from t)) where event = 'message.created'),
  (select to_jsonb(m) from public.messages m where user_id = tests.user_id('chat_stranger')),
  'message.created carries the message row on the chatroom topic');
select is((select private from tests.broadcasts('chatroom:' || (select room from t)) where event = 'message.created'), true,
  'message.created is a private broadcast');
select is((tests.send_as('chat_og', (select room from t), 'og here') -> 'result' ->> 'content'), 'og here',
  'send_message returns the new row');

-- message_invalid --------------------------------------------------------------------------------
select is(tests.send_as('chat_og', (select room from t), E'  \n\t ') - 'message',
  '{"code": "message_invalid", "details": {"reason": "length"}, "status": 422}', 'a message empty after trimming is invalid (422)');
select is(tests.send_code('chat_owner', (select room from t), repeat('a', 500)), 'ok', 'a message of 500 characters is accepted');
select is(tests.send_code('chat_owner', (select room from t), repeat('b', 501)), 'message_invalid',
  'a message of 501 characters is invalid, even from the owner');
select is(tests.send_code('chat_owner', (select room from t), repeat('é', 500)), 'ok', 'the length counts characters, not bytes');
select is(tests.send_code('chat_og', (select room from t), 'a reply',
  (select id from public.messages where user_id = tests.user_id('chat_stranger'))), 'ok', 'a reply to a message in the room is accepted');
select is((select reply_to_id from public.messages where content = 'a reply'),
  (select id from public.messages where user_id = tests.user_id('chat_stranger')), 'the reply records what it answers');
select is(tests.send_code('chat_og', (select room from t), 'cross reply', tests.add_message((select other_room from t), 'other_owner', 'elsewhere')),
  'message_invalid', 'a reply to a message in another room is invalid');
select is(tests.send_code('chat_og', (select room from t), 'ghost reply', 999999999), 'message_invalid',
  'a reply to a message that does not exist is invalid');

-- chat_banned ------------------------------------------------------------------------------------
select is(tests.send_as('chat_banned', (select room from t), 'let me in') - 'message',
  '{"code": "chat_banned", "details": {"expires_at": null}, "status": 403}', 'a permanently banned user gets chat_banned (403)');
select is(tests.send_code('chat_banned', (select room from t), ''), 'message_invalid', 'an invalid message is reported before the ban');
select is(tests.send_code('chat_banned', (select other_room from t), 'hello elsewhere'), 'ok', 'a ban holds in its chatroom only');
select tests.create_user('timed_out');
insert into public.chatroom_bans (chatroom_id, user_id, banned_by, created_at, expires_at)
values ((select room from t), tests.user_id('timed_out'), tests.user_id('chat_owner'), now() - interval '10 minutes', now() + interval '1 second');
select is(tests.send_as('timed_out', (select room from t), 'still here?') -> 'details' ->> 'expires_at',
  to_jsonb(now() + interval '1 second') #>> '{}', 'a timeout one second before its end refuses, with expires_at');
update public.chatroom_bans set expires_at = now() - interval '1 second' where user_id = tests.user_id('timed_out');
select is(tests.send_code('timed_out', (select room from t), 'back again'), 'ok', 'a timeout one second past its end lets the user chat');

-- account age ------------------------------------------------------------------------------------
update public.chatrooms set min_account_age_minutes = 60 where id = (select room from t);
select tests.create_user('young', now() - interval '59 minutes 59 seconds');
select tests.create_user('old_enough', now() - interval '60 minutes');
select is(tests.send_as('young', (select room from t), 'first!') - 'message',
  '{"code": "chat_account_too_new", "details": {"required_minutes": 60}, "status": 403}',
  'an account one second too young gets chat_account_too_new with required_minutes');
select is(tests.send_code('old_enough', (select room from t), 'made it'), 'ok', 'an account exactly old enough may chat');
select is(tests.send_code('chat_vip', (select room from t), 'vip is new'), 'ok', 'a VIP bypasses the account age requirement');
select tests.create_user('young_mod', now());
insert into public.channel_roles (channel_id, user_id, role)
select channel_id, tests.user_id('young_mod'), 'moderator' from public.chatrooms where id = (select room from t);
select is(tests.send_code('young_mod', (select room from t), 'mod is new'), 'ok', 'a moderator bypasses the account age requirement');
update public.chatrooms set min_account_age_minutes = null where id = (select room from t);

-- verified email ---------------------------------------------------------------------------------
update public.chatrooms set require_verified_email = true where id = (select room from t);
select tests.create_user('unverified', now() - interval '1 year', false);
select is(tests.send_as('unverified', (select room from t), 'hello?') - 'message',
  '{"code": "chat_email_unverified", "details": null, "status": 403}', 'an unverified account gets chat_email_unverified (403)');
select is(tests.send_code('chat_stranger', (select room from t), 'verified here'), 'ok', 'a verified account may chat');
select is(tests.send_code('chat_vip', (select room from t), 'vip unverified'), 'ok', 'a VIP bypasses the verified email requirement');
update public.chatrooms set min_account_age_minutes = 60 where id = (select room from t);
select tests.create_user('young_unverified', now(), false);
select is(tests.send_code('young_unverified', (select room from t), 'which first'), 'chat_account_too_new',
  'account age is checked before the verified email');
update public.chatrooms set min_account_age_minutes = null, require_verified_email = false where id = (select room from t);

-- followers-only ---------------------------------------------------------------------------------
update public.chatrooms set followers_only_minutes = 10 where id = (select room from t);
select tests.create_user('fan_new');
select tests.create_user('fan_old');
insert into public.follows (user_id, channel_id, created_at)
select tests.user_id('fan_new'), channel_id, now() - interval '9 minutes 59 seconds' from public.chatrooms where id = (select room from t)
union all
select tests.user_id('fan_old'), channel_id, now() - interval '10 minutes' from public.chatrooms where id = (select room from t);
select is(tests.send_as('chat_og', (select room from t), 'not a follower') - 'message',
  '{"code": "chat_followers_only", "details": {"required_minutes": 10}, "status": 403}',
  'a non-follower gets chat_followers_only with required_minutes');
select is(tests.send_code('fan_new', (select room from t), 'almost'), 'chat_followers_only',
  'a follower one second short of the minimum is refused');
select is(tests.send_code('fan_old', (select room from t), 'just in time'), 'ok', 'a follower of exactly the minimum may chat');
select is(tests.send_code('chat_vip', (select room from t), 'vip not following'), 'ok', 'a VIP bypasses followers-only');
select is(tests.send_code('chat_mod', (select room from t), 'mod not following'), 'ok', 'a moderator bypasses followers-only');
update public.chatrooms set followers_only_minutes = 0 where id = (select room from t);
select is(tests.send_code('fan_new', (select room from t), 'any follower now'), 'ok', 'followers-only 0 admits any follower');
select is(tests.send_code('chat_og', (select room from t), 'still not following'), 'chat_followers_only', 'followers-only 0 still needs a follow');
update public.chatrooms set followers_only_minutes = null where id = (select room from t);

-- subscribers-only -------------------------------------------------------------------------------
update public.chatrooms set subscribers_only = true where id = (select room from t);
select is(tests.send_as('chat_og', (select room from t), 'not subbed') - 'message',
  '{"code": "chat_subscribers_only", "details": null, "status": 403}', 'a non-subscriber gets chat_subscribers_only (403)');
select is(tests.send_code('chat_sub', (select room from t), 'subbed'), 'ok', 'a subscriber may chat in subscribers-only');
select is(tests.send_code('chat_vip', (select room from t), 'vip not subbed'), 'ok', 'a VIP bypasses subscribers-only');
select is(tests.send_code('chat_owner', (select room from t), 'owner not subbed'), 'ok', 'the owner bypasses subscribers-only');
select tests.create_user('lapsed');
insert into public.subscriptions (channel_id, user_id, started_at, current_period_end)
select channel_id, tests.user_id('lapsed'), now() - interval '2 months', now() - interval '1 second' from public.chatrooms where id = (select room from t);
select is(tests.send_code('lapsed', (select room from t), 'lapsed sub'), 'chat_subscribers_only', 'an expired subscription does not count');
update public.chatrooms set subscribers_only = false where id = (select room from t);

-- emotes -----------------------------------------------------------------------------------------
insert into public.emotes (channel_id, code, image_url) values (null, 'GlobalWave', 'https://cdn.example.test/gw.png'),
  (null, 'chatWave', 'https://cdn.example.test/global-chatwave.png');
insert into public.emotes (channel_id, code, image_url, subscribers_only)
select channel_id, e.code, e.url, e.sub from public.chatrooms, (values
  ('chatWave', 'https://cdn.example.test/chatwave.png', false), ('chatHype', 'https://cdn.example.test/hype.png', true)) e (code, url, sub)
where id = (select room from t);
select tests.create_user('emoter');
select is(tests.send_code('emoter', (select room from t), 'chatWave hi chatWave GlobalWave chatHype'), 'ok', 'a message with emotes is sent');
select is((select jsonb_agg(e - 'id' order by e ->> 'code') from public.messages m, jsonb_array_elements(m.emotes) e
           where m.user_id = tests.user_id('emoter')),
  '[{"code": "GlobalWave", "image_url": "https://cdn.example.test/gw.png", "positions": [{"s": 21, "e": 30}]},
    {"code": "chatWave", "image_url": "https://cdn.example.test/chatwave.png", "positions": [{"s": 0, "e": 7}, {"s": 12, "e": 19}]}]',
  'the message lists the emotes it uses with their positions; a channel emote wins over a global one; a subscriber-only emote needs a subscription');
select is((select array_agg(e ->> 'code' order by n) from public.messages m, jsonb_array_elements(m.emotes) with ordinality x (e, n)
           where m.user_id = tests.user_id('emoter')),
  array['chatWave', 'GlobalWave'], 'the emotes are listed in the order they first appear in the message');
select is(tests.send_code('emoter', (select room from t), 'GlobalWave   chatWave  GlobalWave'), 'ok',
  'a message with runs of spaces between emotes is sent');
select is((select jsonb_agg(e -> 'positions' order by n) from public.messages m, jsonb_array_elements(m.emotes) with ordinality x (e, n)
           where m.user_id = tests.user_id('emoter') and m.content like 'GlobalWave %'),
  '[[{"s": 0, "e": 9}, {"s": 23, "e": 32}], [{"s": 13, "e": 20}]]',
  'positions count every space of a run, so each emote is found where the text has it');
select is(tests.send_code('chat_sub', (select room from t), 'chatHype'), 'ok', 'a subscriber sends a subscriber-only emote');
select is((select m.emotes -> 0 ->> 'code' from public.messages m where m.user_id = tests.user_id('chat_sub') and m.content = 'chatHype'), 'chatHype',
  'a subscriber''s subscriber-only emote is rendered as an emote');
update public.chatrooms set emotes_only = true where id = (select room from t);
select is(tests.send_code('emoter', (select room from t), 'GlobalWave  chatWave'), 'ok', 'emotes-only accepts a message made of usable emotes');
select is(tests.send_as('emoter', (select room from t), 'GlobalWave hi') - 'message',
  '{"code": "chat_emotes_only", "details": null, "status": 403}', 'emotes-only refuses a word that is not an emote (403)');
select is(tests.send_code('emoter', (select room from t), 'chatHype'), 'chat_emotes_only', 'emotes-only refuses a subscriber-only emote from a non-subscriber');
select is(tests.send_code('chat_sub', (select room from t), 'chatHype chatWave'), 'ok', 'emotes-only accepts a subscriber''s subscriber-only emote');
select is(tests.send_code('chat_vip', (select room from t), 'vip words'), 'chat_emotes_only', 'a VIP does not bypass emotes-only');
select is(tests.send_code('chat_mod', (select room from t), 'mod words'), 'ok', 'a moderator bypasses emotes-only');
update public.chatrooms set emotes_only = false where id = (select room from t);

-- blocked terms ----------------------------------------------------------------------------------
insert into public.chatroom_blocked_terms (chatroom_id, term, created_by, expires_at)
select (select room from t), b.term, tests.user_id('chat_owner'), b.expires_at from (values
  ('spoil*', null::timestamptz), ('*bait', null), ('foo', null), ('bad word', null),
  ('expired', now() - interval '1 second'), ('soonGone', now() + interval '1 second')) b (term, expires_at);
select tests.create_user('troll');
select is(tests.send_as('troll', (select room from t), 'big SPOILER here'),
  '{"code": "chat_blocked_term", "message": "Your message contains a term this chat does not allow.", "details": null, "status": 403}',
  'a blocked term refuses the message with chat_blocked_term (403), never naming the term');
select is((select count(*) from public.messages where user_id = tests.user_id('troll'))::int, 0, 'a blocked message is not stored');
select is((select payload - 'id' from tests.broadcasts('chatroom:' || (select room from t) || ':mods') where event = 'message.blocked'),
  jsonb_build_object('user_id', tests.user_id('troll'), 'code', 'chat_blocked_term'), 'message.blocked reaches the mods topic');
select is((select details ->> 'content' from public.moderation_actions where action = 'message.blocked' and target_user_id = tests.user_id('troll')),
  'big SPOILER here', 'the refused text is kept in the private moderation log');
select is(tests.send_code('troll', (select room from t), 'spoil'), 'chat_blocked_term', 'a trailing wildcard matches zero characters');
select is(tests.send_code('troll', (select room from t), 'unspoiled'), 'ok', 'a term matches whole words only');
select is(tests.send_code('troll', (select room from t), 'pure ragebait'), 'chat_blocked_term', 'a leading wildcard matches a word''s start');
select is(tests.send_code('troll', (select room from t), 'baiting'), 'ok', 'a leading wildcard still ends at the word''s end');
select is(tests.send_code('troll', (select room from t), 'I like food'), 'ok', 'a term does not match inside a longer word');
select is(tests.send_code('troll', (select room from t), 'a FOO.'), 'chat_blocked_term', 'terms match case-insensitively, next to punctuation');
select is(tests.send_code('troll', (select room from t), 'so bad    word'), 'chat_blocked_term', 'a multi-word term matches across whitespace');
select is(tests.send_code('troll', (select room from t), 'bad words'), 'ok', 'a multi-word term keeps whole words');
select is(tests.send_code('troll', (select room from t), 'expired'), 'ok', 'an expired term is ignored');
select is(tests.send_code('troll', (select room from t), 'soongone'), 'chat_blocked_term', 'a term one second before it expires still blocks');
select is(tests.send_code('chat_vip', (select room from t), 'vip spoilers'), 'chat_blocked_term', 'a VIP does not bypass blocked terms');
select is(tests.send_code('chat_mod', (select room from t), 'mod spoilers'), 'ok', 'staff bypass blocked terms');
select is(tests.send_code('troll', (select room from t), 'x'), 'ok', 'a blocked send does not count against the sender');

-- slow mode --------------------------------------------------------------------------------------
update public.chatrooms set slow_mode_seconds = 30 where id = (select room from t);
select tests.create_user('slow1');
select tests.create_user('slow2');
select tests.add_message((select room from t), 'slow1', 'earlier', interval '29 seconds');
select tests.add_message((select room from t), 'slow2', 'earlier', interval '30 seconds');
select is(tests.send_as('slow1', (select room from t), 'again') - 'message',
  '{"code": "chat_slow_mode", "details": {"retry_after_seconds": 1}, "status": 429}',
  'one second short of slow mode gets chat_slow_mode (429) with retry_after_seconds');
select is(tests.send_code('slow2', (select room from t), 'again'), 'ok', 'exactly the slow mode wait may send');
select is(tests.send_as('slow2', (select room from t), 'and again') -> 'details', '{"retry_after_seconds": 30}',
  'retry_after_seconds counts the whole wait right after a message');
select tests.add_message((select room from t), 'chat_vip', 'vip earlier', interval '1 second');
select is(tests.send_code('chat_vip', (select room from t), 'vip again'), 'ok', 'a VIP bypasses slow mode');
select tests.add_message((select room from t), 'chat_mod', 'mod earlier', interval '1 second');
select is(tests.send_code('chat_mod', (select room from t), 'mod again'), 'ok', 'a moderator bypasses slow mode');
select is(tests.send_code('slow1', (select room from t), 'earlier'), 'chat_slow_mode', 'slow mode is checked before duplicates');
update public.chatrooms set slow_mode_seconds = 120 where id = (select room from t);
select tests.create_user('slow3');
select tests.add_message((select room from t), 'slow3', 'a while ago', interval '45 seconds');
select is(tests.send_as('slow3', (select room from t), 'now') -> 'details', '{"retry_after_seconds": 75}',
  'a slow mode longer than the 30 s rate window still counts from the latest message');
update public.chatrooms set slow_mode_seconds = 0 where id = (select room from t);

-- duplicates -------------------------------------------------------------------------------------
select tests.create_user('echo1');
select tests.create_user('echo2');
select tests.add_message((select room from t), 'echo1', 'same words', interval '29 seconds');
select tests.add_message((select room from t), 'echo2', 'same words', interval '30 seconds');
select is(tests.send_as('echo1', (select room from t), 'same words') - 'message',
  '{"code": "chat_duplicate", "details": null, "status": 429}', 'the same text within 30 seconds gets chat_duplicate (429)');
select is(tests.send_code('echo1', (select room from t), '  same words '), 'chat_duplicate', 'duplicates compare the trimmed text');
select is(tests.send_code('echo1', (select room from t), 'other words'), 'ok', 'different text is not a duplicate');
select is(tests.send_code('echo2', (select room from t), 'same words'), 'ok', 'the same text 30 seconds later is not a duplicate');
select is(tests.send_code('echo2', (select other_room from t), 'same words'), 'ok', 'the same text in another room is not a duplicate');
select tests.add_message((select room from t), 'chat_mod', 'mod repeat', interval '1 second');
select is(tests.send_code('chat_mod', (select room from t), 'mod repeat'), 'ok', 'staff may repeat themselves');

-- rate limit -------------------------------------------------------------------------------------
select tests.create_user('chatty');
select tests.create_user('chatty_old');
select tests.add_message((select room from t), 'chatty', 'burst ' || g, make_interval(secs => 25 - g)) from generate_series(1, 19) g;
select tests.add_message((select room from t), 'chatty_old', 'burst ' || g, interval '30 seconds') from generate_series(1, 20) g;
select is(tests.send_code('chatty', (select room from t), 'twentieth'), 'ok', 'the 20th message within 30 seconds is accepted');
select is(tests.send_as('chatty', (select room from t), 'twenty-first') - 'message',
  '{"code": "chat_rate_limited", "details": {"retry_after_seconds": 6}, "status": 429}',
  'the 21st message within 30 seconds gets chat_rate_limited (429), retry when the oldest leaves the window');
select is(tests.send_code('chatty_old', (select room from t), 'after the window'), 'ok', 'messages 30 seconds old leave the window');
select tests.add_message((select room from t), 'chat_vip', 'vip burst ' || g, interval '1 second') from generate_series(1, 20) g;
select is(tests.send_code('chat_vip', (select room from t), 'vip over'), 'chat_rate_limited', 'a VIP has the same rate limit');
select tests.create_user('rate_mod');
insert into public.channel_roles (channel_id, user_id, role)
select channel_id, tests.user_id('rate_mod'), 'moderator' from public.chatrooms where id = (select room from t);
select tests.add_message((select room from t), 'rate_mod', 'mod burst ' || g, interval '1 second') from generate_series(1, 99) g;
select is(tests.send_code('rate_mod', (select room from t), 'hundredth'), 'ok', 'staff may send 100 messages within 30 seconds');
select is(tests.send_as('rate_mod', (select room from t), 'hundred-first') ->> 'code', 'chat_rate_limited',
  'the 101st staff message within 30 seconds is rate limited');

-- the sender snapshot ----------------------------------------------------------------------------
insert into public.subscriber_badges (channel_id, months, image_url)
select channel_id, b.months, 'https://cdn.example.test/sub-' || b.months || '.png'
from public.chatrooms, (values (1), (6), (12)) b (months) where id = (select room from t);
insert into public.chat_identities (chatroom_id, user_id, color) values ((select room from t), tests.user_id('chat_sub'), '#FF7F50');
select is(tests.send_as('chat_sub', (select room from t), 'badge check') -> 'result' -> 'sender',
  jsonb_build_object('user_id', tests.user_id('chat_sub'), 'username', 'chat_sub', 'display_name', null, 'color', '#FF7F50',
    'badges', '[{"type": "subscriber", "text": "Subscriber", "count": 7, "image_url": "https://cdn.example.test/sub-6.png"}]'::jsonb),
  'the sender snapshot has color and the subscriber badge with months and the tenure''s image');
select is(tests.send_as('chat_owner', (select room from t), 'owner badge') -> 'result' -> 'sender' -> 'badges',
  '[{"type": "broadcaster", "text": "Broadcaster"}]', 'the owner carries the broadcaster badge');
update public.chat_identities set badges = '{}' where user_id = tests.user_id('chat_sub');
select is(tests.send_as('chat_sub', (select room from t), 'no badges') -> 'result' -> 'sender' -> 'badges', '[]',
  'a user can choose to show no badges');
update public.chat_identities set color = '#000000' where user_id = tests.user_id('chat_sub');
select is((select sender ->> 'color' from public.messages where content = 'badge check'), '#FF7F50',
  'a stored message keeps the identity it was sent with');

-- the messages table -----------------------------------------------------------------------------
select tests.authenticate_as_anon();
select ok((select count(*) from public.messages where chatroom_id = (select room from t)) > 0, 'anon can read messages');
select tests.authenticate_as('chat_owner');
select throws_ok($$ insert into public.messages (chatroom_id, user_id, content, sender)
  values ((select room from t), auth.uid(), 'direct', '{}') $$, '42501', null, 'nobody inserts messages directly, not even the owner');
select throws_ok($$ update public.messages set content = 'edited' where user_id = auth.uid() $$, '42501', null,
  'messages cannot be edited through the API');
select throws_ok($$ delete from public.messages where user_id = auth.uid() $$, '42501', null, 'messages cannot be deleted through the API');
select tests.authenticate_as_service_role();
select lives_ok($$ update public.messages set content = 'service edit' where content = 'x' $$, 'the service role can write messages');
select tests.clear_authentication();

-- events: none for a rollback ----------------------------------------------------------------------
select tests.create_user('rolled_back');
do $$
begin
  perform tests.send_code('rolled_back', (select room from t), 'never happened');
  raise exception 'roll it back';
exception when raise_exception then null;
end
$$;
select is((select count(*) from tests.broadcasts('chatroom:' || (select room from t))
           where event = 'message.created' and payload ->> 'content' = 'never happened')::int, 0,
  'a rolled-back send leaves no message.created');
select is((select count(*) from tests.broadcasts('chatroom:' || (select room from t))
           where event = 'message.created' and payload ->> 'user_id' = tests.user_id('slow1')::text and payload ->> 'content' = 'again')::int, 0,
  'a refused send leaves no message.created');

select * from finish();
rollback;
