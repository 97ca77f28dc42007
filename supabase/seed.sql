-- A small, believable demo world for the local stack (loaded by `npm run stack -- start|reset`).
-- Users come to exist the way production makes them: private.provision_user.
select private.provision_user('a1b2c3d4-0001-4000-8000-000000000001', 'nova', 'nova@streamz.test', true);
select private.provision_user('a1b2c3d4-0002-4000-8000-000000000002', 'pixelpete', 'pete@streamz.test', true);
select private.provision_user('a1b2c3d4-0003-4000-8000-000000000003', 'mods_mia', 'mia@streamz.test', true);
select private.provision_user('a1b2c3d4-0004-4000-8000-000000000004', 'lurker42', 'lurker@streamz.test', false);

update public.users set display_name = 'Nova', bio = 'Variety streamer. Speedruns on Sundays.'
  where id = 'a1b2c3d4-0001-4000-8000-000000000001';
update public.users set display_name = 'Pixel Pete', bio = 'Retro games and pixel art.'
  where id = 'a1b2c3d4-0002-4000-8000-000000000002';
update public.users set display_name = 'Mia' where id = 'a1b2c3d4-0003-4000-8000-000000000003';
