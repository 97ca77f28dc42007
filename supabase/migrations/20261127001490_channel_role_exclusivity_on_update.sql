-- Channel roles: the moderator/VIP exclusivity check no longer trips over the row being updated, so
-- the service role can turn a moderator into a VIP in one update. Serves API.md `channel_roles`.

create or replace function private.check_exclusive_channel_roles()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  -- Serialize grants for one user in one channel so two racing grants cannot both pass the check.
  perform pg_advisory_xact_lock(hashtextextended(new.channel_id::text || new.user_id::text, 0));
  if new.role in ('moderator', 'vip') and exists (
    select 1 from public.channel_roles r
    where r.channel_id = new.channel_id and r.user_id = new.user_id
      and r.role = case new.role when 'moderator' then 'vip' else 'moderator' end
      and (tg_op = 'INSERT' or (r.channel_id, r.user_id, r.role) <> (old.channel_id, old.user_id, old.role))
  ) then
    raise exception 'a user cannot be both moderator and vip of a channel'
      using errcode = '23514', constraint = 'channel_roles_moderator_vip_exclusive';
  end if;
  if new.user_id = (select c.owner_id from public.channels c where c.id = new.channel_id) then
    raise exception 'the owner cannot hold a role in their own channel'
      using errcode = '23514', constraint = 'channel_roles_not_owner';
  end if;
  new.granted_by := coalesce(new.granted_by, auth.uid());
  return new;
end
$$;
