-- Words joined to find a term fit the term (20261201144053): at most one word more than the term has,
-- no more than the term across a lone letter, and a hyphen between letters joins them. Ordinary chat
-- a false-positive probe found refused is sent; the disguises the joins exist for are still refused.
begin;
select plan(27);

select tests.create_chat_world('jf') as room \gset
insert into public.chatroom_blocked_terms (chatroom_id, term) values
  (:'room', 'ass'), (:'room', 'cum'), (:'room', 'rape'), (:'room', 'tit'), (:'room', 'hoe'), (:'room', 'whore'),
  (:'room', 'badword'), (:'room', 'free money'), (:'room', 'i hate you'), (:'room', 'kill yourself');

create function pg_temp.try_send(content text) returns text language sql as $$
  select tests.send_outcome('jf_og', tests.chatroom_of('jf_owner'), content)
$$;

select is(pg_temp.try_send(c), 'ok', d) from (values
  ('I got a SS rank', 'sent: a lone letter does not join the next word (a SS is not ass)'),
  ('send a ss pls', 'sent: again, in lower case'),
  ('vou jogar c um amigo', 'sent: Portuguese c um (com) is not cum'),
  ('rap e funk são bons', 'sent: rap e is not rape'),
  ('pra ti t odo', 'sent: ti t is not tit'),
  ('ho e mi casa', 'sent: ho e is not hoe'),
  ('who re-queued', 'sent: a hyphen joins re-queued, so who re is not whore'),
  ('ba dw ord', 'sent: a one-word term is not read across three words, even with a two-word phrase in the room'),
  ('fr ee mo ney', 'sent: nor a two-word phrase across four words')
) v (c, d);

select is(pg_temp.try_send(c), 'chat_blocked_term', d) from (values
  ('a s s', 'refused: a spelled-out run is one word'),
  ('c u m', 'refused: again'),
  ('bad word', 'refused: one split more than the term has words'),
  ('bad-word', 'refused: a hyphen between letters joins them'),
  ('free-money', 'refused: a phrase joined by a hyphen'),
  ('free mon ey', 'refused: a phrase split once more'),
  ('kill your self', 'refused: again'),
  ('i hate you', 'refused: a phrase with a one-letter word, at its own length'),
  ('whore', 'refused: the term itself'),
  ('b4dword', 'refused: leetspeak'),
  ('baaad word', 'refused: held down and split once'),
  ('what an ass', 'refused: a plain hit')
) v (c, d);

-- A room without phrases still reads one split.
select tests.create_chat_world('jg') as solo \gset
insert into public.chatroom_blocked_terms (chatroom_id, term) values (:'solo', 'badword');
select is(tests.send_outcome('jg_og', :'solo', 'bad word'), 'chat_blocked_term', 'one split in a room with no phrase');
select is(tests.send_outcome('jg_og', :'solo', 'b a d word'), 'chat_blocked_term', 'a spelled-out part joins a typed word');

select is(private.join_fitting_term('{"ass": "ass"}', array['a', 'ss'], 1, false), null,
  'two words across a lone letter do not fit a one-word term');
select is(private.join_fitting_term('{"ass": "ass"}', array['as', 's', 'as', 's', 'ass'], 1, false), 'ass',
  'the first join that fits is the answer');
select is(private.join_fitting_term('{"freemoney": "free money"}', array['fr', 'ee', 'money'], 2, false), 'freemoney',
  'three words fit a two-word term');

set local role service_role;
select throws_ok($$select private.join_fitting_term('{}', '{}', 1, false)$$, '42501', null, 'the API roles cannot call it');
reset role;

select * from finish();
rollback;
