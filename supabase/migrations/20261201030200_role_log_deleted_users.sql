-- The moderators' log names no user that is being deleted: deleting anyone who held a channel role
-- failed, its cascading revoke logging a row that named them (API.md `moderation_actions`).

-- As in 20261130001200, the one writer of the log; an action on a user who no longer exists (their
-- deletion cascading through roles, bans or messages in the same statement) is not logged, for every
-- path at once. Returns the new row's id, or null when nothing was logged.
create or replace function private.log_moderation_action(chatroom_id uuid, actor_id uuid, target_user_id uuid, action text,
  message_id bigint, reason text, details jsonb)
returns bigint language plpgsql volatile security definer set search_path = '' as $$
declare
  new_id bigint;
begin
  if target_user_id is not null and not exists (select 1 from public.users u where u.id = target_user_id) then
    return null;
  end if;
  insert into public.moderation_actions (chatroom_id, actor_id, target_user_id, action, message_id, reason, details)
  values (chatroom_id, actor_id, target_user_id, action, message_id, reason, coalesce(details, '{}'))
  returning id into new_id;
  return new_id;
end
$$;
