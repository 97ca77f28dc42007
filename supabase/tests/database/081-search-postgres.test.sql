-- Built-in search (private.search_*): typo-tolerant, prefix and substring matches, live channels
-- first, pagination with a total count, removed categories hidden, hostile input harmless.
begin;
select plan(29);

select tests.create_user('zephyrquill');
select tests.create_user('zephyr_offline');
select tests.create_user('quartzmoth');
update public.users set display_name = 'Moonlit Otter' where username = 'quartzmoth';
insert into public.categories (igdb_id, name, slug) values
  (970001, 'Brambleworks Odyssey', 'brambleworks-odyssey'),
  (970002, 'Brambleworks Tactics', 'brambleworks-tactics');
update public.channels set title = 'Glacierpunk marathon', followers_count = 10,
  category_id = (select id from public.categories where slug = 'brambleworks-odyssey')
  where slug = 'zephyr_offline';
update public.channels set title = 'chill zephyr vibes', followers_count = 1 where slug = 'zephyrquill';
insert into public.livestreams (channel_id, title, category_id)
select id, 'Glacierpunk live finale', (select id from public.categories where slug = 'brambleworks-odyssey')
from public.channels where slug = 'zephyrquill';
insert into public.livestreams (channel_id, title, started_at, ended_at)
select id, 'Glacierpunk rerun', now() - interval '3 hours', now() - interval '2 hours'
from public.channels where slug = 'zephyr_offline';

create function pg_temp.slugs(result jsonb) returns text[] language sql as $$
  select coalesce(array_agg(h ->> 'slug' order by n), '{}') from jsonb_array_elements(result -> 'hits') with ordinality as t(h, n)
$$;

-- Prefixes and typos
select is(pg_temp.slugs(private.search_channels('zeph', 10, 0)), array['zephyrquill', 'zephyr_offline'],
  'a prefix finds both channels, the live one first');
select is((select is_live from public.channels where slug = 'zephyrquill'), true, '(zephyrquill is live)');
select is(pg_temp.slugs(private.search_channels('zephyrqiull', 10, 0)), array['zephyrquill'], 'a typo still finds the channel');
select is(pg_temp.slugs(private.search_channels('quartzmoht', 10, 0)), array['quartzmoth'], 'a transposition in a username');
select is(pg_temp.slugs(private.search_channels('moonlit', 10, 0)), array['quartzmoth'], 'the display name is searched');
select is(pg_temp.slugs(private.search_channels('ZEPHYRQUILL', 10, 0)), array['zephyrquill'], 'case does not matter');
select is(pg_temp.slugs(private.search_channels('glacierpunk', 10, 0)), array['zephyr_offline'], 'titles are searched');
select is(pg_temp.slugs(private.search_channels('brambleworks odyssey', 10, 0)), '{}',
  'channels are not found by their category (search categories for that)');
select is(pg_temp.slugs(private.search_channels('xylophonic', 10, 0)), '{}', 'no match, no hits');

-- Ranking: live first even against a better text match; then score, then followers.
update public.channels set title = 'zephyrquill fan club' where slug = 'zephyr_offline';
select is(pg_temp.slugs(private.search_channels('zephyrquill', 10, 0)), array['zephyrquill', 'zephyr_offline'],
  'live ranks first');
update public.livestreams set ended_at = now() where title = 'Glacierpunk live finale';
select is((select is_live from public.channels where slug = 'zephyrquill'), false, '(zephyrquill went offline)');
select is(pg_temp.slugs(private.search_channels('zeph', 10, 0)), array['zephyr_offline', 'zephyrquill'],
  'with neither live, the better-followed channel of equal score comes first');
update public.livestreams set ended_at = null where title = 'Glacierpunk live finale';

-- Pagination: found counts every match; pages slice the same order.
select is((private.search_channels('zeph', 1, 0) ->> 'found')::int, 2, 'found counts every match');
select is(pg_temp.slugs(private.search_channels('zeph', 1, 1)), array['zephyr_offline'], 'page two holds the next hit');
select is(pg_temp.slugs(private.search_channels('zeph', 1, 5)), '{}', 'past the end: no hits');

-- Categories
select is(pg_temp.slugs(private.search_categories('bramblework', 10, 0)),
  array['brambleworks-odyssey', 'brambleworks-tactics'], 'a category prefix finds both');
select is((pg_temp.slugs(private.search_categories('brambelworks tactics', 10, 0)))[1], 'brambleworks-tactics',
  'a typo in a category name, best match first');
update public.categories set deleted_at = now() where slug = 'brambleworks-tactics';
select is(pg_temp.slugs(private.search_categories('bramblework', 10, 0)), array['brambleworks-odyssey'],
  'a removed category is not found');

-- Livestreams: live first, by title, channel and category.
select is((select array_agg(h ->> 'title' order by n) from jsonb_array_elements(
    private.search_livestreams('glacierpunk', 10, 0) -> 'hits') with ordinality as t(h, n)),
  array['Glacierpunk live finale', 'Glacierpunk rerun'], 'the live stream ranks above the ended one');
select is((private.search_livestreams('zephyrquill', 10, 0) -> 'hits' -> 0 ->> 'channel_slug'), 'zephyrquill',
  'livestreams are found by their channel');
select is((private.search_livestreams('brambleworks odyssey', 10, 0) -> 'hits' -> 0 ->> 'title'), 'Glacierpunk live finale',
  'livestreams are found by their category');
select is(pg_temp.slugs(private.search_channels('ze', 10, 0)), array['zephyrquill', 'zephyr_offline'],
  'two characters match names by prefix');

-- The index rows' live and mature flags (20261201040000: matches are ranked and left out by them) follow
-- their terms through a go-live, an end and a maturity change.
update public.channels set is_mature = true where slug = 'quartzmoth';
select is((select count(*) from private.search_index i
           where i.live <> ('~live' = any(i.terms)) or i.mature <> ('~mature' = any(i.terms))), 0::bigint,
  'every index row''s live and mature flags agree with its terms');
select is(pg_temp.slugs(private.search_channels('quartzmoth', 10, 0, null, null, null, false, '{}')), '{}',
  'a channel made mature is left out by default');
select is(pg_temp.slugs(private.search_channels('quartzmoth', 10, 0, null, null, null, true, '{}')), array['quartzmoth'],
  'and found with mature included');

-- Only public fields, as the API documents them.
select is((select array_agg(k order by k) from jsonb_object_keys(private.search_channels('zephyrquill', 1, 0) -> 'hits' -> 0) k),
  array['avatar_url', 'category_id', 'category_name', 'category_slug', 'display_name', 'followers_count', 'id', 'is_live',
        'is_mature', 'language', 'live_rank', 'slug', 'title', 'username'],
  'a channel hit holds public fields only');

-- Hostile input
select is(private.search_channels('%', 10, 0), '{"found": 0, "hits": []}'::jsonb, '% alone matches nothing');
select is(pg_temp.slugs(private.search_channels('zeph%', 10, 0)), array['zephyrquill', 'zephyr_offline'],
  '% is a literal character, not a wildcard (trigram typo match only)');
select lives_ok($$ select private.search_channels(repeat('''"\%_', 2500), 10, 0) $$, 'a 10 KB string of quotes and wildcards is harmless');

select * from finish();
rollback;
