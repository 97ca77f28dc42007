-- Search relevance corpus (20261130004100_search_match.sql): over a fixed fixture, each query's
-- expected top hit — exact words, prefixes, typos, typos in the word being typed, several words,
-- words split on `_`, `-` and case changes, dropped words, ranking, filters, facets, highlights.
begin;
select plan(83);

-- The fixture: words no seed row holds.
insert into public.categories (igdb_id, name, slug) values
  (990001, 'Quarkfall Chronicles', 'quarkfall-chronicles'),
  (990002, 'Quarkfall Tactics', 'quarkfall-tactics'),
  (990003, 'Zenthorium', 'zenthorium'),
  (990004, 'Velociboros Racing', 'velociboros-racing');

create temporary table fixture (username text, display_name text, title text, language text, is_mature boolean,
  live_title text, followers integer, category text) on commit drop;
insert into fixture values
  ('marblefox', 'Marble Fox', 'Quarkfall speedrun practice', 'en', false, 'Quarkfall any percent', 500, 'quarkfall-chronicles'),
  ('marblefoxxy', 'Foxxy', 'chill zenthorium builds', 'en', false, null, 9000, 'zenthorium'),
  ('tundraWizard', 'Tundra Wizard', 'velociboros hotlaps', 'de', false, null, 300, 'velociboros-racing'),
  ('glimmer_otter', 'Glimmer Otter', 'Quarkfall tactics ranked', 'fr', false, 'Quarkfall tactics ladder', 50, 'quarkfall-tactics'),
  ('brackenshade', 'Bracken Shade', 'late night zenthorium', 'en', true, null, 7000, 'zenthorium'),
  ('obsidianharp', null, 'harp covers and chill', 'es', false, null, 20, null),
  ('saffronquill', 'Saffron Quill', 'zenthorium marathon day 3', 'en', false, 'zenthorium marathon live', 1200, 'zenthorium'),
  ('copper_kettle', 'Copper Kettle', 'cozy zenthorium farm', 'en', false, null, 80, 'zenthorium'),
  ('NimbusRider', 'Nimbus', 'velociboros time trials', 'en', false, 'velociboros trials', 10, 'velociboros-racing'),
  ('pebblewyrm', 'Pebble Wyrm', 'quarkfall lore deep dive', 'en', false, null, 4000, 'quarkfall-chronicles');

select tests.create_user(f.username) from fixture f;
update public.users u set display_name = f.display_name from fixture f where u.username = f.username;
update public.channels c set title = f.title, language = f.language, is_mature = f.is_mature, followers_count = f.followers,
  category_id = (select id from public.categories where slug = f.category)
from fixture f where c.slug = f.username;
insert into public.livestreams (channel_id, title, category_id)
select c.id, f.live_title, c.category_id from fixture f join public.channels c on c.slug = f.username
where f.live_title is not null;
insert into public.livestreams (channel_id, title, category_id, started_at, ended_at)
select c.id, 'zenthorium rerun', c.category_id, now() - interval '1 day', now() - interval '23 hours'
from public.channels c where c.slug = 'marblefoxxy';

-- The top hit of a search: a channel's or livestream's channel slug, a category's slug; null when none.
create function pg_temp.top(type text, q text, language text default null, category text default null,
  live boolean default null, mature boolean default false)
returns text language plpgsql as $$
declare
  r jsonb;
begin
  r := case type
    when 'channels' then private.search_channels(q, 1, 0, language, category, live, mature, '{}')
    when 'categories' then private.search_categories(q, 1, 0, '{}')
    else private.search_livestreams(q, 1, 0, language, category, live, mature, '{}') end;
  return coalesce(r -> 'hits' -> 0 ->> 'channel_slug', r -> 'hits' -> 0 ->> 'slug');
end
$$;

create temporary table corpus (n serial, type text, q text, expected text, language text, category text,
  live boolean, mature boolean default false, why text) on commit drop;
