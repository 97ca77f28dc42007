-- Realtime authorization for chat topics and the `subscription.created` chat event. Serves API.md
-- topics `chatroom:<id>` (anyone receives; signed-in unbanned users share presence) and `chatroom:<id>:mods`.

-- Functions ---------------------------------------------------------------------------------------

-- Chat topics: `chatroom:<id>` for anyone (the room must exist), `chatroom:<id>:mods` for its staff.
create function private.can_receive_chat_topic(topic text)
returns boolean language plpgsql stable security definer set search_path = '' as $$
declare
  mods_room uuid := private.topic_uuid(topic, 'chatroom:', ':mods');
  room uuid := private.topic_uuid(topic, 'chatroom:');
begin
  if mods_room is not null then
    return private.is_chatroom_staff(mods_room, auth.uid());
  end if;
  return room is not null and exists (select 1 from public.chatrooms r where r.id = room);
end
$$;

-- The receive rule of 20261127001600_realtime_topics, extended with the chat topics.
create or replace function private.can_receive_topic(topic text)
returns boolean language plpgsql stable security definer set search_path = '' as $$
begin
  return private.can_receive_community_topic(topic) or private.can_receive_chat_topic(topic);
end
$$;

-- Presence in a chatroom (who is watching/chatting): signed-in users who are not banned there.
-- Clients never send broadcasts: only the database does (as postgres).
create function private.can_share_presence(topic text)
returns boolean language plpgsql stable security definer set search_path = '' as $$
declare
  room_id uuid := private.topic_uuid(topic, 'chatroom:');
  uid uuid := auth.uid();
begin
  if uid is null or room_id is null then
    return false;
  end if;
  return exists (select 1 from public.chatrooms r where r.id = room_id)
    and (private.active_chat_ban(room_id, uid)).id is null;
end
$$;

revoke execute on function private.can_receive_chat_topic(text) from public;
revoke execute on function private.can_share_presence(text) from public;
grant execute on function private.can_share_presence(text) to authenticated, service_role;

-- Policies ----------------------------------------------------------------------------------------

create policy "signed-in unbanned users can share presence in chatrooms" on realtime.messages
  for insert to authenticated
  with check (extension = 'presence' and (select private.can_share_presence((select realtime.topic()))));

-- Events ------------------------------------------------------------------------------------------

-- `subscription.created` on the channel's chatroom topic when a subscription starts.
create function private.broadcast_subscription_created()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  room_id uuid;
  subscriber_name text;
begin
  select r.id into room_id from public.chatrooms r where r.channel_id = new.channel_id;
  select u.username::text into subscriber_name from public.users u where u.id = new.user_id;
  if room_id is not null then
    perform realtime.send(jsonb_build_object('user_id', new.user_id, 'username', subscriber_name,
      'tier', new.tier, 'cumulative_months', new.cumulative_months, 'is_gift', new.is_gift),
      'subscription.created', 'chatroom:' || room_id::text, true);
  end if;
  return null;
end
$$;

revoke execute on function private.broadcast_subscription_created() from public;

create trigger broadcast_subscription_created after insert on public.subscriptions
  for each row execute function private.broadcast_subscription_created();
