-- A ban (or timeout) waits for the banned user's sends in flight in that room, so none lands after it.
-- Found by probing: 20 parallel sends while the owner banned the sender left, in every round, one
-- message that committed after the ban, reached viewers after `user.banned` and kept its text in the
-- broadcast history, because the ban's scrub ran before it committed. send_message takes this lock
-- for the sender and room before it reads anything (20261201050000); the ban now takes it before it
-- is written, so a send either finishes before the ban (and is scrubbed by it) or starts after it and
-- is refused as banned. Every way to write a ban goes through this trigger (ban_user, the table).
create function private.lock_chat_sender_for_ban()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform pg_advisory_xact_lock(hashtextextended('chat:' || new.chatroom_id::text || ':' || new.user_id::text, 0));
  return new;
end
$$;

revoke execute on function private.lock_chat_sender_for_ban() from public, anon, authenticated;

-- Named to fire before replace_chat_ban (BEFORE triggers run in name order).
create trigger lock_chat_sender before insert on public.chatroom_bans
  for each row execute function private.lock_chat_sender_for_ban();