insert into corpus (type, q, expected, language, category, live, mature, why) values
  -- Exact words
  ('channels', 'marblefox', 'marblefox', null, null, null, false, 'exact: the word as typed beats a more followed completion'),
  ('channels', 'glimmer', 'glimmer_otter', null, null, null, false, 'exact: a word of the slug'),
  ('channels', 'pebblewyrm', 'pebblewyrm', null, null, null, false, 'exact: the whole slug'),
  ('channels', 'saffron quill', 'saffronquill', null, null, null, false, 'exact: the display name''s words'),
  ('channels', 'obsidianharp', 'obsidianharp', null, null, null, false, 'exact: a channel without a display name'),
  ('channels', 'PEBBLEWYRM', 'pebblewyrm', null, null, null, false, 'exact: case does not matter'),
  -- Prefixes (the last word is being typed)
  ('channels', 'marblef', 'marblefox', null, null, null, false, 'prefix: two completions, the live one first'),
  ('channels', 'pebbl', 'pebblewyrm', null, null, null, false, 'prefix: a slug'),
  ('channels', 'saffr', 'saffronquill', null, null, null, false, 'prefix: five characters'),
  ('channels', 'obsid', 'obsidianharp', null, null, null, false, 'prefix: of a slug with no display name'),
  ('channels', 'brack', 'brackenshade', null, null, null, true, 'prefix: a mature channel, mature included'),
  ('channels', 'glimm', 'glimmer_otter', null, null, null, false, 'prefix: the first part of a split slug'),
  ('channels', 'ob', 'obsidianharp', null, null, null, false, 'prefix: two characters'),
  -- Typos in whole words
  ('channels', 'pebblewrym', 'pebblewyrm', null, null, null, false, 'typo: two edits in ten characters'),
  ('channels', 'saffronqiull', 'saffronquill', null, null, null, false, 'typo: a swap in twelve characters'),
  ('channels', 'obsidanharp', 'obsidianharp', null, null, null, false, 'typo: a missing letter'),
  ('channels', 'pebblewyrm quarkfal', 'pebblewyrm', null, null, null, false, 'typo: in the second of two words'),
  ('channels', 'zenthorim marathon', 'saffronquill', null, null, null, false, 'typo: in the first of two words'),
  -- Typos in the word being typed
  ('channels', 'pebblw', 'pebblewyrm', null, null, null, false, 'typo in prefix: pebblw'),
  ('channels', 'safron', 'saffronquill', null, null, null, false, 'typo in prefix: a missing letter'),
  ('channels', 'obsdian', 'obsidianharp', null, null, null, false, 'typo in prefix: seven characters'),
  ('channels', 'glimer', 'glimmer_otter', null, null, null, false, 'typo in prefix: six characters'),
  ('channels', 'brakens', 'brackenshade', null, null, null, true, 'typo in prefix: mature included'),
  ('channels', 'marblfox', 'marblefox', null, null, null, false, 'typo in prefix: two channels, the live one first'),
  ('channels', 'velocibor', 'NimbusRider', null, null, null, false, 'prefix of a title word: the live channel first'),
  -- Several words: every one must match
  ('channels', 'quarkfall tactics', 'glimmer_otter', null, null, null, false, 'multi-word: a title'),
  ('channels', 'quarkfall lore', 'pebblewyrm', null, null, null, false, 'multi-word: not the live quarkfall channels'),
  ('channels', 'quarkfall speedrun', 'marblefox', null, null, null, false, 'multi-word: title words'),
  ('channels', 'zenthorium marathon', 'saffronquill', null, null, null, false, 'multi-word: two title words'),
  ('channels', 'velociboros trials', 'NimbusRider', null, null, null, false, 'multi-word: the last one complete'),
  ('channels', 'marble fox', 'marblefox', null, null, null, false, 'multi-word: the display name'),
  ('channels', 'tundra wizard hotlaps', 'tundraWizard', null, null, null, false, 'multi-word: across name and title'),
  ('channels', 'zenthorium chill', 'marblefoxxy', null, null, null, false, 'multi-word: order does not matter'),
  ('channels', 'otter quarkf', 'glimmer_otter', null, null, null, false, 'multi-word: a prefix last'),
  -- Words split on _, - and case changes
  ('channels', 'otter', 'glimmer_otter', null, null, null, false, 'split: the part after _'),
  ('channels', 'kettle', 'copper_kettle', null, null, null, false, 'split: kettle'),
  ('channels', 'copper_kettle', 'copper_kettle', null, null, null, false, 'split: the query splits like the slug'),
  ('channels', 'glimmer-otter', 'glimmer_otter', null, null, null, false, 'split: - separates too'),
  ('channels', 'wizard', 'tundraWizard', null, null, null, false, 'split: a case change'),
  ('channels', 'tundrawizard', 'tundraWizard', null, null, null, false, 'split: the unsplit word is indexed too'),
  ('channels', 'tundraWizard', 'tundraWizard', null, null, null, false, 'split: a query in camel case'),
  ('channels', 'rider', 'NimbusRider', null, null, null, false, 'split: the second part of NimbusRider'),
  ('channels', 'nimbusrider', 'NimbusRider', null, null, null, false, 'split: NimbusRider in lower case'),
  -- Words dropped from the end when nothing matches them all
  ('channels', 'pebblewyrm xyzzyq', 'pebblewyrm', null, null, null, false, 'drop: an unknown last word'),
  ('channels', 'saffronquill qqqqqq zzzzzz', 'saffronquill', null, null, null, false, 'drop: two unknown words'),
  ('channels', 'xyzzyqw', null, null, null, null, false, 'no match: no hit'),
  -- Ranking: exact, then live, then followers
  ('channels', 'zenthorium', 'saffronquill', null, null, null, false, 'rank: live before better followed'),
  ('channels', 'quarkfall', 'marblefox', null, null, null, false, 'rank: the better followed of two live channels'),
  ('channels', 'velociboros', 'NimbusRider', null, null, null, false, 'rank: live first'),
  -- Filters
  ('channels', 'zenthorium', 'marblefoxxy', null, null, false, false, 'filter live=false: the most followed offline'),
  ('channels', 'zenthorium', 'saffronquill', null, null, true, false, 'filter live=true'),
  ('channels', 'quarkfall', 'glimmer_otter', 'fr', null, null, false, 'filter language'),
  ('channels', 'quarkfall', 'pebblewyrm', null, 'quarkfall-chronicles', false, false, 'filter category and live'),
  ('channels', 'velociboros', 'tundraWizard', 'de', 'velociboros-racing', null, false, 'filter language and category'),
  ('channels', 'quarkfall', null, 'es', null, null, false, 'filter: no Spanish quarkfall channel'),
  ('channels', 'brackenshade', null, null, null, null, false, 'filter: mature excluded by default'),
  ('channels', 'brackenshade', 'brackenshade', null, null, null, true, 'filter: mature included'),
  ('channels', 'zenthorium', 'marblefoxxy', 'en', 'zenthorium', false, true, 'filter: with mature included, still the most followed'),
  ('channels', 'zenthorium', null, null, 'no-such-category', null, false, 'filter: an unknown category matches nothing'),
  -- Categories
  ('categories', 'quarkfall', 'quarkfall-chronicles', null, null, null, false, 'categories: two equal matches by name'),
  ('categories', 'quarkfal tactics', 'quarkfall-tactics', null, null, null, false, 'categories: a typo in the first word'),
  ('categories', 'zenthor', 'zenthorium', null, null, null, false, 'categories: prefix'),
  ('categories', 'velociboros racing', 'velociboros-racing', null, null, null, false, 'categories: two words'),
  ('categories', 'zentorium', 'zenthorium', null, null, null, false, 'categories: typo'),
  -- Livestreams: by title, channel and category
  ('livestreams', 'marblefox', 'marblefox', null, null, null, false, 'livestreams: by channel slug'),
  ('livestreams', 'zenthorium', 'saffronquill', null, null, null, false, 'livestreams: the live one before the rerun'),
  ('livestreams', 'zenthorium', 'marblefoxxy', null, null, false, false, 'livestreams: live=false finds the rerun'),
  ('livestreams', 'quarkfall', 'glimmer_otter', null, 'quarkfall-tactics', null, false, 'livestreams: category filter'),
  ('livestreams', 'velociboros racing', 'NimbusRider', null, null, null, false, 'livestreams: by category name');

