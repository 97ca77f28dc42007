-- clear_chat naming a user who does not exist answers 404 `not_found`, as ban_user does. It answered
-- 204 and sent every viewer a `messages.cleared` for nobody, with no row in the moderators' log
-- (the log skips users who do not exist). Found by probing. Staff are checked first, so the answer
-- tells nobody else whether a user exists. Clearing one user's messages also waits for that user's
-- sends in flight, as a ban does (20261201125645).

-- As in 20261130001200, with the user check.
create or replace function private.clear_chat(chatroom_id uuid, user_id uuid)
returns void language plpgsql volatile security definer set search_path = '' as $$
declare
  actor uuid;
begin
  actor := private.require_chatroom_staff(chatroom_id);
  if user_id is not null and not exists (select 1 from public.users u where u.id = clear_chat.user_id) then
    perform private.raise_error('not_found', null, 'This user does not exist.');
  end if;
  if user_id is not null and user_id <> actor and private.is_chatroom_staff(chatroom_id, user_id) then
    perform private.raise_error('cannot_target_staff');
  end if;
  if user_id is not null then
    -- The user's sends in flight finish first, so none lands after the clear (send_message's lock).
    perform pg_advisory_xact_lock(hashtextextended('chat:' || chatroom_id::text || ':' || user_id::text, 0));
  end if;
  perform private.log_moderation_action(chatroom_id, actor, user_id, 'messages.cleared', null, null, null);
  perform private.scrub_chat_broadcasts(chatroom_id, user_id, null, now() - interval '4 days');
  perform realtime.send(jsonb_build_object('user_id', user_id), 'messages.cleared', 'chatroom:' || chatroom_id::text, true);
end
$$;
