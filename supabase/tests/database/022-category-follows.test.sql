-- Category follows: a signed-in user follows, lists and unfollows categories for themselves only.
begin;
select plan(14);

select tests.create_user('cf_fan');
select tests.create_user('cf_other');
insert into public.categories (igdb_id, name, slug) values (990101, 'Cat One', 'cat-one'), (990102, 'Cat Two', 'cat-two');

-- anon
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.category_follows $$, '42501', null, 'anon cannot read category follows');
select throws_ok($$ insert into public.category_follows (user_id, category_id) values (tests.user_id('cf_fan'), (select id from public.categories where slug = 'cat-one')) $$,
  '42501', null, 'anon cannot follow a category');

-- a user
select tests.authenticate_as('cf_fan');
select lives_ok($$ insert into public.category_follows (category_id) values ((select id from public.categories where slug = 'cat-one')) $$,
  'a user can follow a category, user_id defaulting to themselves');
select lives_ok($$ insert into public.category_follows (user_id, category_id) values (tests.user_id('cf_fan'), (select id from public.categories where slug = 'cat-two')) $$,
  'a user can follow a category naming themselves');
select throws_ok($$ insert into public.category_follows (category_id) values ((select id from public.categories where slug = 'cat-one')) $$,
  '23505', null, 'following a category twice is refused');
select throws_ok($$ insert into public.category_follows (user_id, category_id) values (tests.user_id('cf_other'), (select id from public.categories where slug = 'cat-one')) $$,
  '42501', null, 'a user cannot follow a category on someone else''s behalf');
select throws_ok($$ insert into public.category_follows (category_id) values (gen_random_uuid()) $$, '23503', null,
  'following an unknown category is refused');
select throws_ok($$ update public.category_follows set created_at = now() $$, '42501', null, 'category follows cannot be edited');
select is((select count(*) from public.category_follows)::int, 2, 'a user lists their own category follows');

select tests.authenticate_as('cf_other');
select is((select count(*) from public.category_follows)::int, 0, 'a user does not see other users'' category follows');
delete from public.category_follows;
select tests.authenticate_as('cf_fan');
select is((select count(*) from public.category_follows)::int, 2, 'another user cannot remove someone''s category follows');
select lives_ok($$ delete from public.category_follows where category_id = (select id from public.categories where slug = 'cat-two') $$,
  'a user can unfollow a category');
select tests.clear_authentication();
select is((select count(*) from public.category_follows where user_id = tests.user_id('cf_fan'))::int, 1, 'the unfollow is stored');

-- the service role, and a category going away
select tests.authenticate_as_service_role();
delete from public.categories where slug = 'cat-one';
select tests.clear_authentication();
select is((select count(*) from public.category_follows where user_id = tests.user_id('cf_fan'))::int, 0,
  'removing a category removes its follows');

select * from finish();
rollback;
