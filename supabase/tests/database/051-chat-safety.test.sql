-- Chat safety: rules that hold against Unicode evasion, floods and impersonation. An adversarial
-- corpus (blocked terms spelled with look-alikes, invisible and combining characters; invisible,
-- control and bidi-override messages), innocent messages in many scripts that must pass unchanged,
-- blocked-term floods, the duplicate rule on the matching form, display names, caps and link hosts.
begin;
select plan(193);

select tests.create_chat_world('cs') as room \gset
insert into public.chatroom_blocked_terms (chatroom_id, term) values
  (:'room', 'badword'), (:'room', 'free money'), (:'room', 'spoil*'), (:'room', E'\u0130DIOT'),
  (:'room', 'weiss'), (:'room', E'\u0405\u0441\u0430m');

-- One send by cs_og (a chatter with no bypass) in an open room, judged from a clean slate.
create function pg_temp.try_send(content text) returns text language sql as $$
  select tests.send_outcome('cs_og', tests.chatroom_of('cs_owner'), content)
$$;

-- The matching form ----------------------------------------------------------------------------
select is(private.matching_form(E'  \uff28\u0435ll\u200bo\u00a0\u00a0W\u00f6rld\u0301 '), 'hello world',
  'the matching form folds width, case, look-alikes, invisible characters, accents and spacing');
select is(private.matching_form('Stra' || E'\u00df' || 'e'), private.matching_form('STRASSE'), 'ß and SS share a form');
select is(private.matching_form(E'n\u043eva'), private.matching_form('NOVA'), 'a Cyrillic o shares the Latin form');
select is(private.matching_form('hello'), 'hello', 'plain lowercase ASCII is its own form');

