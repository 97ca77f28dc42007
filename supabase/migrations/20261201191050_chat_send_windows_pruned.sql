-- What a send keeps only for its rate window is pruned by a job once past it: the matching forms of a
-- burst (private.chat_message_forms, 30 s, 20261201180803) and the refused blocked-term attempts
-- (private.chat_blocked_attempts, 2 minutes, 20261130002200). Serves docs/chat.md "What a send reads"; no
-- API.md row (both tables are private).
--
-- Only the same sender's next burst (or next refused attempt) in the same room deleted their older rows:
-- the rows of a sender who stopped stayed, and each table grew with every chatter who ever sent a burst or
-- a refused message (the attempts keep the refused text's matching form). Sends read neither past its
-- window (a form missing is folded again; an attempt past 2 minutes counts for nothing), so a job now
-- deletes rows older than that. It joins the others in private.notification_jobs(), the one list pg_cron
-- and the local scheduler both read (as `notifications-prune` and `cron-history-prune` do).
--
-- Each run deletes at most `batch_size` rows of each table (5,000 by default, every 30 s), oldest first
-- in primary-key order (both keys grow with time: a message's id, an attempt's identity), skipping rows
-- a send is deleting at that moment: short statements, so it never holds long locks, and a send
-- deleting its own old rows waits for it at most that long. No index on created_at: the sends' own
-- look-ups (room, sender, created_at within the window) would be planned on it, and within the window
-- it holds every row of the table.

-- Helpers -----------------------------------------------------------------------------------------

-- Deletes at most `batch_size` rows of each table past its window, oldest first. Returns the rows deleted.
create function private.prune_chat_send_windows(batch_size integer default 5000)
returns integer
language plpgsql
security definer
set search_path = ''
set enable_seqscan = off
as $$
declare
  forms integer;
  attempts integer;
begin
  -- Each batch as an array (one InitPlan), so the delete probes the primary key for it alone.
  delete from private.chat_message_forms f
  where f.message_id = any (array(
    select o.message_id from private.chat_message_forms o
    where o.created_at < now() - interval '30 seconds'
    order by o.message_id
    limit greatest(batch_size, 0)
    for update skip locked));
  get diagnostics forms = row_count;
  delete from private.chat_blocked_attempts a
  where a.id = any (array(
    select o.id from private.chat_blocked_attempts o
    where o.created_at < now() - interval '2 minutes'
    order by o.id
    limit greatest(batch_size, 0)
    for update skip locked));
  get diagnostics attempts = row_count;
  return forms + attempts;
end
$$;

revoke execute on function private.prune_chat_send_windows(integer) from public, anon, authenticated, service_role;

-- The jobs ----------------------------------------------------------------------------------------

-- As in 20261201144858, with the send windows pruned every 30 s.
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
    ('chat-send-windows-prune', '30 seconds', 'select private.prune_chat_send_windows()')
$$;

select private.schedule_notification_jobs();

comment on table private.chat_message_forms is
  'The matching form of a non-ASCII message sent within the rate window of the sender''s previous one, so the duplicate rule does not fold it again; rows older than 30 s go at the sender''s next such send in the room, or by the chat-send-windows-prune job (private.prune_chat_send_windows, every 30 s).';
comment on table private.chat_blocked_attempts is
  'Refused blocked-term attempts, counted by slow mode, the duplicate rule and the rate limit for 2 minutes; older rows go at the sender''s next refused attempt in the room, or by the chat-send-windows-prune job (private.prune_chat_send_windows, every 30 s).';
