-- The built-in search folds accents and compatibility forms (20261201150434_search_accent_folding.sql),
-- in the indexed words and in the query, as Typesense does by default: `deja` finds "Déjà Vu", `full`
-- "ＦＵＬＬ Width Game", `oka` "Ōkami", and `pokemon` both "Pokemon Go" and "Pokémon Emerald" (one
-- word once folded, so no typo is needed). Highlights show the words as the document writes them.
begin;
select plan(23);

create function pg_temp.names(result jsonb) returns text[] language sql as $$
  select coalesce(array_agg(h ->> 'name' order by h ->> 'name'), '{}') from jsonb_array_elements(result -> 'hits') h
$$;
create function pg_temp.slugs(result jsonb) returns text[] language sql as $$
  select coalesce(array_agg(h ->> 'slug' order by h ->> 'slug'), '{}') from jsonb_array_elements(result -> 'hits') h
$$;

-- Slugs without the names' words: only the names can match.
insert into public.categories (igdb_id, name, slug) values
  (995001, 'Déjà Vu', 'fold-one'),
  (995002, 'ＦＵＬＬ Width Game', 'fold-two'),
  (995003, 'Ōkami', 'fold-three'),
  (995004, 'Pokemon Go', 'fold-four'),
  (995005, 'Pokémon Emerald', 'fold-five');

-- The folding itself.
select is(private.search_fold('Déjà Vu'), 'Deja Vu', 'accents are removed, case kept');
select is(private.search_fold('ＦＵＬＬ ﬁre'), 'FULL fire', 'full-width letters and ligatures take their usual form (NFKC)');
select is(private.search_fold('De' || U&'\0301' || 'ja' || U&'\0300'), 'Deja', 'a decomposed accent is removed too');
select is(private.search_fold('po' || U&'\200B' || 'ke' || U&'\00AD' || 'mon'), 'pokemon',
  'zero-width and soft-hyphen characters are dropped, so they split no word');
select is(private.search_fold('हिन्दी'), 'हिन्दी', 'the vowel signs of a script with its own marks are kept (not accents)');
select is(private.search_fold('plain ascii_text-42'), 'plain ascii_text-42', 'ASCII is returned as it is');
select is((select array_agg(w order by w) from unnest(private.search_words(array['Pokémon Emerald', 'ＦＵＬＬ'])) w),
  array['emerald', 'full', 'pokemon'],
  'indexed words are folded, then lowercased');

-- Folded documents, folded queries: accents, full-width letters, a prefix of a folded word.
select is(pg_temp.names(private.search_categories('deja', 10, 0, '{}')), array['Déjà Vu'], 'deja finds Déjà Vu');
select is(pg_temp.names(private.search_categories('full', 10, 0, '{}')), array['ＦＵＬＬ Width Game'],
  'full finds the full-width name');
select is(pg_temp.names(private.search_categories('oka', 10, 0, '{}')), array['Ōkami'], 'oka (a prefix) finds Ōkami');
select is(pg_temp.names(private.search_categories('DÉJÀ', 10, 0, '{}')), array['Déjà Vu'], 'an accented query in capitals');
select is(pg_temp.names(private.search_categories('ｏｋａｍｉ', 10, 0, '{}')), array['Ōkami'], 'a full-width query');
select is(pg_temp.names(private.search_categories('de' || U&'\200B' || 'ja', 10, 0, '{}')), array['Déjà Vu'],
  'a zero-width space inside a query word is dropped');

-- "Typos only when nothing matches as typed": once folded, both are exact matches.
select is(pg_temp.names(private.search_categories('pokemon', 10, 0, '{}')), array['Pokemon Go', 'Pokémon Emerald'],
  'pokemon finds Pokemon Go and Pokémon Emerald');
select is(pg_temp.names(private.search_categories('pokémon', 10, 0, '{}')), array['Pokemon Go', 'Pokémon Emerald'],
  'pokémon finds both too');
select is((private.search_categories('pokemon', 10, 0, '{}') ->> 'found')::int, 2, '(both are counted)');

-- Highlights name the words as the document writes them.
select is(private.search_categories('deja', 1, 0, '{}') -> 'hits' -> 0 -> 'highlights',
  '[{"field": "name", "matched_tokens": ["Déjà"]}]'::jsonb, 'deja highlights Déjà in the name');
select is(private.search_categories('full', 1, 0, '{}') -> 'hits' -> 0 -> 'highlights',
  '[{"field": "name", "matched_tokens": ["ＦＵＬＬ"]}]'::jsonb, 'full highlights ＦＵＬＬ as written');

-- Channels and livestreams: titles and display names are folded the same way.
select tests.create_user('fold_streamer');
update public.users set display_name = 'Zoë' where username = 'fold_streamer';
update public.channels set title = 'Crème brûlée speedrun' where slug = 'fold_streamer';
insert into public.livestreams (channel_id, title) select id, 'Crème brûlée finale' from public.channels where slug = 'fold_streamer';
select is(pg_temp.slugs(private.search_channels('creme brulee', 10, 0, null, null, null, false, '{}')), array['fold_streamer'],
  'a channel by its accented title');
select is(pg_temp.slugs(private.search_channels('zoe', 10, 0, null, null, null, false, '{}')), array['fold_streamer'],
  'a channel by its accented display name');
select is((private.search_livestreams('brulee', 10, 0, null, null, null, false, '{}') -> 'hits' -> 0 ->> 'channel_slug'),
  'fold_streamer', 'a livestream by its accented title');

-- The index holds the folded words of every document, and the vocabulary counts them.
select is((select count(*)::int from private.search_vocabulary where collection = 'categories' and word in ('pokemon', 'pokémon')),
  1, 'one vocabulary word for pokemon and pokémon');
select is((select count(*)::int from private.search_index i
           join lateral private.search_index_source(i.collection, array[i.document_id]) s on true
           where i.terms is distinct from s.terms), 0,
  'every index row holds the folded words of its document');

select * from finish();
rollback;
