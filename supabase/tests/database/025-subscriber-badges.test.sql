-- Subscriber badges: anyone reads them; only the owner adds and removes them; one per month count,
-- months at least 1, https images.
begin;
select plan(19);

select tests.create_user('ba_owner');
select tests.create_user('ba_mod');
select tests.create_user('ba_vip');
select tests.create_user('ba_stranger');
insert into public.channel_roles (channel_id, user_id, role, granted_by)
select c.id, tests.user_id(r.username), r.role, c.owner_id
from public.channels c, (values ('ba_mod', 'moderator'), ('ba_vip', 'vip')) as r (username, role)
where c.slug = 'ba_owner';

-- the owner
select tests.authenticate_as('ba_owner');
select lives_ok($$ insert into public.subscriber_badges (months, image_url) values (1, 'https://cdn.example.test/b1.png') $$,
  'the owner can add a badge, channel_id defaulting to their channel');
select lives_ok($$ insert into public.subscriber_badges (channel_id, months, image_url)
  values ((select id from public.channels where slug = 'ba_owner'), 12, 'https://cdn.example.test/b12.png') $$,
  'the owner can add a badge naming their channel');
select throws_ok($$ insert into public.subscriber_badges (months, image_url) values (1, 'https://cdn.example.test/other.png') $$, '23505', null,
  'a second badge for the same month count is refused');
select throws_ok($$ insert into public.subscriber_badges (months, image_url) values (0, 'https://cdn.example.test/b0.png') $$, '23514', null,
  'a badge for 0 months is refused');
select throws_ok($$ insert into public.subscriber_badges (months, image_url) values (3, 'http://cdn.example.test/b3.png') $$, '23514', null,
  'a non-https badge image is refused');
select throws_ok($$ insert into public.subscriber_badges (months) values (6) $$, '23502', null, 'a badge needs an image');
select throws_ok($$ update public.subscriber_badges set months = 2 $$, '42501', null, 'badges cannot be edited, only replaced');
select throws_ok($$ insert into public.subscriber_badges (channel_id, months, image_url) values ((select id from public.channels where slug = 'ba_stranger'), 1, 'https://cdn.example.test/x.png') $$,
  '42501', null, 'the owner cannot add badges to another channel');
select is((select array_agg(months order by months) from public.subscriber_badges where channel_id = (select id from public.channels where slug = 'ba_owner')),
  array[1, 12], 'refused badges change nothing');

-- anon, a stranger, a moderator and a VIP
select tests.authenticate_as_anon();
select is((select count(*) from public.subscriber_badges where channel_id = (select id from public.channels where slug = 'ba_owner'))::int, 2,
  'anon can read badges');
select throws_ok($$ insert into public.subscriber_badges (channel_id, months, image_url) values ((select id from public.channels where slug = 'ba_owner'), 2, 'https://cdn.example.test/a.png') $$,
  '42501', null, 'anon cannot add badges');
select tests.authenticate_as('ba_stranger');
select throws_ok($$ insert into public.subscriber_badges (channel_id, months, image_url) values ((select id from public.channels where slug = 'ba_owner'), 2, 'https://cdn.example.test/s.png') $$,
  '42501', null, 'a stranger cannot add badges to another channel');
delete from public.subscriber_badges where months = 12;
select tests.authenticate_as('ba_mod');
select throws_ok($$ insert into public.subscriber_badges (channel_id, months, image_url) values ((select id from public.channels where slug = 'ba_owner'), 2, 'https://cdn.example.test/m.png') $$,
  '42501', null, 'a moderator cannot add badges');
delete from public.subscriber_badges where months = 12;
select tests.authenticate_as('ba_vip');
select throws_ok($$ insert into public.subscriber_badges (channel_id, months, image_url) values ((select id from public.channels where slug = 'ba_owner'), 2, 'https://cdn.example.test/v.png') $$,
  '42501', null, 'a VIP cannot add badges');
delete from public.subscriber_badges where months = 12;
select is((select count(*) from public.subscriber_badges where channel_id = (select id from public.channels where slug = 'ba_owner'))::int, 2,
  'a signed-in user can read badges, and a stranger, a moderator and a VIP cannot remove them');

-- removal and the service role
select tests.authenticate_as('ba_owner');
delete from public.subscriber_badges where months = 12;
select tests.clear_authentication();
select is((select array_agg(months) from public.subscriber_badges where channel_id = (select id from public.channels where slug = 'ba_owner')),
  array[1], 'the owner can remove a badge');
select tests.authenticate_as('ba_owner');
select lives_ok($$ insert into public.subscriber_badges (months, image_url) values (12, 'https://cdn.example.test/b12-new.png') $$,
  'a removed month count can be given a new badge');
select tests.authenticate_as_service_role();
select lives_ok($$ insert into public.subscriber_badges (channel_id, months, image_url) values ((select id from public.channels where slug = 'ba_stranger'), 1, 'https://cdn.example.test/s1.png') $$,
  'the service role can add badges to any channel');
select lives_ok($$ update public.subscriber_badges set image_url = 'https://cdn.example.test/s1b.png' where channel_id = (select id from public.channels where slug = 'ba_stranger') $$,
  'the service role can replace a badge image');
select tests.clear_authentication();

select * from finish();
rollback;
