-- Built-in search on the search index: Typesense-like matching (per-word typos, prefix with typos on
-- the last word, every word must match, drop words from the end), filters, facets and highlights. Serves API.md `search`.

-- Load pg_trgm's library in this session so its settings may be attached to functions below.
select extensions.similarity('', '');

-- The vocabulary words a query word may stand for, each with its kind: 0 = the word itself, 1 = a
-- completion (the last word is being typed: prefix), 2 = a typo. Typesense's defaults: 1 typo from
-- 4 characters, 2 from 7; the word being typed may hold its 2nd typo from 6 characters (it is
-- incomplete), and its typos are measured against the completions' prefixes. A completion list
-- holds the 50 most common of the first 2,000 completions in order; a typo list the 50 closest.
-- Typo candidates are the words sharing trigrams with the query word (word similarity >= 0.3) or
-- its first two characters, verified with Levenshtein distance.
create function private.search_alternatives(collection text, token text, is_last boolean, typos boolean)
returns table (word text, kind integer)
language plpgsql
stable
set search_path = ''
set pg_trgm.word_similarity_threshold = 0.3
as $$
#variable_conflict use_column
declare
  c constant text := search_alternatives.collection;
  len constant integer := char_length(token);
  budget constant integer := case when len >= 7 or (is_last and len >= 6) then 2 when len >= 4 then 1 else 0 end;
begin
  if not typos then
    return query
      select v.word::text, 0 from private.search_vocabulary v where v.collection = c and v.word = token;
    if is_last then
      return query
        select s.word::text, 1 from (
          select v.word, v.docs from private.search_vocabulary v
          where v.collection = c and v.word like token || '%' and v.word <> token
          order by v.word limit 2000) s
        order by s.docs desc, char_length(s.word), s.word
        limit 50;
    end if;
    return;
  end if;
  if budget = 0 then
    return;
  end if;
  return query
    select k.word, 2 from (
      select s.word::text as word, s.docs,
        case when is_last then (
            select min(extensions.levenshtein_less_equal(token, left(s.word, n), budget))
            from generate_series(greatest(1, len - budget), len + budget) n)
          else extensions.levenshtein_less_equal(token, s.word, budget) end as distance
      from (
        (select v.word, v.docs from private.search_vocabulary v
         where v.collection = c and token operator(extensions.<%) v.word limit 500)
        union
        (select v.word, v.docs from private.search_vocabulary v
         where v.collection = c and v.word like left(token, 2) || '%' order by v.word limit 2000)
      ) s
      where s.word <> token and (is_last or abs(char_length(s.word) - len) <= budget)
    ) k
    where k.distance <= budget
    order by k.distance, k.docs desc, k.word
    limit 50;
end
$$;

revoke execute on function private.search_alternatives(text, text, boolean, boolean) from public, anon, authenticated, service_role;

