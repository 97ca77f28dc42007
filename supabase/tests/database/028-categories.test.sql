-- Categories: everyone reads them; only the service role (the IGDB webhook) writes them.
begin;
select plan(11);

select tests.create_user('ca_user');

select tests.authenticate_as_service_role();
select lives_ok($$ insert into public.categories (igdb_id, name, slug, cover_url, genres)
  values (990201, 'Outer Wilds', 'outer-wilds', 'https://images.igdb.com/igdb/image/upload/t_cover_big/co65ac.jpg', '{Adventure,Puzzle}') $$,
  'the service role can store a category');
select lives_ok($$ update public.categories set summary = 'A solar system in a time loop.' where igdb_id = 990201 $$,
  'the service role can update a category');
select throws_ok($$ insert into public.categories (igdb_id, name, slug) values (990201, 'Duplicate', 'duplicate') $$, '23505', null,
  'an IGDB id is stored once');
select throws_ok($$ insert into public.categories (igdb_id, name, slug) values (990202, 'Bad Slug', 'Bad Slug') $$, '23514', null,
  'a slug must be lowercase words joined by dashes');
select throws_ok($$ insert into public.categories (igdb_id, name, slug, cover_url) values (990203, 'Insecure', 'insecure', 'http://images.igdb.com/x.jpg') $$,
  '23514', null, 'a cover url must be https');
select tests.clear_authentication();

select tests.authenticate_as_anon();
select is((select name from public.categories where igdb_id = 990201), 'Outer Wilds', 'anon can read categories');
select throws_ok($$ insert into public.categories (igdb_id, name, slug) values (990204, 'Anon', 'anon') $$, '42501', null, 'anon cannot write categories');
select tests.authenticate_as('ca_user');
select is((select genres from public.categories where igdb_id = 990201), '{Adventure,Puzzle}'::text[], 'a signed-in user can read categories');
select throws_ok($$ insert into public.categories (igdb_id, name, slug) values (990205, 'User', 'user') $$, '42501', null,
  'a signed-in user cannot create categories');
select throws_ok($$ update public.categories set name = 'Renamed' $$, '42501', null, 'a signed-in user cannot edit categories');
select throws_ok($$ delete from public.categories $$, '42501', null, 'a signed-in user cannot delete categories');
select tests.clear_authentication();

select * from finish();
rollback;