-- Adversarial corpus: every evasion is refused with its code -------------------------------------
select is(pg_temp.try_send(c), expected, d) from (values
  (E'\uff42\uff41\uff44\uff57\uff4f\uff52\uff44', 'chat_blocked_term', 'refused: fullwidth letters'),
  (E'\uff22\uff21\uff24\uff37\uff2f\uff32\uff24', 'chat_blocked_term', 'refused: fullwidth capitals'),
  (E'bad\u200bword', 'chat_blocked_term', 'refused: a zero-width space inside the word'),
  (E'bad\u200dword', 'chat_blocked_term', 'refused: a zero-width joiner inside the word'),
  (E'bad\u200cword', 'chat_blocked_term', 'refused: a zero-width non-joiner inside the word'),
  (E'bad\u2060word', 'chat_blocked_term', 'refused: a word joiner inside the word'),
  (E'bad\u00adword', 'chat_blocked_term', 'refused: a soft hyphen inside the word'),
  (E'b\u00e1dword', 'chat_blocked_term', 'refused: an accented letter (precomposed)'),
  (E'ba\u0301dword', 'chat_blocked_term', 'refused: a combining acute accent inside the word'),
  (E'b\u0336a\u0336d\u0336w\u0336o\u0336r\u0336d\u0336', 'chat_blocked_term', 'refused: combining strike-through marks on every letter'),
  (E'bad\u20ddword', 'chat_blocked_term', 'refused: an enclosing combining mark inside the word'),
  (E'b\u0430dword', 'chat_blocked_term', 'refused: a Cyrillic a'),
  (E'badw\u043erd', 'chat_blocked_term', 'refused: a Cyrillic o'),
  (E'badw\u03bfrd', 'chat_blocked_term', 'refused: a Greek omicron'),
  (E'\u0184adword', 'chat_blocked_term', 'refused: a Latin tone-six look-alike b'),
  (E'ba\u0111word', 'chat_blocked_term', 'refused: a d with stroke'),
  (E'\U0001d41b\U0001d41a\U0001d41d\U0001d430\U0001d428\U0001d42b\U0001d41d', 'chat_blocked_term', 'refused: mathematical bold letters'),
  (E'\U0001d44f\U0001d44e\U0001d451\U0001d464\U0001d45c\U0001d45f\U0001d451', 'chat_blocked_term', 'refused: mathematical italic letters'),
  (E'\U0001d51f\U0001d51e\U0001d521\U0001d534\U0001d52c\U0001d52f\U0001d521', 'chat_blocked_term', 'refused: mathematical fraktur letters'),
  (E'\U0001d553\U0001d552\U0001d555\U0001d568\U0001d560\U0001d563\U0001d555', 'chat_blocked_term', 'refused: mathematical double-struck letters'),
  (E'\U0001d68b\U0001d68a\U0001d68d\U0001d6a0\U0001d698\U0001d69b\U0001d68d', 'chat_blocked_term', 'refused: mathematical monospace letters'),
  (E'\U0001d5ef\U0001d5ee\U0001d5f1\U0001d604\U0001d5fc\U0001d5ff\U0001d5f1', 'chat_blocked_term', 'refused: mathematical sans-serif bold letters'),
  (E'\u24d1\u24d0\u24d3\u24e6\u24de\u24e1\u24d3', 'chat_blocked_term', 'refused: circled letters'),
  (E'\u1d47\u1d43\u1d48\u02b7\u1d52\u02b3\u1d48', 'chat_blocked_term', 'refused: superscript letters'),
  (E'BaDwOrD', 'chat_blocked_term', 'refused: mixed case'),
  (E'badw0rd', 'chat_blocked_term', 'refused: a zero for the o'),
  (E'bad\ufe0fword', 'chat_blocked_term', 'refused: a variation selector inside the word'),
  (E'bad\U000e0041word', 'chat_blocked_term', 'refused: a tag character inside the word'),
  (E'bad\u180bword', 'chat_blocked_term', 'refused: a Mongolian free variation selector inside the word'),
  (E'bad\u034fword', 'chat_blocked_term', 'refused: a combining grapheme joiner inside the word'),
  (E'bad\u200eword', 'chat_blocked_term', 'refused: a left-to-right mark inside the word'),
  (E'bad\u061cword', 'chat_blocked_term', 'refused: an Arabic letter mark inside the word'),
  (E'bad\ufeffword', 'chat_blocked_term', 'refused: a zero-width no-break space inside the word'),
  (E'bad\u3164word', 'chat_blocked_term', 'refused: a Hangul filler inside the word'),
  (E'hey \uff42\u0430d\u200bw\u03bfrd!', 'chat_blocked_term', 'refused: fullwidth, Cyrillic, zero-width and Greek together, in a sentence'),
  (E'\u0130D\u0130OT', 'chat_blocked_term', 'refused: dotted capital I for i'),
  (E'\u0131d\u0131ot', 'chat_blocked_term', 'refused: dotless i for i'),
  (E'wei\u00df', 'chat_blocked_term', 'refused: sharp s for ss'),
  (E'WEI\u1e9e', 'chat_blocked_term', 'refused: capital sharp s for ss'),
  (E'free\u00a0money', 'chat_blocked_term', 'refused: a no-break space inside a phrase'),
  (E'free\u3000money', 'chat_blocked_term', 'refused: an ideographic space inside a phrase'),
  (E'free\u200bmoney', 'chat_blocked_term', 'refused: a zero-width space inside a phrase'),
  (E'free\u2003money', 'chat_blocked_term', 'refused: an em space inside a phrase'),
  (E'free\u2009money', 'chat_blocked_term', 'refused: a thin space inside a phrase'),
  (E'free\u202fmoney', 'chat_blocked_term', 'refused: a narrow no-break space inside a phrase'),
  (E'free\u1680money', 'chat_blocked_term', 'refused: an ogham space mark inside a phrase'),
  (E'free\u2028money', 'message_invalid:control_characters', 'refused: a line separator is a line break (20261201124950), phrase or not'),
  (E'free    money', 'chat_blocked_term', 'refused: several spaces inside a phrase'),
  (E'FREE \uff4d\uff4f\uff4e\uff45\uff59', 'chat_blocked_term', 'refused: capitals and fullwidth inside a phrase'),
  (E'get fr\u0435\u0435 m\u043en\u0435y now', 'chat_blocked_term', 'refused: Cyrillic look-alikes inside a phrase in a sentence'),
  (E'\uff33\uff30\uff2f\uff29\uff2c\uff25\uff32', 'chat_blocked_term', 'refused: a wildcard term in fullwidth capitals'),
  (E'sp\u043eilers ahead', 'chat_blocked_term', 'refused: a wildcard term with a Cyrillic o'),
  (E'spo\u200bil\u0336ed', 'chat_blocked_term', 'refused: a wildcard term with zero-width and combining marks'),
  (E'that is a scam', 'chat_blocked_term', 'refused: the plain spelling of a term saved with Cyrillic look-alikes'),
  (E'\u00a0', 'message_invalid:no_visible_characters', 'refused: only a no-break space'),
  (E'\u200b', 'message_invalid:no_visible_characters', 'refused: only a zero-width space'),
  (E'\u200b\u200c\u200d\u2060', 'message_invalid:no_visible_characters', 'refused: only zero-width characters'),
  (E'\u3000', 'message_invalid:no_visible_characters', 'refused: only an ideographic space'),
  (E'\u2800', 'message_invalid:no_visible_characters', 'refused: only a braille blank'),
  (E'\u3164', 'message_invalid:no_visible_characters', 'refused: only a Hangul filler'),
  (E'\u115f\u1160', 'message_invalid:no_visible_characters', 'refused: only Hangul choseong and jungseong fillers'),
  (E'\uffa0', 'message_invalid:no_visible_characters', 'refused: only a halfwidth Hangul filler'),
  (E'\u0301\u0301\u0301', 'message_invalid:no_visible_characters', 'refused: only combining marks'),
  (E'\ufe0f', 'message_invalid:no_visible_characters', 'refused: only a variation selector'),
  (E'\u00a0\u200b\u3000\u2800', 'message_invalid:no_visible_characters', 'refused: a mix of invisible characters'),
  (E'\u00ad', 'message_invalid:no_visible_characters', 'refused: only a soft hyphen'),
  (E'\u001b[31mred alert', 'message_invalid:control_characters', 'refused: an ESC terminal escape'),
  (E'ding\u0007', 'message_invalid:control_characters', 'refused: a BEL character'),
  (E'line one\u000aline two', 'message_invalid:control_characters', 'refused: a line feed inside'),
  (E'tab\u0009inside', 'message_invalid:control_characters', 'refused: a tab inside'),
  (E'carriage\u000dreturn', 'message_invalid:control_characters', 'refused: a carriage return inside'),
  (E'del\u007fete', 'message_invalid:control_characters', 'refused: a DEL character'),
  (E'next\u0085line', 'message_invalid:control_characters', 'refused: a C1 next-line character'),
  (E'csi\u009b31m', 'message_invalid:control_characters', 'refused: a C1 control sequence introducer'),
  (E'\u202edrowdab', 'message_invalid:bidi_controls', 'refused: a right-to-left override storing a word reversed'),
  (E'a\u202aembedded', 'message_invalid:bidi_controls', 'refused: a left-to-right embedding'),
  (E'a\u202bembedded', 'message_invalid:bidi_controls', 'refused: a right-to-left embedding'),
  (E'a\u202cpop', 'message_invalid:bidi_controls', 'refused: a pop directional formatting'),
  (E'a\u202doverride', 'message_invalid:bidi_controls', 'refused: a left-to-right override'),
  (E'a\u2066isolate', 'message_invalid:bidi_controls', 'refused: a left-to-right isolate'),
  (E'a\u2067isolate', 'message_invalid:bidi_controls', 'refused: a right-to-left isolate'),
  (E'a\u2068isolate', 'message_invalid:bidi_controls', 'refused: a first-strong isolate'),
  (E'a\u2069isolate', 'message_invalid:bidi_controls', 'refused: a pop directional isolate')) v (c, expected, d);

