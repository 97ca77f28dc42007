-- send_notification_created read `streamz.notification_events` (the fan-out's event limit) as a
-- bigint before its exception block, so a session that set it to anything but digits made every
-- notification insert in its transaction fail (found by probing; no API path can set it, a direct
-- SQL session can). Only digits count now; any other value is no limit, as unset is.

create or replace function private.send_notification_created()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  setting text := current_setting('streamz.notification_events', true);
  allowed bigint := case when setting ~ '^[0-9]{1,18}$' then setting::bigint end;
begin
  begin
    if allowed is null then
      insert into realtime.messages (id, payload, event, topic, private, extension)
      select gen_random_uuid(), to_jsonb(n), 'notification.created', 'user:' || n.user_id::text, true, 'broadcast'
      from new_rows n;
    elsif allowed > 0 then
      insert into realtime.messages (id, payload, event, topic, private, extension)
      select gen_random_uuid(), to_jsonb(n), 'notification.created', 'user:' || n.user_id::text, true, 'broadcast'
      from (select * from new_rows r order by r.id limit allowed) n;
    end if;
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
  return null;
end
$$;
