-- A small, believable demo world for the local stack (loaded by `npm run stack -- start|reset`).
-- Users come to exist the way production makes them: private.provision_user. Categories look as the
-- IGDB webhook stores them; livestreams and subscriptions as the service role writes them.
-- Runs once, on a fresh database, after every migration.

-- People ------------------------------------------------------------------------------------------
select private.provision_user('a1b2c3d4-0001-4000-8000-000000000001', 'nova', 'nova@streamz.test', true);
select private.provision_user('a1b2c3d4-0002-4000-8000-000000000002', 'pixelpete', 'pete@streamz.test', true);
select private.provision_user('a1b2c3d4-0003-4000-8000-000000000003', 'mods_mia', 'mia@streamz.test', true);
select private.provision_user('a1b2c3d4-0004-4000-8000-000000000004', 'lurker42', 'lurker@streamz.test', false);
select private.provision_user('a1b2c3d4-0005-4000-8000-000000000005', 'cozy_kai', 'kai@streamz.test', true);
select private.provision_user('a1b2c3d4-0006-4000-8000-000000000006', 'speedrun_sol', 'sol@streamz.test', true);
select private.provision_user('a1b2c3d4-0007-4000-8000-000000000007', 'ghostwave', 'ghost@streamz.test', true);

update public.users set display_name = 'Nova', bio = 'Variety streamer. Speedruns on Sundays.',
  avatar_url = 'https://cdn.streamz.test/avatars/nova.png'
  where id = 'a1b2c3d4-0001-4000-8000-000000000001';
update public.users set display_name = 'Pixel Pete', bio = 'Retro games and pixel art.',
  avatar_url = 'https://cdn.streamz.test/avatars/pixelpete.png'
  where id = 'a1b2c3d4-0002-4000-8000-000000000002';
update public.users set display_name = 'Mia' where id = 'a1b2c3d4-0003-4000-8000-000000000003';
update public.users set display_name = 'Kai', bio = 'Farming sims, tea and lo-fi.'
  where id = 'a1b2c3d4-0005-4000-8000-000000000005';
update public.users set display_name = 'Sol', bio = 'Any% or nothing. PB hunting every weeknight.'
  where id = 'a1b2c3d4-0006-4000-8000-000000000006';
update public.users set display_name = 'ghostwave' where id = 'a1b2c3d4-0007-4000-8000-000000000007';

-- Categories, as igdb-webhook stores them -----------------------------------------------------------
insert into public.categories (id, igdb_id, name, slug, summary, cover_url, genres, first_release_date) values
  ('c0000000-0000-4000-8000-000000000001', 26226, 'Celeste', 'celeste',
   'Help Madeline survive her inner demons on her journey to the top of Celeste Mountain.',
   'https://images.igdb.com/igdb/image/upload/t_cover_big/co3byy.jpg', '{Platform,Indie}', '2018-01-25'),
  ('c0000000-0000-4000-8000-000000000002', 17000, 'Stardew Valley', 'stardew-valley',
   'You''ve inherited your grandfather''s old farm plot in Stardew Valley.',
   'https://images.igdb.com/igdb/image/upload/t_cover_big/co5t99.jpg', '{Simulator,Role-playing (RPG),Indie}', '2016-02-26'),
  ('c0000000-0000-4000-8000-000000000003', 113112, 'Hades', 'hades',
   'Defy the god of the dead as you hack and slash out of the Underworld.',
   'https://images.igdb.com/igdb/image/upload/t_cover_big/co39vc.jpg', '{Role-playing (RPG),Hack and slash/Beat ''em up,Indie}', '2020-09-17'),
  ('c0000000-0000-4000-8000-000000000004', 1020, 'Super Mario Bros.', 'super-mario-bros',
   'A side-scrolling platformer in the Mushroom Kingdom.',
   'https://images.igdb.com/igdb/image/upload/t_cover_big/co1zm9.jpg', '{Platform}', '1985-09-13');

