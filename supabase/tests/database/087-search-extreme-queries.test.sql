-- Built-in search on extreme queries (20261201170259_search_extreme_queries.sql): many rare words (8 in
-- one document each among 2,000 made `expected` underflow `real`: 22003), typo variants of them, every
-- word the query keeps, a word repeated 50 times, 100-character words, words folded past 255
-- characters (levenshtein's limit), an empty collection: each answers its matches or none, no error.
begin;
select plan(23);

create function pg_temp.names(result jsonb) returns text[] language sql as $$
  select coalesce(array_agg(h ->> 'name' order by n), '{}') from jsonb_array_elements(result -> 'hits') with ordinality as t(h, n)
$$;

-- 2,000 categories, so each rare word is 1/2,000 of the collection (search_collection_size reads the
-- statistics): 8 such words expect 2,000^-7 matches, whose square is below what `real` holds. Their
-- words (`fillerqx`, `n1` ...) are no typo of the rare ones.
insert into public.categories (igdb_id, name, slug)
select 987000 + g, 'Fillerqx N' || g, 'fillerqx-n' || g from generate_series(1, 2000) g;
insert into public.categories (igdb_id, name, slug) values
  (989001, '12345 23456 34567 45678 56789 67890 78901 89012 90123 11111', 'rare-numbers-qx'),
  (989002, 'Octqx ' || repeat('b', 100), 'hundred-qx'),
  -- One word of 362 characters once folded (each ㌖ is キロメートル).
  (989003, 'fi' || repeat('㌖', 60), 'folded-long-qx');
analyze private.search_index;

select cmp_ok(private.search_collection_size('categories'), '>=', 2000::real, 'the collection counts its 2,000 categories');

-- Many rare words.
select lives_ok($$ select private.search_categories('12345 23456 34567 45678 56789 67890 78901 89012', 10, 0, '{}') $$,
  'eight rare words: no error (it was 22003 underflow)');
select is(pg_temp.names(private.search_categories('12345 23456 34567 45678 56789 67890 78901 89012', 10, 0, '{}')),
  array['12345 23456 34567 45678 56789 67890 78901 89012 90123 11111'], 'eight rare words find the one category holding them');
select is((private.search_categories('12345 23456 34567 45678 56789 67890 78901 89012', 10, 0, '{}') ->> 'found')::int, 1,
  '(found 1)');
select is(pg_temp.names(private.search_categories('12346 23457 34568 45679 56780 67891 78902 89013', 10, 0, '{}')),
  array['12345 23456 34567 45678 56789 67890 78901 89012 90123 11111'], 'a typo in each of the eight words: found through typos');
select is(pg_temp.names(private.search_categories('12345 23456 34567 45678 56789 67890 78901 89012 90123 11111', 10, 0, '{}')),
  array['12345 23456 34567 45678 56789 67890 78901 89012 90123 11111'], 'ten rare words (every word a query keeps)');
select is(pg_temp.names(private.search_categories('12345 23456 34567 45678 56789 67890 78901 89012 90123 11111 22222 33333', 10, 0, '{}')),
  array['12345 23456 34567 45678 56789 67890 78901 89012 90123 11111'], 'twelve words: the first ten are kept');
select is(pg_temp.names(private.search_categories('12345 23456 34567 45678 56789 67890 78901 fillerqx', 10, 0, '{}')),
  array['12345 23456 34567 45678 56789 67890 78901 89012 90123 11111'],
  'seven rare words and one in 2,000 documents: nothing holds all eight, the last is dropped');
select is(pg_temp.names(private.search_categories('fillerqx n1999', 10, 0, '{}')), array['Fillerqx N1999'],
  'an ordinary query of a common and a rare word: as before');
select is((private.search_categories('fillerqx', 10, 0, '{}') ->> 'found')::int, 1000, 'a common word alone: found is capped, as before');

-- One word, many times: the query keeps it once.
select is(pg_temp.names(private.search_categories(trim(repeat('12345 ', 50)), 10, 0, '{}')),
  array['12345 23456 34567 45678 56789 67890 78901 89012 90123 11111'], 'one word repeated 50 times');
select is(pg_temp.names(private.search_categories(trim(repeat('octqx ', 50)), 10, 0, '{}')),
  array['Octqx ' || repeat('b', 100)], 'another word repeated 50 times');

-- 100-character words (the longest `q` holds).
select is(pg_temp.names(private.search_categories(repeat('b', 100), 10, 0, '{}')), array['Octqx ' || repeat('b', 100)],
  'a 100-character word as typed');
select is(pg_temp.names(private.search_categories(repeat('b', 50) || 'c' || repeat('b', 49), 10, 0, '{}')),
  array['Octqx ' || repeat('b', 100)], 'a 100-character word with a typo');
select is(private.search_categories(repeat('z', 100), 10, 0, '{}') -> 'hits', '[]'::jsonb, 'a 100-character word no document holds');
select is(pg_temp.names(private.search_categories(repeat('b', 99) || 'c ' || repeat('b', 99) || 'd', 10, 0, '{}')),
  array['Octqx ' || repeat('b', 100)], 'two 100-character words, each a typo of the document''s word');

-- Words longer than 255 characters once folded: no typos (levenshtein_less_equal refuses them).
select is(private.search_categories('fi' || repeat('㌖', 98), 10, 0, '{}') -> 'hits', '[]'::jsonb,
  'a 590-character word (98 x ㌖ folded) sharing its first letters with indexed words: none, no error');
select is(private.search_categories('fi' || repeat('㌖', 98) || ' fillerqx', 10, 0, '{}') -> 'hits', '[]'::jsonb,
  'the same word before another: none, no error');
select is(pg_temp.names(private.search_categories('fi' || repeat('㌖', 41) || 'キロメーx', 10, 0, '{}')),
  array['fi' || repeat('㌖', 60)], 'a 253-character word with a typo still finds the longer word it begins');
select is(pg_temp.names(private.search_categories('fi' || repeat('㌖', 41) || 'キロメートx', 10, 0, '{}')), '{}'::text[],
  'from 254 characters, no typos');
select is(pg_temp.names(private.search_categories('fi' || repeat('㌖', 60), 10, 0, '{}')), array['fi' || repeat('㌖', 60)],
  'the long word itself, as typed');

-- An empty collection.
delete from private.search_index where collection = 'categories';
delete from private.search_rank where collection = 'categories';
delete from private.search_vocabulary where collection = 'categories';
analyze private.search_index;
select cmp_ok(private.search_collection_size('categories'), '>=', 1::real, 'an empty collection counts at least 1 (no division by 0)');
select is(private.search_categories('12345 23456 34567 45678 56789 67890 78901 89012', 10, 0, '{}') -> 'hits', '[]'::jsonb,
  'an empty collection: no hits, no error');

select * from finish();
rollback;
