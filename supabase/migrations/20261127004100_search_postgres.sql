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

-- Each function returns {"found": n, "hits": [document, ...]}: `found` counts every match, `hits` is
-- one page of the documents of 20261127004000_search_outbox.sql (the documents Typesense holds).
-- Only the search edge function calls them (as the database owner); they run as their caller, read
-- only public columns, and skip removed categories. A query with no letter or digit matches nothing.
-- A row matches when a searched text holds the query (substring, so prefixes too) or a word close
-- to it (typos). Score per field: 2 when it starts with the query, 1.5 when it holds it, else the
-- word similarity (computed only then: it is the costly part). Channels are found by their names and
-- title (slug, username, display name); livestreams also by their category. Channels and
-- livestreams rank live first, then by score, then popularity.
create function private.search_channels(query text, page_size integer, page_offset integer)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
set pg_trgm.strict_word_similarity_threshold = 0.5
as $$
declare
  q text := lower(btrim(query));
  pattern text := private.search_like_pattern(lower(btrim(query)), char_length(btrim(query)) < 3);
  result jsonb;
begin
  if q !~ '[[:alnum:]]' then
    return jsonb_build_object('found', 0, 'hits', '[]'::jsonb);
  end if;
  with candidates as (
    select c.id from public.channels c
    where (c.slug::text || ' ' || c.title) operator(extensions.%>>) q
       or (c.slug::text || ' ' || c.title) ilike pattern
    union
    select c.id from public.users u join public.channels c on c.owner_id = u.id
    where (u.username::text || ' ' || coalesce(u.display_name, '')) operator(extensions.%>>) q
       or (u.username::text || ' ' || coalesce(u.display_name, '')) ilike pattern
  ), scored as (
    select c.id, c.is_live, c.followers_count,
      greatest(
        case when starts_with(lower(coalesce(c.slug::text, '')), q) then 2
               when strpos(lower(coalesce(c.slug::text, '')), q) > 0 then 1.5
               else extensions.strict_word_similarity(q, coalesce(c.slug::text, '')) end,
        case when starts_with(lower(coalesce(u.display_name, '')), q) then 2
               when strpos(lower(coalesce(u.display_name, '')), q) > 0 then 1.5
               else extensions.strict_word_similarity(q, coalesce(u.display_name, '')) end,
        0.8 * case when starts_with(lower(coalesce(c.title, '')), q) then 2
               when strpos(lower(coalesce(c.title, '')), q) > 0 then 1.5
               else extensions.strict_word_similarity(q, coalesce(c.title, '')) end
      ) as score
    from candidates k
    join public.channels c on c.id = k.id
    join public.users u on u.id = c.owner_id
  ), page as (
    select s.* from scored s
    order by s.is_live desc, s.score desc, s.followers_count desc, s.id
    limit page_size offset page_offset
  )
  select jsonb_build_object(
    'found', (select count(*) from scored),
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
as $$
declare
  q text := lower(btrim(query));
  pattern text := private.search_like_pattern(lower(btrim(query)), char_length(btrim(query)) < 3);
  result jsonb;
begin
  if q !~ '[[:alnum:]]' then
    return jsonb_build_object('found', 0, 'hits', '[]'::jsonb);
  end if;
  with scored as (
    select cat.id, cat.name,
      greatest(case when starts_with(lower(coalesce(cat.name, '')), q) then 2
               when strpos(lower(coalesce(cat.name, '')), q) > 0 then 1.5
               else extensions.strict_word_similarity(q, coalesce(cat.name, '')) end, case when starts_with(lower(coalesce(cat.slug::text, '')), q) then 2
               when strpos(lower(coalesce(cat.slug::text, '')), q) > 0 then 1.5
               else extensions.strict_word_similarity(q, coalesce(cat.slug::text, '')) end) as score
    from public.categories cat
    where cat.deleted_at is null
      and ((cat.name || ' ' || cat.slug::text) operator(extensions.%>>) q
           or (cat.name || ' ' || cat.slug::text) ilike pattern)
  ), page as (
    select s.* from scored s order by s.score desc, s.name, s.id limit page_size offset page_offset
  )
  select jsonb_build_object(
    'found', (select count(*) from scored),
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
as $$
declare
  q text := lower(btrim(query));
  pattern text := private.search_like_pattern(lower(btrim(query)), char_length(btrim(query)) < 3);
  result jsonb;
begin
  if q !~ '[[:alnum:]]' then
    return jsonb_build_object('found', 0, 'hits', '[]'::jsonb);
  end if;
  with candidates as (
    select l.id from public.livestreams l
    where l.title operator(extensions.%>>) q or l.title ilike pattern
    union
    select l.id from public.channels c join public.livestreams l on l.channel_id = c.id
    where (c.slug::text || ' ' || c.title) operator(extensions.%>>) q
       or (c.slug::text || ' ' || c.title) ilike pattern
    union
    select l.id from public.categories cat join public.livestreams l on l.category_id = cat.id
    where cat.deleted_at is null
      and ((cat.name || ' ' || cat.slug::text) operator(extensions.%>>) q
           or (cat.name || ' ' || cat.slug::text) ilike pattern)
  ), scored as (
    select l.id, l.ended_at is null as is_live, l.viewer_count, l.started_at,
      greatest(
        case when starts_with(lower(coalesce(l.title, '')), q) then 2
               when strpos(lower(coalesce(l.title, '')), q) > 0 then 1.5
               else extensions.strict_word_similarity(q, coalesce(l.title, '')) end,
        case when starts_with(lower(coalesce(c.slug::text, '')), q) then 2
               when strpos(lower(coalesce(c.slug::text, '')), q) > 0 then 1.5
               else extensions.strict_word_similarity(q, coalesce(c.slug::text, '')) end,
        0.5 * case when starts_with(lower(coalesce(cat.name, '')), q) then 2
               when strpos(lower(coalesce(cat.name, '')), q) > 0 then 1.5
               else extensions.strict_word_similarity(q, coalesce(cat.name, '')) end
      ) as score
    from candidates k
    join public.livestreams l on l.id = k.id
    join public.channels c on c.id = l.channel_id
    left join public.categories cat on cat.id = l.category_id and cat.deleted_at is null
  ), page as (
    select s.* from scored s
    order by s.is_live desc, s.score desc, s.viewer_count desc, s.started_at desc, s.id
    limit page_size offset page_offset
  )
  select jsonb_build_object(
    'found', (select count(*) from scored),
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
