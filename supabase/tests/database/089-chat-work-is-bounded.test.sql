-- A send's work is bounded by what may be sent and what a room may block (20261201180801,
-- 20261201180802, 20261201180803), found by a denial-of-service probe: a message may not spell out
-- past 1,000 characters under NFKC; a term has at most 10 words; a room's regular-expression terms
-- share a 1,000-character budget, and a room already past it still works; the duplicate rule reads
-- the forms a burst kept; the matcher finds what it found before. Speed is measured in bench/, never
-- asserted here.
begin;
select plan(57);

select tests.create_chat_world('wb') as room \gset
create function pg_temp.try_send(content text) returns text language sql as $$
  select tests.send_outcome('wb_og', tests.chatroom_of('wb_owner'), content)
$$;

-- The matching form: the same form, reached in fewer steps ----------------------------------------
select is(private.matching_form(c), f, d) from (values
  (E'\u0430\u0432\u0435\u043a\u043c\u043d\u043e\u0440\u0441\u0442\u0445\u0443\u0456\u0455\u0458\u0261\u03b1\u03bf\u03c1\u03bd\u0251 \u0430\u0432',
   'abekrnhopctxyisjgaopva ab', 'more than 16 different look-alikes are each read as their letter (the character-by-character path)'),
  (E'\u043d\u0430\u0440\u0440\u0443 \u0432\u043e\u0440\u0441', 'happy bopc', 'a few look-alikes are each replaced everywhere'),
  (E'free\u00a0\u00a0 money\u3000 now ', 'free rnoney now', 'exotic spaces and runs of spaces are one space'),
  ('ba' || repeat(E'\u0301', 4) || 'd', 'bad', 'a run of marks is removed at once'),
  ('plain  ascii   text', 'plain ascii text', 'ASCII runs of spaces collapse on the short path')
) v (c, f, d);

-- expanded_length: the compatibility form is at most 1,000 characters ------------------------------
select is(pg_temp.try_send(repeat(E'\ufdfa', 55) || 'abcdefghij'), 'ok',
  'a message whose NFKC is exactly 1,000 characters is sent (55 × U+FDFA is 990)');
select is(pg_temp.try_send(repeat(E'\ufdfa', 55) || 'abcdefghijk'), 'message_invalid:expanded_length',
  'one character more is refused with reason expanded_length');
select is(pg_temp.try_send(repeat(E'\ufb03', 333) || 'a'), 'ok', 'ligatures up to 1,000 letters are sent (333 × ﬃ is 999)');
select is(pg_temp.try_send(repeat(E'\ufb03', 333) || 'ab'), 'message_invalid:expanded_length', 'and refused past it');
select is(pg_temp.try_send('aaa a4 ' || repeat(E'\ufdfa', 490)), 'message_invalid:expanded_length',
  'the probe''s message (8,827 characters once folded) is refused');
select is(pg_temp.try_send(repeat('m', 500)), 'ok', 'a 500-character ASCII message is sent (its matching form is longer, NFKC is not)');
select is(pg_temp.try_send(repeat(E'\u4e2d', 500)), 'ok', '500 CJK characters are sent (NFKC leaves them as they are)');

-- A term has at most 10 words once folded --------------------------------------------------------
select lives_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('wb_owner'), 'go back to where you came from right now please') $$,
  'a phrase of 10 words is accepted');
select throws_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('wb_owner'), 'go back to where you came from right now please friend') $$,
  '23514', null, 'a phrase of 11 words is refused (23514)');
select is(tests.api_code('wb_owner', format($$ select tests.run(%L) $$,
    format('insert into public.chatroom_blocked_terms (chatroom_id, term) values (%L, %L)', :'room', E'\ufdfa \ufdfa \ufdfa'))),
  '23514', 'words are counted once folded: ﷺ ﷺ ﷺ is 12 words, refused through the API');
select is((select count(*)::int from public.chatroom_blocked_terms where chatroom_id = :'room'), 1, 'nothing refused was written');

-- The runs the matcher builds still find what they found -----------------------------------------
delete from public.chatroom_blocked_terms where chatroom_id = :'room';
insert into public.chatroom_blocked_terms (chatroom_id, term) values (:'room', 'badword'), (:'room', 'free money');
select is(pg_temp.try_send(c), e, d) from (values
  ('b' || repeat('a', 40) || 'd word', 'chat_blocked_term', 'refused: a held letter longer than every key still reads as the key'),
  ('fre ee money, aaah', 'chat_blocked_term', 'refused: three of a letter across a join count as held down'),
  ('fre ee money', 'ok', 'sent: as before, only a message holding a letter down is read held down'),
  ('bad word aaand more', 'chat_blocked_term', 'refused: a split term in a message that holds a letter down'),
  ('sooo as if', 'ok', 'sent: a held letter in one word does not join the next ones'),
  ('aaa a4 ' || repeat(E'\ufdfa', 54), 'ok', 'sent: the probe''s message at the length now allowed, nothing blocked in it')
) v (c, e, d);

