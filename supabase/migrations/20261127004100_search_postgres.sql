-- Built-in search: trigram indexes and search functions over channels, categories and livestreams,
-- used by the `search` edge function when Typesense is not configured. Serves API.md `search`.

create extension if not exists pg_trgm with schema extensions;

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

-- The query as a LIKE pattern matching it anywhere: %, _ and \ in the query are literal.
create function private.search_like_pattern(query text)
returns text
language sql
immutable
set search_path = ''
as $$
  select '%' || replace(replace(replace(query, '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$;

-- How well `query` matches `field`: typo-tolerant word similarity, +1 when the field starts with it,
-- +0.5 when it appears inside it.
create function private.search_field_score(query text, field text)
returns real
language sql
immutable
set search_path = ''
as $$
  select case when field is null then 0::real else
    extensions.strict_word_similarity(query, field)
    + case when starts_with(lower(field), query) then 1
           when strpos(lower(field), query) > 0 then 0.5
           else 0 end
  end
$$;

revoke execute on function private.search_like_pattern(text) from public, anon, authenticated, service_role;
revoke execute on function private.search_field_score(text, text) from public, anon, authenticated, service_role;

-- Each function returns {"found": n, "hits": [document, ...]}: `found` counts every match, `hits` is
-- one page of the documents of 20261127004000_search_outbox.sql (the documents Typesense holds).
-- Only the search edge function calls them (as the database owner); they run as their caller, read
-- only public columns, and skip removed categories. A query with no letter or digit matches nothing.
-- A row matches when a searched text holds the query (substring, so prefixes too) or a word close
-- to it (typos). Channels and livestreams rank live first, then by score, then popularity.
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
  pattern text := private.search_like_pattern(lower(btrim(query)));
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
    union
    select c.id from public.categories cat join public.channels c on c.category_id = cat.id
    where cat.deleted_at is null
      and ((cat.name || ' ' || cat.slug::text) operator(extensions.%>>) q
           or (cat.name || ' ' || cat.slug::text) ilike pattern)
  ), scored as (
    select c.id, c.is_live, c.followers_count,
      greatest(
        private.search_field_score(q, c.slug::text),
        private.search_field_score(q, u.display_name),
        0.8 * private.search_field_score(q, c.title),
        0.5 * private.search_field_score(q, cat.name)
      ) as score
    from candidates k
    join public.channels c on c.id = k.id
    join public.users u on u.id = c.owner_id
    left join public.categories cat on cat.id = c.category_id and cat.deleted_at is null
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
  pattern text := private.search_like_pattern(lower(btrim(query)));
  result jsonb;
begin
  if q !~ '[[:alnum:]]' then
    return jsonb_build_object('found', 0, 'hits', '[]'::jsonb);
  end if;
  with scored as (
    select cat.id, cat.name,
      greatest(private.search_field_score(q, cat.name), private.search_field_score(q, cat.slug::text)) as score
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
  pattern text := private.search_like_pattern(lower(btrim(query)));
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
        private.search_field_score(q, l.title),
        private.search_field_score(q, c.slug::text),
        0.5 * private.search_field_score(q, cat.name)
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