-- Innocent messages: sent, and stored as written (NFC) -------------------------------------------
select is(pg_temp.try_send(c), 'ok', d) from (values
  (E'\U0001f469\u200d\U0001f4bb coding all night', 'sent unchanged: an emoji ZWJ sequence (woman technologist)'),
  (E'\U0001f468\u200d\U0001f469\u200d\U0001f467 family stream', 'sent unchanged: an emoji ZWJ family sequence'),
  (E'\u2764\ufe0f love this', 'sent unchanged: an emoji with a variation selector'),
  (E'\U0001f3f3\ufe0f\u200d\U0001f308 pride', 'sent unchanged: a flag ZWJ sequence'),
  (E'\u3053\u3093\u306b\u3061\u306f\u4e16\u754c', 'sent unchanged: Japanese'),
  (E'\u4f60\u597d\uff0c\u4e16\u754c', 'sent unchanged: Chinese with a fullwidth comma'),
  (E'\uc548\ub155\ud558\uc138\uc694', 'sent unchanged: Korean'),
  (E'\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645', 'sent unchanged: Arabic'),
  (E'\u0645\u0631\u062d\u0628\u0627\u200f!', 'sent unchanged: Arabic with a right-to-left mark'),
  (E'\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd', 'sent unchanged: Hebrew'),
  (E'\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e', 'sent unchanged: Hindi'),
  (E'\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440', 'sent unchanged: Russian'),
  (E'\u0393\u03b5\u03b9\u03ac \u03c3\u03bf\u03c5 \u039a\u03cc\u03c3\u03bc\u03b5', 'sent unchanged: Greek'),
  (E'Stra\u00dfe', 'sent unchanged: Straße'),
  (E'caf\u00e9 cr\u00e8me br\u00fbl\u00e9e', 'sent unchanged: accented French'),
  (E'na\u00efve fa\u00e7ade', 'sent unchanged: diaeresis and cedilla'),
  (E'\u00d1and\u00fa', 'sent unchanged: Spanish'),
  (E'\u00c6\u00d8\u00c5 \u00e6\u00f8\u00e5', 'sent unchanged: Danish letters'),
  (E'\u0130stanbul g\u00fczel', 'sent unchanged: Turkish'),
  (E'\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a', 'sent unchanged: Thai'),
  (E'Xin ch\u00e0o th\u1ebf gi\u1edbi', 'sent unchanged: Vietnamese'),
  (E'gg wp \U0001f389\U0001f389', 'sent unchanged: emoji'),
  (E'\u00af\\_(\u30c4)_/\u00af', 'sent unchanged: a shrug'),
  (E'badwords everywhere', 'sent unchanged: a longer word that contains a blocked word (whole-word rule)'),
  (E'free moneybags', 'sent unchanged: a phrase''s words inside longer words'),
  (E'the word is good', 'sent unchanged: plain ASCII')) v (c, d);
