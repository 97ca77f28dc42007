-- Removed means removed: a deleted or cleared message's text is scrubbed from the realtime.messages
-- rows (broadcast replay) that still hold it. Serves API.md `delete_message`, `clear_chat`, `ban_user`.

-- Realtime keeps broadcast rows about 3 days, in daily partitions of realtime.messages keyed by
-- `inserted_at` (a timestamp without time zone, written in the sending session's time zone). A scrub
-- therefore reads only the room's topic inside a window of those days, widened by a day on each side
-- for any session time zone, which prunes to a few partitions and rides Realtime's own index
-- (inserted_at desc, topic) where extension = 'broadcast' and private is true. `postgres` holds
-- SELECT and UPDATE on realtime.messages (not DELETE) and bypasses RLS, so this runs on hosted too.
-- Realtime broadcasts inserted rows only: an update is never sent again.
--
-- Scrubs `message.created` payloads (content null, emotes []) and the pinned message inside
-- `pin.updated` payloads, of one message (`message_id`), of one user (`user_id`), or of the whole
-- room (both null), sent since `since`. Returns the number of rows scrubbed.
create function private.scrub_chat_broadcasts(chatroom_id uuid, user_id uuid, message_id bigint, since timestamptz)
returns integer language plpgsql volatile security definer set search_path = '' as $$
declare
  topic_name text := 'chatroom:' || chatroom_id::text;
  window_start timestamp := (greatest(since, now() - interval '4 days') at time zone 'UTC') - interval '1 day';
  window_end timestamp := (now() at time zone 'UTC') + interval '1 day';
  scrubbed integer;
  pins integer;
begin
  update realtime.messages m
  set payload = m.payload || '{"content": null, "emotes": []}'::jsonb
  where m.topic = topic_name and m.extension = 'broadcast' and m.private is true
    and m.inserted_at between window_start and window_end
    and m.event = 'message.created' and m.payload ->> 'content' is not null
    and (scrub_chat_broadcasts.message_id is null or m.payload ->> 'id' = scrub_chat_broadcasts.message_id::text)
    and (scrub_chat_broadcasts.user_id is null or m.payload ->> 'user_id' = scrub_chat_broadcasts.user_id::text);
  get diagnostics scrubbed = row_count;
  update realtime.messages m
  set payload = jsonb_set(m.payload, '{message}', (m.payload -> 'message') || '{"content": null, "emotes": []}'::jsonb)
  where m.topic = topic_name and m.extension = 'broadcast' and m.private is true
    and m.inserted_at between window_start and window_end
    and m.event = 'pin.updated' and m.payload -> 'message' ->> 'content' is not null
    and (scrub_chat_broadcasts.message_id is null or m.payload -> 'message' ->> 'id' = scrub_chat_broadcasts.message_id::text)
    and (scrub_chat_broadcasts.user_id is null or m.payload -> 'message' ->> 'user_id' = scrub_chat_broadcasts.user_id::text);
  get diagnostics pins = row_count;
  return scrubbed + pins;
end
$$;

revoke execute on function private.scrub_chat_broadcasts(uuid, uuid, bigint, timestamptz) from public;

-- A message soft-deleted (by delete_message, or by the service) loses its text in the broadcasts too.
create function private.scrub_deleted_message()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform private.scrub_chat_broadcasts(new.chatroom_id, null, new.id, new.created_at);
  return null;
end
$$;

revoke execute on function private.scrub_deleted_message() from public;

create trigger scrub_deleted_message after update of deleted_at on public.messages
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function private.scrub_deleted_message();
