-- Livepeer ingest tables stay out of the API roles' reach, and a removed category leaves listings
-- while the channel pointing at it keeps its category.
begin;
select plan(6);

select tests.create_user('lp_owner');

select ok(not has_table_privilege('anon', 'private.livepeer_streams', 'select'), 'anon cannot read the Livepeer stream map');
select ok(not has_table_privilege('authenticated', 'private.livepeer_events', 'insert'),
  'authenticated cannot forge a processed Livepeer event');

insert into public.categories (igdb_id, name, slug) values (987654321, 'Removed Game', 'removed-game-070');
update public.channels set category_id = (select id from public.categories where igdb_id = 987654321)
  where owner_id = tests.user_id('lp_owner');
update public.categories set deleted_at = now() where igdb_id = 987654321;

select tests.authenticate_as_anon();
select is((select count(*)::int from public.categories where igdb_id = 987654321), 0, 'anon no longer lists a removed category');
select tests.authenticate_as('lp_owner');
select is((select count(*)::int from public.categories where igdb_id = 987654321), 0,
  'signed-in users no longer list a removed category');
select isnt((select category_id from public.channels where owner_id = tests.user_id('lp_owner')), null,
  'the channel keeps pointing at the removed category');
select tests.clear_authentication();

update public.categories set deleted_at = null where igdb_id = 987654321;
select tests.authenticate_as_anon();
select is((select count(*)::int from public.categories where igdb_id = 987654321), 1, 'a restored category is listed again');

select * from finish();
rollback;