select is(pg_temp.try_send(normalize(E'Jose\u0301 says hi', nfd)), 'ok', 'a decomposed message is stored in NFC');

-- Term kinds: exact words and phrases, prefix and suffix wildcards, and terms with punctuation --------
insert into public.chatroom_blocked_terms (chatroom_id, term) values
  (:'room', '*bait'), (:'room', 'bit.ly'), (:'room', '*xyz*'), (:'room', 'hyp* train');
select is(pg_temp.try_send(c), expected, d) from (values
  ('free, money!', 'chat_blocked_term', 'a phrase with punctuation between its words is refused'),
  ('freemoney', 'chat_blocked_term', 'a phrase written as one word is refused'),
  ('pure RAGEBAIT', 'chat_blocked_term', 'a suffix wildcard term is refused'),
  ('baitfish', 'ok', 'a suffix term does not match the start of a word'),
  ('go to bit.ly now', 'chat_blocked_term', 'a term with inner punctuation is refused'),
  ('bitly', 'ok', 'a term with inner punctuation needs its punctuation'),
  ('abcxyzdef', 'chat_blocked_term', 'a wildcard on both ends matches inside a word'),
  ('hyped train!', 'chat_blocked_term', 'a phrase with a wildcard is refused'),
  ('train hype', 'ok', 'a phrase''s words must come in order')
) v (c, expected, d);
delete from public.chatroom_blocked_terms where chatroom_id = :'room' and term = '*bait';
select is(pg_temp.try_send('pure ragebait'), 'ok', 'a removed term stops blocking at once');
insert into public.chatroom_blocked_terms (chatroom_id, term, expires_at) values (:'room', 'shortcut', now() + interval '1 hour');
select is(pg_temp.try_send('shortcut'), 'chat_blocked_term', 'an unexpired term blocks');
update private.chatroom_term_matchers set next_expiry = now() - interval '1 second' where chatroom_id = :'room';
update public.chatroom_blocked_terms set expires_at = now() - interval '1 second' where term = 'shortcut';
select is(pg_temp.try_send('shortcut'), 'ok', 'a term stops blocking once it expires');
select is((select count(*)::int from private.chatroom_term_matchers m where m.chatroom_id = :'room' and m.exact ? 'shortcut'), 0,
  'the room''s matcher no longer holds the expired term');

