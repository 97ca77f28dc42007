-- A pin racing a ban, clear or deletion of its message no longer keeps the removed text: pin_message
-- locks the message it pins. Serves API.md `pin_message`.
--
-- pin_message read the message without a lock, so a pin made while a ban was removing that message
-- (20261201164616) saw it still undeleted, committed after the ban had looked for a pin to undo, and
-- left the room pinned to a removed message with its text in a stored `pin.updated` broadcast. Now the
-- pin waits for the removal and then finds the message deleted (`not_found`); a removal that starts
-- after the pin waits for it, then unpins it and scrubs its broadcast.

-- Same as in 20261130001200, reading the message `for share`.
create or replace function private.pin_message(message_id bigint, duration_seconds integer)
returns public.chatrooms
language plpgsql
security definer
set search_path = ''
as $$
declare
  actor uuid := auth.uid();
  target public.messages;
  result public.chatrooms;
begin
  if actor is null then
    perform private.raise_error('auth_required');
  end if;
  select * into target from public.messages m where m.id = pin_message.message_id for share;
  if target.id is null or target.deleted_at is not null then
    perform private.raise_error('not_found', null, 'This message does not exist.');
  end if;
  if not private.is_chatroom_staff(target.chatroom_id, actor) then
    perform private.raise_error('not_staff');
  end if;
  if duration_seconds is not null and duration_seconds not between 30 and 1800 then
    perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'duration_seconds'),
      'A pin lasts 30 to 1800 seconds, or until unpinned.');
  end if;
  update public.chatrooms r set pinned_message_id = target.id,
    pinned_until = case when duration_seconds is not null then now() + make_interval(secs => duration_seconds) end
  where r.id = target.chatroom_id
  returning * into result;
  perform private.log_moderation_action(target.chatroom_id, actor, target.user_id, 'message.pinned', target.id, null,
    jsonb_build_object('pinned_until', result.pinned_until));
  return result;
end
$$;
