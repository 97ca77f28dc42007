-- Users and notification preferences: who may read and change what.
begin;
select plan(24);

select tests.create_user('alice');
select tests.create_user('bob');

-- provisioning
select is((select count(*) from public.notification_preferences where user_id = tests.user_id('alice'))::int, 1,
  'provisioning a user creates their notification preferences');
select is((select email_verified_at is not null from private.accounts where user_id = tests.user_id('alice')), true,
  'provisioning records the email verification state privately');
select lives_ok($$ select private.provision_user(tests.user_id('alice'), 'alice', 'alice@example.test', true) $$,
  'provisioning the same user again is harmless');
select is((select count(*) from public.users where username = 'alice')::int, 1, 'provisioning twice keeps one user');
select throws_ok($$ select private.provision_user('00000000-0000-0000-0000-000000000000', 'zero') $$, '22023', null,
  'the all-zero identity id is refused');
select throws_ok($$ select private.provision_user(gen_random_uuid(), 'ALICE') $$, '23505', null,
  'usernames are unique regardless of case');
select throws_ok($$ select private.provision_user(gen_random_uuid(), 'ab') $$, '23514', null,
  'a username shorter than 3 characters is refused');
select throws_ok($$ select private.provision_user(gen_random_uuid(), 'no spaces allowed') $$, '23514', null,
  'a username with characters outside [A-Za-z0-9_] is refused');

-- anon
select tests.authenticate_as_anon();
select is((select count(*) from public.users where username in ('alice', 'bob'))::int, 2, 'anon can read profiles');
select throws_ok($$ select * from public.notification_preferences $$, '42501', null, 'anon cannot read preferences');
select throws_ok($$ update public.users set bio = 'x' $$, '42501', null, 'anon cannot update profiles');
select throws_ok($$ select * from private.accounts $$, '42501', null, 'anon cannot read private account records');

-- a signed-in user
select tests.authenticate_as('alice');
select is((select count(*) from public.users where username in ('alice', 'bob'))::int, 2, 'a user can read profiles');
update public.users set bio = 'Speedrunner', display_name = 'Alice' where id = tests.user_id('alice');
select is((select bio from public.users where username = 'alice'), 'Speedrunner', 'a user can update their own bio');
update public.users set bio = 'hacked' where id = tests.user_id('bob');
select is((select bio from public.users where username = 'bob'), null, 'a user cannot update someone else''s profile');
select throws_ok($$ update public.users set username = 'alice2' where id = auth.uid() $$, '42501', null,
  'a user cannot change their username through the API');
select throws_ok($$ update public.users set bio = repeat('x', 301) where id = auth.uid() $$, '23514', null,
  'a bio over 300 characters is refused');
select throws_ok($$ update public.users set avatar_url = 'http://insecure.example/a.png' where id = auth.uid() $$, '23514', null,
  'a non-https avatar url is refused');
select throws_ok($$ insert into public.users (id, username) values (gen_random_uuid(), 'mallory') $$, '42501', null,
  'a user cannot create users');
select is((select count(*) from public.notification_preferences)::int, 1, 'a user sees only their own preferences');
update public.notification_preferences set email_enabled = false where user_id = tests.user_id('alice');
update public.notification_preferences set push_enabled = false where user_id = tests.user_id('bob');
select tests.clear_authentication();
select is((select email_enabled from public.notification_preferences where user_id = tests.user_id('alice')), false,
  'a user can update their own preferences');
select is((select push_enabled from public.notification_preferences where user_id = tests.user_id('bob')), true,
  'a user cannot update someone else''s preferences');

-- the service role
select tests.authenticate_as_service_role();
select lives_ok($$ insert into public.users (id, username) values (gen_random_uuid(), 'service_made') $$,
  'the service role can create users');
select lives_ok($$ delete from public.users where username = 'service_made' $$, 'the service role can delete users');
select tests.clear_authentication();

select * from finish();
rollback;