-- Floods: a blocked attempt counts as a message ---------------------------------------------------
select count(*) as events_before from tests.broadcasts('chatroom:' || :'room' || ':mods') b
where b.event = 'message.blocked' and b.payload ->> 'user_id' = tests.user_id('cs_og')::text \gset
select tests.send_code('cs_og', :'room', 'badword') as first_attempt \gset
select is(:'first_attempt'::text, 'chat_blocked_term', 'a blocked attempt is refused');
select is(tests.send_code('cs_og', :'room', 'BADWORD'), 'chat_duplicate',
  'the same blocked text again within 30 s is a duplicate (nothing more logged)');
update public.chatrooms set slow_mode_seconds = 30 where id = :'room';
select is(tests.send_code('cs_og', :'room', 'an honest message'), 'chat_slow_mode',
  'slow mode counts the blocked attempt: the next message waits');
select is(tests.send_code('cs_vip', :'room', 'vips skip slow mode'), 'ok', 'a VIP still skips slow mode');
update public.chatrooms set slow_mode_seconds = 0 where id = :'room';
select is((select count(*)::int from public.moderation_actions l where l.chatroom_id = :'room' and l.action = 'message.blocked'
  and l.target_user_id = tests.user_id('cs_og')), 1, 'the first blocked attempt is logged once');

-- 19 more distinct attempts fill the rate window; the 21st send is rate limited and logs nothing.
select tests.send_code('cs_og', :'room', 'badword ' || n) from generate_series(2, 20) n;
select is(tests.send_code('cs_og', :'room', 'badword 21'), 'chat_rate_limited',
  'blocked attempts count toward the rate limit (20 in 30 s)');
select is(tests.send_code('cs_og', :'room', 'a clean message'), 'chat_rate_limited',
  'a clean message is rate limited too after 20 blocked attempts');
select is((select (l.details ->> 'count')::int from public.moderation_actions l where l.chatroom_id = :'room'
  and l.action = 'message.blocked' and l.target_user_id = tests.user_id('cs_og')), 20,
  'one log row keeps the count of the 20 attempts');
select is((select count(*)::int from tests.broadcasts('chatroom:' || :'room' || ':mods') b where b.event = 'message.blocked'
  and b.payload ->> 'user_id' = tests.user_id('cs_og')::text) - :events_before, 1,
  'moderators receive one message.blocked for 20 attempts in 30 s');
select is((select count(*)::int from private.chat_blocked_attempts a where a.user_id = tests.user_id('cs_og')), 20,
  'over the limit, nothing more is recorded');
