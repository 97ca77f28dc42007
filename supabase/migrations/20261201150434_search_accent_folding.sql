-- The built-in search folds accents and compatibility forms, in the words it indexes and in the query,
-- as Typesense does by default. Serves API.md `search` (docs/search.md "Matching").
--
-- `deja` did not find "Déjà Vu", `full` not "ＦＵＬＬ Width Game", `oka` not "Ōkami", and `pokemon` found
-- "Pokemon Go" but not "Pokémon Emerald" (a typo away, and typos are only looked for when nothing
-- matches as typed), while Typesense, which folds accents by default, found them all: the backends
-- disagreed (found by probing). Both sides now go through private.search_fold: NFKC (full-width and
-- other compatibility letters become their usual form: ＦＵＬＬ → FULL, ﬁ → fi), the invisible
-- characters removed (zero-width space and joiners, soft hyphen, bidi marks: the matching form's list,
-- private.invisible_characters()), then decomposed, the combining marks of the generic blocks removed
-- (é → e, Ō → O, ñ → n), and composed again. Marks of scripts with blocks of their own (Indic vowel
-- signs, Hebrew and Arabic points) are kept: they are not accents. ASCII text is returned as it is.
-- Letters that do not decompose (ß, æ, ø, ł) are kept; Typesense transliterates them.
--
-- The index is refreshed for every document with a non-ASCII indexed text (slugs and usernames are
-- ASCII by their CHECKs): its words and the vocabulary counts move by what changed.

-- The generic combining-mark blocks (U+0300-036F, 0483-0489, 1AB0-1AFF, 1DC0-1DFF, 20D0-20FF,
-- FE20-FE2F), as a bracket expression: search folding removes them; a run of five is "zalgo"
-- (private.stacked_marks, 20261201124303), now written from this one definition.
create function private.combining_marks()
returns text language sql immutable parallel safe set search_path = '' as $fn$
  select '[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]'::text
$fn$;

revoke execute on function private.combining_marks() from public;

create or replace function private.stacked_marks()
returns text language sql immutable parallel safe set search_path = '' as $fn$
  select private.combining_marks() || '{5}'
$fn$;

-- A text as search compares it: NFKC, invisible characters removed, generic combining marks removed
-- (recomposed NFC). Case is kept (words split at case changes afterwards, then are lowercased).
create function private.search_fold(t text)
returns text
language plpgsql
immutable
strict
parallel safe
set search_path = ''
as $$
begin
  if octet_length(t) = char_length(t) then
    return t; -- ASCII: nothing to fold
  end if;
  -- NFKD is NFKC decomposed: compatibility forms and accents apart in one pass, both removals in one
  -- regular expression, then composed again.
  return normalize(regexp_replace(normalize(t, nfkd), private.invisible_characters() || '|' || private.combining_marks(), '', 'g'), nfc);
end
$$;

revoke execute on function private.search_fold(text) from public, anon, authenticated, service_role;

-- As before (20261130004000): the distinct lowercase words of the texts, each camel-case word whole
-- and in its parts; now of the folded texts.
create or replace function private.search_words(texts text[])
returns text[]
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return array(
    select distinct lower(w)
    from unnest(texts) as t,
      -- (ASCII needs no folding: not even the call)
      unnest(private.search_split(case when octet_length(t) = char_length(t) then t else private.search_fold(t) end, true)) as w);
end
$$;

-- As before (20261201004100): which of a hit's fields matched and with which of their words, as the
-- document writes them (composed, NFC), [{field, matched_tokens}] in the order of `fields`. A word
-- matches when its folded lowercase form is one of `words` (the index's words), so `deja` highlights
-- `Déjà`. An ASCII field takes the path it took before (nothing to fold).
create or replace function private.search_highlights(document jsonb, fields text[], words jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  result jsonb := '[]';
  field text;
  body text;
  word text;
  key text;
  seen text[];
  tokens jsonb;
  wanted constant text[] := array(select jsonb_array_elements_text(words));
  folded text;
  ascii boolean;
  holds boolean;
begin
  foreach field in array fields loop
    body := document ->> field;
    continue when body is null;
    ascii := octet_length(body) = char_length(body);
    folded := case when ascii then lower(body) else lower(private.search_fold(body)) end;
    holds := false;
    foreach word in array wanted loop
      holds := strpos(folded, word) > 0;
      exit when holds;
    end loop;
    continue when not holds;
    seen := '{}';
    tokens := '[]';
    if not ascii then
      body := normalize(body, nfc); -- a decomposed é is one word, as in the index
    end if;
    foreach word in array private.search_split(body, true) loop
      key := lower(word);
      if not ascii and octet_length(word) <> char_length(word) then
        key := lower(private.search_fold(word));
      end if;
      if words ? key and not key = any(seen) then
        seen := seen || key;
        tokens := tokens || to_jsonb(word);
      end if;
    end loop;
    if jsonb_array_length(tokens) > 0 then
      result := result || jsonb_build_array(jsonb_build_object('field', field, 'matched_tokens', tokens));
    end if;
  end loop;
  return result;
end
$$;

-- As before (20261201004100), with the query folded like the indexed words.
create or replace function private.search_collection(
  collection text, query text, page_size integer, page_offset integer,
  language text, category text, live boolean, include_mature boolean, facets text[]
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  fields constant text[] := case collection
    when 'channels' then array['slug', 'username', 'display_name', 'title']
    when 'categories' then array['name', 'slug']
    else array['title', 'channel_slug', 'category_name'] end;
  filtered constant boolean := collection <> 'categories';
  m jsonb := private.search_match(collection, private.search_fold(query),
    case when filtered then private.search_filter_terms(language, category, live) else '{}'::text[] end,
    case when filtered and not coalesce(include_mature, false) then '{~mature}'::text[] else '{}'::text[] end,
    page_size, page_offset, filtered and cardinality(facets) > 0);
  docs jsonb;
  hits jsonb;
begin
  select coalesce(jsonb_object_agg(d.id::text, d.document), '{}'::jsonb) into docs
  from private.search_documents(collection, array(select (e ->> 'id')::uuid from jsonb_array_elements(m -> 'page') e)) d;
  select coalesce(jsonb_agg(docs -> (p.e ->> 'id') || jsonb_build_object('highlights',
      private.search_highlights(docs -> (p.e ->> 'id'), fields, p.e -> 'words')) order by p.n), '[]'::jsonb)
  into hits
  from jsonb_array_elements(m -> 'page') with ordinality as p(e, n)
  where docs ? (p.e ->> 'id');
  return jsonb_build_object('found', m -> 'found', 'hits', hits)
    || case when cardinality(facets) > 0
         then jsonb_build_object('facet_counts', private.search_facet_counts(m -> 'facets', facets)) else '{}'::jsonb end;
end
$$;

-- The documents whose words change: those with a non-ASCII indexed text.
select private.search_index_refresh('categories', array(
  select cat.id from public.categories cat where octet_length(cat.name) <> char_length(cat.name)));
select private.search_index_refresh('channels', array(
  select c.id from public.channels c join public.users u on u.id = c.owner_id
  where octet_length(c.title) <> char_length(c.title)
     or octet_length(u.display_name) <> char_length(u.display_name)));
select private.search_index_refresh('livestreams', array(
  select l.id from public.livestreams l left join public.categories cat on cat.id = l.category_id
  where octet_length(l.title) <> char_length(l.title)
     or octet_length(cat.name) <> char_length(cat.name)));