-- A room with a long phrase (10 words, 48 letters each): every run of up to 11 words is read.
delete from public.chatroom_blocked_terms where chatroom_id = :'room';
insert into public.chatroom_blocked_terms (chatroom_id, term)
select :'room', string_agg(substr(repeat('abcdefghijklmnopqrstuvwxyz', 3), i, 48), ' ' order by i) from generate_series(1, 10) i;
select is((select m.max_words || '/' || m.max_key_bytes from private.chatroom_term_matchers m where m.chatroom_id = :'room'),
  (select '10/' || octet_length(translate(replace(private.matching_form(t.term), ' ', ''), 'l', 'i'))
   from public.chatroom_blocked_terms t where t.chatroom_id = :'room'),
  'the matcher keeps its longest key');
select is(pg_temp.try_send('aaa a4 ' || repeat(E'\ufdfa', 54)), 'ok', 'the probe''s message in a room with a long phrase is sent');
select is(pg_temp.try_send((select string_agg(substr(repeat('abcdefghijklmnopqrstuvwxyz', 3), i, 48), '_' order by i) from generate_series(1, 10) i)),
  'chat_blocked_term', 'and the phrase itself is refused');

-- join_fitting_term is PL/pgSQL (no plan to compile); sends run with jit off
select is((select l.lanname::text from pg_proc p join pg_language l on l.oid = p.prolang where p.oid = 'private.join_fitting_term'::regproc),
  'plpgsql', 'join_fitting_term is PL/pgSQL');
select ok((select 'jit=off' = any (p.proconfig) and 'enable_seqscan=off' = any (p.proconfig) from pg_proc p
           where p.oid = 'private.send_message(uuid,text,bigint)'::regprocedure),
  'private.send_message runs with jit off (and keeps enable_seqscan off)');
select is(private.join_fitting_term('{"badword": "badword"}', array['baa', 'adword'], 1, true), 'badword',
  'held down: three of a letter across a join, read once');
select is(private.join_fitting_term('{"badword": "badword"}', array['baaa', 'dwo', 'rd'], 2, true), null,
  'held down: a join two words longer than its term does not fit');

-- The patterns' budget -------------------------------------------------------------------------
delete from public.chatroom_blocked_terms where chatroom_id = :'room';
insert into public.chatroom_blocked_terms (chatroom_id, term)
select :'room', 'site' || g || '.example.com' from generate_series(10, 34) g;  -- 25 patterns of 36 or 37 characters
select cmp_ok((select sum(char_length(p))::int from private.chatroom_term_matchers m, unnest(m.patterns) p where m.chatroom_id = :'room'),
  '<=', 1000, 'terms with inner punctuation within the budget are accepted');
select is((select cardinality(patterns) from private.chatroom_term_matchers where chatroom_id = :'room'), 1, 'as one expression');
select throws_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term)
    select tests.chatroom_of('wb_owner'), 'other' || g || '.example.com' from generate_series(1, 5) g $$,
  '23514', null, 'an insert that takes the room past 1,000 characters of pattern is refused');
select is((select count(*)::int from public.chatroom_blocked_terms where chatroom_id = :'room'), 25, 'and none of its rows is written');
select is(tests.api_code('wb_mod', format($$ select tests.run(%L) $$,
    format('insert into public.chatroom_blocked_terms (chatroom_id, term) values (%L, %L)', :'room', repeat('ab.', 100) || 'ab'))),
  '23514', 'a moderator adding a term that takes the room past the budget gets 23514 through the API');
select lives_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('wb_owner'), 'badword') $$,
  'a term held by key is accepted in a room at its budget');
select is(pg_temp.try_send('see site20.example.com'), 'chat_blocked_term', 'a pattern term is refused');
select tests.send_code('wb_og', :'room', 'see site33.example.com now') as pattern_hit \gset
select is((select l.details ->> 'term' from public.moderation_actions l
           where l.target_user_id = tests.user_id('wb_og') and l.action = 'message.blocked' order by l.id desc limit 1),
  'site33.example.com', 'the moderators'' log names the pattern term that matched');
select throws_ok($$ select private.check_term_patterns(row(gen_random_uuid(), '{}', 0, '{}', 0, '{}', 0, null, '{}', 0, array['(unclosed'], '[]')::private.chatroom_term_matchers, 0) $$,
  '23514', null, 'a set of patterns PostgreSQL cannot compile is refused as 23514');

-- A room past the budget (terms stored before it): matched in pieces, still sending ---------------
select tests.create_chat_world('wc') as old_room \gset
-- Written as before these checks (the statement trigger checks and rebuilds; a rebuild follows).
alter table public.chatroom_blocked_terms disable trigger rebuild_term_matchers_on_insert;
insert into public.chatroom_blocked_terms (chatroom_id, term)
select :'old_room', string_agg(chr(97 + (g * 7 + k) % 26), '.' order by k) from generate_series(1, 12) g, generate_series(1, 200) k group by g;
insert into public.chatroom_blocked_terms (chatroom_id, term) values
  (:'old_room', 'one two three four five six seven eight nine ten eleven twelve');
