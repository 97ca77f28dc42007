-- The demo world in seed.sql is consistent with every rule (it is loaded before these tests run).
begin;
select plan(10);

select is((select count(*) from public.users where id::text like 'a1b2c3d4-000_-4000-8000-00000000000_')::int, 7, 'the seed has seven users');
select is((select count(*) from public.users u where not exists (select 1 from public.channels c where c.owner_id = u.id))::int, 0,
  'every seeded user owns a channel');
select is((select count(*) from public.channels c where c.slug::text <> (select u.username::text from public.users u where u.id = c.owner_id))::int, 0,
  'every channel''s slug is its owner''s username');
select is((select count(*)::int from public.channels c
  where c.followers_count <> (select count(*) from public.follows f where f.channel_id = c.id)), 0,
  'every channel''s followers_count matches its follows');
select is((select followers_count from public.channels where slug = 'nova'), 5, 'nova has five followers');
select is((select array_agg(slug::text order by slug) from public.channels where is_live), array['nova'], 'nova is the one channel live');
select is((select array_agg(r.role order by r.role) from public.channel_roles r join public.channels c on c.id = r.channel_id where c.slug = 'nova'),
  array['moderator', 'og', 'vip'], 'nova''s channel has a moderator, a VIP and an OG');
select is((select count(*) from public.categories where cover_url like 'https://images.igdb.com/igdb/image/upload/t_cover_big/%.jpg')::int,
  (select count(*) from public.categories where igdb_id < 990000)::int, 'seeded categories carry IGDB cover urls');
select is((select count(*) from public.subscriptions s join public.channels c on c.id = s.channel_id
  where c.slug = 'nova' and s.current_period_end > now())::int, 2, 'nova has two active subscribers and a lapsed one');
select cmp_ok((select count(*) from public.channel_panels)::int, '>=', 5, 'the seed has channel panels');

select * from finish();
rollback;
