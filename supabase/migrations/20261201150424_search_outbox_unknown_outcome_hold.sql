-- Rows whose send timed out stay leased for a while: the outcome of that send is unknown. Serves
-- API.md `search-sync` (docs/search.md, step 3 "Failures").
--
-- An import search-sync gave up on (importTimeoutMs) is aborted, but Typesense may already hold its
-- body and apply it later. search_outbox_fail released such rows at once, so the next run could send
-- a newer version (or a delete) that the old import then overwrote when it landed: stale titles, and
-- deleted channels back in the index (found by probing). A send whose outcome is unknown now keeps
-- its rows leased for `hold`, longer than Typesense can take to apply a request, whatever version
-- the row has reached meanwhile (a change made during the send keeps the row, and waits too): the
-- next send of the document, with its current version, is then the last write. No attempt is counted
-- (not the document's fault), and nothing is parked.
create function private.search_outbox_hold(ids bigint[], errors text[], hold interval)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.search_outbox o set
    last_error = left(s.error, 2000),
    locked_until = now() + hold,
    next_attempt_at = greatest(o.next_attempt_at, now() + hold)
  from unnest(ids, errors) as s(id, error)
  where o.id = s.id;
end
$$;

-- Only the database owner (search-sync's connection) drains; no API role may.
revoke execute on function private.search_outbox_hold(bigint[], text[], interval) from public, anon, authenticated, service_role;
