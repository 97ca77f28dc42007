-- The matching form reads small capitals and the emoji letters (negative circled, negative squared,
-- regional indicators) as their letters (20261201111830), so blocked terms, the duplicate rule and
-- display names hold against them; terms written with them fold like their plain spelling
-- (20261201111834); text that only uses them innocently still passes unchanged.
begin;
select plan(16);

select tests.create_chat_world('ll') as room \gset
insert into public.chatroom_blocked_terms (chatroom_id, term) values (:'room', 'badword'), (:'room', E'\ua731\u1d18\u1d00\u1d0d');

-- One send by ll_og (no bypass), judged from a clean slate.
create function pg_temp.try_send(content text) returns text language sql as $$
  select tests.send_outcome('ll_og', tests.chatroom_of('ll_owner'), content)
$$;

-- the form ----------------------------------------------------------------------------------------
select is(private.matching_form(E'\u0299\u1d00\u1d05\u1d21\u1d0f\u0280\u1d05'), 'badword', 'small capitals are their letters');
select is(private.matching_form(E'\U0001f171\U0001f170\U0001f173'), 'bad', 'negative squared letters are their letters');
select is(private.matching_form(E'\U0001f151\U0001f150\U0001f153'), 'bad', 'negative circled letters are their letters');
select is(private.matching_form(E'\U0001f1e7\U0001f1e6\U0001f1e9'), 'bad', 'regional indicator letters are their letters');
select is(private.matching_form(E'\U0001f131\U0001f130\U0001f133'), 'bad', 'squared letters (NFKC) are their letters');
select is(private.matching_form(E'\u1d0d\U0001f15c'), 'rnrn', 'a small capital or emoji M folds like m (to rn)');

-- blocked terms hold against them ----------------------------------------------------------------
select is(pg_temp.try_send(c), 'chat_blocked_term', d) from (values
  (E'\u0299\u1d00\u1d05\u1d21\u1d0f\u0280\u1d05', 'refused: the term in small capitals'),
  (E'\U0001f171\U0001f170\U0001f173\U0001f186\U0001f17e\U0001f181\U0001f173', 'refused: the term in negative squared letters'),
  (E'\U0001f151\U0001f150\U0001f153\U0001f166\U0001f15e\U0001f161\U0001f153', 'refused: the term in negative circled letters'),
  (E'\U0001f1e7\U0001f1e6\U0001f1e9\U0001f1fc\U0001f1f4\U0001f1f7\U0001f1e9', 'refused: the term in regional indicator letters'),
  (E'what a \U0001f171adword', 'refused: one emoji letter in an otherwise plain word'),
  ('no spam here', 'refused: a term written in small capitals blocks its plain spelling')
) v (c, d);

-- innocent uses still pass, stored as written ----------------------------------------------------
select is(pg_temp.try_send(E'gg \U0001f1eb\U0001f1f7 vs \U0001f1ef\U0001f1f5 tonight \U0001f170\U0001f171'), 'ok',
  'flags and emoji letters that spell no term pass unchanged');

-- a term written with them folds like its plain spelling ----------------------------------------
select is((select pattern from public.chatroom_blocked_terms where chatroom_id = :'room' and term = E'\ua731\u1d18\u1d00\u1d0d'),
  private.blocked_term_pattern('spam'), 'a small-capital term compiles to the pattern of its plain spelling');

-- display names: not another user's username in small capitals ----------------------------------
select throws_ok($$ update public.users set display_name = E'\u029f\u029f_\u1d0f\u1d21\u0274\u1d07\u0280' where id = tests.user_id('ll_og') $$,
  '23514', 'This display name looks like another user''s username.',
  'a display name cannot be another user''s username in small capitals');
select lives_ok($$ update public.users set display_name = E'\u029f\u029f_\u1d0f\u0262' where id = tests.user_id('ll_og') $$,
  'but may be the user''s own username in small capitals');

select * from finish();
rollback;
