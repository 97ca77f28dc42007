-- Disguises a Unicode probe got past a room's blocked terms (tenth landing) are refused, and ordinary
-- chat in many languages is still sent: single characters joined by | or apostrophes are spelled out
-- and Latin letters with hooks or strokes read as their letters (matching form, 20261201191315); the
-- six-per-em, punctuation, thin and hair spaces read as a dot; one character split off by punctuation
-- alone joins its word, and a word* term is read across one split whose second word gives four or
-- more letters of the stem and ends with it or an inflection (20261201191413).
begin;
select plan(95);

select tests.create_chat_world('ug') as room \gset
insert into public.chatroom_blocked_terms (chatroom_id, term) values
  (:'room', 'fuck'), (:'room', 'cunt'), (:'room', 'whore'), (:'room', 'kys'), (:'room', 'nigger'),
  (:'room', 'ass'), (:'room', 'cum'), (:'room', 'rape'), (:'room', 'shit'), (:'room', 'sex'), (:'room', 'hell'),
  (:'room', 'retard*'), (:'room', 'whore*'), (:'room', '*cheat'), (:'room', 'free robux'),
  (:'room', 'incel*'), (:'room', 'maricon*'), (:'room', 'nique*'), (:'room', 'rapist*'),
  (:'room', 'sodom*'), (:'room', 'wetback*');

create function pg_temp.try_send(content text) returns text language sql as $$
  select tests.send_outcome('ug_og', tests.chatroom_of('ug_owner'), content)
$$;

-- The matching form.
select is(private.matching_form(c), f, d) from (values
  ('f|u|c|k', 'f u c k', 'single characters joined by | are spelled out'),
  (E'f\u02bcu\u02bcc\u02bck', 'f u c k', 'and by U+02BC, the modifier-letter apostrophe'),
  ('k|ll', 'klll', 'elsewhere | reads l, as TS #39 has it'),
  ('a | b', 'a l b', 'a | b with spaces is read as before'),
  ('he''ll', 'he''ll', 'an apostrophe in a word stays'),
  (E'f\u200auck', 'f.uck', 'a hair space between letters reads as a dot'),
  (E'\u2009\u2008\u200a', '', 'narrow spaces alone are no text (a dot only between letters or digits)'),
  (E'go\u2009!', 'go !', 'and one before punctuation is a space'),
  (E'Bonjour\u202f!', 'bonjour !', 'the narrow no-break space French types before ! still separates'),
  (E'fu\u0188k \u0188u\u014bt who\u027ee', 'fuck cunt whore', 'ƈ ŋ ɾ read c n r'),
  (E'\u0191\u01b2\u0187\u0198', 'fuck', 'capitals fold to the hooked letters first'),
  (E'\u0255\ua793\u0138\ua743\u2c73\u2c65\u023f\u0236\u01ab\ua7b9\u028a', 'cckkwasttuu', 'curls, bars, strokes, hooks and tails'),
  (E'\u1455\u144c\u144e\u0054 \u15ef\u157c\u004f\u1587\u0045', 'cunt whore', 'the fancy-text syllabics TS #39 left out'),
  (E'\u20a3\u0244\u20b5\u20ad', 'fuck', 'and the currency-sign alphabet'),
  (E'\u0254\u028d\u029e', E'\u0254\u028d\u029e', 'turned letters are not read')
) v (c, f, d);

select is(pg_temp.try_send(c), 'chat_blocked_term', d) from (values
  ('f|u|c|k', 'refused: f|u|c|k'),
  ('c|u|n|t lol', 'refused: c|u|n|t'),
  ('n|i|g|g|e|r', 'refused: six letters joined by |'),
  ('f''u''c''k', 'refused: f''u''c''k'),
  (E'f\u2019u\u2019c\u2019k', 'refused: f’u’c’k'),
  (E'f\u02bcu\u02bcc\u02bck', 'refused: fʼuʼcʼk'),
  ('k''y''s', 'refused: k''y''s'),
  ('f|u|c|k|', 'refused: a joiner after the run'),
  ('|f|u|c|k', 'refused: a joiner before it'),
  (E'\u2018f\u2019u\u2019c\u2019k\u2019', 'refused: quoted with the same marks'),
  ('f.uck', 'refused: f.uck'),
  ('fuc.k you', 'refused: fuc.k'),
  ('f_uck', 'refused: f_uck'),
  ('(f/uck)', 'refused: f/uck in brackets'),
  ('w*hore', 'refused: w*hore'),
  ('f...uck', 'refused: three dots'),
  (E'f\U0001f525uck', 'refused: an emoji between'),
  (E'f\u200auck', 'refused: a hair space'),
  (E'f\u2009uck', 'refused: a thin space'),
  (E'c\u2006unt', 'refused: a six-per-em space'),
  ('re tard', 'refused: re tard for retard*'),
  ('you re tarded', 'refused: re tarded'),
  ('re tards', 'refused: re tards'),
  (E'f\u2009u c k', 'refused: a thin space inside a spelled-out word'),
  (E'r\u2005e\u2009t\u2009a\u2009r\u2009d', 'refused: r e t a r d spelled with thin spaces'),
  (E'f\u2008uck', 'refused: a punctuation space'),
  (E'fu\U0001df1dk', 'refused: fu𝼝k (Latin Extended-G)'),
  (E'wh\u2c7are', 'refused: whⱺre'),
  (E'\ua7cahit', 'refused: ꟊhit'),
  (E'fu\u0188k', 'refused: fuƈk'),
  (E'who\u027ee', 'refused: whoɾe'),
  (E'cu\u014bt', 'refused: cuŋt'),
  (E'\u0192\u028a\u0188\u0199', 'refused: ƒʊƈƙ'),
  (E'\u1455\u144c\u144eT', 'refused: ᑕᑌᑎT')
) v (c, d);

