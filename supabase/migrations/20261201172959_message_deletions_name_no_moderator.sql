-- A deleted message no longer names the moderator who deleted it: `messages.deleted_by` is left null,
-- as clears and bans leave it (20261201164616). Serves API.md `delete_message`, `messages`.
--
-- Everyone reads `messages`, the message's author included, so `deleted_by` told a troll which
-- moderator removed them, while bans and reports already keep the acting moderator from their targets
-- (20261201171756). Who acted stays in the moderators' log (`moderation_actions.actor_id`).

-- Same as in 20261130001200, leaving deleted_by null.
create or replace function private.delete_message(message_id bigint)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  actor uuid := auth.uid();
  target public.messages;
  room_owner uuid;
begin
  if actor is null then
    perform private.raise_error('auth_required');
  end if;
  select * into target from public.messages m where m.id = delete_message.message_id for update;
  if target.id is null then
    perform private.raise_error('not_found', null, 'This message does not exist.');
  end if;
  if not private.is_chatroom_staff(target.chatroom_id, actor) then
    perform private.raise_error('not_staff');
  end if;
  select c.owner_id into room_owner from public.chatrooms r join public.channels c on c.id = r.channel_id
  where r.id = target.chatroom_id;
  if actor <> room_owner and target.user_id <> actor and private.is_chatroom_staff(target.chatroom_id, target.user_id) then
    perform private.raise_error('cannot_target_staff');
  end if;
  if target.deleted_at is not null then
    return;  -- already deleted: nothing changes, nothing is sent
  end if;
  perform private.log_moderation_action(target.chatroom_id, actor, target.user_id, 'message.deleted', target.id, null,
    jsonb_build_object('content', target.content));
  update public.messages m set content = null, emotes = '[]', deleted_at = now()
  where m.id = target.id;
  update public.chatrooms r set pinned_message_id = null, pinned_until = null
  where r.id = target.chatroom_id and r.pinned_message_id = target.id;
end
$$;

-- Deletions made before: the log keeps who made them.
update public.messages m set deleted_by = null where m.deleted_by is not null;

comment on column public.messages.deleted_by is
  'Always null: who removed a message is kept from readers (the moderators'' log has it). Kept for clients that select it.';
