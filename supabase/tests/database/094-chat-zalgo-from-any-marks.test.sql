-- Zalgo text is refused (message_invalid, reason combining_marks) from marks of any script stacked
-- eight in a row, and from five of the generic blocks split by invisible characters
-- (20261201191602). Languages written with marks of their own blocks are sent.
begin;
select plan(16);

select tests.create_chat_world('zm') as room \gset
create function pg_temp.try_send(content text) returns text language sql as $$
  select tests.send_outcome('zm_og', tests.chatroom_of('zm_owner'), content)
$$;

select is(pg_temp.try_send(c), 'message_invalid:combining_marks', d) from (values
  (E'f\u0351\u0307\u0352\u0315\u200b\u035f\u0300\u0301\u0302uck', 'refused: four marks, a zero-width space and four more'),
  (E'h\u0300\u200d\u0301\u2060\u0302\u200c\u0303\u0304i', 'refused: five generic marks split by other invisible characters'),
  (E'h\ua67a\ua67b\ua674\ua677\ua67b\ua675\ua677\ua677\ua670\ua66fello', 'refused: ten Cyrillic combining letters on a letter'),
  (E'h\U0001d167\U0001d181\U0001d180\U0001d17b\U0001d180\U0001d17e\U0001d17f\U0001d17dello', 'refused: eight musical combining marks'),
  (E'\u05d4\u0591\u0596\u0592\u0593\u0594\u0595\u0597\u0598 test', 'refused: eight Hebrew accents on a letter'),
  (E'a\u0610\u0611\u0612\u0613\u200b\u0614\u0615\u0616\u0617', 'refused: eight Arabic marks across a zero-width space')
) v (c, d);

select is(pg_temp.try_send(c), 'ok', d) from (values
  (E'\u05d4\u0591\u0596\u0592\u0593\u0594\u0595\u0597 test', 'sent: seven marks of another block'),
  (E'e\u0301\u0302\u0303\u200b\u0304', 'sent: four generic marks and a zero-width space'),
  (E'\u05e9\u05bc\u05c1\u05b8\u05bd\u05a3\u05d0', 'sent: a Hebrew letter with dagesh, shin dot, vowel, meteg and accent'),
  ('בְּרֵאשִׁ֖ית בָּרָ֣א אֱלֹהִ֑ים', 'sent: Hebrew with cantillation'),
  ('بِسْمِ ٱللَّٰهِ ٱلرَّحْمَٰنِ ٱلرَّحِيمِ', 'sent: Arabic with harakat and Quranic marks'),
  ('स्ट्रीम बहुत अच्छी है', 'sent: Hindi'),
  ('ཧཱུྃ བཀྲ་ཤིས་བདེ་ལེགས།', 'sent: Tibetan stacks'),
  ('สวัสดีครับ', 'sent: Thai'),
  ('👩‍💻 ❤️ 1️⃣ 🏳️‍🌈 👨‍👩‍👧‍👦', 'sent: emoji sequences'),
  ('Tiếng Việt có dấu', 'sent: Vietnamese')
) v (c, d);

select * from finish();
rollback;