-- 30 s later the window is open again and moderators hear of the next attempt.
update private.chat_blocked_attempts set created_at = created_at - interval '31 seconds' where user_id = tests.user_id('cs_og');
update public.moderation_actions set created_at = created_at - interval '31 seconds' where target_user_id = tests.user_id('cs_og');
select is(tests.send_code('cs_og', :'room', 'badword again'), 'chat_blocked_term', 'after 30 s a new attempt is refused');
select is((select count(*)::int from tests.broadcasts('chatroom:' || :'room' || ':mods') b where b.event = 'message.blocked'
  and b.payload ->> 'user_id' = tests.user_id('cs_og')::text) - :events_before, 2, 'and moderators hear of it again');
select is((select l.details ->> 'term' from public.moderation_actions l where l.target_user_id = tests.user_id('cs_og')
  order by l.id desc limit 1), 'badword', 'the log names the term that matched, for staff');
select is(tests.send_code('cs_mod', :'room', 'badword from a moderator'), 'ok', 'staff are not held by blocked terms');

-- The duplicate rule compares matching forms ------------------------------------------------------
select is(tests.send_code('cs_sub', :'room', 'Hello chat'), 'ok', 'a first message is sent');
select is(tests.send_code('cs_sub', :'room', 'HELLO CHAT'), 'chat_duplicate', 'a case change does not make a message new');
select is(tests.send_code('cs_sub', :'room', 'Hello  chat'), 'chat_duplicate', 'a doubled space does not make a message new');
select is(tests.send_code('cs_sub', :'room', E'Hel\u200blo chat'), 'chat_duplicate', 'an invisible character does not make a message new');
select is(tests.send_code('cs_sub', :'room', E'H\u0435llo chat'), 'chat_duplicate', 'a look-alike letter does not make a message new');
select is(tests.send_code('cs_sub', :'room', 'Hello chat!'), 'ok', 'a different message is sent');
select is(tests.send_code('cs_owner', :'room', 'same'), 'ok', 'the owner sends');
select is(tests.send_code('cs_owner', :'room', 'SAME'), 'ok', 'staff are not held by the duplicate rule');

-- Replies to someone who blocks you -----------------------------------------------------------------
select tests.add_message(:'room', 'cs_owner', 'reply to me') as parent \gset
insert into public.user_blocks (blocker_id, blocked_id) values (tests.user_id('cs_owner'), tests.user_id('cs_stranger'));
select is(tests.send_as('cs_stranger', :'room', 'hi there', :'parent') - 'message',
  '{"code": "message_invalid", "details": {"reason": "reply_blocked"}, "status": 422}',
  'a user blocked by a message''s author cannot reply to it');
select is(tests.send_code('cs_sub', :'room', 'hi owner', :'parent'), 'ok', 'anyone else can reply');
select is(tests.send_code('cs_stranger', :'room', 'hello room'), 'ok', 'the blocked user can still chat in the room');

-- Display names ---------------------------------------------------------------------------------
select tests.authenticate_as('cs_og');
select throws_ok($$ update public.users set display_name = 'CS_OWNER' where id = tests.user_id('cs_og') $$, '23514',
  'This display name looks like another user''s username.', 'a display name cannot be another user''s username');
select throws_ok($$ update public.users set display_name = E'cs_\u043ewner' where id = tests.user_id('cs_og') $$, '23514',
  'This display name looks like another user''s username.', 'nor a Cyrillic look-alike of it');
select throws_ok($$ update public.users set display_name = 'cs_0wner' where id = tests.user_id('cs_og') $$, '23514',
  'This display name looks like another user''s username.', 'nor a digit look-alike of it');
select throws_ok($$ update public.users set display_name = E'\uff43\uff53\uff3f\uff4f\uff57\uff4e\uff45\uff52' where id = tests.user_id('cs_og') $$, '23514',
  'This display name looks like another user''s username.', 'nor its fullwidth spelling');
select lives_ok($$ update public.users set display_name = 'CS_OG' where id = tests.user_id('cs_og') $$,
  'a display name may be the user''s own username in any case');
select lives_ok($$ update public.users set display_name = E'\uff43\uff53\uff3f\uff4f\uff47' where id = tests.user_id('cs_og') $$,
  'or its look-alike');
select lives_ok($$ update public.users set display_name = E'Jos\u00e9 \u5c71\u7530' where id = tests.user_id('cs_og') $$,
  'accents and CJK are fine');