-- The matching documents of one collection, ranked, as {found, page: [{id, words}], facets}.
--   * The query's words (split like documents, lowercased, at most 10) must all match: each through
--     one of its alternatives (above). Typos are looked for only when nothing matches without them
--     (Typesense's typo_tokens_threshold 1); when nothing matches even with typos, words are dropped
--     from the end, one at a time (drop_tokens_threshold 1), the new last word then matching by prefix.
--   * `filter_terms` must all be present (language, category, live, not mature).
--   * Ranking: documents matching every word exactly first, then those needing a completion, then
--     those needing a typo; within each, live first, then popularity (followers, viewers), then label.
--   * Bounded work: candidates come from GIN scans of the index that stop at 1,001 rows: every match,
--     and when there are more, also the exact, the live and the exact live matches. `found` and the
--     facets count the candidates: exact up to 1,000 matches, 1,000 ("or more") beyond, where the
--     ranking holds among the candidates (exact and live matches always among them).
--   * `words` lists the document's words that matched (for highlights).
create function private.search_match(
  collection text, query text, filter_terms text[], page_size integer, page_offset integer, facets boolean
)
returns jsonb
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
declare
  cap constant integer := 1000;
  c constant text := search_match.collection;
  toks text[];
  kept integer;
  typo_pass integer;
  i integer;
  alts text[];
  plain text[];
  typo_words text[];
  all_words text[];
  conds text;
  tiers text;
  ok boolean;
  result jsonb;
  empty constant jsonb := jsonb_build_object('found', 0, 'page', '[]'::jsonb, 'facets', '{}'::jsonb);
begin
  select array_agg(t.w order by t.pos) into toks from (
    select lower(s.w) as w, min(s.pos) as pos
    from unnest(private.search_split(query)) with ordinality as s(w, pos)
    group by lower(s.w) order by min(s.pos) limit 10) t;
  if toks is null then
    return empty;
  end if;
  for kept in reverse cardinality(toks)..1 loop
    for typo_pass in 0..1 loop
      conds := '';
      tiers := '';
      all_words := '{}';
      ok := true;
      for i in 1..kept loop
        -- Without typos: the word itself and (last word) its completions. With: those, plus typos.
        select array_agg(a.word) into plain from private.search_alternatives(c, toks[i], i = kept, false) a;
        typo_words := null;
        if typo_pass = 1 then
          select array_agg(a.word) into typo_words from private.search_alternatives(c, toks[i], i = kept, true) a;
        end if;
        alts := coalesce(plain, '{}') || coalesce(typo_words, '{}');
        if cardinality(alts) = 0 then
          ok := false;
          exit;
        end if;
        all_words := all_words || alts;
        conds := conds || format(' and i.terms && %L::text[]', alts);
        tiers := tiers || format(', case when k.terms @> %L::text[] then 0 when k.terms && %L::text[] then 1 else 2 end',
          array[toks[i]], coalesce(plain, '{}'));
      end loop;
      continue when not ok;
      execute format($q$
        with cand as (
          (select i.document_id, i.terms, i.live, i.popularity, i.category_id, i.language, i.label
           from private.search_index i where i.collection = $1 and i.terms @> $2 %1$s limit $3 + 1)
          union
          (select i.document_id, i.terms, i.live, i.popularity, i.category_id, i.language, i.label
           from private.search_index i where i.collection = $1 and i.terms @> ($2 || $4) %1$s
             limit $3 + 1)
          union
          (select i.document_id, i.terms, i.live, i.popularity, i.category_id, i.language, i.label
           from private.search_index i where i.collection = $1 and i.terms @> ($2 || '{~live}') %1$s
             and $1 <> 'categories' limit $3 + 1)
          union
          (select i.document_id, i.terms, i.live, i.popularity, i.category_id, i.language, i.label
           from private.search_index i where i.collection = $1 and i.terms @> ($2 || $4 || '{~live}') %1$s
             and $1 <> 'categories' limit $3 + 1)
        ), ranked as (
          select k.*, greatest(0 %2$s) as tier from cand k
        ), page as (
          select r.* from ranked r
          order by r.tier, r.live desc, r.popularity desc, r.label, r.document_id
          limit greatest(least($5, $3 - $6), 0) offset $6
        )
        select jsonb_build_object(
          'found', (select least(count(*), $3) from ranked),
          'page', coalesce((
            select jsonb_agg(jsonb_build_object('id', p.document_id,
                     'words', to_jsonb(array(select t from unnest(p.terms) t where t = any($7))))
                   order by p.tier, p.live desc, p.popularity desc, p.label, p.document_id)
            from page p), '[]'::jsonb),
          'facets', case when $8 then jsonb_build_object(
            'category', coalesce((select jsonb_agg(jsonb_build_object('value', f.category_id, 'count', f.n) order by f.n desc, f.category_id)
              from (select r.category_id, count(*) as n from ranked r where r.category_id is not null
                    group by r.category_id order by count(*) desc, r.category_id limit 10) f), '[]'::jsonb),
            'language', coalesce((select jsonb_agg(jsonb_build_object('value', f.language, 'count', f.n) order by f.n desc, f.language)
              from (select r.language, count(*) as n from ranked r where r.language is not null
                    group by r.language order by count(*) desc, r.language limit 10) f), '[]'::jsonb))
            else '{}'::jsonb end)
      $q$, conds, tiers)
      into result
      using c, coalesce(filter_terms, '{}'::text[]), cap, toks[1:kept], page_size, page_offset, all_words, facets;
      if (result ->> 'found')::integer > 0 then
        return result;
      end if;
      -- A second pass only when some word is long enough for a typo.
      exit when not exists (select from unnest(toks[1:kept]) t where char_length(t) >= 4);
    end loop;
  end loop;
  return empty;
end
$$;

revoke execute on function private.search_match(text, text, text[], integer, integer, boolean)
  from public, anon, authenticated, service_role;

-- The filters as index terms, refused when malformed (422 invalid_argument). A category slug that
-- names no category matches nothing (`~c:none`). `include_mature` false keeps only `~sfw` documents.
create function private.search_filter_terms(language text, category text, live boolean, include_mature boolean)
returns text[]
language plpgsql
stable
set search_path = ''
as $$
declare
  terms text[] := '{}';
begin
  if language is not null then
    if language !~ '^[a-z]{2}$' then
      perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'language'),
        'language must be a two-letter lowercase language code.');
    end if;
    terms := terms || ('~l:' || language);
  end if;
  if category is not null then
    if char_length(category) > 255 or category !~ '^[a-z0-9]+(-[a-z0-9]+)*$' then
      perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'category'),
        'category must be a category slug.');
    end if;
    terms := terms || coalesce((select '~c:' || cat.id from public.categories cat
                                where cat.slug = category and cat.deleted_at is null), '~c:none');
  end if;
  if live is not null then
    terms := terms || case when live then '~live' else '~off' end;
  end if;
  if not coalesce(include_mature, false) then
    terms := terms || '~sfw'::text;
  end if;
  return terms;
