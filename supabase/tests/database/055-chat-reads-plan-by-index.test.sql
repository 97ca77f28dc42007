-- send_message and the messages read policy's block-list lookup plan by index, not by sequential
-- scan, however small the tables they read (a new site's rooms, the two-minute attempt log, an empty
-- block list): the setting is on both functions, each lookup has its index, and the rules answer
-- as before.
begin;
select plan(12);

select tests.create_chat_world('idx');
create temporary table t (room uuid) on commit drop;
insert into t values (tests.chatroom_of('idx_owner'));
grant select on t to anon, authenticated, service_role;

-- the settings: a later `create or replace` without them would drop them ---------------------------
select ok((select proconfig @> array['enable_seqscan=off', 'search_path=""'] from pg_proc
           where oid = 'private.send_message(uuid,text,bigint)'::regprocedure),
  'send_message plans its statements (and those of the functions it calls) by index');
select ok((select proconfig @> array['enable_seqscan=off', 'search_path=""'] from pg_proc
           where oid = 'private.caller_blocked_user_ids()'::regprocedure),
  'the block-list lookup behind signed-in reads plans by index');

-- each lookup has an index to take, even on an empty table --------------------------------------
set local enable_seqscan = off;
select matches(tests.plan_of(format(
  $$select max(a.created_at) from private.chat_blocked_attempts a
    where a.chatroom_id = %L and a.user_id = %L and a.created_at > now() - interval '2 minutes'$$,
  (select room from t), tests.user_id('idx_stranger'))),
  -- Once other tests' attempts have come and gone, statistics may make the sender's user_id index
  -- cost the same on this nearly empty table; either is a probe for one sender, never a scan.
  'chat_blocked_attempts_(sender|user_id)_idx',
  'the latest refused attempt is found through the sender''s index');
select matches(tests.plan_of(format(
  $$select b.blocked_id from public.user_blocks b where b.blocker_id = %L$$, tests.user_id('idx_og'))),
  -- On an empty table (the tests roll back their blocks) the two indexes cost the same, and which one
  -- wins moved with autovacuum's statistics; with rows in it the primary key's leading column wins.
  'user_blocks_pkey|user_blocks_blocked_id_idx', 'a reader''s blocks are found through an index, not a sequential scan');
select matches(tests.plan_of(format(
  $$select m.chatroom_id from private.chatroom_term_matchers m where m.chatroom_id = %L$$, (select room from t))),
  'chatroom_term_matchers_pkey', 'the room''s term matcher is found through its primary key');
reset enable_seqscan;

-- the rules answer as before ---------------------------------------------------------------------
select is(tests.send_code('idx_stranger', (select room from t), 'hello there'), 'ok', 'a plain send passes');
select is(tests.send_code('idx_stranger', (select room from t), 'hello there'), 'chat_duplicate',
  'the message just sent makes the same one a duplicate');
select is(tests.send_code('idx_banned', (select room from t), 'let me in'), 'chat_banned', 'a banned user is refused');
insert into public.chatroom_blocked_terms (chatroom_id, term) values ((select room from t), 'verboten');
select is(tests.send_code('idx_vip', (select room from t), 'a verboten word'), 'chat_blocked_term',
  'a blocked term is refused');
select is((select count(*)::integer from private.chat_blocked_attempts
           where chatroom_id = (select room from t) and user_id = tests.user_id('idx_vip')), 1,
  'the refused attempt is kept for the rate rules');

-- a signed-in read leaves out the senders the reader blocks, and only them ------------------------
select tests.authenticate_as('idx_og');
select is((select count(*)::integer from public.messages where chatroom_id = (select room from t)), 1,
  'a reader with no blocks sees every message');
insert into public.user_blocks (blocked_id) values (tests.user_id('idx_stranger'));
select is((select count(*)::integer from public.messages where chatroom_id = (select room from t)), 0,
  'after blocking the sender, their message is left out');
select tests.clear_authentication();

select * from finish();
rollback;
