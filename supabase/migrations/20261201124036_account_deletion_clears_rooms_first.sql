-- A streamer's account could not be deleted (409, 23503 on moderation_actions_chatroom_id_fkey) once
-- their room had an active ban or a pin of their own message. Found by probing (API.md `users`: the
-- service role deletes, and everything cascades). Two causes, one fix each:
--   - the room's deletion cascades to its bans, and each lifted ban logged `user.unbanned` for a room
--     that was already gone: the log now skips a room that no longer exists (this also lets the
--     service role delete a channel or room with active bans);
--   - a log row naming the streamer twice (actor and target, as a pin of their own message does) was
--     updated twice by the user's own `set null` references while the room's deletion was still
--     queued, and the second update re-checked its room: the user's channels are now deleted first,
--     in a statement of their own, so their rooms go with everything in them before the user's own
--     references are cleared.

-- As in 20261201030200, and an action in a room that no longer exists is not logged either: the
-- room's log goes with it.
create or replace function private.log_moderation_action(chatroom_id uuid, actor_id uuid, target_user_id uuid, action text,
  message_id bigint, reason text, details jsonb)
returns bigint language plpgsql volatile security definer set search_path = '' as $$
declare
  new_id bigint;
begin
  if target_user_id is not null and not exists (select 1 from public.users u where u.id = target_user_id) then
    return null;
  end if;
  if not exists (select 1 from public.chatrooms r where r.id = log_moderation_action.chatroom_id) then
    return null;
  end if;
  insert into public.moderation_actions (chatroom_id, actor_id, target_user_id, action, message_id, reason, details)
  values (chatroom_id, actor_id, target_user_id, action, message_id, reason, coalesce(details, '{}'))
  returning id into new_id;
  return new_id;
end
$$;

create function private.delete_owned_channels()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  delete from public.channels c where c.owner_id = old.id;
  return old;
end
$$;

revoke execute on function private.delete_owned_channels() from public, anon, authenticated;

create trigger delete_owned_channels_first before delete on public.users
  for each row execute function private.delete_owned_channels();