end
$$;

revoke execute on function private.search_filter_terms(text, text, boolean, boolean) from public, anon, authenticated, service_role;

-- Which of a hit's fields matched and with which of their words (as written): [{field, matched_tokens}].
create function private.search_highlights(fields jsonb, words jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('field', f.key, 'matched_tokens', f.tokens) order by f.ord), '[]'::jsonb)
  from (
    select e.key, e.ord, to_jsonb(array(
      select x.t from (
        select distinct on (lower(s.t)) s.t, s.n from unnest(private.search_split(e.value #>> '{}')) with ordinality as s(t, n)
        where words ? lower(s.t) order by lower(s.t), s.n) x
      order by x.n)) as tokens
    from jsonb_each(fields) with ordinality as e(key, value, ord)
  ) f
  where jsonb_array_length(f.tokens) > 0
$$;

revoke execute on function private.search_highlights(jsonb, jsonb) from public, anon, authenticated, service_role;

-- Facets as Typesense's facet_by answers them: [{field_name, counts: [{value, count}]}], the
-- category given by its slug.
create function private.search_facet_counts(facets jsonb, wanted text[])
returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('field_name', w.name, 'counts',
    case w.name
      when 'category' then coalesce((
        select jsonb_agg(jsonb_build_object('value', cat.slug::text, 'count', (f.e ->> 'count')::integer) order by f.n)
        from jsonb_array_elements(facets -> 'category') with ordinality as f(e, n)
        join public.categories cat on cat.id = (f.e ->> 'value')::uuid and cat.deleted_at is null), '[]'::jsonb)
      else coalesce(facets -> w.name, '[]'::jsonb) end) order by w.n), '[]'::jsonb)
  from unnest(wanted) with ordinality as w(name, n)
$$;

revoke execute on function private.search_facet_counts(jsonb, text[]) from public, anon, authenticated, service_role;

