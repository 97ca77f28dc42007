-- Search outbox: every change to a searchable document (channels, categories, livestreams) is queued
-- in the same transaction and drained into Typesense by `search-sync`. Serves API.md `search-sync`.

-- One pending row per document: a second change before the drain coalesces into the same row (its
-- `version` goes up), so the queue is bounded by the number of documents, never by write volume.
create table private.search_outbox (
  id bigint generated always as identity primary key,
  collection text not null constraint search_outbox_collection_known
    check (collection in ('channels', 'categories', 'livestreams')),
  document_id uuid not null,
  op text not null constraint search_outbox_op_known check (op in ('upsert', 'delete')),
  version integer not null default 1,
  enqueued_at timestamptz not null default now(),
  -- Delivery state, written by search-sync only.
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  locked_until timestamptz,           -- a drain's lease: no other drain sends the row before it ends
  last_error text,
  parked_at timestamptz,              -- kept failing: left aside (with last_error) until it changes again
  constraint search_outbox_one_row_per_document unique (collection, document_id)
);

-- The drain's queue order: ready rows first, oldest first.
create index search_outbox_ready_idx on private.search_outbox (next_attempt_at, id) where parked_at is null;

-- No API role reaches the outbox (search-sync connects as the database owner, SUPABASE_DB_URL).
revoke all on private.search_outbox from public, anon, authenticated, service_role;
alter table private.search_outbox enable row level security;

-- The documents, exactly as search returns them (`hits`), plus the sort keys Typesense needs
-- (live_rank, started_at_ts). The search API, search-sync and the reindex all read these views, so a
-- document has one definition. Timestamps are UTC ISO-8601 with milliseconds. A removed category
-- (deleted_at set) has no document, and channels and livestreams in it show no category.
create view private.search_channel_documents with (security_invoker = true) as
select
  c.id,
  jsonb_build_object(
    'id', c.id,
    'slug', c.slug::text,
    'title', c.title,
    'language', c.language,
    'is_mature', c.is_mature,
    'is_live', c.is_live,
    'followers_count', c.followers_count,
    'category_id', cat.id,
    'category_name', cat.name,
    'category_slug', cat.slug::text,
    'username', u.username::text,
    'display_name', u.display_name,
    'avatar_url', u.avatar_url,
    'live_rank', case when c.is_live then 1 else 0 end
  ) as document
from public.channels c
join public.users u on u.id = c.owner_id
left join public.categories cat on cat.id = c.category_id and cat.deleted_at is null;

create view private.search_category_documents with (security_invoker = true) as
select
  cat.id,
  jsonb_build_object(
    'id', cat.id,
    'name', cat.name,
    'slug', cat.slug::text,
    'cover_url', cat.cover_url,
    'genres', to_jsonb(cat.genres),
    'first_release_date', to_char(cat.first_release_date, 'YYYY-MM-DD')
  ) as document
from public.categories cat
where cat.deleted_at is null;  -- removed by IGDB (20261127003100_category_removal.sql): not searchable