select lives_ok($$ update public.users set display_name = repeat('x', 25) where id = tests.user_id('cs_og') $$,
  'a display name of 25 characters is accepted');
select throws_ok($$ update public.users set display_name = repeat('x', 26) where id = tests.user_id('cs_og') $$, '23514',
  'A display name has 1 to 25 characters.', 'a display name of 26 characters is refused (users_display_name_length)');
select throws_ok($$ update public.users set display_name = '' where id = tests.user_id('cs_og') $$, '23514', null,
  'an empty display name is refused');
select throws_ok($$ update public.users set display_name = normalize(E'Jose\u0301', nfd) where id = tests.user_id('cs_og') $$, '23514',
  'A display name must be in Unicode normalization form C.', 'a decomposed display name is refused (users_display_name_nfc)');
select throws_ok($$ update public.users set display_name = E'line\nbreak' where id = tests.user_id('cs_og') $$, '23514',
  'A display name cannot contain control, invisible or bidirectional characters.', 'a line break is refused (users_display_name_characters)');
select throws_ok($$ update public.users set display_name = E'\u202eadmin' where id = tests.user_id('cs_og') $$, '23514',
  'A display name cannot contain control, invisible or bidirectional characters.', 'a bidi override is refused');
select throws_ok($$ update public.users set display_name = E'no\u200bva' where id = tests.user_id('cs_og') $$, '23514',
  'A display name cannot contain control, invisible or bidirectional characters.', 'a zero-width space is refused');
select throws_ok($$ update public.users set display_name = E'\u3164' where id = tests.user_id('cs_og') $$, '23514',
  'A display name cannot contain control, invisible or bidirectional characters.', 'an invisible filler is refused');
select tests.clear_authentication();
select is((select display_name from public.users where id = tests.user_id('cs_og')), repeat('x', 25), 'refused names changed nothing');
select tests.authenticate_as_service_role();
select throws_ok($$ update public.users set display_name = 'cs_mod' where id = tests.user_id('cs_og') $$, '23514', null,
  'the rule holds for the service role too');
select tests.clear_authentication();
-- A test database has few users, where a scan is cheaper: the check is that the index serves the lookup.
set local enable_seqscan = off;
select ok(tests.plan_of($$ select 1 from public.users u where private.matching_form(u.username::text) = 'nova' $$)
  like '%users_username_matching_form_idx%', 'the impersonation check is an index lookup, not a scan');
reset enable_seqscan;
select lives_ok($$ update public.users set bio = 'still editable' where username = 'cs_banned' $$,
  'a profile update that does not touch the display name is not checked');

-- Caps ------------------------------------------------------------------------------------------------
select tests.authenticate_as('cs_owner');
select throws_ok($$ insert into public.chat_identities (chatroom_id, user_id, badges) values
    (tests.chatroom_of('cs_owner'), tests.user_id('cs_owner'), array_fill('broadcaster'::text, array[7])) $$, '23514',
  'a chat identity shows at most 6 badges (broadcaster, moderator, vip, og, subscriber, sub_gifter)',
  'seven badges are refused before any is looked up (chat_identities_badges_max)');
select throws_ok($$ insert into public.chat_identities (chatroom_id, user_id, badges) values
    (tests.chatroom_of('cs_owner'), tests.user_id('cs_owner'), array_fill('broadcaster'::text, array[200000])) $$, '23514',
  'a chat identity shows at most 6 badges (broadcaster, moderator, vip, og, subscriber, sub_gifter)',
  'a 200,000-badge array is refused at once');
select lives_ok($$ insert into public.chat_identities (chatroom_id, user_id, badges) values
    (tests.chatroom_of('cs_owner'), tests.user_id('cs_owner'), array['broadcaster']) $$, 'a held badge is accepted');
