-- A deleted account takes its channel roles with it without logging them as revoked: the log row
-- named a user the same statement removes, so deleting anyone who held a role failed (API.md `moderation_actions`).

create or replace function private.log_role_change()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  room_id uuid;
begin
  if tg_op = 'DELETE' then
    select r.id into room_id from public.chatrooms r where r.channel_id = old.channel_id;
    if room_id is not null and exists (select 1 from public.users u where u.id = old.user_id) then
      perform private.log_moderation_action(room_id, auth.uid(), old.user_id, 'role.revoked', null, null,
        jsonb_build_object('role', old.role));
    end if;
  else
    select r.id into room_id from public.chatrooms r where r.channel_id = new.channel_id;
    if room_id is not null then
      perform private.log_moderation_action(room_id, coalesce(new.granted_by, auth.uid()), new.user_id, 'role.granted',
        null, null, jsonb_build_object('role', new.role));
    end if;
  end if;
  return null;
end
$$;
