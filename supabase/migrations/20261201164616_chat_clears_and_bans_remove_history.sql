-- Clearing chat and banning or timing out a user remove the messages from history too, not only from
-- Realtime's stored broadcasts. Serves API.md `clear_chat`, `ban_user`, `messages` reads.
--
-- Until now only delete_message removed a message's text from `messages`: after `clear_chat` or a ban,
-- history still returned the text to everyone (anon included), and a client loading history after the
-- action had no way to know what to hide. Now the latest 10,000 messages of the room (or of the user in
-- it) are removed as delete_message removes one: content null, emotes empty, deleted_at and deleted_by
-- set. Connected clients get one `messages.cleared` or `user.banned`, not a `message.deleted` per row.

-- Removes the latest `max_messages` messages of a room, or of one user in it, and their text from the
-- stored broadcasts; unpins a removed pinned message. Returns how many it removed. The per-row
-- triggers of a deletion (message.deleted, the one-message scrub) stand aside while it runs: the
-- caller sends one event, and scrub_chat_broadcasts scrubs the room or user in one statement.
create function private.remove_chat_messages(chatroom_id uuid, user_id uuid, actor uuid, max_messages integer default 10000)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  removed bigint[];
begin
  perform set_config('streamz.removing_chat_messages', 'on', true);
  with latest as (
    select m.id from public.messages m
    where m.chatroom_id = remove_chat_messages.chatroom_id
      and (remove_chat_messages.user_id is null or m.user_id = remove_chat_messages.user_id)
      and m.deleted_at is null
    order by m.id desc
    limit max_messages
  ), done as (
    update public.messages m set content = null, emotes = '[]', deleted_at = now(), deleted_by = actor
    from latest where m.id = latest.id
    returning m.id
  )
  select coalesce(array_agg(done.id), '{}') into removed from done;
  perform set_config('streamz.removing_chat_messages', 'off', true);
  update public.chatrooms r set pinned_message_id = null, pinned_until = null
  where r.id = remove_chat_messages.chatroom_id and r.pinned_message_id = any(removed);
  perform private.scrub_chat_broadcasts(remove_chat_messages.chatroom_id, remove_chat_messages.user_id, null,
    now() - interval '4 days');
  return cardinality(removed);
end
$$;

revoke execute on function private.remove_chat_messages(uuid, uuid, uuid, integer) from public, anon, authenticated, service_role;

-- The deletion triggers of 20261127002200 and 20261130001100, now standing aside for remove_chat_messages.
drop trigger broadcast_message_deleted on public.messages;
create trigger broadcast_message_deleted
after update of deleted_at on public.messages
for each row
when (old.deleted_at is null and new.deleted_at is not null
  and current_setting('streamz.removing_chat_messages', true) is distinct from 'on')
execute function private.broadcast_message_deleted();

drop trigger scrub_deleted_message on public.messages;
create trigger scrub_deleted_message
after update of deleted_at on public.messages
for each row
when (old.deleted_at is null and new.deleted_at is not null
  and current_setting('streamz.removing_chat_messages', true) is distinct from 'on')
execute function private.scrub_deleted_message();

-- Same as in 20261201124202, removing the messages from history as well.
create or replace function private.clear_chat(chatroom_id uuid, user_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  actor uuid;
begin
  actor := private.require_chatroom_staff(chatroom_id);
  if user_id is not null and not exists (select 1 from public.users u where u.id = clear_chat.user_id) then
    perform private.raise_error('not_found', null, 'This user does not exist.');
  end if;
  if user_id is not null and user_id <> actor and private.is_chatroom_staff(chatroom_id, user_id) then
    perform private.raise_error('cannot_target_staff');
  end if;
  if user_id is not null then
    -- The user's sends in flight finish first, so none lands after the clear (send_message's lock).
    perform pg_advisory_xact_lock(hashtextextended('chat:' || chatroom_id::text || ':' || user_id::text, 0));
  end if;
  perform private.log_moderation_action(chatroom_id, actor, user_id, 'messages.cleared', null, null, null);
  perform private.remove_chat_messages(chatroom_id, user_id, actor);
  perform realtime.send(jsonb_build_object('user_id', user_id), 'messages.cleared', 'chatroom:' || chatroom_id::text, true);
end
$$;

-- Same as in 20261130001200, removing the banned user's messages from history as well.
create or replace function private.broadcast_chat_ban()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  moderator jsonb;
  room_channel uuid;
begin
  if tg_op = 'INSERT' then
    select jsonb_build_object('id', u.id, 'username', u.username::text, 'display_name', u.display_name)
    into moderator from public.users u where u.id = new.banned_by;
    select r.channel_id into room_channel from public.chatrooms r where r.id = new.chatroom_id;
    perform private.log_moderation_action(new.chatroom_id, new.banned_by, new.user_id,
      case when new.expires_at is null then 'user.banned' else 'user.timed_out' end, null, new.reason,
      jsonb_build_object('ban_id', new.id, 'expires_at', new.expires_at));
    perform private.remove_chat_messages(new.chatroom_id, new.user_id, new.banned_by);
    perform realtime.send(jsonb_build_object('user_id', new.user_id, 'expires_at', new.expires_at),
      'user.banned', 'chatroom:' || new.chatroom_id::text, true);
    perform realtime.send(to_jsonb(new) || jsonb_build_object('moderator', moderator),
      'ban.created', 'chatroom:' || new.chatroom_id::text || ':mods', true);
    perform realtime.send(jsonb_build_object('chatroom_id', new.chatroom_id, 'channel_id', room_channel,
      'reason', new.reason, 'created_at', new.created_at, 'expires_at', new.expires_at),
      'ban.received', 'user:' || new.user_id::text, true);
  elsif pg_trigger_depth() = 1 and (old.expires_at is null or old.expires_at > now()) then
    -- Lifting an active ban; not when a new ban replaces it (depth > 1) or when it had expired.
    perform private.log_moderation_action(old.chatroom_id, auth.uid(), old.user_id, 'user.unbanned', null, null,
      jsonb_build_object('ban_id', old.id));
    perform realtime.send(jsonb_build_object('user_id', old.user_id),
      'user.unbanned', 'chatroom:' || old.chatroom_id::text, true);
  end if;
  return null;
end
$$;
