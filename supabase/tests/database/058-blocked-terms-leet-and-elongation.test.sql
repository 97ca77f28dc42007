-- Blocked terms in leetspeak, with a letter held down, with i and l swapped or joined by an
-- underscore are refused (20261201121013); ordinary chat with digits, repeated letters and
-- underscores still passes; the moderators' log names the term a folded or spelled-out hit matched.
begin;
select plan(58);

select tests.create_chat_world('le') as room \gset
insert into public.chatroom_blocked_terms (chatroom_id, term) values
  (:'room', 'badword'), (:'room', 'free money'), (:'room', 'kill yourself'), (:'room', 'ass'),
  (:'room', 'poop'), (:'room', 'spoil*'), (:'room', 'bad_idea'), (:'room', 'hell');

-- One send by le_og (no bypass), judged from a clean slate.
create function pg_temp.try_send(content text) returns text language sql as $$
  select tests.send_outcome('le_og', tests.chatroom_of('le_owner'), content)
$$;

select is(pg_temp.try_send(c), 'chat_blocked_term', d) from (values
  ('b4dword', 'refused: 4 for a'),
  ('b@dword', 'refused: @ for a'),
  ('BADW0RD', 'refused: 0 for o, in capitals'),
  ('a55', 'refused: 5 for s'),
  ('@ss', 'refused: a word that starts with a stand-in'),
  ('fr33 money', 'refused: 3 for e in a phrase'),
  ('k1ll yourself', 'refused: 1 for i (the form reads 1 as l, and l as i here)'),
  ('kiii yourseif', 'refused: i for l')
) v (c, d);

select is(pg_temp.try_send(c), 'chat_blocked_term', d) from (values
  ('sp0!ler', 'refused: ! for i inside a word, a prefix term'),
  ('$poilers', 'refused: $ for s, a prefix term'),
  ('baaadword', 'refused: a letter held down'),
  ('bbbaaaddd wooorrrddd', 'refused: every letter held down, split once'),
  ('freeee moneeey', 'refused: a phrase with letters held down (its own double e included)'),
  ('pooooop', 'refused: a held-down term with a double letter'),
  ('b4aaadw0rd', 'refused: leetspeak and a held-down letter together'),
  ('bad_word', 'refused: an underscore joins words as a space does'),
  ('bad idea', 'refused: a term written with an underscore matches its words'),
  ('badidea', 'refused: and its words joined'),
  ('b_a_d_w_0_r_d', 'refused: spelled out with underscores and a 0'),
  ('kill your self', 'refused: a phrase split once more than it has words'),
  ('f r e e money', 'refused: a spelled-out word joins the typed word after it'),
  ('so free m o n e y', 'refused: and the typed word before it'),
  ('what the hell', 'refused: a plain hit, as before')
) v (c, d);

select is(pg_temp.try_send(c), 'ok', d) from (values
  ('I have 455 points', 'sent: a number is not leetspeak'),
  ('see you at 5pm', 'sent: digits beside letters that spell no term'),
  ('1st place, m8', 'sent: ordinals and m8'),
  ('$5 bill', 'sent: a price'),
  ('class act', 'sent: whole words still (class holds ass)'),
  ('passing', 'sent: whole words still'),
  ('pop music', 'sent: pop is not poop when nothing is held down'),
  ('heeeey sooo good', 'sent: held-down letters that spell no term'),
  ('sooo as if', 'sent: only a word that holds a letter down is read elongated (as is not ass)'),
  ('yesss pop music', 'sent: and pop is not poop'),
  ('hello, still here, skill issue', 'sent: l read as i spells no term here'),
  ('cool_guy', 'sent: an underscore that joins no term'),
  ('hi!!!', 'sent: exclamation marks'),
  ('he''ll be fine', 'sent: no join crosses an apostrophe (he''ll is not hell)'),
  ('she’ll be fine', 'sent: nor a typographic one')
) v (c, d);

-- A room that blocks single words only still reads a word split once.
select tests.create_chat_world('lo') as lone \gset
insert into public.chatroom_blocked_terms (chatroom_id, term) values (:'lone', 'badword');
select is(tests.send_outcome('lo_og', :'lone', c), 'chat_blocked_term', d) from (values
  ('bad word', 'refused: a one-word term split by a space, in a room with no phrase'),
  ('bad_word', 'refused: split by an underscore'),
  ('b4d w0rd', 'refused: split and in leetspeak')
) v (c, d);
select is(tests.send_outcome('lo_og', :'lone', 'bad words'), 'ok', 'sent: whole words still (badwords is not badword)');

select is(tests.send_outcome('le_mod', :'room', 'b4dw0rd'), 'ok', 'staff skip blocked terms in leetspeak too');

-- The matcher's keys (in the matching form, where m is rn): l read as i, underscores and wildcards dropped; held-down keys for exact terms.
select ok((select m.exact ?& array['kiiiyourseif', 'freernoney', 'badidea'] from private.chatroom_term_matchers m where m.chatroom_id = :'room'),
  'exact keys read l as i and drop the underscore');
select ok((select m.elongated ?& array['frernoney', 'pop', 'badword'] and not m.elongated ? 'spoi' from private.chatroom_term_matchers m where m.chatroom_id = :'room'),
  'held-down keys count each run of one letter once, for exact terms only');

-- The log names the matched term, read through the same readings.
create function pg_temp.logged_term(content text) returns text language plpgsql as $$
declare
  term text;
begin
  perform tests.send_as('le_og', tests.chatroom_of('le_owner'), content);
  select l.details ->> 'term' into term from public.moderation_actions l
  where l.target_user_id = tests.user_id('le_og') and l.action = 'message.blocked' order by l.id desc limit 1;
  perform tests.send_outcome('le_og', tests.chatroom_of('le_owner'), 'clean slate');
  return term;
end
$$;
select is(pg_temp.logged_term(c), t, d) from (values
  ('b4dword', 'badword', 'the log names a leetspeak hit''s term'),
  ('shhh freeee moneeey', 'free money', 'the log names a held-down hit''s term'),
  ('b a d w o r d', 'badword', 'the log names a spelled-out hit''s term'),
  ('k1ll yourself', 'kill yourself', 'the log names an i-for-l hit''s term'),
  ('badword', 'badword', 'the log names a plain hit''s term, as before')
) v (c, t, d);

-- Bad input: a leetspeak-only or punctuation-only message is checked without error.
select is(pg_temp.try_send(c), 'ok', d) from (values
  ('4@8369 7!5$+', 'sent: stand-ins with no letter'),
  ('!!!', 'sent: punctuation alone'),
  ('a!', 'sent: a trailing exclamation mark on one letter')
) v (c, d);

-- Roles: the matcher and its helpers stay private.
select is(tests.try_as(null, $$ select private.note_blocked_term('{}', '{}') $$), '42501',
  'anon cannot call note_blocked_term');
select is(tests.try_as('le_og', $$ select private.note_blocked_term('{}', '{}') $$), '42501',
  'authenticated cannot call note_blocked_term');
select is(tests.try_as('le_og', $$ select private.rebuild_term_matcher(null) $$), '42501',
  'authenticated cannot call rebuild_term_matcher');
select is(tests.try_as('le_owner', $$ select * from private.chatroom_term_matchers $$), '42501',
  'a room owner cannot read the matchers');
select is((select m.exact ->> 'badword' from private.chatroom_term_matchers m where m.chatroom_id = :'room'), 'badword',
  'each key maps to the term it stands for');

select * from finish();
rollback;
