-- Channel links: anyone reads them; only the owner adds, edits and removes them; known platforms,
-- https only, no duplicates, at most 10 per channel.
begin;
select plan(27);

select tests.create_user('li_owner');
select tests.create_user('li_mod');
select tests.create_user('li_vip');
select tests.create_user('li_stranger');
insert into public.channel_roles (channel_id, user_id, role, granted_by)
select c.id, tests.user_id(r.username), r.role, c.owner_id
from public.channels c, (values ('li_mod', 'moderator'), ('li_vip', 'vip')) as r (username, role)
where c.slug = 'li_owner';

-- the owner
select tests.authenticate_as('li_owner');
select lives_ok($$ insert into public.channel_links (platform, url, position) values ('x', 'https://x.com/li_owner', 1) $$,
  'the owner can add a link, channel_id defaulting to their channel');
select lives_ok($$ insert into public.channel_links (channel_id, platform, url, position)
  values ((select id from public.channels where slug = 'li_owner'), 'discord', 'https://discord.gg/abc?ref=streamz', 0) $$,
  'the owner can add a link naming their channel');
select lives_ok($$ update public.channel_links set position = 5 where platform = 'discord' $$, 'the owner can reorder a link');
select throws_ok($$ insert into public.channel_links (channel_id, platform, url) values ((select id from public.channels where slug = 'li_stranger'), 'x', 'https://x.com/spam') $$,
  '42501', null, 'the owner cannot add links to another channel');

-- bad input
select throws_ok($$ insert into public.channel_links (platform, url) values ('myspace', 'https://myspace.com/li') $$, '23514', null,
  'an unknown platform is refused');
select throws_ok($$ insert into public.channel_links (platform, url) values ('website', 'http://example.test') $$, '23514', null,
  'a plain http url is refused');
select throws_ok($$ insert into public.channel_links (platform, url) values ('website', 'javascript:alert(1)') $$, '23514', null,
  'a javascript: url is refused');
select throws_ok($$ insert into public.channel_links (platform, url) values ('website', 'https://') $$, '23514', null,
  'a url without a host is refused');
select throws_ok($$ insert into public.channel_links (platform, url) values ('website', 'https://exa mple.test') $$, '23514', null,
  'a url with whitespace is refused');
select throws_ok($$ insert into public.channel_links (platform, url) values ('website', 'https://example.test/' || repeat('a', 2040)) $$, '23514', null,
  'a url over 2048 characters is refused');
select throws_ok($$ insert into public.channel_links (platform, url) values ('x', 'https://x.com/li_owner') $$, '23505', null,
  'the same url twice in a channel is refused');
select throws_ok($$ update public.channel_links set url = 'http://x.com/li_owner' where platform = 'x' $$, '23514', null,
  'an edit to a non-https url is refused');
select is((select array_agg(url order by position) from public.channel_links where channel_id = (select id from public.channels where slug = 'li_owner')),
  array['https://x.com/li_owner', 'https://discord.gg/abc?ref=streamz'], 'refused links change nothing; links read back in position order');

-- the limit: 10 per channel
insert into public.channel_links (platform, url, position) select 'website', 'https://site' || n || '.example.test', 10 + n from generate_series(1, 8) as n;
select is((select count(*) from public.channel_links where channel_id = (select id from public.channels where slug = 'li_owner'))::int, 10,
  'the owner can have 10 links');
select throws_ok($$ insert into public.channel_links (platform, url) values ('tiktok', 'https://www.tiktok.com/@li_owner') $$, '23514',
  'channel_links allows at most 10 rows per channel_id', 'an 11th link is refused with a clear message');
select throws_ok($$ insert into public.channel_links (platform, url) values ('tiktok', 'https://a.example.test'), ('tiktok', 'https://b.example.test') $$,
  '23514', null, 'a multi-row insert past the limit is refused as a whole');
select tests.clear_authentication();
select is((select count(*) from public.channel_links where channel_id = (select id from public.channels where slug = 'li_owner'))::int, 10,
  'refused links over the limit were not stored');

-- anon, a stranger, a moderator and a VIP read but cannot write
select tests.authenticate_as_anon();
select is((select count(*) from public.channel_links where channel_id = (select id from public.channels where slug = 'li_owner'))::int, 10,
  'anon can read links');
select throws_ok($$ insert into public.channel_links (channel_id, platform, url) values ((select id from public.channels where slug = 'li_owner'), 'x', 'https://x.com/anon') $$,
  '42501', null, 'anon cannot add links');
select throws_ok($$ update public.channel_links set url = 'https://evil.example' $$, '42501', null, 'anon cannot edit links');
select tests.authenticate_as('li_stranger');
select throws_ok($$ insert into public.channel_links (channel_id, platform, url) values ((select id from public.channels where slug = 'li_owner'), 'x', 'https://x.com/s') $$,
  '42501', null, 'a stranger cannot add links to another channel');
update public.channel_links set url = 'https://evil.example' where platform = 'x';
delete from public.channel_links where platform = 'discord';
select tests.authenticate_as('li_mod');
select throws_ok($$ insert into public.channel_links (channel_id, platform, url) values ((select id from public.channels where slug = 'li_owner'), 'x', 'https://x.com/m') $$,
  '42501', null, 'a moderator cannot add links');
update public.channel_links set url = 'https://evil.example' where platform = 'x';
delete from public.channel_links where platform = 'discord';
select tests.authenticate_as('li_vip');
select throws_ok($$ insert into public.channel_links (channel_id, platform, url) values ((select id from public.channels where slug = 'li_owner'), 'x', 'https://x.com/v') $$,
  '42501', null, 'a VIP cannot add links');
update public.channel_links set url = 'https://evil.example' where platform = 'x';
delete from public.channel_links where platform = 'discord';
select tests.clear_authentication();
select is((select count(*) from public.channel_links where platform in ('x', 'discord') and url <> 'https://evil.example'
  and channel_id = (select id from public.channels where slug = 'li_owner'))::int, 2,
  'a stranger, a moderator and a VIP cannot edit or remove the owner''s links');

-- removal
select tests.authenticate_as('li_owner');
delete from public.channel_links where platform = 'discord';
select tests.clear_authentication();
select is((select count(*) from public.channel_links where platform = 'discord'
  and channel_id = (select id from public.channels where slug = 'li_owner'))::int, 0, 'the owner can remove a link');
select tests.authenticate_as_service_role();
select lives_ok($$ insert into public.channel_links (channel_id, platform, url) values ((select id from public.channels where slug = 'li_stranger'), 'facebook', 'https://www.facebook.com/s') $$,
  'the service role can add links to any channel');
select throws_ok($$ insert into public.channel_links (channel_id, platform, url) values ((select id from public.channels where slug = 'li_owner'), 'facebook', 'https://www.facebook.com/o1'), ((select id from public.channels where slug = 'li_owner'), 'facebook', 'https://www.facebook.com/o2') $$,
  '23514', null, 'the limit holds for the service role too');
select tests.clear_authentication();

select * from finish();
rollback;
