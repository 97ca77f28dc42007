-- Realtime authorization for private topics: who may receive is decided by one function per topic
-- family. Serves API.md "Realtime topics" `channel:<id>` (anyone) and `user:<id>` (that user).

-- The uuid of a topic shaped `<prefix><uuid><suffix>`, or null for any other topic: the one parser
-- every topic rule uses.
create function private.topic_uuid(topic text, prefix text, suffix text default '')
returns uuid language plpgsql immutable set search_path = '' as $$
begin
  if topic like prefix || '%' || suffix
     and substr(topic, length(prefix) + 1, length(topic) - length(prefix) - length(suffix))
         ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' then
    return substr(topic, length(prefix) + 1, 36)::uuid;
  end if;
  return null;
end
$$;

-- Community topics: `channel:<id>` for anyone (the channel must exist), `user:<id>` for that user.
create function private.can_receive_community_topic(topic text)
returns boolean language plpgsql stable security definer set search_path = '' as $$
declare
  channel_id uuid := private.topic_uuid(topic, 'channel:');
  user_id uuid := private.topic_uuid(topic, 'user:');
begin
  if channel_id is not null then
    return exists (select 1 from public.channels c where c.id = channel_id);
  end if;
  return coalesce(user_id = auth.uid(), false);
end
$$;

-- The one receive rule for realtime.messages: each topic family has its own function, and later
-- capabilities add theirs here with `create or replace` (chat adds `chatroom:` topics); unknown
-- topics are refused. Nobody may send on `channel:` or `user:` topics: there is deliberately no
-- INSERT policy for them (the database sends as postgres).
create function private.can_receive_topic(topic text)
returns boolean language plpgsql stable security definer set search_path = '' as $$
begin
  return private.can_receive_community_topic(topic);
end
$$;

revoke execute on function private.topic_uuid(text, text, text) from public;
revoke execute on function private.can_receive_community_topic(text) from public;
revoke execute on function private.can_receive_topic(text) from public;
grant execute on function private.can_receive_topic(text) to anon, authenticated, service_role;

create policy "realtime receivers are decided per topic" on realtime.messages
  for select to anon, authenticated
  using ((select private.can_receive_topic((select realtime.topic()))));
