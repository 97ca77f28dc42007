-- A spelled-out word that hides letters behind digits is refused (20261201144053): a run of four
-- or more single characters with at least twice as many letters as stand-in digits. Numbers with a unit after them ("a 5 s delay"), short runs and runs of digits stay
-- ordinary chat.
begin;
select plan(22);

select tests.create_chat_world('sd') as room \gset
insert into public.chatroom_blocked_terms (chatroom_id, term) values
  (:'room', 'badword'), (:'room', 'ass'), (:'room', 'free money'), (:'room', 'get rekt'),
  (:'room', 'sex'), (:'room', 'hoe'), (:'room', 'tit'), (:'room', 'gay'), (:'room', 'stab');

create function pg_temp.try_send(content text) returns text language sql as $$
  select tests.send_outcome('sd_og', tests.chatroom_of('sd_owner'), content)
$$;

select is(pg_temp.try_send(c), 'chat_blocked_term', d) from (values
  ('b 4 d w o r d', 'refused: 4 for a, spelled out'),
  ('f r 3 e money', 'refused: a spelled-out part with a digit joins the typed word'),
  ('g 3 t r e k 7', 'refused: 3 for e and 7 for t across a phrase'),
  ('B.4.D.W.0.R.D', 'refused: dots between, capitals, 4 and 0'),
  ('b a d w 0 r d', 'refused: 0 reads o in the matching form, as before')
) v (c, d);

select is(pg_temp.try_send(c), 'ok', d) from (values
  ('4 5 5', 'sent: digits alone are a number'),
  ('1 2 3 4 5 go', 'sent: counting down'),
  ('a 5 5', 'sent: more digits than letters stay digits'),
  ('score 3 4 5 6', 'sent: a run of numbers'),
  ('need a 5 s delay', 'sent: a number and its unit (a 5 s is not ass)'),
  ('give me a 5 s head start', 'sent: again'),
  ('top 5 e x', 'sent: a short run stays as typed (5 e x is not sex)'),
  ('h 0 3', 'sent: a three-character run'),
  ('t 1 7', 'sent: a three-character run with 1'),
  ('g 4 y', 'sent: a three-character run with 4'),
  ('f r 3 3 money', 'sent: as many digits as letters'),
  ('room 4 5 6', 'sent: numbers after a word'),
  ('a 4 b', 'sent: a 4 b'),
  ('p 2 p', 'sent: p 2 p')
) v (c, d);

-- The log names the matched term (a refused send keeps its log row; send_outcome's do not).
select tests.send_as('sd_og', :'room', 'b 4 d w o r d');
select is((select l.details ->> 'term' from public.moderation_actions l
           where l.target_user_id = tests.user_id('sd_og') and l.action = 'message.blocked' order by l.id desc limit 1),
  'badword', 'the log names the term a spelled-out digit hit matched');

select tests.create_chat_world('se') as open_room \gset
select is(tests.send_outcome('se_og', :'open_room', 'b 4 d w o r d'), 'ok', 'a room without terms sends it');
select is(tests.send_outcome('sd_mod', :'room', 'b 4 d w o r d'), 'ok', 'staff skip blocked terms');

select * from finish();
rollback;
