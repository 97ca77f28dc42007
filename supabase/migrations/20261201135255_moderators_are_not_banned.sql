-- A user banned (or timed out) in a room cannot be made its moderator: they would act as staff while
-- refused in chat, ban others and resolve their own unban request. Refused with 23514, constraint
-- `channel_roles_moderator_not_banned`; lift the ban first (unban_user), as Twitch asks. Bans cannot
-- target staff (`cannot_target_staff`), so a moderator never becomes banned. Found by probing.
create function private.refuse_banned_moderator()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  if new.role = 'moderator' and exists (
    select 1 from public.chatroom_bans b join public.chatrooms r on r.id = b.chatroom_id
    where r.channel_id = new.channel_id and b.user_id = new.user_id and (b.expires_at is null or b.expires_at > now())
  ) then
    raise exception 'a user banned in the channel''s chat cannot be its moderator; lift the ban first'
      using errcode = '23514', constraint = 'channel_roles_moderator_not_banned', table = 'channel_roles', schema = 'public';
  end if;
  return new;
end
$$;

revoke execute on function private.refuse_banned_moderator() from public, anon, authenticated;

create trigger refuse_banned_moderator before insert or update of role on public.channel_roles
  for each row execute function private.refuse_banned_moderator();
