-- Built-in search: trigram indexes and search functions over channels, categories and livestreams,
-- used by the `search` edge function when Typesense is not configured. Serves API.md `search`.

create extension if not exists pg_trgm with schema extensions;
-- Load pg_trgm's library in this session (a no-op query) so its settings may be attached to the
-- functions below by a non-superuser even when the extension already existed.
select extensions.similarity('', '');

-- One GIN trigram index per searched text: serves both the typo-tolerant whole-word match
-- (strict word similarity) and the substring/prefix match (ILIKE).
create index channels_search_trgm_idx on public.channels
  using gin ((slug::text || ' ' || title) extensions.gin_trgm_ops);
create index users_search_trgm_idx on public.users
  using gin ((username::text || ' ' || coalesce(display_name, '')) extensions.gin_trgm_ops);
create index categories_search_trgm_idx on public.categories
  using gin ((name || ' ' || slug::text) extensions.gin_trgm_ops);
create index livestreams_search_trgm_idx on public.livestreams
  using gin (title extensions.gin_trgm_ops);

-- The query as a LIKE pattern matching it anywhere (or, for 1-2 characters, which have no trigram
-- to look up, at the start only): %, _ and \ in the query are literal.
create function private.search_like_pattern(query text, prefix_only boolean default false)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when prefix_only then '' else '%' end
    || replace(replace(replace(query, '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$;

revoke execute on function private.search_like_pattern(text, boolean) from public, anon, authenticated, service_role;

-- Live channels and live streams get their own (small, partial) trigram indexes, so the live matches
-- are always among the candidates and "live first" holds even when a query matches thousands of rows.
create index channels_live_search_trgm_idx on public.channels
  using gin ((slug::text || ' ' || title) extensions.gin_trgm_ops) where is_live;
create index livestreams_live_search_trgm_idx on public.livestreams
  using gin (title extensions.gin_trgm_ops) where ended_at is null;

-- How every function below works:
--   * Candidates come only from trigram index scans (substring/prefix via ILIKE, typos via strict
--     word similarity `%>>`), each arm stopping at 1,001 rows: the work is bounded however broad the
--     query. Arms: the live rows first (partial index), then all rows, then the related tables.
--   * Typos are looked for only when no row holds the query (`typos`), as Typesense does with its
--     default typo_tokens_threshold of 1: the `%>>` recheck is the costly part of a scan.
--   * `found` = least(distinct candidates, 1000). It is exact while a query matches at most 1,000
--     rows (no arm is cut off then); beyond, it is 1,000, and pages stop at the 1,000th hit.
--   * The score: 2 when a field starts with the query, 1.5 when it holds it (title 0.8x, category
--     0.5x), else the field's word similarity. Any substring score (>= 1.2) beats every similarity
--     (<= 1), so similarity is computed only for typo-only candidates.
--   * Ranking: live first, then score, then popularity, over the candidates. When an arm is cut
--     off (over 1,000 matches), the non-live rows it dropped are not ranked: a broad query's first
--     page holds the best of the candidates, not necessarily the most followed match overall.
--   * plan_cache_mode = force_custom_plan and enable_seqscan = off: plans are made for the actual
--     query text, and a LIMITed arm never becomes a sequential scan filtering row by row with
--     trigram functions (the planner's pick for broad words, ~100 ms at 100k rows).

create function private.search_channels(query text, page_size integer, page_offset integer)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
set pg_trgm.strict_word_similarity_threshold = 0.5
set plan_cache_mode = force_custom_plan
set enable_seqscan = off
as $$
declare
  cap constant integer := 1000;
  q text := lower(btrim(query));
  pattern text := private.search_like_pattern(lower(btrim(query)), char_length(btrim(query)) < 3);
  typos boolean;
  result jsonb;
begin
  if q !~ '[[:alnum:]]' then
    return jsonb_build_object('found', 0, 'hits', '[]'::jsonb);
  end if;
  typos := not exists (select from public.channels c where (c.slug::text || ' ' || c.title) ilike pattern)
    and not exists (select from public.users u where (u.username::text || ' ' || coalesce(u.display_name, '')) ilike pattern);
  with candidates as (
    (select c.id, c.owner_id, c.is_live, c.followers_count, c.slug::text as slug, c.title from public.channels c
     where c.is_live
       and ((c.slug::text || ' ' || c.title) ilike pattern
            or (typos and (c.slug::text || ' ' || c.title) operator(extensions.%>>) q))
     limit cap + 1)
    union
    (select c.id, c.owner_id, c.is_live, c.followers_count, c.slug::text, c.title from public.channels c
     where (c.slug::text || ' ' || c.title) ilike pattern
        or (typos and (c.slug::text || ' ' || c.title) operator(extensions.%>>) q)
     limit cap + 1)
    union
    (select c.id, c.owner_id, c.is_live, c.followers_count, c.slug::text, c.title from public.users u
     cross join lateral (select * from public.channels c where c.owner_id = u.id offset 0) c
     where (u.username::text || ' ' || coalesce(u.display_name, '')) ilike pattern
        or (typos and (u.username::text || ' ' || coalesce(u.display_name, '')) operator(extensions.%>>) q)
     limit cap + 1)
  ), scored as (
    select k.id, k.is_live, k.followers_count,
      case when s.best > 0 then s.best else greatest(
        extensions.strict_word_similarity(q, coalesce(k.slug, '')),
        extensions.strict_word_similarity(q, coalesce(u.display_name, '')),
        0.8 * extensions.strict_word_similarity(q, coalesce(k.title, ''))) end as score
    from candidates k
    join public.users u on u.id = k.owner_id
    cross join lateral (select greatest(
        case when starts_with(lower(coalesce(k.slug, '')), q) then 2
             when strpos(lower(coalesce(k.slug, '')), q) > 0 then 1.5 else 0 end,
        case when starts_with(lower(coalesce(u.display_name, '')), q) then 2
             when strpos(lower(coalesce(u.display_name, '')), q) > 0 then 1.5 else 0 end,
        0.8 * case when starts_with(lower(coalesce(k.title, '')), q) then 2
                   when strpos(lower(coalesce(k.title, '')), q) > 0 then 1.5 else 0 end) as best) s
  ), page as (
    select s.* from scored s
    order by s.is_live desc, s.score desc, s.followers_count desc, s.id
    limit greatest(least(page_size, cap - page_offset), 0) offset page_offset
  )
  select jsonb_build_object(
    'found', (select least(count(*), cap) from scored),
    'hits', coalesce(
      (select jsonb_agg(d.document order by p.is_live desc, p.score desc, p.followers_count desc, p.id)
       from page p join private.search_channel_documents d on d.id = p.id),
      '[]'::jsonb))
  into result;
  return result;
end
$$;

create function private.search_categories(query text, page_size integer, page_offset integer)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
set pg_trgm.strict_word_similarity_threshold = 0.5
set plan_cache_mode = force_custom_plan
set enable_seqscan = off
as $$
declare
  cap constant integer := 1000;
  q text := lower(btrim(query));
  pattern text := private.search_like_pattern(lower(btrim(query)), char_length(btrim(query)) < 3);
  typos boolean;
  result jsonb;
begin
  if q !~ '[[:alnum:]]' then
    return jsonb_build_object('found', 0, 'hits', '[]'::jsonb);
  end if;
  typos := not exists (select from public.categories cat
    where cat.deleted_at is null and (cat.name || ' ' || cat.slug::text) ilike pattern);
  with candidates as (
    select cat.id from public.categories cat
    where cat.deleted_at is null
      and ((cat.name || ' ' || cat.slug::text) ilike pattern
           or (typos and (cat.name || ' ' || cat.slug::text) operator(extensions.%>>) q))
    limit cap + 1
  ), scored as (
    select cat.id, cat.name,
      case when s.best > 0 then s.best else greatest(
        extensions.strict_word_similarity(q, coalesce(cat.name, '')),
        extensions.strict_word_similarity(q, coalesce(cat.slug::text, ''))) end as score
    from candidates k
    join public.categories cat on cat.id = k.id
    cross join lateral (select greatest(
        case when starts_with(lower(coalesce(cat.name, '')), q) then 2
             when strpos(lower(coalesce(cat.name, '')), q) > 0 then 1.5 else 0 end,
        case when starts_with(lower(coalesce(cat.slug::text, '')), q) then 2
             when strpos(lower(coalesce(cat.slug::text, '')), q) > 0 then 1.5 else 0 end) as best) s
  ), page as (
    select s.* from scored s order by s.score desc, s.name, s.id
    limit greatest(least(page_size, cap - page_offset), 0) offset page_offset
  )
  select jsonb_build_object(
    'found', (select least(count(*), cap) from scored),
    'hits', coalesce(
      (select jsonb_agg(d.document order by p.score desc, p.name, p.id)
       from page p join private.search_category_documents d on d.id = p.id),
      '[]'::jsonb))
  into result;
  return result;
end
$$;

create function private.search_livestreams(query text, page_size integer, page_offset integer)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
set pg_trgm.strict_word_similarity_threshold = 0.5
set plan_cache_mode = force_custom_plan
set enable_seqscan = off
as $$
declare
  cap constant integer := 1000;
  q text := lower(btrim(query));
  pattern text := private.search_like_pattern(lower(btrim(query)), char_length(btrim(query)) < 3);
  typos boolean;
  result jsonb;
begin
  if q !~ '[[:alnum:]]' then
    return jsonb_build_object('found', 0, 'hits', '[]'::jsonb);
  end if;
  typos := not exists (select from public.livestreams l where l.title ilike pattern)
    and not exists (select from public.channels c join public.livestreams l on l.channel_id = c.id
                    where (c.slug::text || ' ' || c.title) ilike pattern)
    and not exists (select from public.categories cat join public.livestreams l on l.category_id = cat.id
                    where cat.deleted_at is null and (cat.name || ' ' || cat.slug::text) ilike pattern);
  with candidates as (
    (select l.id from public.livestreams l
     where l.ended_at is null and (l.title ilike pattern or (typos and l.title operator(extensions.%>>) q))
     limit cap + 1)
    union
    (select l.id from public.livestreams l
     where l.title ilike pattern or (typos and l.title operator(extensions.%>>) q)
     limit cap + 1)
    union
    (select l.id from public.channels c join public.livestreams l on l.channel_id = c.id
     where (c.slug::text || ' ' || c.title) ilike pattern
        or (typos and (c.slug::text || ' ' || c.title) operator(extensions.%>>) q)
     limit cap + 1)
    union
    (select l.id from public.categories cat join public.livestreams l on l.category_id = cat.id
     where cat.deleted_at is null
       and ((cat.name || ' ' || cat.slug::text) ilike pattern
            or (typos and (cat.name || ' ' || cat.slug::text) operator(extensions.%>>) q))
     limit cap + 1)
  ), scored as (
    select l.id, l.ended_at is null as is_live, l.viewer_count, l.started_at,
      case when s.best > 0 then s.best else greatest(
        extensions.strict_word_similarity(q, coalesce(l.title, '')),
        extensions.strict_word_similarity(q, coalesce(c.slug::text, '')),
        0.5 * extensions.strict_word_similarity(q, coalesce(cat.name, ''))) end as score
    from candidates k
    join public.livestreams l on l.id = k.id
    join public.channels c on c.id = l.channel_id
    left join public.categories cat on cat.id = l.category_id and cat.deleted_at is null
    cross join lateral (select greatest(
        case when starts_with(lower(coalesce(l.title, '')), q) then 2
             when strpos(lower(coalesce(l.title, '')), q) > 0 then 1.5 else 0 end,
        case when starts_with(lower(coalesce(c.slug::text, '')), q) then 2
             when strpos(lower(coalesce(c.slug::text, '')), q) > 0 then 1.5 else 0 end,
        0.5 * case when starts_with(lower(coalesce(cat.name, '')), q) then 2
                   when strpos(lower(coalesce(cat.name, '')), q) > 0 then 1.5 else 0 end) as best) s
  ), page as (
    select s.* from scored s
    order by s.is_live desc, s.score desc, s.viewer_count desc, s.started_at desc, s.id
    limit greatest(least(page_size, cap - page_offset), 0) offset page_offset
  )
  select jsonb_build_object(
    'found', (select least(count(*), cap) from scored),
    'hits', coalesce(
      (select jsonb_agg(d.document order by p.is_live desc, p.score desc, p.viewer_count desc, p.started_at desc, p.id)
       from page p join private.search_livestream_documents d on d.id = p.id),
      '[]'::jsonb))
  into result;
  return result;
end
$$;

revoke execute on function private.search_channels(text, integer, integer) from public, anon, authenticated, service_role;
revoke execute on function private.search_categories(text, integer, integer) from public, anon, authenticated, service_role;
revoke execute on function private.search_livestreams(text, integer, integer) from public, anon, authenticated, service_role;
