-- A moderator's user card: `chat_user_card(chatroom_id, user_id)`, what the room's staff need to judge a user
-- at a glance, in one call. Serves API.md `chat_user_card`.
--
-- Staff could not read a user's follow or subscription (only the user and the owner do), so a fresh
-- follow-bot looked like a three-month subscriber; a moderator who blocks the user read none of their
-- messages. The card gives the account, the user's roles, follow and active subscription in the channel,
-- their active ban (with its moderator), how often the log records a timeout or ban of them in the room,
-- the open reports about them there and their messages (a count and the latest 20, whatever the caller
-- blocks). Each piece is one index probe or a bounded index range: counts stop at 1,000 (messages at 10,000).

-- Indexes -----------------------------------------------------------------------------------------

-- A user's timeouts and bans in a room, without walking their other log rows (blocked attempts, deletions).
create index moderation_actions_sanctions_idx on public.moderation_actions (chatroom_id, target_user_id, action)
  where action in ('user.banned', 'user.timed_out');
-- The open reports about a user in a room.
create index reports_open_target_idx on public.reports (chatroom_id, target_user_id) where status = 'open';

-- Helpers -----------------------------------------------------------------------------------------

-- Who the user is in the channel, owner first: owner, moderator, vip, og.
create function private.chat_card_roles(channel_id uuid, user_id uuid)
returns jsonb language plpgsql stable security definer set search_path = '' as $$
begin
  return (
    select coalesce(jsonb_agg(r.role order by r.rank), '[]') from (
      select 'owner' as role, 0 as rank from public.channels c
      where c.id = chat_card_roles.channel_id and c.owner_id = chat_card_roles.user_id
      union all
      select cr.role, case cr.role when 'moderator' then 1 when 'vip' then 2 else 3 end from public.channel_roles cr
      where cr.channel_id = chat_card_roles.channel_id and cr.user_id = chat_card_roles.user_id) r);
end
$$;

revoke execute on function private.chat_card_roles(uuid, uuid) from public, anon, authenticated, service_role;

-- The user's active ban in the room with the moderator who made it (staff only: a user never reads it).
create function private.chat_card_ban(chatroom_id uuid, user_id uuid)
returns jsonb language plpgsql stable security definer set search_path = '' as $$
declare
  ban public.chatroom_bans := private.active_chat_ban(chatroom_id, user_id);
begin
  if ban.id is null then
    return null;
  end if;
  return jsonb_build_object('id', ban.id, 'reason', ban.reason, 'created_at', ban.created_at, 'expires_at', ban.expires_at,
    'banned_by', (select jsonb_build_object('id', u.id, 'username', u.username::text, 'display_name', u.display_name)
                  from public.users u where u.id = ban.banned_by));
end
$$;

revoke execute on function private.chat_card_ban(uuid, uuid) from public, anon, authenticated, service_role;

-- The card. The gate first (401, 422, 404, 403, then the user: 404), then one read per piece.
create function private.chat_user_card(chatroom_id uuid, user_id uuid)
returns jsonb language plpgsql stable security definer set search_path = '' set enable_seqscan = off as $$
declare
  actor uuid := auth.uid();
  person public.users;
  channel uuid;
begin
  if actor is null then
    perform private.raise_error('auth_required');
  end if;
  if chatroom_id is null or user_id is null then
    perform private.raise_error('invalid_argument',
      jsonb_build_object('argument', case when chatroom_id is null then 'chatroom_id' else 'user_id' end),
      'A user card names a chatroom and a user.');
  end if;
  perform private.require_chatroom_staff(chatroom_id);
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
    -- Staff do not read reports about themselves (20261201171801): on their own card, null.
    'open_reports', case when person.id <> actor then (select count(*) from (select 1 from public.reports r
      where r.chatroom_id = chat_user_card.chatroom_id and r.target_user_id = person.id and r.status = 'open' limit 1000) x) end,
    'message_count', (select count(*) from (select 1 from public.messages m where m.chatroom_id = chat_user_card.chatroom_id
      and m.user_id = person.id limit 10000) x),
    -- The latest 20, removed ones included (content null), whatever the caller blocks.
    'messages', (select coalesce(jsonb_agg(to_jsonb(m) order by m.id desc), '[]') from (select * from public.messages m
      where m.chatroom_id = chat_user_card.chatroom_id and m.user_id = person.id order by m.id desc limit 20) m));
end
$$;

revoke execute on function private.chat_user_card(uuid, uuid) from public;
grant execute on function private.chat_user_card(uuid, uuid) to anon, authenticated, service_role;

-- RPC ---------------------------------------------------------------------------------------------

create function public.chat_user_card(chatroom_id uuid, user_id uuid)
returns jsonb language plpgsql stable security invoker set search_path = '' as $$
begin
  return private.chat_user_card(chatroom_id, user_id);
end
$$;

revoke execute on function public.chat_user_card(uuid, uuid) from public;
grant execute on function public.chat_user_card(uuid, uuid) to anon, authenticated, service_role;

comment on function public.chat_user_card(uuid, uuid) is
  'The room''s staff read a user''s card: {user_id, username, display_name, avatar_url, created_at, roles, followed_at, subscription {tier, cumulative_months, started_at, current_period_end, is_gift} or null, ban {id, reason, created_at, expires_at, banned_by {id, username, display_name}} or null, timeouts, bans, open_reports (null on one''s own card), message_count, messages (the latest 20 rows, whatever the caller blocks)}. Counts stop at 1000 (message_count at 10000).';