select is(pg_temp.top(c.type, c.q, c.language, c.category, c.live, c.mature), c.expected,
  format('%s %L -> %s (%s)', c.type, c.q, coalesce(c.expected, 'nothing'), c.why))
from corpus c order by c.n;

-- Facets count the matches (mature excluded), like Typesense's facet_by.
select is(private.search_channels('zenthorium', 1, 0, null, null, null, false, '{category,language}') -> 'facet_counts',
  '[{"field_name": "category", "counts": [{"value": "zenthorium", "count": 3}]},
    {"field_name": "language", "counts": [{"value": "en", "count": 3}]}]'::jsonb,
  'facets: category and language counts of zenthorium');
select is(private.search_channels('quarkfall', 1, 0, null, null, null, false, '{language,category}') -> 'facet_counts',
  '[{"field_name": "language", "counts": [{"value": "en", "count": 2}, {"value": "fr", "count": 1}]},
    {"field_name": "category", "counts": [{"value": "quarkfall-chronicles", "count": 2}, {"value": "quarkfall-tactics", "count": 1}]}]'::jsonb,
  'facets: most common first, in the order asked');
select is(private.search_livestreams('velociboros racing', 1, 0, null, null, null, false, '{category}') -> 'facet_counts',
  '[{"field_name": "category", "counts": [{"value": "velociboros-racing", "count": 1}]}]'::jsonb,
  'facets: livestreams by category');