-- Channels (created with their owners; here they get their look) ----------------------------------
update public.channels set title = 'Celeste any% — chasing sub-27', description = 'Speedruns on Sundays, variety the rest of the week. Be kind in chat.',
  category_id = 'c0000000-0000-4000-8000-000000000001', language = 'en'
  where owner_id = 'a1b2c3d4-0001-4000-8000-000000000001';
update public.channels set title = 'NES nights: Mario 1 warpless', description = 'Retro games, pixel art breaks, zero emulators.',
  category_id = 'c0000000-0000-4000-8000-000000000004', language = 'en'
  where owner_id = 'a1b2c3d4-0002-4000-8000-000000000002';
update public.channels set title = 'Cozy farm day 112', description = 'Slow mornings in Pelican Town. Tea recommended.',
  category_id = 'c0000000-0000-4000-8000-000000000002', language = 'en'
  where owner_id = 'a1b2c3d4-0005-4000-8000-000000000005';
update public.channels set title = 'Hades heat 32 attempts', description = 'Weeknight PB hunting, mostly Hades.',
  category_id = 'c0000000-0000-4000-8000-000000000003', language = 'de', is_mature = true
  where owner_id = 'a1b2c3d4-0006-4000-8000-000000000006';

insert into public.channel_panels (channel_id, position, title, body, image_url, link_url)
select c.id, p.position, p.title, p.body, p.image_url, p.link_url
from public.channels c
join (values
  ('nova', 0, 'About me', 'Variety streamer from Lisbon. Speedruns on Sundays, everything else the rest of the week.', 'https://cdn.streamz.test/panels/nova-about.png', null),
  ('nova', 1, 'Schedule', 'Mon/Wed/Fri 19:00 UTC, Sunday speedrun marathon 14:00 UTC.', null, null),
  ('nova', 2, 'Rules', 'Be kind. No spoilers. No backseating unless asked.', null, null),
  ('nova', 3, 'Setup', 'Elgato HD60 X, Shure SM7B, a very old keyboard.', null, 'https://kit.streamz.test/nova'),
  ('pixelpete', 0, 'Hi!', 'Pixel art between runs. Commissions open.', 'https://cdn.streamz.test/panels/pete-hi.png', 'https://pixelpete.art'),
  ('cozy_kai', 0, 'Welcome', 'Grab a tea and stay a while.', null, null),
  ('speedrun_sol', 0, 'PBs', 'Hades heat 32: 18:42. Celeste any%: 29:10.', null, 'https://www.speedrun.com/users/speedrun_sol')
) as p (slug, position, title, body, image_url, link_url) on c.slug = p.slug;

insert into public.channel_links (channel_id, platform, url, position)
select c.id, l.platform, l.url, l.position
from public.channels c
join (values
  ('nova', 'x', 'https://x.com/novastreams', 0),
  ('nova', 'youtube', 'https://www.youtube.com/@novastreams', 1),
  ('nova', 'discord', 'https://discord.gg/novacrew', 2),
  ('pixelpete', 'instagram', 'https://www.instagram.com/pixelpete.art', 0),
  ('pixelpete', 'website', 'https://pixelpete.art', 1),
  ('cozy_kai', 'tiktok', 'https://www.tiktok.com/@cozykai', 0),
  ('speedrun_sol', 'youtube', 'https://www.youtube.com/@speedrunsol', 0)
) as l (slug, platform, url, position) on c.slug = l.slug;

insert into public.subscriber_badges (channel_id, months, image_url)
select c.id, b.months, format('https://cdn.streamz.test/badges/%s-%s.png', c.slug, b.months)
from public.channels c
join (values ('nova', 1), ('nova', 3), ('nova', 6), ('nova', 12), ('pixelpete', 1), ('pixelpete', 12)) as b (slug, months)
  on c.slug = b.slug;

