-- The outbox claim reads each row's version and document together, in a statement after the lease.
-- Serves API.md `search-sync` (docs/search.md "The outbox": a change made while a row is being sent is
-- sent again, never lost).
--
-- The claim locked rows and read documents in one statement. Under READ COMMITTED a row a write
-- updated and committed after that statement's snapshot but before the row was locked is locked and
-- leased in its newest version (EvalPlanQual: the bumped `version`), while the document was read from
-- the statement's older snapshot: the drain sent the old document with the new version, and
-- search_outbox_complete, seeing that version, deleted the row. The change never reached Typesense
-- (found by probing). Now the lease is one statement and the read a second one, with a snapshot of
-- its own: a write the lease saw committed is in it, documents included (a write and its enqueue
-- commit together), and a write not yet committed cannot bump a leased row before the claim's
-- transaction ends (the row is locked), so its enqueue waits and the drain keeps the new version.
create or replace function private.search_outbox_claim(
  batch_size integer, lease interval default '5 minutes', exclude bigint[] default '{}'
)
returns table (id bigint, collection text, document_id uuid, op text, version integer, attempts integer, document jsonb)
language plpgsql
security definer
set search_path = ''
as $$
declare
  leased bigint[];
begin
  -- 1. The lease: up to batch_size ready rows, FOR UPDATE SKIP LOCKED (two drains never take the same row).
  with claimed as (
    select o.id from private.search_outbox o
    where o.parked_at is null
      and o.next_attempt_at <= now()
      and (o.locked_until is null or o.locked_until < now())
      and o.id <> all (exclude)
    order by o.next_attempt_at, o.id
    limit batch_size
    for update skip locked
  ), updated as (
    update private.search_outbox o set locked_until = now() + lease
    from claimed where o.id = claimed.id
    returning o.id
  )
  select array_agg(u.id) into leased from updated u;
  if leased is null then
    return;
  end if;
  -- 2. A new statement, a new snapshot (this function is volatile): each row's version, op and
  -- document as of the same moment. A document that is gone makes the change a delete.
  return query
  select o.id, o.collection, o.document_id,
         case when d.document is null then 'delete' else o.op end,
         o.version, o.attempts, d.document
  from private.search_outbox o
  left join lateral (
    select cd.document from private.search_channel_documents cd
      where o.collection = 'channels' and o.op = 'upsert' and cd.id = o.document_id
    union all
    select gd.document from private.search_category_documents gd
      where o.collection = 'categories' and o.op = 'upsert' and gd.id = o.document_id
    union all
    select ld.document from private.search_livestream_documents ld
      where o.collection = 'livestreams' and o.op = 'upsert' and ld.id = o.document_id
  ) d on true
  where o.id = any(leased)
  order by o.id;
end
$$;

revoke execute on function private.search_outbox_claim(integer, interval, bigint[]) from public, anon, authenticated, service_role;
