-- Channel panels: anyone reads them in order; only the owner adds, edits and removes them; at most
-- 20 per channel; bad input is refused and changes nothing.
begin;
select plan(30);

select tests.create_user('pa_owner');
select tests.create_user('pa_mod');
select tests.create_user('pa_vip');
select tests.create_user('pa_stranger');
insert into public.channel_roles (channel_id, user_id, role, granted_by)
select c.id, tests.user_id(r.username), r.role, c.owner_id
from public.channels c, (values ('pa_mod', 'moderator'), ('pa_vip', 'vip')) as r (username, role)
where c.slug = 'pa_owner';

-- the owner adds panels (channel_id defaults to their own channel)
select tests.authenticate_as('pa_owner');
select lives_ok($$ insert into public.channel_panels (position, title, body) values (1, 'Schedule', 'Mon-Fri 19:00') $$,
  'the owner can add a panel, channel_id defaulting to their channel');
select lives_ok($$ insert into public.channel_panels (channel_id, position, title, image_url, link_url)
  values ((select id from public.channels where slug = 'pa_owner'), 0, 'About', 'https://cdn.example.test/a.png', 'https://example.test') $$,
  'the owner can add a panel with an image and a link');
select is((select array_agg(title order by position) from public.channel_panels where channel_id = (select id from public.channels where slug = 'pa_owner')), array['About', 'Schedule'],
  'panels read back in position order');
select lives_ok($$ update public.channel_panels set body = 'Mon-Sat 19:00', position = 2 where title = 'Schedule' $$,
  'the owner can edit a panel');
select throws_ok($$ update public.channel_panels set channel_id = (select id from public.channels where slug = 'pa_stranger') $$,
  '42501', null, 'the owner cannot move a panel to another channel');
select throws_ok($$ insert into public.channel_panels (channel_id, title) values ((select id from public.channels where slug = 'pa_stranger'), 'Spam') $$,
  '42501', null, 'the owner cannot add a panel to someone else''s channel');

-- bad input
select throws_ok($$ insert into public.channel_panels (title) values (repeat('t', 61)) $$, '23514', null, 'a title over 60 characters is refused');
select lives_ok($$ insert into public.channel_panels (title) values (repeat('t', 60)) $$, 'a title of exactly 60 characters is accepted');
select throws_ok($$ insert into public.channel_panels (body) values (repeat('b', 1001)) $$, '23514', null, 'a body over 1000 characters is refused');
select throws_ok($$ insert into public.channel_panels (title, image_url) values ('x', 'http://cdn.example.test/a.png') $$, '23514', null,
  'a non-https image url is refused');
select throws_ok($$ insert into public.channel_panels (title, link_url) values ('x', 'javascript:alert(1)') $$, '23514', null,
  'a link that is not https is refused');
select throws_ok($$ insert into public.channel_panels (title, link_url) values ('x', 'https://a b.example') $$, '23514', null,
  'a url with whitespace is refused');
select throws_ok($$ insert into public.channel_panels (title) values ('') $$, '23514', null, 'an empty panel is refused');
select throws_ok($$ insert into public.channel_panels (title, position) values ('x', -1) $$, '23514', null, 'a negative position is refused');
select throws_ok($$ update public.channel_panels set title = repeat('t', 61) where title = 'About' $$, '23514', null,
  'an edit with a title over 60 characters is refused');
select is((select count(*) from public.channel_panels where channel_id = (select id from public.channels where slug = 'pa_owner'))::int, 3,
  'refused panels change nothing');

-- the limit: 20 per channel
insert into public.channel_panels (title, position) select 'Panel ' || n, 10 + n from generate_series(1, 17) as n;
select is((select count(*) from public.channel_panels where channel_id = (select id from public.channels where slug = 'pa_owner'))::int, 20,
  'the owner can have 20 panels');
select throws_ok($$ insert into public.channel_panels (title) values ('Twenty-first') $$, '23514',
  'channel_panels allows at most 20 rows per channel_id', 'a 21st panel is refused with a clear message');
select tests.clear_authentication();
select is((select count(*) from public.channel_panels where channel_id = (select id from public.channels where slug = 'pa_owner'))::int, 20,
  'the refused 21st panel was not stored');
select tests.authenticate_as_service_role();
select throws_ok($$ insert into public.channel_panels (channel_id, title) values ((select id from public.channels where slug = 'pa_owner'), 'Service') $$,
  '23514', null, 'the limit holds for the service role too');
select tests.clear_authentication();

-- anon, a stranger, a moderator and a VIP read but cannot write
select tests.authenticate_as_anon();
select is((select count(*) from public.channel_panels where channel_id = (select id from public.channels where slug = 'pa_owner'))::int, 20,
  'anon can read panels');
select throws_ok($$ insert into public.channel_panels (channel_id, title) values ((select id from public.channels where slug = 'pa_owner'), 'anon') $$,
  '42501', null, 'anon cannot add panels');
select throws_ok($$ delete from public.channel_panels $$, '42501', null, 'anon cannot remove panels');
select tests.authenticate_as('pa_stranger');
select is((select count(*) from public.channel_panels where channel_id = (select id from public.channels where slug = 'pa_owner'))::int, 20,
  'a signed-in user can read panels');
select throws_ok($$ insert into public.channel_panels (channel_id, title) values ((select id from public.channels where slug = 'pa_owner'), 'x') $$,
  '42501', null, 'a stranger cannot add panels to another channel');
update public.channel_panels set title = 'stranger' where title = 'About';
delete from public.channel_panels where title = 'About';
select tests.authenticate_as('pa_mod');
select throws_ok($$ insert into public.channel_panels (channel_id, title) values ((select id from public.channels where slug = 'pa_owner'), 'x') $$,
  '42501', null, 'a moderator cannot add panels');
update public.channel_panels set title = 'moderator' where title = 'About';
delete from public.channel_panels where title = 'About';
select tests.authenticate_as('pa_vip');
select throws_ok($$ insert into public.channel_panels (channel_id, title) values ((select id from public.channels where slug = 'pa_owner'), 'x') $$,
  '42501', null, 'a VIP cannot add panels');
update public.channel_panels set title = 'vip' where title = 'About';
delete from public.channel_panels where title = 'About';
select tests.clear_authentication();
select is((select count(*) from public.channel_panels where title = 'About')::int, 1,
  'a stranger, a moderator and a VIP cannot edit or remove the owner''s panels');

-- the owner removes; the service role manages any channel
select tests.authenticate_as('pa_owner');
delete from public.channel_panels where title = 'About';
select tests.clear_authentication();
select is((select count(*) from public.channel_panels where title = 'About')::int, 0, 'the owner can remove a panel');
select tests.authenticate_as_service_role();
select lives_ok($$ delete from public.channel_panels where channel_id = (select id from public.channels where slug = 'pa_owner') and position > 20 $$,
  'the service role can remove any channel''s panels');
select tests.clear_authentication();

select * from finish();
rollback;
