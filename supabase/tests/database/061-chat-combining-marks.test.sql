-- Zalgo text (combining marks stacked on letters) is refused with message_invalid, reason
-- combining_marks, from five marks in a row (20261201124950); languages that write with marks pass.
-- Display names refuse the same runs. Line and paragraph separators are line breaks; marks of
-- later Unicode versions in the combining blocks are removed by the matching form.
begin;
select plan(19);

select tests.create_chat_world('zg') as room \gset
create function pg_temp.try_send(content text) returns text language sql as $$
  select tests.send_outcome('zg_og', tests.chatroom_of('zg_owner'), content)
$$;

select is(pg_temp.try_send(c), 'message_invalid:combining_marks', d) from (values
  (E'z\u0351\u0307\u0352\u0315\u035fa\u0336lgo', 'refused: five marks on a letter'),
  (E'h\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309\u030a\u030b\u030c\u030d\u030e\u030fi', 'refused: sixteen marks on a letter'),
  (E'a\u20d0\u20d1\u1dc0\u1ab0\ufe20', 'refused: marks from the other generic blocks count together'),
  ('ok ' || repeat(E'\u0489', 5), 'refused: a run of marks on nothing')
) v (c, d);

select is(pg_temp.try_send(c), 'ok', d) from (values
  (E'e\u0301\u0302\u0303\u0304', 'sent: four marks'),
  ('Tiếng Việt có dấu', 'sent: Vietnamese'),
  (E'ẹ\u0300 o\u0323\u0301', 'sent: Yoruba tone and dot'),
  ('שָׁלוֹם', 'sent: Hebrew with niqqud'),
  ('สวัสดีครับ', 'sent: Thai'),
  ('नमस्ते दुनिया', 'sent: Hindi')
) v (c, d);

select is(tests.try_as('zg_og', format($$ update public.users set display_name = %L where id = %L $$,
  E'z\u0300\u0301\u0302\u0303\u0304g', tests.user_id('zg_og'))), '23514', 'a display name refuses five combining marks in a row');
select is(tests.try_as('zg_og', format($$ update public.users set display_name = %L where id = %L $$,
  'Zoë Núñez', tests.user_id('zg_og'))), 'rows:1', 'and keeps ordinary accents');

-- Line and paragraph separators break a line as LF does (20261201124950).
select is(pg_temp.try_send(c), 'message_invalid:control_characters', d) from (values
  (E'hi\u2028[mod] nova: fake line', 'refused: a line separator'),
  (E'hi\u2029there', 'refused: a paragraph separator')
) v (c, d);
select is(tests.try_as('zg_og', format($$ update public.users set display_name = %L where id = %L $$,
  E'zg\u2028og', tests.user_id('zg_og'))), '23514', 'a display name refuses a line separator');

-- Marks a later Unicode version assigns in the combining blocks are removed by the matching form
-- (20261201125624), so they neither hide a blocked term nor make a duplicate new.
insert into public.chatroom_blocked_terms (chatroom_id, term) values (:'room', 'badword');
select is(pg_temp.try_send(E'ba\u1ad0dwo\u1ad0rd'), 'chat_blocked_term', 'a term with U+1AD0 marks inside is refused');
select is(private.matching_form(E'gg\u1ad0\U00010efa'), 'gg', 'the form drops marks of the combining blocks this engine''s tables do not know');
select is(tests.send_code('zg_og', :'room', 'same words'), 'ok', 'a message');
select is(tests.send_code('zg_og', :'room', E'same words\u1acf'), 'chat_duplicate', 'the same with a new mark is a duplicate');

select * from finish();
rollback;
