-- Built-in search on the search index: Typesense-like matching (per-word typos, prefix with typos on
-- the last word, every word must match, drop words from the end), filters, facets and highlights. Serves API.md `search`.

-- Load pg_trgm's library in this session so its settings may be attached to functions below.
select extensions.similarity('', '');

-- The vocabulary words a query word may stand for, with how many documents hold each and its kind: 0 = the word itself, 1 = a
-- completion (the last word is being typed: prefix), 2 = a typo. Typesense's defaults: 1 typo from
-- 4 characters, 2 from 7; the word being typed may hold its 2nd typo from 6 characters (it is
-- incomplete), and its typos are measured against the completions' prefixes. Like Typesense's
-- bounded candidates (max_candidates), a word stands for at most 10 completions (the most common of
-- the first 2,000 in order) and 10 typos (the closest, then the most common).
-- Typo candidates are the words sharing trigrams with the query word (word similarity >= 0.3) or
-- its first two characters, verified with Levenshtein distance.
create function private.search_alternatives(collection text, token text, is_last boolean, typos boolean)
returns table (word text, kind integer, docs integer)
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
      select v.word::text, 0, v.docs from private.search_vocabulary v where v.collection = c and v.word = token collate "C";
    if is_last then
      -- Completions: the primary key's range [token, token || U+10FFFF) in "C" order.
      return query
        select s.word::text, 1, s.docs from (
          select v.word, v.docs from private.search_vocabulary v
          where v.collection = c and v.word > token collate "C" and v.word < (token || chr(1114111)) collate "C"
          order by v.word limit 2000) s
        order by s.docs desc, char_length(s.word), s.word
        limit 10;
    end if;
    return;
  end if;
  if budget = 0 then
    return;
  end if;
  -- Dynamic, so the plan is made for this collection's partial trigram index and this word.
  return query execute format($q$
    select k.word, 2, k.docs from (
      select s.word::text as word, s.docs,
        case when %3$L then (
            select min(extensions.levenshtein_less_equal(%2$L, left(s.word, n), %4$s))
            from generate_series(greatest(1, %5$s - %4$s), %5$s + %4$s) n)
          else extensions.levenshtein_less_equal(%2$L, s.word, %4$s) end as distance
      from (
        (select v.word, v.docs from private.search_vocabulary v
         where v.collection = %1$L and %2$L operator(extensions.<%%) v.word limit 500)
        union
        (select v.word, v.docs from private.search_vocabulary v
         where v.collection = %1$L and v.word >= left(%2$L, 2) and v.word < left(%2$L, 2) || chr(1114111)
         order by v.word limit 2000)
      ) s
      where s.word <> %2$L and (%3$L or abs(char_length(s.word) - %5$s) <= %4$s)
    ) k
    where k.distance <= %4$s
    order by k.distance, k.docs desc, k.word
    limit 10$q$, c, token, is_last, budget, len);
end
$$;

revoke execute on function private.search_alternatives(text, text, boolean, boolean) from public, anon, authenticated, service_role;