-- Roles in nova's channel: a moderator, a VIP and an OG --------------------------------------------
insert into public.channel_roles (channel_id, user_id, role, granted_by)
select c.id, r.user_id::uuid, r.role, c.owner_id
from public.channels c
join (values
  ('nova', 'a1b2c3d4-0003-4000-8000-000000000003', 'moderator'),
  ('nova', 'a1b2c3d4-0002-4000-8000-000000000002', 'vip'),
  ('nova', 'a1b2c3d4-0004-4000-8000-000000000004', 'og'),
  ('pixelpete', 'a1b2c3d4-0001-4000-8000-000000000001', 'moderator')
) as r (slug, user_id, role) on c.slug = r.slug;

-- Follows (followers_count follows along) -----------------------------------------------------------
insert into public.follows (user_id, channel_id, notifications, created_at)
select f.user_id::uuid, c.id, f.notifications, now() - f.age
from public.channels c
join (values
  ('a1b2c3d4-0002-4000-8000-000000000002', 'nova', true, interval '400 days'),
  ('a1b2c3d4-0003-4000-8000-000000000003', 'nova', true, interval '380 days'),
  ('a1b2c3d4-0004-4000-8000-000000000004', 'nova', false, interval '700 days'),
  ('a1b2c3d4-0005-4000-8000-000000000005', 'nova', true, interval '30 days'),
  ('a1b2c3d4-0007-4000-8000-000000000007', 'nova', true, interval '2 days'),
  ('a1b2c3d4-0001-4000-8000-000000000001', 'pixelpete', true, interval '200 days'),
  ('a1b2c3d4-0004-4000-8000-000000000004', 'pixelpete', true, interval '90 days'),
  ('a1b2c3d4-0001-4000-8000-000000000001', 'speedrun_sol', true, interval '60 days'),
  ('a1b2c3d4-0003-4000-8000-000000000003', 'cozy_kai', false, interval '10 days')
) as f (user_id, slug, notifications, age) on c.slug = f.slug;

insert into public.category_follows (user_id, category_id) values
  ('a1b2c3d4-0001-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001'),
  ('a1b2c3d4-0001-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000003'),
  ('a1b2c3d4-0004-4000-8000-000000000004', 'c0000000-0000-4000-8000-000000000002');

-- Subscriptions (service-written): one long-time sub, one gift, one lapsed ---------------------------
insert into public.subscriptions (channel_id, user_id, tier, cumulative_months, started_at, current_period_end, is_gift, gifter_id)
select c.id, s.user_id::uuid, s.tier, s.months, now() - s.age, now() + s.left_in_period, s.is_gift, s.gifter_id::uuid
from public.channels c
join (values
  ('nova', 'a1b2c3d4-0004-4000-8000-000000000004', 1, 14, interval '420 days', interval '12 days', false, null),
  ('nova', 'a1b2c3d4-0005-4000-8000-000000000005', 1, 1, interval '5 days', interval '25 days', true, 'a1b2c3d4-0002-4000-8000-000000000002'),
  ('nova', 'a1b2c3d4-0002-4000-8000-000000000002', 3, 7, interval '240 days', interval '-20 days', false, null),
  ('pixelpete', 'a1b2c3d4-0001-4000-8000-000000000001', 2, 3, interval '95 days', interval '3 days', false, null)
) as s (slug, user_id, tier, months, age, left_in_period, is_gift, gifter_id) on c.slug = s.slug;

-- Livestreams: nova is live now; pete streamed yesterday ------------------------------------------
insert into public.livestreams (channel_id, livepeer_stream_id, playback_id, title, category_id, started_at, ended_at, viewer_count)
select c.id, l.stream_id, l.playback_id, c.title, c.category_id, now() - l.started_ago, now() - l.ended_ago, l.viewers
from public.channels c
join (values
  ('nova', 'a7f3e2c1-5b4d-4e8f-9a1b-2c3d4e5f6a70', 'a7f3abcd1234efgh', interval '95 minutes', null::interval, 342),
  ('pixelpete', 'b8e4f3d2-6c5e-4f90-8b2c-3d4e5f6a7b81', 'b8e4bcde2345fghi', interval '26 hours', interval '23 hours', 0)
) as l (slug, stream_id, playback_id, started_ago, ended_ago, viewers) on c.slug = l.slug;
