-- Realtime authorization for private topics: who may receive is decided by one function per topic
-- family. Serves API.md "Realtime topics" `channel:<id>` (anyone) and `user:<id>` (that user).

-- The one receive rule for realtime.messages. Later capabilities extend it with `create or replace`
-- (chat adds `chatroom:` topics); unknown topics are refused. Nobody may send on `channel:` or
-- `user:` topics: there is deliberately no INSERT policy for them (the database sends as postgres).
create function private.can_receive_topic(topic text)
returns boolean language plpgsql stable security definer set search_path = '' as $$
declare
  uuid_pattern constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
  suffix text;
begin
  if topic like 'channel:%' then
    suffix := substr(topic, length('channel:') + 1);
    if suffix !~ uuid_pattern then
      return false;
    end if;
    return exists (select 1 from public.channels c where c.id = suffix::uuid);
  elsif topic like 'user:%' then
    suffix := substr(topic, length('user:') + 1);
    if suffix !~ uuid_pattern then
      return false;
    end if;
    return coalesce(suffix::uuid = auth.uid(), false);
  end if;
  return false;
end
$$;

revoke execute on function private.can_receive_topic(text) from public;
grant execute on function private.can_receive_topic(text) to anon, authenticated, service_role;

create policy "realtime receivers are decided per topic" on realtime.messages
  for select to anon, authenticated
  using ((select private.can_receive_topic((select realtime.topic()))));
