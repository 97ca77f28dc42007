-- Follows: a signed-in user follows and unfollows channels they do not own, toggles notifications,
-- lists their follows; the owner lists their followers; followers_count stays exact.
begin;
select plan(30);

select tests.create_user('fo_owner');
select tests.create_user('fo_mod');
select tests.create_user('fo_vip');
select tests.create_user('fo_fan');
select tests.create_user('fo_stranger');
insert into public.channel_roles (channel_id, user_id, role, granted_by)
select c.id, tests.user_id(r.username), r.role, c.owner_id
from public.channels c, (values ('fo_mod', 'moderator'), ('fo_vip', 'vip')) as r (username, role)
where c.slug = 'fo_owner';

-- anon
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.follows $$, '42501', null, 'anon cannot read follows');
select throws_ok($$ insert into public.follows (user_id, channel_id) values (tests.user_id('fo_fan'), (select id from public.channels where slug = 'fo_owner')) $$,
  '42501', null, 'anon cannot follow');

-- a user follows (user_id defaults to the caller, as in supabase.from('follows').insert({channel_id}))
select tests.authenticate_as('fo_fan');
select lives_ok($$ insert into public.follows (channel_id) values ((select id from public.channels where slug = 'fo_owner')) $$,
  'a user can follow a channel, user_id defaulting to themselves');
select is((select followers_count from public.channels where slug = 'fo_owner'), 1, 'following increments followers_count');
select throws_ok($$ insert into public.follows (channel_id) values ((select id from public.channels where slug = 'fo_owner')) $$,
  '23505', null, 'following the same channel twice is refused');
select is((select followers_count from public.channels where slug = 'fo_owner'), 1, 'a refused duplicate follow is not counted');
select throws_ok($$ insert into public.follows (channel_id) values ((select id from public.channels where slug = 'fo_fan')) $$,
  '42501', null, 'a user cannot follow their own channel');
select throws_ok($$ insert into public.follows (user_id, channel_id) values (tests.user_id('fo_stranger'), (select id from public.channels where slug = 'fo_vip')) $$,
  '42501', null, 'a user cannot follow on someone else''s behalf');
select throws_ok($$ insert into public.follows (channel_id) values (gen_random_uuid()) $$, '23503', null,
  'following a channel that does not exist is refused');
select lives_ok($$ update public.follows set notifications = false where channel_id = (select id from public.channels where slug = 'fo_owner') $$,
  'a user can turn off notifications for a follow');
select is((select notifications from public.follows where user_id = tests.user_id('fo_fan')), false, 'the notification choice is stored');
select throws_ok($$ update public.follows set created_at = now() - interval '1 year' $$, '42501', null,
  'a user cannot backdate a follow (only notifications may change)');
select is((select count(*) from public.follows)::int, 1, 'a user lists their own follows');

-- others follow too; who sees what
select tests.authenticate_as('fo_stranger');
insert into public.follows (channel_id) values ((select id from public.channels where slug = 'fo_owner'));
select is((select count(*) from public.follows)::int, 1, 'a user does not see other users'' follows');
update public.follows set notifications = true where user_id = tests.user_id('fo_fan');
delete from public.follows where user_id = tests.user_id('fo_fan');
select tests.authenticate_as('fo_mod');
select is((select count(*) from public.follows where channel_id = (select id from public.channels where slug = 'fo_owner'))::int, 0,
  'a moderator cannot list the channel''s followers');
select tests.authenticate_as('fo_vip');
select is((select count(*) from public.follows where channel_id = (select id from public.channels where slug = 'fo_owner'))::int, 0,
  'a VIP cannot list the channel''s followers');
select tests.authenticate_as('fo_owner');
select is((select count(*) from public.follows where channel_id = (select id from public.channels where slug = 'fo_owner'))::int, 2,
  'the owner lists their channel''s followers');
delete from public.follows where user_id = tests.user_id('fo_fan');
select tests.clear_authentication();
select is((select (notifications, followers_count) from public.follows f join public.channels c on c.id = f.channel_id
  where f.user_id = tests.user_id('fo_fan')), (false, 2), 'nobody else can change or remove a user''s follow');

-- unfollow
select tests.authenticate_as('fo_fan');
select lives_ok($$ delete from public.follows where channel_id = (select id from public.channels where slug = 'fo_owner') $$,
  'a user can unfollow');
delete from public.follows where channel_id = (select id from public.channels where slug = 'fo_owner');
select tests.clear_authentication();
select is((select followers_count from public.channels where slug = 'fo_owner'), 1,
  'unfollowing decrements followers_count once, unfollowing again changes nothing');

-- many follows and unfollows stay exact
do $$
declare
  n integer;
begin
  for n in 1..60 loop
    perform tests.create_user('fo_crowd_' || n);
    perform tests.authenticate_as('fo_crowd_' || n);
    insert into public.follows (channel_id) values ((select id from public.channels where slug = 'fo_owner'));
    insert into public.follows (channel_id) values ((select id from public.channels where slug = 'fo_vip'));
    if n % 3 = 0 then
      delete from public.follows where channel_id = (select id from public.channels where slug = 'fo_owner');
    end if;
    perform tests.clear_authentication();
  end loop;
end
$$;
select is((select followers_count from public.channels where slug = 'fo_owner'),
  (select count(*)::int from public.follows where channel_id = (select id from public.channels where slug = 'fo_owner')),
  'after 60 follows and 20 unfollows followers_count equals the number of follows');
select is((select followers_count from public.channels where slug = 'fo_owner'), 41, 'that is 1 + 60 - 20 followers');
select is((select followers_count from public.channels where slug = 'fo_vip'), 60, 'the other channel counted its 60 follows');

-- deleting a follower's account removes their follow and its count
delete from public.users where username in ('fo_crowd_1', 'fo_crowd_2');
select is((select followers_count from public.channels where slug = 'fo_owner'), 39, 'a deleted account no longer counts as a follower');
select is((select followers_count from public.channels where slug = 'fo_vip'), 58, 'on every channel it followed');

-- the service role
select tests.authenticate_as_service_role();
select lives_ok($$ insert into public.follows (user_id, channel_id) values (tests.user_id('fo_fan'), (select id from public.channels where slug = 'fo_vip')) $$,
  'the service role can write follows');
select lives_ok($$ update public.follows set channel_id = (select id from public.channels where slug = 'fo_mod')
  where user_id = tests.user_id('fo_fan') and channel_id = (select id from public.channels where slug = 'fo_vip') $$,
  'the service role can move a follow');
select tests.clear_authentication();
select is((select array[(select followers_count from public.channels where slug = 'fo_vip'), (select followers_count from public.channels where slug = 'fo_mod')]),
  array[58, 1], 'moving a follow moves its count');
select throws_ok($$ update public.channels set followers_count = -1 where slug = 'fo_stranger' $$, '23514', null,
  'followers_count cannot go negative');
select is((select count(*)::int from public.channels c
  where c.followers_count <> (select count(*) from public.follows f where f.channel_id = c.id)), 0,
  'every channel''s followers_count matches its follows');

select * from finish();
rollback;
