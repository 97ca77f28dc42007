-- Zalgo text (combining marks stacked on letters) is refused with message_invalid, reason
-- combining_marks, from five marks in a row (20261201124950); languages that write with marks pass.
begin;
select plan(10);

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

select * from finish();
rollback;
