-- Livestreams: everyone reads them, only the service role (the Livepeer webhook) writes them; at
-- most one live per channel; channels.is_live follows them; livestream.* and channel.updated go out
-- on channel:<channel_id>, and a rolled-back change sends nothing.
begin;
select plan(27);

select tests.create_user('ls_owner');
select tests.create_user('ls_mod');
select tests.create_user('ls_viewer');
insert into public.channel_roles (channel_id, user_id, role, granted_by)
select c.id, tests.user_id('ls_mod'), 'moderator', c.owner_id from public.channels c where c.slug = 'ls_owner';
select set_config('test.topic', 'channel:' || (select id from public.channels where slug = 'ls_owner'), true);

-- nobody but the service role writes
select tests.authenticate_as_anon();
select throws_ok($$ insert into public.livestreams (channel_id) values ((select id from public.channels where slug = 'ls_owner')) $$, '42501', null,
  'anon cannot start a livestream');
select tests.authenticate_as('ls_owner');
select throws_ok($$ insert into public.livestreams (channel_id) values ((select id from public.channels where slug = 'ls_owner')) $$, '42501', null,
  'the owner cannot start a livestream by writing the table (Livepeer does)');
select tests.authenticate_as('ls_mod');
select throws_ok($$ insert into public.livestreams (channel_id) values ((select id from public.channels where slug = 'ls_owner')) $$, '42501', null,
  'a moderator cannot start a livestream');
select tests.clear_authentication();

-- going live
select tests.authenticate_as_service_role();
select lives_ok($$ insert into public.livestreams (channel_id, livepeer_stream_id, playback_id, title)
  values ((select id from public.channels where slug = 'ls_owner'), 'lp-1', 'pb-1', 'First stream') $$,
  'the service role can start a livestream');
select throws_ok($$ insert into public.livestreams (channel_id, livepeer_stream_id) values ((select id from public.channels where slug = 'ls_owner'), 'lp-2') $$,
  '23505', null, 'a channel cannot have two live streams at once');
select throws_ok($$ insert into public.livestreams (channel_id, title) values ((select id from public.channels where slug = 'ls_viewer'), repeat('t', 141)) $$,
  '23514', null, 'a livestream title over 140 characters is refused');
select tests.clear_authentication();
select is((select is_live from public.channels where slug = 'ls_owner'), true, 'starting a livestream marks the channel live');
select is((select is_live from public.channels where slug = 'ls_viewer'), false, 'a refused livestream leaves the channel offline');
select is((select count(*) from tests.broadcasts(current_setting('test.topic')) where event = 'livestream.started')::int, 1,
  'starting sends livestream.started on channel:<id>');
select is((select payload ->> 'playback_id' from tests.broadcasts(current_setting('test.topic')) where event = 'livestream.started'), 'pb-1',
  'livestream.started carries the livestream row');
select is((select (payload ->> 'is_live')::boolean from tests.broadcasts(current_setting('test.topic')) where event = 'channel.updated'), true,
  'going live sends channel.updated with is_live true');

-- reading
select tests.authenticate_as_anon();
select is((select title from public.livestreams where playback_id = 'pb-1'), 'First stream', 'anon can read livestreams');
select is((select is_live from public.channels where slug = 'ls_owner'), true, 'anon sees the channel live');
select tests.authenticate_as('ls_viewer');
select is((select count(*) from public.livestreams where playback_id = 'pb-1')::int, 1, 'a signed-in user can read livestreams');
select throws_ok($$ update public.livestreams set viewer_count = 1000000 $$, '42501', null, 'a signed-in user cannot inflate viewer counts');
select tests.authenticate_as('ls_owner');
select throws_ok($$ update public.livestreams set ended_at = now() $$, '42501', null, 'the owner cannot end a livestream by writing the table');
select tests.clear_authentication();

-- updates while live
select tests.authenticate_as_service_role();
update public.livestreams set viewer_count = 42 where playback_id = 'pb-1';
update public.livestreams set viewer_count = 42 where playback_id = 'pb-1';
select tests.clear_authentication();
select is((select count(*) from tests.broadcasts(current_setting('test.topic')) where event = 'livestream.updated')::int, 1,
  'a change while live sends livestream.updated; a no-op update sends nothing');
select is((select (payload ->> 'viewer_count')::int from tests.broadcasts(current_setting('test.topic')) where event = 'livestream.updated'), 42,
  'livestream.updated carries the new row');

-- a rolled-back end sends nothing and keeps the channel live
savepoint before_rollback;
update public.livestreams set ended_at = now() where playback_id = 'pb-1';
rollback to savepoint before_rollback;
select is((select count(*) from tests.broadcasts(current_setting('test.topic')) where event = 'livestream.ended')::int, 0,
  'a rolled-back end sends nothing');
select is((select is_live from public.channels where slug = 'ls_owner'), true, 'a rolled-back end leaves the channel live');

-- ending
select tests.authenticate_as_service_role();
update public.livestreams set ended_at = now() where playback_id = 'pb-1';
select tests.clear_authentication();
select is((select is_live from public.channels where slug = 'ls_owner'), false, 'ending the livestream marks the channel offline');
select is((select count(*) from tests.broadcasts(current_setting('test.topic')) where event = 'livestream.ended')::int, 1,
  'ending sends livestream.ended');
select is((select count(*) from tests.broadcasts(current_setting('test.topic')) where event = 'channel.updated')::int, 2,
  'going live and going offline each send channel.updated');

-- an ended stream stays in history; the next one can start
select tests.authenticate_as_service_role();
select lives_ok($$ insert into public.livestreams (channel_id, livepeer_stream_id, playback_id) values ((select id from public.channels where slug = 'ls_owner'), 'lp-1', 'pb-2') $$,
  'a new livestream can start once the previous one ended');
update public.livestreams set viewer_count = 0 where playback_id = 'pb-1';
select tests.clear_authentication();
select is((select is_live from public.channels where slug = 'ls_owner'), true, 'the channel is live again');
select is((select count(*) from tests.broadcasts(current_setting('test.topic')) where event = 'livestream.updated')::int, 1,
  'updating an ended livestream (a recording arriving, say) sends no livestream.updated');
select tests.authenticate_as_service_role();
delete from public.livestreams where playback_id = 'pb-2';
select tests.clear_authentication();
select is((select is_live from public.channels where slug = 'ls_owner'), false, 'deleting the live livestream marks the channel offline');

select * from finish();
rollback;
