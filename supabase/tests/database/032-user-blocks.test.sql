-- User blocks: a signed-in user blocks, lists and unblocks for themselves only; never themselves;
-- at most 5,000; nobody else (not even the blocked user) sees a block.
begin;
select plan(16);

select tests.create_user('ub_alice');
select tests.create_user('ub_bob');
select tests.create_user('ub_carol');

-- anon
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.user_blocks $$, '42501', null, 'anon cannot read blocks');
select throws_ok($$ insert into public.user_blocks (blocker_id, blocked_id) values (tests.user_id('ub_alice'), tests.user_id('ub_bob')) $$,
  '42501', null, 'anon cannot block anyone');

-- a user blocks for themselves
select tests.authenticate_as('ub_alice');
select lives_ok($$ insert into public.user_blocks (blocked_id) values (tests.user_id('ub_bob')) $$,
  'a user can block another user, blocker_id defaulting to themselves');
select throws_ok($$ insert into public.user_blocks (blocked_id) values (tests.user_id('ub_bob')) $$,
  '23505', null, 'blocking the same user twice is refused');
select throws_ok($$ insert into public.user_blocks (blocked_id) values (tests.user_id('ub_alice')) $$,
  '23514', null, 'a user cannot block themselves');
select throws_ok($$ insert into public.user_blocks (blocker_id, blocked_id) values (tests.user_id('ub_carol'), tests.user_id('ub_bob')) $$,
  '42501', null, 'a user cannot block on someone else''s behalf');
select throws_ok($$ insert into public.user_blocks (blocked_id) values (gen_random_uuid()) $$,
  '23503', null, 'blocking an unknown user is refused');
select throws_ok($$ update public.user_blocks set created_at = now() $$, '42501', null, 'blocks cannot be edited');
select is((select count(*) from public.user_blocks)::int, 1, 'a user lists their own blocks');

-- nobody else sees or removes them
select tests.authenticate_as('ub_bob');
select is((select count(*) from public.user_blocks)::int, 0, 'the blocked user does not see the block');
delete from public.user_blocks;
select tests.authenticate_as('ub_carol');
select is((select count(*) from public.user_blocks)::int, 0, 'a third user does not see the block');
delete from public.user_blocks;
select tests.authenticate_as('ub_alice');
select is((select count(*) from public.user_blocks)::int, 1, 'nobody else can remove someone''s block');
select lives_ok($$ delete from public.user_blocks where blocked_id = tests.user_id('ub_bob') $$, 'a user can unblock');
select tests.clear_authentication();
select is((select count(*) from public.user_blocks where blocker_id = tests.user_id('ub_alice'))::int, 0, 'the unblock is stored');

-- the limit: 5,000 blocks per user, the 5,001st refused (rows made by the service role)
select tests.authenticate_as_service_role();
insert into public.users (id, username) select gen_random_uuid(), 'ub_many_' || n from generate_series(1, 5001) n;
insert into public.user_blocks (blocker_id, blocked_id)
select tests.user_id('ub_carol'), u.id from public.users u where u.username::text like 'ub\_many\_%' and u.username::text <> 'ub_many_5001';
select tests.clear_authentication();
select tests.authenticate_as('ub_carol');
select is((select count(*) from public.user_blocks)::int, 5000, 'a user can hold 5,000 blocks');
select throws_ok($$ insert into public.user_blocks (blocked_id) values (tests.user_id('ub_many_5001')) $$,
  '23514', 'user_blocks allows at most 5000 rows per blocker_id', 'the 5,001st block is refused (user_blocks_max_5000_per_user)');

select * from finish();
rollback;
