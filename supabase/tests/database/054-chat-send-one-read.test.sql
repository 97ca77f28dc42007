-- send_message reads the room, its emote map and term matcher and the sender's latest message and
-- refused attempt in one statement, and skips a rule's own work when that read shows nothing to check.
-- Each skip must give the answer the full rule gives: slow mode longer than the rate window, attempts,
-- a missing or expired matcher, a missing emote map; emote positions come from splitting the message.
begin;
select plan(23);

select tests.create_chat_world('one');
create temporary table t (room uuid, channel uuid) on commit drop;
insert into t select r.id, r.channel_id from public.chatrooms r where r.id = tests.chatroom_of('one_owner');
grant select on t to anon, authenticated, service_role;

-- the rate rules: skipped only when nothing is recent enough for them ------------------------------
select tests.add_message((select room from t), 'one_stranger', 'an old one', interval '31 seconds');
select is(tests.send_code('one_stranger', (select room from t), 'an old one'), 'ok',
  'a message 31 s old neither rate-limits nor counts as a duplicate');
select tests.add_message((select room from t), 'one_og', 'earlier', interval '40 seconds');
update public.chatrooms set slow_mode_seconds = 60 where id = (select room from t);
select is(tests.send_code('one_og', (select room from t), 'later'), 'chat_slow_mode',
  'slow mode longer than 30 s still sees a message 40 s old');
select is((tests.send_as('one_og', (select room from t), 'later') -> 'details' ->> 'retry_after_seconds')::integer, 20,
  'and says how long is left');
insert into private.chat_blocked_attempts (chatroom_id, user_id, content_form, created_at)
values ((select room from t), tests.user_id('one_sub'), 'x', now() - interval '50 seconds');
select is(tests.send_code('one_sub', (select room from t), 'hello'), 'chat_slow_mode',
  'a refused attempt 50 s ago counts for a 60 s slow mode');
update public.chatrooms set slow_mode_seconds = 0 where id = (select room from t);
select is(tests.send_code('one_sub', (select room from t), 'hello'), 'ok', 'with slow mode off the same send passes');
select is(tests.send_code('one_sub', (select room from t), 'hello'), 'chat_duplicate',
  'the message just sent makes the next one a duplicate');
insert into private.chat_blocked_attempts (chatroom_id, user_id, content_form)
select (select room from t), tests.user_id('one_vip'), 'spam ' || n from generate_series(1, 20) n;
select is(tests.send_code('one_vip', (select room from t), 'hi'), 'chat_rate_limited',
  '20 refused attempts in the window rate-limit the sender');

-- blocked terms: the matcher as read, rebuilt when missing or expired -----------------------------
insert into public.chatroom_blocked_terms (chatroom_id, term) values ((select room from t), 'forbidden');
select is(tests.send_code('one_stranger', (select room from t), 'a forbidden word'), 'chat_blocked_term',
  'a blocked term is refused');
delete from private.chatroom_term_matchers where chatroom_id = (select room from t);
select is(tests.send_code('one_stranger', (select room from t), 'still forbidden'), 'chat_blocked_term',
  'a room whose matcher is missing gets it rebuilt by the send');
select is((select max_words from private.chatroom_term_matchers where chatroom_id = (select room from t)), 1,
  'and the rebuilt matcher is kept');
-- A term whose end has passed, in a matcher built while it was live (as time alone leaves it).
insert into public.chatroom_blocked_terms (chatroom_id, term, expires_at)
values ((select room from t), 'shortcut', now() + interval '1 hour');
update public.chatroom_blocked_terms set expires_at = now() - interval '1 second' where term = 'shortcut';
update private.chatroom_term_matchers set exact = exact || '{"shortcut": true}', next_expiry = now() + interval '1 hour'
where chatroom_id = (select room from t);
select is(tests.send_code('one_stranger', (select room from t), 'shortcut now'), 'chat_blocked_term',
  'the matcher as read is what a send checks');
update private.chatroom_term_matchers set next_expiry = now() - interval '1 second' where chatroom_id = (select room from t);
select is(tests.send_code('one_stranger', (select room from t), 'shortcut indeed'), 'ok',
  'a matcher past its next expiry is rebuilt, so a term past its end no longer blocks');
select is(tests.send_code('one_mod', (select room from t), 'forbidden for others'), 'ok', 'staff skip blocked terms');
delete from public.chatroom_blocked_terms where chatroom_id = (select room from t);
select is(tests.send_code('one_stranger', (select room from t), 'forbidden no more'), 'ok',
  'a room with no terms left blocks nothing');

-- emotes: the map as read, positions from the message's splits -------------------------------------
insert into public.emotes (channel_id, code, image_url) values
  (null, 'OneGlobal', 'https://cdn.example/one-global.png'),
  ((select channel from t), 'OneRoom', 'https://cdn.example/one}room.png');
insert into public.emotes (channel_id, code, image_url, subscribers_only)
values ((select channel from t), 'OneSub', 'https://cdn.example/one-sub.png', true);
delete from private.chatroom_emote_sets where chatroom_id = (select room from t);
select is(
  (select jsonb_agg(jsonb_build_object('code', e ->> 'code', 'positions', e -> 'positions'))
   from jsonb_array_elements(tests.send_as('one_sub', (select room from t), E'OneRoom\u3000OneGlobal x  OneRoom OneSub') -> 'result' -> 'emotes') e),
  '[{"code": "OneRoom", "positions": [{"s": 0, "e": 6}, {"s": 21, "e": 27}]},
    {"code": "OneGlobal", "positions": [{"s": 8, "e": 16}]},
    {"code": "OneSub", "positions": [{"s": 29, "e": 34}]}]'::jsonb,
  'emotes in order of first use, each with every position, across any whitespace');
select ok(exists (select 1 from private.chatroom_emote_sets where chatroom_id = (select room from t)),
  'a room whose emote map is missing gets it built by the send');
select is(
  (tests.send_as('one_sub', (select room from t), 'OneRoom') -> 'result' -> 'emotes' -> 0),
  jsonb_build_object('id', (select id from public.emotes where code = 'OneRoom'), 'code', 'OneRoom',
    'image_url', 'https://cdn.example/one}room.png', 'positions', '[{"s": 0, "e": 6}]'::jsonb),
  'an emote keeps its id, code and image (a brace in the address included)');
select is(
  jsonb_array_length(tests.send_as('one_stranger', (select room from t), 'OneSub OneGlobal') -> 'result' -> 'emotes'), 1,
  'a subscriber-only emote is plain text for a non-subscriber');
update public.chatrooms set emotes_only = true where id = (select room from t);
select is(tests.send_code('one_stranger', (select room from t), 'OneGlobal OneSub'), 'chat_emotes_only',
  'in emotes-only mode, a subscriber emote a non-subscriber cannot use is refused');
select is(tests.send_code('one_sub', (select room from t), E'\u2003OneSub  OneGlobal'), 'ok',
  'and accepted from a subscriber, whatever the spacing');

-- no API role reaches the new helpers --------------------------------------------------------------
select is(tests.try_as('one_stranger', $$ select private.message_emotes(null, true, false, 'x') $$), '42501',
  'authenticated cannot call message_emotes');
select is(tests.try_as(null, $$ select private.blocked_term_found(null, null, 'x') $$), '42501',
  'anon cannot call blocked_term_found');
select is(tests.try_as('one_stranger', $$ select private.blocked_term_found(null, null, 'x') $$), '42501',
  'authenticated cannot call blocked_term_found');

select * from finish();
rollback;
