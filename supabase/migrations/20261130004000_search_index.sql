-- Search index for the built-in path: every searchable document as its words (split on `_`, `-`,
-- punctuation and case changes) plus filter terms, and a vocabulary of distinct words. Serves API.md `search`.

-- levenshtein_less_equal verifies typo candidates (Supabase ships fuzzystrmatch; enabled here).
create extension if not exists fuzzystrmatch with schema extensions;

-- One row per searchable document. `terms` holds the document's lowercased words and its filter terms
-- (which start with `~`, a character no word holds): `~live`/`~off`, `~l:<language>`,
-- `~c:<category id>` and `~mature`. `live` and `popularity` (followers or viewers) rank
-- candidates without touching the source tables; `category_id` and `language` feed the facets.
create table private.search_index (
  collection text not null constraint search_index_collection_known
    check (collection in ('channels', 'categories', 'livestreams')),
  document_id uuid not null,
  terms text[] not null,
  live boolean not null default false,
  popularity integer not null default 0,
  category_id uuid,
  language text,
  label text not null default '',   -- tie-break (a category's name)
  primary key (collection, document_id)
);

-- Documents are looked up by exact terms (`terms @> …`, `terms && …`): one GIN per collection.
-- A row written anew re-enters every term in the GIN; inserting into the long posting trees of common
-- terms (`~off`, `~l:en`) one by one costs milliseconds, so new entries go to a pending list, kept
-- small (64 kB) so that the searches, which scan it, stay fast; it is merged in batches.
create index search_index_channels_terms_idx on private.search_index using gin (terms)
  with (fastupdate = on, gin_pending_list_limit = 64) where collection = 'channels';
create index search_index_categories_terms_idx on private.search_index using gin (terms)
  with (fastupdate = on, gin_pending_list_limit = 64) where collection = 'categories';
-- The ranking order: a common word's matches are walked in this order until the page is full.
create index search_index_rank_idx on private.search_index (collection, live desc, popularity desc, label, document_id);
create index search_index_livestreams_terms_idx on private.search_index using gin (terms)
  with (fastupdate = on, gin_pending_list_limit = 64) where collection = 'livestreams';

-- The distinct words of each collection and how many documents hold each. A query's words are
-- corrected against it (prefixes by the primary key's "C" order, typos by trigrams), then documents
-- are looked up by the exact words found.
create table private.search_vocabulary (
  collection text not null,
  word text collate "C" not null,
  docs integer not null,
  primary key (collection, word)
);
create index search_vocabulary_channels_trgm_idx on private.search_vocabulary
  using gin (word extensions.gin_trgm_ops) with (fastupdate = on, gin_pending_list_limit = 64) where collection = 'channels';
create index search_vocabulary_categories_trgm_idx on private.search_vocabulary
  using gin (word extensions.gin_trgm_ops) with (fastupdate = on, gin_pending_list_limit = 64) where collection = 'categories';
create index search_vocabulary_livestreams_trgm_idx on private.search_vocabulary
  using gin (word extensions.gin_trgm_ops) with (fastupdate = on, gin_pending_list_limit = 64) where collection = 'livestreams';

-- Only the database owner (the search function's connection) reads them.
revoke all on private.search_index, private.search_vocabulary from public, anon, authenticated, service_role;
alter table private.search_index enable row level security;
alter table private.search_vocabulary enable row level security;

-- A text's words as written: runs of letters and digits (`_`, `-` and punctuation separate), each
-- also split where its case changes (`speedrunSol` -> speedrunSol, speedrun, Sol). Documents are
-- indexed under both, so `tundrawizard` and `wizard` both find `tundraWizard`; a query is split
-- (`whole` false), so `speedrunSol` finds `speedrun_sol`. PL/pgSQL (not SQL) so that the plans are
-- cached: this runs inside every indexed write.
create function private.search_split(t text, whole boolean default false)
returns text[]
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return array(
    select x.part
    from regexp_matches(coalesce(t, ''), '[[:alnum:]]+', 'g') with ordinality as w(m, r)
    cross join lateral (
      select array(select p[1] from regexp_matches(
        regexp_replace(regexp_replace(w.m[1],
          '([[:upper:]])([[:upper:]][[:lower:]])', '\1 \2', 'g'),
          '([[:lower:][:digit:]])([[:upper:]])', '\1 \2', 'g'),
        '[[:alnum:]]+', 'g') as p) as parts) s
    cross join lateral (
      select w.m[1] as part, 0 as k where whole and cardinality(s.parts) > 1
      union all
      select q.part, q.k from unnest(s.parts) with ordinality as q(part, k)) x
    order by w.r, x.k);
end
$$;

-- The lowercased, distinct words of several texts (what a document is indexed under).
create function private.search_words(texts text[])
returns text[]
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return array(select distinct lower(w) from unnest(texts) as t, unnest(private.search_split(t, true)) as w);
end
$$;

revoke execute on function private.search_split(text, boolean) from public, anon, authenticated, service_role;
revoke execute on function private.search_words(text[]) from public, anon, authenticated, service_role;

-- What each collection's documents are indexed under, for the given ids (a missing or removed
-- document yields no row). Channels: slug, title, owner's username and display name. Categories:
-- name and slug. Livestreams: title, channel slug, category name; language and maturity are the
-- channel's.
create function private.search_index_source(collection text, ids uuid[])
returns table (document_id uuid, terms text[], live boolean, popularity integer, category_id uuid, language text, label text)
language plpgsql
stable
set search_path = ''
as $$
begin
  if collection = 'channels' then
    return query
      select c.id,
        private.search_words(array[c.slug::text, c.title, u.username::text, u.display_name])
          || array[case when c.is_live then '~live' else '~off' end, '~l:' || c.language]
          || case when c.category_id is null then '{}'::text[] else array['~c:' || c.category_id] end
          || case when c.is_mature then array['~mature'] else '{}'::text[] end,
        c.is_live, c.followers_count, c.category_id, c.language, c.slug::text
      from public.channels c join public.users u on u.id = c.owner_id
      where c.id = any(ids);
  elsif collection = 'categories' then
    return query
      select cat.id, private.search_words(array[cat.name, cat.slug::text]), false, 0, null::uuid, null::text, cat.name
      from public.categories cat
      where cat.id = any(ids) and cat.deleted_at is null;
  else
    return query
      select l.id,
        private.search_words(array[l.title, c.slug::text, cat.name])
          || array[case when l.ended_at is null then '~live' else '~off' end, '~l:' || c.language]
          || case when cat.id is null then '{}'::text[] else array['~c:' || cat.id] end
          || case when c.is_mature then array['~mature'] else '{}'::text[] end,
        l.ended_at is null, l.viewer_count, cat.id, c.language, c.slug::text
      from public.livestreams l
      join public.channels c on c.id = l.channel_id
      left join public.categories cat on cat.id = l.category_id and cat.deleted_at is null
      where l.id = any(ids);
  end if;
end
$$;

revoke execute on function private.search_index_source(text, uuid[]) from public, anon, authenticated, service_role;

-- Brings the index rows of these documents up to date and moves the vocabulary counts by the words
-- they gained or lost. An unchanged row is not rewritten; a popularity-only change rewrites no
-- indexed column (a HOT update). Words are counted in sorted order, so concurrent writers lock
-- vocabulary rows in the same order.
create function private.search_index_refresh(collection text, ids uuid[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  c constant text := search_index_refresh.collection;
  emptied text[];
begin
  if coalesce(cardinality(ids), 0) = 0 then
    return;
  end if;
  -- One statement: every part sees the rows as they were before it, so `old` is the previous state.
  with fresh as (
    select * from private.search_index_source(c, ids)
  ), old as (
    select i.document_id, i.terms from private.search_index i
    where i.collection = c and i.document_id = any(ids)
  ), gone as (
    delete from private.search_index i
    where i.collection = c and i.document_id = any(ids)
      and not exists (select from fresh f where f.document_id = i.document_id)
  ), written as (
    insert into private.search_index as i (collection, document_id, terms, live, popularity, category_id, language, label)
    select c, f.document_id, f.terms, f.live, f.popularity, f.category_id, f.language, f.label from fresh f
    on conflict (collection, document_id) do update set
      terms = excluded.terms, live = excluded.live, popularity = excluded.popularity,
      category_id = excluded.category_id, language = excluded.language, label = excluded.label
    where (i.terms, i.live, i.popularity, i.category_id, i.language, i.label)
      is distinct from (excluded.terms, excluded.live, excluded.popularity, excluded.category_id, excluded.language, excluded.label)
  ), delta as (
    -- Word counts move only by what changed (terms starting with `~` are filters, not words).
    select w.word, sum(w.d)::integer as d
    from (
      select unnest(f.terms) as word, 1 as d from fresh f
      union all
      select unnest(o.terms), -1 from old o
    ) w
    where w.word !~ '^~'
    group by w.word
    having sum(w.d) <> 0
  ), counted as (
    insert into private.search_vocabulary as v (collection, word, docs)
    select c, d.word, d.d from delta d order by d.word
    on conflict (collection, word) do update set docs = v.docs + excluded.docs
    returning v.word, v.docs
  )
  select array_agg(k.word) filter (where k.docs <= 0) into emptied from counted k;
  if emptied is not null then
    delete from private.search_vocabulary v where v.collection = c and v.word = any(emptied collate "C") and v.docs <= 0;
  end if;
end
$$;

revoke execute on function private.search_index_refresh(text, uuid[]) from public, anon, authenticated, service_role;

-- Triggers. Inserts and deletes: one set-based refresh per statement (transition tables), so a bulk
-- load costs one refresh. Updates: per row, and only when an indexed column changed (WHEN), so the
-- frequent writes stay cheap: a followers or viewers change only sets the ranking column.
create function private.search_index_rows_changed()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  -- tg_argv[0]: the collection (the table's name).
  if tg_op = 'INSERT' then
    perform private.search_index_refresh(tg_argv[0], array(select n.id from new_rows n));
  else
    perform private.search_index_refresh(tg_argv[0], array(select o.id from old_rows o));
  end if;
  return null;
end
$$;

create function private.search_index_row_updated()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  if tg_table_name = 'users' then
    perform private.search_index_refresh('channels', array(select c.id from public.channels c where c.owner_id = new.id));
    return null;
  end if;
  perform private.search_index_refresh(tg_table_name, array[new.id]);
  -- A livestream is indexed under its channel's slug, language and maturity, and its category's name.
  -- (Nested ifs: a record's fields are resolved only in the branch of its own table.)
  if tg_table_name = 'channels' then
    if (old.slug, old.language, old.is_mature) is distinct from (new.slug, new.language, new.is_mature) then
      perform private.search_index_refresh('livestreams', array(select l.id from public.livestreams l where l.channel_id = new.id));
    end if;
  elsif tg_table_name = 'categories' then
    if (old.name, old.deleted_at) is distinct from (new.name, new.deleted_at) then
      perform private.search_index_refresh('livestreams', array(select l.id from public.livestreams l where l.category_id = new.id));
    end if;
  end if;
  return null;
end
$$;

-- Only the followers (every follow) or viewers changed: the ranking column alone.
create function private.search_index_popularity_changed()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  update private.search_index i
  set popularity = case tg_table_name when 'channels' then (to_jsonb(new) ->> 'followers_count')::integer
                                      else (to_jsonb(new) ->> 'viewer_count')::integer end
  where i.collection = tg_table_name::text and i.document_id = new.id;  -- text, not name: the primary key's first column
  return null;
end
$$;

revoke execute on function private.search_index_rows_changed() from public, anon, authenticated, service_role;
revoke execute on function private.search_index_row_updated() from public, anon, authenticated, service_role;
revoke execute on function private.search_index_popularity_changed() from public, anon, authenticated, service_role;

create trigger search_index_insert after insert on public.channels
  referencing new table as new_rows for each statement execute function private.search_index_rows_changed('channels');
create trigger search_index_delete after delete on public.channels
  referencing old table as old_rows for each statement execute function private.search_index_rows_changed('channels');
create trigger search_index_update after update on public.channels
  for each row
  when ((old.slug, old.title, old.language, old.is_mature, old.is_live, old.category_id, old.owner_id)
        is distinct from (new.slug, new.title, new.language, new.is_mature, new.is_live, new.category_id, new.owner_id))
  execute function private.search_index_row_updated();
create trigger search_index_popularity after update on public.channels
  for each row
  when (old.followers_count is distinct from new.followers_count
        and (old.slug, old.title, old.language, old.is_mature, old.is_live, old.category_id, old.owner_id)
        is not distinct from (new.slug, new.title, new.language, new.is_mature, new.is_live, new.category_id, new.owner_id))
  execute function private.search_index_popularity_changed();

create trigger search_index_update after update on public.users
  for each row when ((old.username, old.display_name) is distinct from (new.username, new.display_name))
  execute function private.search_index_row_updated();

create trigger search_index_insert after insert on public.categories
  referencing new table as new_rows for each statement execute function private.search_index_rows_changed('categories');
create trigger search_index_delete after delete on public.categories
  referencing old table as old_rows for each statement execute function private.search_index_rows_changed('categories');
create trigger search_index_update after update on public.categories
  for each row when ((old.name, old.slug, old.deleted_at) is distinct from (new.name, new.slug, new.deleted_at))
  execute function private.search_index_row_updated();

create trigger search_index_insert after insert on public.livestreams
  referencing new table as new_rows for each statement execute function private.search_index_rows_changed('livestreams');
create trigger search_index_delete after delete on public.livestreams
  referencing old table as old_rows for each statement execute function private.search_index_rows_changed('livestreams');
create trigger search_index_update after update on public.livestreams
  for each row
  when ((old.channel_id, old.title, old.category_id, old.ended_at) is distinct from (new.channel_id, new.title, new.category_id, new.ended_at))
  execute function private.search_index_row_updated();
create trigger search_index_popularity after update on public.livestreams
  for each row
  when (old.viewer_count is distinct from new.viewer_count
        and (old.channel_id, old.title, old.category_id, old.ended_at)
        is not distinct from (new.channel_id, new.title, new.category_id, new.ended_at))
  execute function private.search_index_popularity_changed();

-- Backfill what exists today.
select private.search_index_refresh('categories', array(select id from public.categories));
select private.search_index_refresh('channels', array(select id from public.channels));
select private.search_index_refresh('livestreams', array(select id from public.livestreams));