select tests.clear_authentication();
insert into public.chatroom_blocked_terms (chatroom_id, term)
select :'room', 'term' || n from generate_series(1, 1000 - (select count(*) from public.chatroom_blocked_terms where chatroom_id = :'room')) n;
select is((select count(*)::int from public.chatroom_blocked_terms where chatroom_id = :'room'), 1000, 'a room holds 1,000 blocked terms');
select tests.authenticate_as('cs_mod');
select throws_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('cs_owner'), 'one more') $$,
  '23514', 'chatroom_blocked_terms allows at most 1000 rows per chatroom_id',
  'the 1,001st blocked term is refused (chatroom_blocked_terms_max_1000_per_chatroom)');
select tests.clear_authentication();
select is(tests.send_code('cs_og', :'room', 'term' || (select max(substr(term, 5)::int) from public.chatroom_blocked_terms where term ~ '^term[0-9]+$') || ' hello'), 'chat_blocked_term', 'the 1,000th term blocks');
select is(tests.send_code('cs_sub', :'room', 'a fine message'), 'ok', 'a clean message passes a room of 1,000 terms');
select throws_ok($$ insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('cs_owner'), E'\u200b\u200b') $$,
  '23514', null, 'a term with nothing visible is refused (chatroom_blocked_terms_term_visible)');
insert into public.emotes (channel_id, code, image_url)
select (select id from public.channels where slug = 'cs_owner'), 'emote' || n, 'https://cdn.example.test/e.png' from generate_series(1, 500) n;
select tests.authenticate_as('cs_owner');
select throws_ok($$ insert into public.emotes (channel_id, code, image_url) values
    ((select id from public.channels where slug = 'cs_owner'), 'emote501', 'https://cdn.example.test/e.png') $$,
  '23514', 'emotes allows at most 500 rows per channel_id', 'the 501st emote of a channel is refused (emotes_max_500_per_channel)');
select tests.clear_authentication();

-- Link hosts ------------------------------------------------------------------------------------------
-- Adds a link as the channel owner; answers 'ok' or the refused constraint's name.
create function pg_temp.try_link(platform text, url text) returns text language plpgsql as $$
declare
  refused text;
begin
  perform tests.authenticate_as('cs_owner');
  begin
    insert into public.channel_links (platform, url) values (platform, url);
  exception when check_violation then
    get stacked diagnostics refused = constraint_name;
  end;
  perform tests.clear_authentication();
  return coalesce(refused, 'ok');
end
$$;
select is(pg_temp.try_link(p, u), expected, d) from (values
  ('youtube', 'https://www.youtube.com/@cs_owner', 'ok', 'a youtube link on www.youtube.com is accepted'),
  ('youtube', 'https://youtu.be/abc123', 'ok', 'a youtu.be link is accepted'),
  ('youtube', 'https://m.youtube.com/c/cs', 'ok', 'a youtube subdomain is accepted'),
  ('x', 'https://twitter.com/cs_owner', 'ok', 'an x link on twitter.com is accepted'),
  ('website', 'https://example.test/me', 'ok', 'a website link may use any host'),
  ('youtube', 'https://www.youtube.com@attacker.example/x', 'channel_links_url_authority', 'user info before the host is refused'),
  ('youtube', 'https://youtube.com:8443/x', 'channel_links_url_authority', 'a port is refused'),
  ('youtube', 'https://attacker.example/youtube.com', 'channel_links_url_platform_host', 'another host is refused'),
  ('youtube', 'https://youtube.com.attacker.example/', 'channel_links_url_platform_host', 'a host that only starts like the platform''s is refused'),
  ('youtube', 'https://notyoutube.com/x', 'channel_links_url_platform_host', 'a host that only ends like the platform''s is refused'),
  ('youtube', E'https://y\u043eutube.com/x', 'channel_links_url_platform_host', 'a look-alike host is refused'),
  ('discord', 'https://discord.gg/abc', 'ok', 'a discord invite is accepted'),
  ('instagram', 'https://instagram.com.evil.example/x', 'channel_links_url_platform_host', 'an instagram look-alike domain is refused')
) v (p, u, expected, d);

select * from finish();
rollback;