-- The matching documents of one collection, ranked, as {found, page: [{id, words}], facets}.
--   * The query's words (split like documents, lowercased, at most 10) must all match: each through
--     one of its alternatives (above). Typos are looked for only when nothing matches without them
--     (Typesense's typo_tokens_threshold 1); when nothing matches even with typos, words are dropped
--     from the end, one at a time (drop_tokens_threshold 1), the new last word then matching by prefix.
--   * `filter_terms` must all be present (language, category, live); no `exclude_terms` may be (mature).
--   * Ranking: documents holding every word as typed first, then those needing a completion (or, when
--     typos were needed, a typo); within each, live first, then popularity (followers, viewers), then
--     label. Each tier is one ORDER BY … LIMIT query, so the planner walks the ranking index
--     (search_index_rank_idx) for a common word and the terms GIN for a rare one: the ranking is exact
--     over every match, and the work stops at the page.
--   * `found` counts matches up to 1,000 (1,000 means "1,000 or more"); pages stop at the 1,000th hit.
--     Facets count the first 1,000 matches found (exact up to 1,000 matches).
--   * `words` lists the document's words that matched (for highlights).
--   * enable_seqscan = off: a LIMITed count never becomes a sequential scan testing every row's terms.
create function private.search_match(
  collection text, query text, filter_terms text[], exclude_terms text[], page_size integer, page_offset integer,
  facets boolean
)
returns jsonb
language plpgsql
stable
set search_path = ''
set enable_seqscan = off
as $$
#variable_conflict use_column
declare
  cap constant integer := 1000;
  c constant text := search_match.collection;
  wanted constant integer := greatest(least(page_size + page_offset, cap), 0);
  toks text[];
  kept integer;
  typo_pass integer;
  i integer;
  plain text[];
  typo_words text[];
  conds text;
  all_words text[];
  ok boolean;
  most_docs integer;
  base text;
  found integer;
  ids jsonb;
  more jsonb;
  facet_counts jsonb := '{}';
  empty constant jsonb := jsonb_build_object('found', 0, 'page', '[]'::jsonb, 'facets', '{}'::jsonb);
  rank_sql constant text := ' order by i.live desc, i.popularity desc, i.label, i.document_id limit %s';
  page_sql constant text := 'select coalesce(jsonb_agg(jsonb_build_object(''id'', p.document_id, ''words'', '
    'to_jsonb(array(select t from unnest(p.terms) t where t = any(%L::text[]))))), ''[]''::jsonb) '
    'from (select i.document_id, i.terms %s) p';
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
      all_words := '{}';
      ok := true;
      for i in 1..kept loop
        -- Without typos: the word itself and (last word) its completions. With: those, plus typos.
        select array_agg(a.word), max(a.docs) into plain, most_docs
        from private.search_alternatives(c, toks[i], i = kept, false) a;
        typo_words := null;
        if typo_pass = 1 then
          select array_agg(a.word) into typo_words from private.search_alternatives(c, toks[i], i = kept, true) a;
        end if;
        all_words := all_words || coalesce(plain, '{}') || coalesce(typo_words, '{}');
        if coalesce(cardinality(plain), 0) + coalesce(cardinality(typo_words), 0) = 0 then
          ok := false;
          exit;
        end if;
        conds := conds || format(' and i.terms && %L::text[]', coalesce(plain, '{}') || coalesce(typo_words, '{}'));
      end loop;
      continue when not ok;
      base := format(' from private.search_index i where i.collection = %L', c)
        || case when cardinality(filter_terms) > 0 then format(' and i.terms @> %L::text[]', filter_terms) else '' end
        || case when cardinality(exclude_terms) > 0 then format(' and not i.terms && %L::text[]', exclude_terms) else '' end
        || conds;
      -- A single word one of whose alternatives alone is held by 2,000 documents, with no filter or
      -- facet to count: more than 1,000 matches, known from the vocabulary (only mature ones excluded).
      if kept = 1 and typo_pass = 0 and cardinality(filter_terms) = 0 and not facets and most_docs >= 2 * cap then
        found := cap + 1;
      else
      -- One statement for the first 1,001 matches: their count, their facets, and (when that is all
      -- of them) the page, every word as typed first.
      execute format($f$
        with m as materialized (
          select i.document_id, i.terms, i.live, i.popularity, i.label, i.category_id, i.language %1$s limit %2$s)
        select (select count(*)::integer from m),
          (select coalesce(jsonb_agg(jsonb_build_object('id', p.document_id,
                    'words', to_jsonb(array(select t from unnest(p.terms) t where t = any(%3$L::text[])))) order by p.o), '[]'::jsonb)
           from (select m.document_id, m.terms, row_number() over (
                   order by m.terms @> %4$L::text[] desc, m.live desc, m.popularity desc, m.label, m.document_id) as o
                 from m) p where p.o <= %5$s),
          case when %6$L then jsonb_build_object(
            'category', coalesce((select jsonb_agg(jsonb_build_object('value', f.category_id, 'count', f.n) order by f.n desc, f.category_id)
              from (select m.category_id, count(*) as n from m where m.category_id is not null
                    group by m.category_id order by count(*) desc, m.category_id limit 10) f), '[]'::jsonb),
            'language', coalesce((select jsonb_agg(jsonb_build_object('value', f.language, 'count', f.n) order by f.n desc, f.language)
              from (select m.language, count(*) as n from m where m.language is not null
                    group by m.language order by count(*) desc, m.language limit 10) f), '[]'::jsonb))
            else '{}'::jsonb end
      $f$, base, cap + 1, all_words, toks[1:kept], wanted, facets) into found, ids, facet_counts;
      end if;
      if found > 0 then
        if found > cap and typo_pass = 0 then
          -- More than 1,000: walk the ranking. Tier 1: every word as typed; tier 2: the rest.
          execute format(page_sql, all_words, base || format(' and i.terms @> %L::text[]', toks[1:kept])
            || format(rank_sql, wanted)) into ids;
          if jsonb_array_length(ids) < wanted then
            execute format(page_sql, all_words, base || format(' and not i.terms @> %L::text[]', toks[1:kept])
              || format(rank_sql, wanted - jsonb_array_length(ids))) into more;
            ids := ids || more;
          end if;
        elsif found > cap then
          execute format(page_sql, all_words, base || format(rank_sql, wanted)) into ids;
        end if;
        return jsonb_build_object(
          'found', least(found, cap),
          'page', coalesce((select jsonb_agg(e order by n) from jsonb_array_elements(ids) with ordinality as t(e, n)
                            where n > page_offset), '[]'::jsonb),
          'facets', facet_counts);
      end if;
      -- A second pass only when some word is long enough for a typo.
      exit when not exists (select from unnest(toks[1:kept]) t where char_length(t) >= 4);
    end loop;
  end loop;
  return empty;
end
$$;

revoke execute on function private.search_match(text, text, text[], text[], integer, integer, boolean)
  from public, anon, authenticated, service_role;

-- The filters as index terms every match must hold, refused when malformed (422 invalid_argument).
-- A category slug that names no category matches nothing (`~c:none`). Maturity is not here: mature
-- documents (`~mature`) are excluded unless included.
create function private.search_filter_terms(language text, category text, live boolean)
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
  return terms;
end
$$;

revoke execute on function private.search_filter_terms(text, text, boolean) from public, anon, authenticated, service_role;

-- Which of a hit's fields matched and with which of their words (as written): [{field, matched_tokens}],
-- in the order of `fields`.
create function private.search_highlights(document jsonb, fields text[], words jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
begin
  return (
    select coalesce(jsonb_agg(jsonb_build_object('field', f.name, 'matched_tokens', f.tokens) order by f.ord), '[]'::jsonb)
    from (
      select e.name, e.ord, to_jsonb(array(
        select x.t from (
          select distinct on (lower(s.t)) s.t, s.n
          from unnest(private.search_split(document ->> e.name, true)) with ordinality as s(t, n)
          where words ? lower(s.t) order by lower(s.t), s.n) x
        order by x.n)) as tokens
      from unnest(fields) with ordinality as e(name, ord)
    ) f
    where jsonb_array_length(f.tokens) > 0);
end
$$;

revoke execute on function private.search_highlights(jsonb, text[], jsonb) from public, anon, authenticated, service_role;

-- Facets as Typesense's facet_by answers them: [{field_name, counts: [{value, count}]}], the
-- category given by its slug.
create function private.search_facet_counts(facets jsonb, wanted text[])
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  return (
    select coalesce(jsonb_agg(jsonb_build_object('field_name', w.name, 'counts',
      case w.name
        when 'category' then coalesce((
          select jsonb_agg(jsonb_build_object('value', cat.slug::text, 'count', (f.e ->> 'count')::integer) order by f.n)
          from jsonb_array_elements(facets -> 'category') with ordinality as f(e, n)
          join public.categories cat on cat.id = (f.e ->> 'value')::uuid and cat.deleted_at is null), '[]'::jsonb)
        else coalesce(facets -> w.name, '[]'::jsonb) end) order by w.n), '[]'::jsonb)
    from unnest(wanted) with ordinality as w(name, n));
end
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
    case when filtered then private.search_filter_terms(language, category, live) else '{}'::text[] end,
    case when filtered and not coalesce(include_mature, false) then '{~mature}'::text[] else '{}'::text[] end,
    page_size, page_offset, filtered and cardinality(facets) > 0);
  hits jsonb;
begin
  select coalesce(jsonb_agg(d.document || jsonb_build_object('highlights',
      private.search_highlights(d.document, fields, p.e -> 'words')) order by p.n), '[]'::jsonb)
  into hits
  from jsonb_array_elements(m -> 'page') with ordinality as p(e, n)
  join private.search_documents(collection, array(select (e ->> 'id')::uuid from jsonb_array_elements(m -> 'page') e)) d
    on d.id = (p.e ->> 'id')::uuid;
  return jsonb_build_object('found', m -> 'found', 'hits', hits)
    || case when cardinality(facets) > 0
         then jsonb_build_object('facet_counts', private.search_facet_counts(m -> 'facets', facets)) else '{}'::jsonb end;
end
$$;

-- Documents as search returns them, from their type's view.
create function private.search_documents(collection text, ids uuid[])
returns table (id uuid, document jsonb)
language plpgsql
stable
set search_path = ''
as $$
begin
  if collection = 'channels' then
    return query select d.id, d.document from private.search_channel_documents d where d.id = any(ids);
  elsif collection = 'categories' then
    return query select d.id, d.document from private.search_category_documents d where d.id = any(ids);
  else
    return query select d.id, d.document from private.search_livestream_documents d where d.id = any(ids);
  end if;
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
revoke execute on function private.search_documents(text, uuid[]) from public, anon, authenticated, service_role;
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
