-- Built-in search bounds (20261127004100_search_postgres.sql): `found` is exact up to 1,000 and 1,000 beyond, pages stop
-- at the 1,000th hit, live matches always rank first however broad the query, and typo matches are
-- only searched when no row holds the query (as Typesense's typo_tokens_threshold = 1).
begin;
select plan(17);

create function pg_temp.slugs(result jsonb) returns text[] language sql as $$
  select coalesce(array_agg(h ->> 'slug' order by n), '{}') from jsonb_array_elements(result -> 'hits') with ordinality as t(h, n)
$$;

-- 1,050 channels sharing a prefix; the last one created has no followers but goes live.
do $$ begin perform tests.create_user('capqx_' || g) from generate_series(1, 1050) g; end $$;
update public.channels set followers_count = substr(slug::text, 7)::int where slug::text like 'capqx\_%';
update public.channels set followers_count = 0 where slug = 'capqx_1050';
insert into public.livestreams (channel_id, title)
select id, 'late night' from public.channels where slug = 'capqx_1050';

select is((private.search_channels('capqx', 10, 0) ->> 'found')::int, 1000, 'over 1,000 matches: found is 1,000');

-- Past the cap a page is ranked either by walking search_rank in order or, when walking would visit
-- more rows than there are matches (20261201004000: bound² < wanted × documents), from the GIN
-- matches with their rank rows. Both give the exact ranking: live, followers, slug.
do $$ begin perform tests.create_user('fillerqx_' || g) from generate_series(1, 600) g; end $$;
analyze private.search_rank;
create temporary table ranked on commit drop as
  select c.slug::text as slug, row_number() over (order by c.is_live desc, c.followers_count desc, c.slug::text, c.id) as n
  from public.channels c where c.slug::text like 'capqx\_%';
select is(pg_temp.slugs(private.search_channels('capqx', 10, 20)),
  (select array_agg(slug order by n) from ranked where n between 21 and 30), 'past the cap, a first page (walked): the exact ranking');
select is(pg_temp.slugs(private.search_channels('capqx', 10, 980)),
  (select array_agg(slug order by n) from ranked where n between 981 and 990), 'past the cap, a deep page (from the GIN matches): the exact ranking');
select is((pg_temp.slugs(private.search_channels('capqx', 2, 0)))[1], 'capqx_1050',
  'the live match ranks first even when the candidates are bounded');
select is((private.search_channels('capqx', 2, 0) -> 'hits' -> 0 ->> 'is_live')::boolean, true, '(and it is live)');
select is(jsonb_array_length(private.search_channels('capqx', 10, 995) -> 'hits'), 5, 'the page that crosses the cap is cut at it');
select is(private.search_channels('capqx', 10, 1000) -> 'hits', '[]'::jsonb, 'no page beyond the cap');
-- The word being typed stands for itself and its 10 most common completions (ties: shortest first),
-- like Typesense's bounded prefix candidates: capqx_10 (exact), _100.._109.
select is((private.search_channels('capqx_10', 10, 0) ->> 'found')::int, 11,
  'under the cap found is exact over the word and its 10 completions');
select is(pg_temp.slugs(private.search_channels('capqx_10', 3, 0)), array['capqx_10', 'capqx_109', 'capqx_108'],
  'under the cap the ranking is exact: the exact match, then live, then followers');

select is((private.search_livestreams('capqx', 10, 0) ->> 'found')::int, 1, 'livestreams: found by the channel, exact');

-- Past the cap, the matches holding every word as typed come first (20261201020000): found in the GIN
-- index when few documents hold them, skipped when none does; then the rest, walked in ranking order.
update public.channels set title = case when slug in ('capqx_5', 'capqx_500', 'capqx_900') then 'Rankqx' else 'Rankqxa' end
where slug::text like 'capqx\_%';
analyze private.search_index;
select is(pg_temp.slugs(private.search_channels('rankqx', 10, 0)),
  array['capqx_900', 'capqx_500', 'capqx_5', 'capqx_1050', 'capqx_1049', 'capqx_1048', 'capqx_1047', 'capqx_1046', 'capqx_1045', 'capqx_1044'],
  'past the cap, the three holding the word as typed first (from the GIN index), then the completions in ranking order');
select is(pg_temp.slugs(private.search_channels('capq', 10, 0)),
  (select array_agg(slug order by n) from ranked where n between 1 and 10),
  'past the cap, a word as typed that no document holds: the completions in ranking order');
select is(pg_temp.slugs(private.search_channels('capqx', 10, 0, null, null, false, true, '{}')),
  (select array_agg(slug order by n) from ranked where n between 2 and 11),
  'past the cap with live=false: the ranking without the live match (the walk starts past the live ones)');

-- Typo matches only when nothing holds the query.
select tests.create_user('brontivax');
select tests.create_user('brontivex');
select is(pg_temp.slugs(private.search_channels('brontivax', 10, 0)), array['brontivax'],
  'a row holding the query: typo neighbours are not added');
select is((private.search_channels('brontivax', 10, 0) ->> 'found')::int, 1, '(and not counted)');
select is((select array_agg(s order by s) from unnest(pg_temp.slugs(private.search_channels('brontivox', 10, 0))) s),
  array['brontivax', 'brontivex'], 'nothing holds the query: typos find both');

-- Categories: the same cap.
insert into public.categories (igdb_id, name, slug)
select 980000 + g, 'Capqx Saga ' || g, 'capqx-saga-' || g from generate_series(1, 1002) g;
select is((private.search_categories('capqx saga', 10, 0) ->> 'found')::int, 1000, 'categories: found is capped at 1,000');

select * from finish();
rollback;