select is(pg_temp.try_send(c), 'ok', d) from (values
  ('he''ll be back', 'sent: he''ll is not hell'),
  ('I''m here, don''t worry', 'sent: I''m, don''t'),
  ('rock ''n'' roll forever', 'sent: rock ''n'' roll'),
  ('l''amour, c''est la vie', 'sent: French elisions'),
  ('a | b', 'sent: a | b'),
  ('x y z', 'sent: single letters chat'),
  ('I got a SS rank', 'sent: a lone letter split by a space does not join'),
  ('let''s hit the boss', 'sent: nor one after an apostrophe (let''s hit)'),
  ('what''s ex? that''s it', 'sent: what''s ex'),
  ('e.g. U.S.A. at 3.5 a.m.', 'sent: abbreviations and numbers'),
  ('w/o sugar, and/or r/gaming', 'sent: slashes'),
  ('ok,i see', 'sent: a comma without a space'),
  ('who reads this? who re-queued?', 'sent: whore* needs four letters of the next word'),
  ('ret arded', 'sent: ret arded (three letters of the stem in the second word)'),
  ('Llegué re tarde al stream', 'sent: re tarde (Spanish; an ending that is no inflection)'),
  ('Re: Tardis episode tonight', 'sent: Re: Tardis'),
  ('in celebration of 100 subs', 'sent: in celebration for incel*'),
  ('in cell division', 'sent: in cell for incel*'),
  ('Mari con su hermana', 'sent: Mari con for maricon*'),
  ('ni que fuera tan fácil', 'sent: ni que for nique*'),
  ('der Rap ist gut', 'sent: Rap ist for rapist*'),
  ('the ice is so dom', 'sent: so dom for sodom* (an m is one letter, though the form writes rn)'),
  ('wet backing on the carpet', 'sent: wet backing for wetback* (ing is not read as an inflection)'),
  ('re tarder', 'sent: re tarder'),
  ('a niche at last', 'sent: *word terms are not read across a split'),
  ('as soon as possible', 'sent: as soon is not read for ass'),
  ('1|2|3 votes, a|b|c', 'sent: numbers and options joined by |'),
  (E'Bonjour tout le monde\u202f! \u00c7a va\u202f?', 'sent: French with narrow no-break spaces'),
  (E'Il fait 10\u202f000 pas\u202f; bravo', 'sent: French thousands'),
  (E'10\u2009000 viewers', 'sent: a thin space between digits'),
  ('שָׁלוֹם עֲלֵיכֶם, מַה שְּׁלוֹמְךָ?', 'sent: Hebrew with niqqud'),
  ('בְּרֵאשִׁ֖ית בָּרָ֣א אֱלֹהִ֑ים', 'sent: Hebrew with cantillation'),
  ('ٱلسَّلَامُ عَلَيْكُمْ كَيْفَ حَالُكَ؟', 'sent: Arabic with harakat'),
  ('नमस्ते दुनिया, स्ट्रीम बहुत अच्छी है', 'sent: Hindi'),
  ('สวัสดีครับ เกมนี้สนุกมาก', 'sent: Thai'),
  ('Chúc mừng năm mới, cảm ơn bạn nhiều lắm', 'sent: Vietnamese'),
  ('Ŋ is a Sami letter: ŋuolla', 'sent: Sami eng'),
  ('Twi: Ɔkɔm de me', 'sent: Twi open o'),
  ('naira ₦500, 100฿', 'sent: currency signs'),
  ('ᐃᓄᒃᑎᑐᑦ ᑕᑯᓐᓇᕋᓗᐊᖅᑲᐃ', 'sent: Inuktitut'),
  ('Hawaiʻi trip, мʼясо', 'sent: ʻokina and the Ukrainian apostrophe')
) v (c, d);

-- A term written with a hooked letter is folded as a message is.
insert into public.chatroom_blocked_terms (chatroom_id, term) values (:'room', E'\u0188heater');
select is(pg_temp.try_send('cheater'), 'chat_blocked_term', 'a term with ƈ matches the plain word');
select is(private.matching_form(t.term), 'cheater', 'and its form reads ƈ as c')
from public.chatroom_blocked_terms t where t.chatroom_id = :'room' and t.term = E'\u0188heater';

-- The moderators' log names the term.
select is(tests.send_code('ug_stranger', :'room', 'lol f|u|c|k'), 'chat_blocked_term', 'a joined spelling is refused');
select is((select l.details ->> 'term' from public.moderation_actions l
           where l.target_user_id = tests.user_id('ug_stranger') order by l.id desc limit 1), 'fuck',
  'and logged with its term');

-- Narrow spaces alone are still no visible text.
select is(pg_temp.try_send(E'\u2009\u2009'), 'message_invalid:no_visible_characters', 'a message of thin spaces only is refused as having nothing visible');

select * from finish();
rollback;
