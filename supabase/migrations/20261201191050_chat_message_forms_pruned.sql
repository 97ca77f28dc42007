-- The kept matching forms of a burst (private.chat_message_forms, 20261201180803) are pruned by a job once
-- past their 30 s window. Serves docs/chat.md "What a send reads"; no API.md row (the table is private).
--
-- Only a sender's next kept form in a room deleted their older rows there: the rows of a sender who stops
-- sending (most senders, eventually) stayed until their next burst, and the table grew with every
-- non-ASCII chatter who ever sent a burst. A job now deletes rows older than 30 s: the duplicate rule reads
-- a kept form only within the 30 s rate window, and folds the text again when its row is gone, so a row
-- past it is never read and deleting one early would only cost that fold. The job joins the others in
-- private.notification_jobs(), the one list pg_cron and the local scheduler both read (as
-- `notifications-prune` and `cron-history-prune` do).
--
-- Each run deletes at most `batch_size` rows (5,000 by default, every 30 s), oldest first through an index
-- on created_at, skipping rows a send is deleting at that moment: one short statement, so it never holds
-- long locks, and a send deleting its own old rows waits for it at most that long.

-- Indexes -----------------------------------------------------------------------------------------

-- The prune's oldest-first range (the sender index leads with the room and the sender).
create index chat_message_forms_created_at_idx on private.chat_message_forms (created_at);

-- Helpers -----------------------------------------------------------------------------------------

-- Deletes at most `batch_size` kept forms older than 30 s, oldest first. Returns the rows deleted.
create function private.prune_chat_message_forms(batch_size integer default 5000)
returns integer
language plpgsql
security definer
set search_path = ''
set enable_seqscan = off
as $$
declare
  pruned integer;
begin
  -- The batch as an array (one InitPlan), so the delete probes the primary key for it alone.
  delete from private.chat_message_forms f
  where f.message_id = any (array(
    select o.message_id from private.chat_message_forms o
    where o.created_at < now() - interval '30 seconds'
    order by o.created_at
    limit greatest(batch_size, 0)
    for update skip locked));
  get diagnostics pruned = row_count;
  return pruned;
end
$$;

revoke execute on function private.prune_chat_message_forms(integer) from public, anon, authenticated, service_role;

-- The jobs ----------------------------------------------------------------------------------------

-- As in 20261201144858, with the kept forms pruned every 30 s.
create or replace function private.notification_jobs()
returns table (name text, schedule text, command text)
language sql
immutable
set search_path = ''
as $$
  values
    ('notifications-fanout', '1 seconds', 'select private.drain_notification_outbox()'),
    ('notifications-prune', '17 * * * *', 'select private.prune_read_notifications()'),
    ('cron-history-prune', '29 * * * *', 'select private.prune_cron_history()'),
    ('chat-message-forms-prune', '30 seconds', 'select private.prune_chat_message_forms()')
$$;

select private.schedule_notification_jobs();

comment on table private.chat_message_forms is
  'The matching form of a non-ASCII message sent within the rate window of the sender''s previous one, so the duplicate rule does not fold it again; rows older than 30 s go at the sender''s next such send in the room, or by the chat-message-forms-prune job (private.prune_chat_message_forms, every 30 s).';