alter table public.chatroom_blocked_terms enable trigger rebuild_term_matchers_on_insert;
select private.rebuild_term_matcher(:'old_room') is not null as rebuilt \gset
select cmp_ok((select cardinality(patterns) from private.chatroom_term_matchers where chatroom_id = :'old_room'), '>', 1,
  'a room past the budget is matched in several pieces');
select is((select max_words from private.chatroom_term_matchers where chatroom_id = :'old_room'), 0,
  'a stored phrase of 12 words is matched by its pattern, not as a key');
select is(tests.send_outcome('wc_og', :'old_room', 'hello there'), 'ok', 'an ordinary message in that room is sent (no 2201B)');
select is(tests.send_outcome('wc_og', :'old_room', 'one two three four five six seven eight nine ten eleven twelve'),
  'chat_blocked_term', 'the 12-word phrase is refused');
select is(tests.send_outcome('wc_og', :'old_room',
    (select 'x ' || string_agg(chr(97 + (12 * 7 + k) % 26), '.' order by k) from generate_series(1, 200) k)),
  'chat_blocked_term', 'the last long dotted term, in the last piece, is refused');
select lives_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('wc_owner'), 'badword') $$,
  'a room past the budget can still add a term held by key');
select throws_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('wc_owner'), 'bit.ly') $$,
  '23514', null, 'but not another pattern');
select lives_ok($$ update public.chatroom_blocked_terms set expires_at = now() + interval '1 day'
                   where chatroom_id = tests.chatroom_of('wc_owner') and term like 'one two %' $$,
  'a stored 12-word phrase can still be changed when its text is not');
select throws_ok($$ update public.chatroom_blocked_terms set term = term || ' thirteen'
                    where chatroom_id = tests.chatroom_of('wc_owner') and term like 'one two %' $$,
  '23514', null, 'its text cannot grow past 10 words again');
select lives_ok($$ delete from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('wc_owner') and term like '%.%' and term < 'm' $$,
  'terms can be removed from a room past the budget');

-- The duplicate rule reads the forms a burst kept --------------------------------------------------
select tests.create_chat_world('wd') as dup_room \gset
select tests.send_code('wd_og', :'dup_room', E'\u043d\u0430\u0440\u0440\u0443 one') as first_send \gset
select tests.send_code('wd_og', :'dup_room', E'\u043d\u0430\u0440\u0440\u0443 two') as second_send \gset
select is(:'first_send' || '/' || :'second_send', 'ok/ok', 'two non-ASCII messages in a burst are sent');
select is((select count(*)::int from private.chat_message_forms f where f.user_id = tests.user_id('wd_og')), 1,
  'the second (sent within the window of the first) keeps its matching form');
select is((select f.content_form from private.chat_message_forms f where f.user_id = tests.user_id('wd_og')), 'happy two',
  'the form kept is the message''s matching form');
select is(tests.send_code('wd_og', :'dup_room', 'HAPPY TWO'), 'chat_duplicate',
  'the same form again within 30 s is a duplicate, read from the kept form');
select is(tests.send_code('wd_og', :'dup_room', E'\u043d\u0430\u0440\u0440\u0443 one'), 'chat_duplicate',
  'the first of the burst, whose form was not kept, is folded again and still a duplicate');
update public.messages set content = null, deleted_at = now() where user_id = tests.user_id('wd_og') and content like '% two';
select is(tests.send_code('wd_og', :'dup_room', 'happy two'), 'ok', 'a deleted message is not a duplicate, its kept form aside');
update private.chat_message_forms set created_at = created_at - interval '31 seconds' where user_id = tests.user_id('wd_og');
select tests.send_code('wd_og', :'dup_room', E'\u043d\u0430\u0440\u0440\u0443 three') as send_1 \gset
select is((select count(*)::int from private.chat_message_forms f where f.user_id = tests.user_id('wd_og') and f.created_at < now()), 0,
  'the sender''s forms older than 30 s go at their next kept form');
select tests.send_code('wd_mod', :'dup_room', E'\u043d\u0430\u0440\u0440\u0443 mod one') as send_2 \gset
select tests.send_code('wd_mod', :'dup_room', E'\u043d\u0430\u0440\u0440\u0443 mod two') as send_3 \gset
select tests.send_code('wd_sub', :'dup_room', 'ascii one') as send_4 \gset
select tests.send_code('wd_sub', :'dup_room', 'ascii two') as send_5 \gset
select is((select count(*)::int from private.chat_message_forms f where f.user_id in (tests.user_id('wd_mod'), tests.user_id('wd_sub'))), 0,
  'staff (no duplicate rule) and ASCII messages (cheap to fold) keep no form');
select is(tests.try_as('wd_og', $$ select * from private.chat_message_forms $$), '42501', 'the kept forms are not readable through the API');

select * from finish();
rollback;
