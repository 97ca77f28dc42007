-- The room's staff reply to anyone in it: a reply by the owner or a moderator is no longer refused because its
-- target blocks them. Serves API.md `send_message` (`message_invalid`, reason `reply_blocked`).
--
-- A troll who blocked a moderator made the moderator's replies to them fail with `reply_blocked`, which also
-- told the moderator about the block. Whether the sender is staff is read only once a block is found, so a
-- send that is not a reply (send_message does not call this) or a reply without a block reads nothing more.

-- As in 20261130002200, with the room's staff let through a block.
create or replace function private.check_chat_reply(chatroom_id uuid, sender_id uuid, reply_to_id bigint)
returns void language plpgsql stable security definer set search_path = '' as $$
declare
  parent_author uuid;
begin
  if reply_to_id is null then
    return;
  end if;
  select m.user_id into parent_author from public.messages m
  where m.id = check_chat_reply.reply_to_id and m.chatroom_id = check_chat_reply.chatroom_id;
  if parent_author is null then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'reply_not_in_chatroom'),
      'You can only reply to a message in this chatroom.');
  end if;
  if exists (select 1 from public.user_blocks b where b.blocker_id = parent_author and b.blocked_id = sender_id) then
    -- Looked up only now: a reply without a block pays nothing for it.
    if not private.is_chatroom_staff(chatroom_id, sender_id) then
      perform private.raise_error('message_invalid', jsonb_build_object('reason', 'reply_blocked'),
        'You cannot reply to this user.');
    end if;
  end if;
end
$$;
