-- The service role reads any user's card in any room. Serves API.md `chat_user_card`.
--
-- `chat_user_card(chatroom_id, user_id)` answered the service role `auth_required` (401), though the
-- platform's tooling (the platform's team, backend jobs) holds the secret key, bypasses RLS and reads every
-- table the card sums up, and resolves any report (`resolve_report`).
--
-- The gate is now: signed in or the service role (401 auth_required), both arguments (422), the room exists
-- (404 chatroom_not_found), a signed-in caller is its staff (403 not_staff), the user exists (404). Anon and
-- users who are not the room's staff are refused as before. For the service role the card counts every open
-- report about the user (it reads every report), the room's owner and moderators included.

-- RPC ---------------------------------------------------------------------------------------------

-- As in 20261201190955, with the service role let through the gate.
create or replace function private.chat_user_card(chatroom_id uuid, user_id uuid)
returns jsonb language plpgsql stable security definer set search_path = '' set enable_seqscan = off as $$
declare
  actor uuid := auth.uid();
  person public.users;
  channel uuid;
begin
  if actor is null and not private.is_service_role() then
    perform private.raise_error('auth_required');
  end if;
  if chatroom_id is null or user_id is null then
    perform private.raise_error('invalid_argument',
      jsonb_build_object('argument', case when chatroom_id is null then 'chatroom_id' else 'user_id' end),
      'A user card names a chatroom and a user.');
  end if;
  if actor is not null then
    perform private.require_chatroom_staff(chatroom_id);
  elsif not exists (select 1 from public.chatrooms r where r.id = chat_user_card.chatroom_id) then
    perform private.raise_error('chatroom_not_found');
  end if;
  select * into person from public.users u where u.id = chat_user_card.user_id;
  if person.id is null then
    perform private.raise_error('not_found', null, 'This user does not exist.');
  end if;
  select r.channel_id into channel from public.chatrooms r where r.id = chat_user_card.chatroom_id;

  return jsonb_build_object(
    'user_id', person.id, 'username', person.username::text, 'display_name', person.display_name,
    'avatar_url', person.avatar_url, 'created_at', person.created_at,
    'roles', private.chat_card_roles(channel, person.id),
    'followed_at', (select f.created_at from public.follows f where f.user_id = person.id and f.channel_id = channel),
    'subscription', (select jsonb_build_object('tier', s.tier, 'cumulative_months', s.cumulative_months,
        'started_at', s.started_at, 'current_period_end', s.current_period_end, 'is_gift', s.is_gift)
      from public.subscriptions s where s.channel_id = channel and s.user_id = person.id and s.current_period_end > now()),
    'ban', private.chat_card_ban(chatroom_id, person.id),
    'timeouts', (select count(*) from (select 1 from public.moderation_actions a where a.chatroom_id = chat_user_card.chatroom_id
      and a.target_user_id = person.id and a.action = 'user.timed_out' limit 1000) x),
    'bans', (select count(*) from (select 1 from public.moderation_actions a where a.chatroom_id = chat_user_card.chatroom_id
      and a.target_user_id = person.id and a.action = 'user.banned' limit 1000) x),
    -- Null where the caller does not read the reports about the user (private.unread_report_targets; the
    -- service role reads them all).
    'open_reports', case when row(chat_user_card.chatroom_id, person.id)::private.chatroom_user
                              <> all (private.unread_report_targets(actor))
      then (select count(*) from (select 1 from public.reports r
        where r.chatroom_id = chat_user_card.chatroom_id and r.target_user_id = person.id and r.status = 'open' limit 1000) x) end,
    'message_count', (select count(*) from (select 1 from public.messages m where m.chatroom_id = chat_user_card.chatroom_id
      and m.user_id = person.id limit 10000) x),
    -- The latest 20, removed ones included (content null), whatever the caller blocks.
    'messages', (select coalesce(jsonb_agg(to_jsonb(m) order by m.id desc), '[]') from (select * from public.messages m
      where m.chatroom_id = chat_user_card.chatroom_id and m.user_id = person.id order by m.id desc limit 20) m));
end
$$;

comment on function public.chat_user_card(uuid, uuid) is
  'The room''s staff (the service role: any room) read a user''s card: {user_id, username, display_name, avatar_url, created_at, roles, followed_at, subscription {tier, cumulative_months, started_at, current_period_end, is_gift} or null, ban {id, reason, created_at, expires_at, banned_by {id, username, display_name}} or null, timeouts, bans, open_reports (null where the caller does not read reports about the user: their own card, and for a moderator the owner''s and other moderators''), message_count, messages (the latest 20 rows, whatever the caller blocks)}. Counts stop at 1000 (message_count at 10000).';
