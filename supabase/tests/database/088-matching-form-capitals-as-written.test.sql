-- The matching form reads letters as written before folding case (20261201180801): Greek capitals
-- whose small letters are other look-alikes (Ν is N but ν is v, Η is H but η is n, Υ is Y but υ is u,
-- Β is B but β is ss), ϲ (NFKC makes it ς, read o) and ғ (TS #39 10.0.0 reads it as r, small-text
-- generators use it for F). A second Unicode probe got blocked terms through with them.
begin;
select plan(10);

select is(private.matching_form(E'\u039d\u0399GG\u0395R'), 'nigger', 'Greek capitals Ν Ι Ε read as N I E');
select is(private.matching_form(E'W\u0397ORE'), 'whore', 'Η reads as H, not n');
select is(private.matching_form(E'\u039a\u03a5S'), 'kys', 'Υ reads as Y, not u');
select is(private.matching_form(E'\u03f2unt'), 'cunt', 'ϲ reads as c, not o');
select is(private.matching_form(E'\u0493\u1d1c\u1d04\u1d0b'), 'fuck', 'small-text ғ reads as f, not r');
select is(private.matching_form(E'\U0001d6a9ad'), 'bad', 'a mathematical capital beta reads as B, not ss');
select is(private.matching_form(E'\u03bd\u03b9\u03ba\u03b7'), private.matching_form(E'\u03bd\u03b9\u03ba\u03b7'),
  'small Greek letters read as before');
select is(private.matching_form('Hello World 123'), 'hello world l23', 'ASCII text takes its short path as before');

select tests.create_chat_world('mc');
insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('mc_owner'), 'fuck');
select is(tests.send_code('mc_stranger', tests.chatroom_of('mc_owner'), E'what the \u0493\u1d1c\u1d04\u1d0b'), 'chat_blocked_term',
  'a small-text F no longer gets a blocked term through');
select is(tests.send_code('mc_sub', tests.chatroom_of('mc_owner'), E'\u039d\u0399\u039a\u0397 means victory'), 'ok',
  'Greek capitals in ordinary chat are sent');

select * from finish();
rollback;
