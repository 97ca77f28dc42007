-- A blocked term spelled out one character at a time is refused (20261201112423): runs of three or
-- more single characters, separated by spaces, punctuation or underscores, are read as the word they
-- spell, for plain terms, phrases and `word*` / `*word` terms. Ordinary text with single letters in it
-- still passes, and the rule stays whole-word.
begin;
select plan(16);

select tests.create_chat_world('so') as room \gset
insert into public.chatroom_blocked_terms (chatroom_id, term) values
  (:'room', 'badword'), (:'room', 'free money'), (:'room', 'spoil*'), (:'room', '*bait'), (:'room', 'mum');

-- One send by so_og (no bypass), judged from a clean slate.
create function pg_temp.try_send(content text) returns text language sql as $$
  select tests.send_outcome('so_og', tests.chatroom_of('so_owner'), content)
$$;

select is(pg_temp.try_send(c), 'chat_blocked_term', d) from (values
  ('b a d w o r d', 'refused: a term spelled out with spaces'),
  ('b.a.d.w.o.r.d', 'refused: with dots'),
  ('b_a_d_w_o_r_d', 'refused: with underscores'),
  ('lol b - a - d - w - o - r - d lol', 'refused: with dashes, inside a message'),
  (E'\u0299 \u1d00 \u1d05 \u1d21 \u1d0f \u0280 \u1d05', 'refused: spelled out in small capitals'),
  ('f r e e m o n e y', 'refused: a phrase spelled out'),
  ('s p o i l e r s', 'refused: a prefix term spelled out'),
  ('r a g e b a i t', 'refused: a suffix term spelled out'),
  ('M U M', 'refused: an m spelled out (its form is rn) counts as one character')
) v (c, d);

select is(pg_temp.try_send(c), 'ok', d) from (values
  ('I am a bad person', 'sent: single words among longer ones spell nothing'),
  ('a b c d e f g', 'sent: a spelled run that is no term'),
  ('x y', 'sent: two single characters are not a run'),
  ('hi m o m', 'sent: mom is not mum'),
  ('b a d w o r d x', 'sent: whole words, as badwordx is not badword'),
  ('b a d', 'sent: a run that spells part of a term')
) v (c, d);

select is(tests.send_outcome('so_mod', :'room', 'b a d w o r d'), 'ok',
  'staff skip blocked terms, spelled out or not');

select * from finish();
rollback;