create view private.search_livestream_documents with (security_invoker = true) as
select
  l.id,
  jsonb_build_object(
    'id', l.id,
    'channel_id', l.channel_id,
    'channel_slug', c.slug::text,
    'title', l.title,
    'category_id', cat.id,
    'category_name', cat.name,
    'started_at', to_char(l.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'ended_at', to_char(l.ended_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'is_live', l.ended_at is null,
    'viewer_count', l.viewer_count,
    'live_rank', case when l.ended_at is null then 1 else 0 end,
    'started_at_ts', floor(extract(epoch from l.started_at))::bigint
  ) as document
from public.livestreams l
join public.channels c on c.id = l.channel_id
left join public.categories cat on cat.id = l.category_id and cat.deleted_at is null;

revoke all on private.search_channel_documents, private.search_category_documents,
  private.search_livestream_documents from public, anon, authenticated, service_role;

-- Queues `op` for these documents, coalescing with a pending row. A change while a drain holds the
-- row (locked_until) bumps `version`: the drain then keeps the row and the next run sends the change.
-- A new change un-parks a parked document and starts its retries over.
create function private.search_enqueue(collection text, document_ids uuid[], op text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.search_outbox as o (collection, document_id, op)
  select search_enqueue.collection, d.id, search_enqueue.op
  from (select distinct unnest(document_ids) as id) d
  where d.id is not null
  on conflict on constraint search_outbox_one_row_per_document do update set
    op = excluded.op,
    version = o.version + 1,
    enqueued_at = now(),
    attempts = 0,
    next_attempt_at = now(),
    last_error = null,
    parked_at = null;
end
$$;

revoke execute on function private.search_enqueue(text, uuid[], text) from public, anon, authenticated, service_role;

-- Triggers: which changes touch which documents. Only columns that appear in a document count, so
-- e.g. `updated_at` bumps or an unchanged row enqueue nothing.
create function private.search_enqueue_channel()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'DELETE' then
    perform private.search_enqueue('channels', array[old.id], 'delete');
    return old;
  end if;
  perform private.search_enqueue('channels', array[new.id], 'upsert');
  -- Livestream documents carry the channel's slug.
  if tg_op = 'UPDATE' and new.slug is distinct from old.slug then
    perform private.search_enqueue('livestreams',
      array(select l.id from public.livestreams l where l.channel_id = new.id), 'upsert');
  end if;
  return new;
end
$$;

create function private.search_enqueue_user()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform private.search_enqueue('channels',
    array(select c.id from public.channels c where c.owner_id = new.id), 'upsert');
  return new;
end
$$;

create function private.search_enqueue_category()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'DELETE' then
    -- Channels and livestreams in it are re-queued by their own triggers (on delete set null).
    perform private.search_enqueue('categories', array[old.id], 'delete');
    return old;
  end if;
  -- Upsert even when removed (deleted_at): the drain finds no document and deletes it.
  perform private.search_enqueue('categories', array[new.id], 'upsert');
  -- Channel and livestream documents carry the category's name and slug (none once removed).
  if tg_op = 'UPDATE' and (new.name, new.slug, new.deleted_at) is distinct from (old.name, old.slug, old.deleted_at) then
    perform private.search_enqueue('channels',
      array(select c.id from public.channels c where c.category_id = new.id), 'upsert');
    perform private.search_enqueue('livestreams',
      array(select l.id from public.livestreams l where l.category_id = new.id), 'upsert');
  end if;
  return new;
end
$$;

create function private.search_enqueue_livestream()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'DELETE' then
    perform private.search_enqueue('livestreams', array[old.id], 'delete');
    return old;
  end if;
  perform private.search_enqueue('livestreams', array[new.id], 'upsert');
  return new;
end
$$;

revoke execute on function private.search_enqueue_channel() from public, anon, authenticated, service_role;
revoke execute on function private.search_enqueue_user() from public, anon, authenticated, service_role;
revoke execute on function private.search_enqueue_category() from public, anon, authenticated, service_role;
revoke execute on function private.search_enqueue_livestream() from public, anon, authenticated, service_role;

create trigger search_enqueue_insert_delete after insert or delete on public.channels
  for each row execute function private.search_enqueue_channel();
create trigger search_enqueue_update after update on public.channels
  for each row
  when ((old.slug, old.title, old.language, old.is_mature, old.is_live, old.followers_count, old.category_id, old.owner_id)
        is distinct from
        (new.slug, new.title, new.language, new.is_mature, new.is_live, new.followers_count, new.category_id, new.owner_id))
  execute function private.search_enqueue_channel();

create trigger search_enqueue_update after update on public.users
  for each row
  when ((old.username, old.display_name, old.avatar_url) is distinct from (new.username, new.display_name, new.avatar_url))
  execute function private.search_enqueue_user();

create trigger search_enqueue_insert_delete after insert or delete on public.categories
  for each row execute function private.search_enqueue_category();
create trigger search_enqueue_update after update on public.categories
  for each row
  when ((old.name, old.slug, old.cover_url, old.genres, old.first_release_date, old.deleted_at)
        is distinct from (new.name, new.slug, new.cover_url, new.genres, new.first_release_date, new.deleted_at))
  execute function private.search_enqueue_category();

create trigger search_enqueue_insert_delete after insert or delete on public.livestreams
  for each row execute function private.search_enqueue_livestream();
create trigger search_enqueue_update after update on public.livestreams
  for each row
  when ((old.channel_id, old.title, old.category_id, old.started_at, old.ended_at, old.viewer_count)
        is distinct from (new.channel_id, new.title, new.category_id, new.started_at, new.ended_at, new.viewer_count))
  execute function private.search_enqueue_livestream();

-- The drain (search-sync). Claims up to `batch_size` ready rows with FOR UPDATE SKIP LOCKED and a
-- lease, so two drains never send the same row, and returns each with its current document (null
-- when the source row is gone: the change is then a delete). `exclude` lists rows this run already
-- failed, so one run never retries a document twice.
create function private.search_outbox_claim(
  batch_size integer, lease interval default '5 minutes', exclude bigint[] default '{}'
)
returns table (id bigint, collection text, document_id uuid, op text, version integer, attempts integer, document jsonb)
language plpgsql
security definer
set search_path = ''
as $$
begin
  return query
  with claimed as (
    select o.id from private.search_outbox o
    where o.parked_at is null
      and o.next_attempt_at <= now()
      and (o.locked_until is null or o.locked_until < now())
      and o.id <> all (exclude)
    order by o.next_attempt_at, o.id
    limit batch_size
    for update skip locked
  ), leased as (
    update private.search_outbox o set locked_until = now() + lease
    from claimed where o.id = claimed.id
    returning o.id, o.collection, o.document_id, o.op, o.version, o.attempts
  )
  select l.id, l.collection, l.document_id,
         case when d.document is null then 'delete' else l.op end,
         l.version, l.attempts, d.document
  from leased l
  left join lateral (
    select cd.document from private.search_channel_documents cd
      where l.collection = 'channels' and l.op = 'upsert' and cd.id = l.document_id
    union all
    select gd.document from private.search_category_documents gd
      where l.collection = 'categories' and l.op = 'upsert' and gd.id = l.document_id
    union all
    select ld.document from private.search_livestream_documents ld
      where l.collection = 'livestreams' and l.op = 'upsert' and ld.id = l.document_id
  ) d on true
  order by l.id;
end
$$;

-- Sent: the row goes, unless it changed meanwhile (version moved on): then it stays, unleased, for
-- the next run.
create function private.search_outbox_complete(ids bigint[], versions integer[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from private.search_outbox o
  using unnest(ids, versions) as s(id, version)
  where o.id = s.id and o.version = s.version;
  update private.search_outbox o set locked_until = null
  from unnest(ids) as s(id)
  where o.id = s.id;
end
$$;

-- Not sent. A document-level failure counts an attempt and backs off exponentially (with jitter);
-- at `max_attempts` the row is parked with its error. A transient failure (Typesense down, 503)
-- backs off without counting, so an outage never parks anything. A row that changed meanwhile
-- keeps its fresh state.
create function private.search_outbox_fail(
  ids bigint[], versions integer[], errors text[], transient boolean,
  max_attempts integer default 5, base_delay interval default '10 seconds', max_delay interval default '1 hour'
)
returns integer  -- rows parked
language plpgsql
security definer
set search_path = ''
as $$
declare
  parked integer;
begin
  with failed as (
    update private.search_outbox o set
      attempts = case when transient then o.attempts else o.attempts + 1 end,
      last_error = left(s.error, 2000),
      locked_until = null,
      parked_at = case when not transient and o.attempts + 1 >= max_attempts then now() end,
      next_attempt_at = now() + least(
        max_delay,
        base_delay * power(2, case when transient then 0 else o.attempts end) * (0.75 + random() / 2))
    from unnest(ids, versions, errors) as s(id, version, error)
    where o.id = s.id and o.version = s.version
    returning o.parked_at
  )
  select count(*) filter (where failed.parked_at is not null) into parked from failed;
  -- Changed meanwhile: only release the lease; the new version starts fresh.
  update private.search_outbox o set locked_until = null
  from unnest(ids, versions) as s(id, version)
  where o.id = s.id and o.version <> s.version;
  return parked;
end
$$;

-- Only the database owner (search-sync's connection) drains; no API role may.
revoke execute on function private.search_outbox_claim(integer, interval, bigint[]) from public, anon, authenticated, service_role;
revoke execute on function private.search_outbox_complete(bigint[], integer[]) from public, anon, authenticated, service_role;
revoke execute on function private.search_outbox_fail(bigint[], integer[], text[], boolean, integer, interval, interval)
  from public, anon, authenticated, service_role;
