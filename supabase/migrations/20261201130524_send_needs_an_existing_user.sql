-- A send with a valid token whose user does not exist (deleted since the token was issued) answers
-- 401 `auth_required`, as a send with no user does. It failed with 400 `23502` (the message's sender
-- snapshot is required), a code API.md does not list. Found by probing.

-- As in 20261130002200, with the check first.
create or replace function private.check_chat_access(room public.chatrooms, sender private.chat_sender, is_staff boolean, is_vip boolean)
returns void language plpgsql stable set search_path = '' as $$
begin
  -- A valid token whose user no longer exists (deleted since it was issued) is nobody.
  if sender.user_id is null then
    perform private.raise_error('auth_required');
  end if;
  if sender.banned then
    perform private.raise_error('chat_banned', jsonb_build_object('expires_at', sender.ban_expires_at));
  end if;
  if is_staff or is_vip then
    return;
  end if;
  if room.min_account_age_minutes is not null
     and sender.account_created_at > now() - make_interval(mins => room.min_account_age_minutes) then
    perform private.raise_error('chat_account_too_new', jsonb_build_object('required_minutes', room.min_account_age_minutes));
  end if;
  if room.require_verified_email and not sender.email_verified then
    perform private.raise_error('chat_email_unverified');
  end if;
  if room.followers_only_minutes is not null and (sender.followed_at is null
     or sender.followed_at > now() - make_interval(mins => room.followers_only_minutes)) then
    perform private.raise_error('chat_followers_only', jsonb_build_object('required_minutes', room.followers_only_minutes));
  end if;
  if room.subscribers_only and sender.subscribed_months is null then
    perform private.raise_error('chat_subscribers_only');
  end if;
end
$$;
