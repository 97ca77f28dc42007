-- `role.granted` / `role.revoked` on `user:<user_id>` when a channel role is granted or revoked.
-- Serves API.md `channel_roles` and topic `user:<id>`.

-- Payload: {channel_id, channel_slug, user_id, role, granted_by, created_at} on grant;
-- {channel_id, channel_slug, user_id, role, revoked_by} on revoke (revoked_by null for the service).
create function private.broadcast_role_change()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  channel_slug text;
begin
  if tg_op in ('DELETE', 'UPDATE') then
    select c.slug::text into channel_slug from public.channels c where c.id = old.channel_id;
    perform realtime.send(jsonb_build_object(
      'channel_id', old.channel_id, 'channel_slug', channel_slug, 'user_id', old.user_id,
      'role', old.role, 'revoked_by', auth.uid()), 'role.revoked', 'user:' || old.user_id::text, true);
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    select c.slug::text into channel_slug from public.channels c where c.id = new.channel_id;
    perform realtime.send(jsonb_build_object(
      'channel_id', new.channel_id, 'channel_slug', channel_slug, 'user_id', new.user_id,
      'role', new.role, 'granted_by', new.granted_by, 'created_at', new.created_at),
      'role.granted', 'user:' || new.user_id::text, true);
  end if;
  return null;
end
$$;

revoke execute on function private.broadcast_role_change() from public;

create trigger broadcast_role_change after insert or delete on public.channel_roles
  for each row execute function private.broadcast_role_change();
create trigger broadcast_role_update after update on public.channel_roles
  for each row when ((old.channel_id, old.user_id, old.role) is distinct from (new.channel_id, new.user_id, new.role))
  execute function private.broadcast_role_change();