-- Highlights: which fields matched, with the words as written.
select is(private.search_channels('tundrawizard', 1, 0, null, null, null, false, '{}') -> 'hits' -> 0 -> 'highlights',
  '[{"field": "slug", "matched_tokens": ["tundraWizard"]}, {"field": "username", "matched_tokens": ["tundraWizard"]}]'::jsonb,
  'highlights: the unsplit word, as written');
select is(private.search_channels('wizard hotl', 1, 0, null, null, null, false, '{}') -> 'hits' -> 0 -> 'highlights',
  '[{"field": "slug", "matched_tokens": ["Wizard"]}, {"field": "username", "matched_tokens": ["Wizard"]},
    {"field": "display_name", "matched_tokens": ["Wizard"]}, {"field": "title", "matched_tokens": ["hotlaps"]}]'::jsonb,
  'highlights: a split part and a completion, in field order');
select is(private.search_channels('glimer', 1, 0, null, null, null, false, '{}') -> 'hits' -> 0 -> 'highlights',
  '[{"field": "slug", "matched_tokens": ["glimmer"]}, {"field": "username", "matched_tokens": ["glimmer"]},
    {"field": "display_name", "matched_tokens": ["Glimmer"]}]'::jsonb,
  'highlights: a typo highlights the word it stood for');

-- Ranking signals live in private.search_rank (20261201004000): follows, going live and ending a stream
-- re-rank at once; a title change moves the words; a removed channel leaves no rank row.
update public.channels set followers_count = 600 where slug = 'glimmer_otter';
select is(pg_temp.top('channels', 'quarkfall'), 'glimmer_otter', 'rank signals: more followers than the other live channel now ranks first');
select is((select r.popularity from private.search_rank r join public.channels c on c.id = r.document_id
           where r.collection = 'channels' and c.slug = 'glimmer_otter'), 600, 'rank signals: a followers change sets the rank row');
update public.livestreams l set ended_at = now() from public.channels c
where c.id = l.channel_id and c.slug = 'saffronquill' and l.ended_at is null;
select is(pg_temp.top('channels', 'zenthorium'), 'marblefoxxy', 'rank signals: a stream ended, the most followed channel leads');
select is(pg_temp.top('livestreams', 'zenthorium'), 'marblefoxxy', 'rank signals: an ended stream no longer leads the livestreams');
insert into public.livestreams (channel_id, title, category_id)
select c.id, 'zenthorium builds live', c.category_id from public.channels c where c.slug = 'copper_kettle';
select is(pg_temp.top('channels', 'zenthorium'), 'copper_kettle', 'rank signals: going live ranks first');
update public.channels set title = 'cozy xenolith farm' where slug = 'copper_kettle';
select is(pg_temp.top('channels', 'xenolith'), 'copper_kettle', 'a title change: the new word finds the channel');
update public.channels set title = 'cozy zenthorium farm' where slug = 'copper_kettle';
select is((select count(*)::integer from private.search_vocabulary v where v.collection = 'channels' and v.word = 'xenolith'), 0,
  'a title change: a word no document holds any more leaves the vocabulary');
delete from public.users where username = 'obsidianharp';
select is((select count(*)::integer from private.search_rank r where r.collection = 'channels'
           and not exists (select from public.channels c where c.id = r.document_id)), 0,
  'a removed channel leaves no rank row');

select * from finish();
rollback;