-- The search of one type: {found, hits, facet_counts?}. Each hit is the document as the views build
-- it plus `highlights` over the type's searched fields. `facets` lists facet fields (category,
-- language); categories take no filters and count no facets (their facet lists are empty).
create function private.search_collection(
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
  m jsonb := private.search_match(collection, query,
    case when filtered then private.search_filter_terms(language, category, live, include_mature) else '{}' end,
    page_size, page_offset, filtered and cardinality(facets) > 0);
  hits jsonb;
begin
  select coalesce(jsonb_agg(d.document || jsonb_build_object('highlights', private.search_highlights(
      (select jsonb_object_agg(f, d.document -> f) from unnest(fields) f), p.e -> 'words')) order by p.n), '[]'::jsonb)
  into hits
  from jsonb_array_elements(m -> 'page') with ordinality as p(e, n)
  cross join lateral (select private.search_document(collection, (p.e ->> 'id')::uuid) as document) d;
  return jsonb_build_object('found', m -> 'found', 'hits', hits)
    || case when cardinality(facets) > 0
         then jsonb_build_object('facet_counts', private.search_facet_counts(m -> 'facets', facets)) else '{}'::jsonb end;
end
$$;

-- One document as search returns it, from its type's view.
create function private.search_document(collection text, id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  return case collection
    when 'channels' then (select d.document from private.search_channel_documents d where d.id = search_document.id)
    when 'categories' then (select d.document from private.search_category_documents d where d.id = search_document.id)
    else (select d.document from private.search_livestream_documents d where d.id = search_document.id) end;
end
$$;

create function private.search_channels(
  query text, page_size integer, page_offset integer,
  language text, category text, live boolean, include_mature boolean, facets text[]
)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select private.search_collection('channels', query, page_size, page_offset, language, category, live, include_mature, facets)
$$;

create function private.search_categories(query text, page_size integer, page_offset integer, facets text[])
returns jsonb
language sql
stable
set search_path = ''
as $$
  select private.search_collection('categories', query, page_size, page_offset, null, null, null, true, facets)
$$;

create function private.search_livestreams(
  query text, page_size integer, page_offset integer,
  language text, category text, live boolean, include_mature boolean, facets text[]
)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select private.search_collection('livestreams', query, page_size, page_offset, language, category, live, include_mature, facets)
$$;

revoke execute on function private.search_collection(text, text, integer, integer, text, text, boolean, boolean, text[])
  from public, anon, authenticated, service_role;
revoke execute on function private.search_document(text, uuid) from public, anon, authenticated, service_role;
revoke execute on function private.search_channels(text, integer, integer, text, text, boolean, boolean, text[])
  from public, anon, authenticated, service_role;
revoke execute on function private.search_categories(text, integer, integer, text[]) from public, anon, authenticated, service_role;
revoke execute on function private.search_livestreams(text, integer, integer, text, text, boolean, boolean, text[])
  from public, anon, authenticated, service_role;

-- The first signatures keep answering ({found, hits} without highlights, mature included, no
-- filters), now on the index: same matching and ranking as above.
create function private.search_without_highlights(result jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object('found', result -> 'found', 'hits', coalesce(
    (select jsonb_agg(h - 'highlights' order by n) from jsonb_array_elements(result -> 'hits') with ordinality as t(h, n)),
    '[]'::jsonb))
$$;

revoke execute on function private.search_without_highlights(jsonb) from public, anon, authenticated, service_role;

create or replace function private.search_channels(query text, page_size integer, page_offset integer)
returns jsonb language sql stable set search_path = '' as $$
  select private.search_without_highlights(
    private.search_collection('channels', query, page_size, page_offset, null, null, null, true, '{}'))
$$;

create or replace function private.search_categories(query text, page_size integer, page_offset integer)
returns jsonb language sql stable set search_path = '' as $$
  select private.search_without_highlights(
    private.search_collection('categories', query, page_size, page_offset, null, null, null, true, '{}'))
$$;

create or replace function private.search_livestreams(query text, page_size integer, page_offset integer)
returns jsonb language sql stable set search_path = '' as $$
  select private.search_without_highlights(
    private.search_collection('livestreams', query, page_size, page_offset, null, null, null, true, '{}'))
$$;

-- The trigram indexes of the first version are no longer read.
drop index public.channels_search_trgm_idx;
drop index public.users_search_trgm_idx;
drop index public.categories_search_trgm_idx;
drop index public.livestreams_search_trgm_idx;
drop index public.channels_live_search_trgm_idx;
drop index public.livestreams_live_search_trgm_idx;
drop function private.search_like_pattern(text, boolean);
