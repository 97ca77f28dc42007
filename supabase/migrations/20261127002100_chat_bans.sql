-- Chat bans and timeouts, the private moderation log, and the ban_user / unban_user RPCs with their
-- events. Serves API.md `chatroom_bans`, RPCs `ban_user`, `unban_user`, events `user.banned`,
-- `user.unbanned`, `ban.created` (mods topic) and `ban.received` (user topic).

-- Tables ------------------------------------------------------------------------------------------

-- One row per (chatroom, user): a new ban replaces the previous one (active or expired).
create table public.chatroom_bans (
  id uuid primary key default gen_random_uuid(),
  chatroom_id uuid not null references public.chatrooms (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  banned_by uuid default auth.uid() references public.users (id) on delete set null,
  reason text constraint chatroom_bans_reason_length check (char_length(reason) <= 500),
  created_at timestamptz not null default now(),
  expires_at timestamptz,  -- null = permanent
  constraint chatroom_bans_one_per_user unique (chatroom_id, user_id),
  constraint chatroom_bans_timeout_range
    check (expires_at is null or (expires_at > created_at and expires_at <= created_at + interval '1209600 seconds'))
);

-- Never exposed: what moderators did, with the original content of deleted messages.
create table private.moderation_log (
  id bigint generated always as identity primary key,
  chatroom_id uuid not null,
  action text not null,
  actor_id uuid,
  target_user_id uuid,
  message_id bigint,
  content text,
  details jsonb,
  created_at timestamptz not null default now()
);

create index chatroom_bans_user_id_idx on public.chatroom_bans (user_id);
create index chatroom_bans_banned_by_idx on public.chatroom_bans (banned_by);
create index moderation_log_chatroom_id_idx on private.moderation_log (chatroom_id, id desc);

-- Grants ------------------------------------------------------------------------------------------

grant select, insert (chatroom_id, user_id, reason, expires_at), delete on public.chatroom_bans to authenticated;
grant select, insert, update, delete on public.chatroom_bans to service_role;

alter table public.chatroom_bans enable row level security;
alter table private.moderation_log enable row level security;

insert into private.error_codes (code, http_status, message) values
  ('chatroom_not_found', 404, 'This chatroom does not exist.');

-- Helpers -----------------------------------------------------------------------------------------

-- The active ban (permanent, or a timeout not yet over) of a user in a chatroom, if any.
create function private.active_chat_ban(chatroom_id uuid, user_id uuid)
returns public.chatroom_bans language plpgsql stable security definer set search_path = '' as $$
declare
  found public.chatroom_bans;
begin
  select * into found from public.chatroom_bans b
  where b.chatroom_id = active_chat_ban.chatroom_id and b.user_id = active_chat_ban.user_id
    and (b.expires_at is null or b.expires_at > now());
  return found;
end
$$;

revoke execute on function private.active_chat_ban(uuid, uuid) from public;
grant execute on function private.active_chat_ban(uuid, uuid) to anon, authenticated, service_role;

-- Policies ----------------------------------------------------------------------------------------

create policy "staff and the banned user read bans" on public.chatroom_bans
  for select to authenticated
  using (user_id = (select auth.uid()) or chatroom_id = any ((select private.staffed_chatroom_ids((select auth.uid())))::uuid[]));
create policy "staff can ban users who are not staff" on public.chatroom_bans
  for insert to authenticated
  with check (
    (select private.is_chatroom_staff(chatroom_id, (select auth.uid())))
    and not (select private.is_chatroom_staff(chatroom_id, user_id))
    and banned_by = (select auth.uid()));
create policy "staff can lift bans" on public.chatroom_bans
  for delete to authenticated
  using ((select private.is_chatroom_staff(chatroom_id, (select auth.uid()))));

-- RPC implementations (security definer, private) -------------------------------------------------

-- The gate every moderation RPC on a room starts with: signed in (401), the room exists (404), the
-- caller is its staff (403). Returns the caller's id.
create function private.require_chatroom_staff(chatroom_id uuid)
returns uuid language plpgsql stable security definer set search_path = '' as $$
declare
  actor uuid := auth.uid();
begin
  if actor is null then
    perform private.raise_error('auth_required');
  end if;
  if not exists (select 1 from public.chatrooms r where r.id = require_chatroom_staff.chatroom_id) then
    perform private.raise_error('chatroom_not_found');
  end if;
  if not private.is_chatroom_staff(chatroom_id, actor) then
    perform private.raise_error('not_staff');
  end if;
  return actor;
end
$$;

revoke execute on function private.require_chatroom_staff(uuid) from public;

create function private.ban_user(chatroom_id uuid, user_id uuid, reason text, duration_seconds integer)
returns public.chatroom_bans language plpgsql volatile security definer set search_path = '' as $$
declare
  actor uuid;
  result public.chatroom_bans;
begin
  actor := private.require_chatroom_staff(chatroom_id);
  if not exists (select 1 from public.users u where u.id = ban_user.user_id) then
    perform private.raise_error('not_found', null, 'This user does not exist.');
  end if;
  if private.is_chatroom_staff(chatroom_id, user_id) then
    perform private.raise_error('cannot_target_staff');
  end if;
  if duration_seconds is not null and duration_seconds not between 1 and 1209600 then
    perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'duration_seconds'),
      'A timeout lasts 1 to 1209600 seconds.');
  end if;
  if char_length(reason) > 500 then
    perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'reason'),
      'A ban reason has at most 500 characters.');
  end if;
  insert into public.chatroom_bans (chatroom_id, user_id, banned_by, reason, expires_at)
  values (chatroom_id, user_id, actor, nullif(btrim(reason), ''),
    case when duration_seconds is not null then now() + make_interval(secs => duration_seconds) end)
  returning * into result;
  return result;
end
$$;

create function private.unban_user(chatroom_id uuid, user_id uuid)
returns void language plpgsql volatile security definer set search_path = '' as $$
declare
  actor uuid;
begin
  actor := private.require_chatroom_staff(chatroom_id);
  -- Unbanning someone who is not banned changes nothing (and sends nothing).
  delete from public.chatroom_bans b where b.chatroom_id = unban_user.chatroom_id and b.user_id = unban_user.user_id;
end
$$;

revoke execute on function private.ban_user(uuid, uuid, text, integer) from public;
revoke execute on function private.unban_user(uuid, uuid) from public;
grant execute on function private.ban_user(uuid, uuid, text, integer) to anon, authenticated, service_role;
grant execute on function private.unban_user(uuid, uuid) to anon, authenticated, service_role;

-- Public RPCs: security invoker wrappers (a definer function in an exposed schema is an advisor
-- warning); the rules live in the private implementations above. Anon may call them, so a missing
-- sign-in answers auth_required as API.md says rather than a bare permission error.
create function public.ban_user(chatroom_id uuid, user_id uuid, reason text default null, duration_seconds integer default null)
returns public.chatroom_bans language plpgsql volatile security invoker set search_path = '' as $$
begin
  return private.ban_user(chatroom_id, user_id, reason, duration_seconds);
end
$$;

create function public.unban_user(chatroom_id uuid, user_id uuid)
returns void language plpgsql volatile security invoker set search_path = '' as $$
begin
  perform private.unban_user(chatroom_id, user_id);
end
$$;

revoke execute on function public.ban_user(uuid, uuid, text, integer) from public;
revoke execute on function public.unban_user(uuid, uuid) from public;
grant execute on function public.ban_user(uuid, uuid, text, integer) to anon, authenticated, service_role;
grant execute on function public.unban_user(uuid, uuid) to anon, authenticated, service_role;

-- Triggers ----------------------------------------------------------------------------------------

-- A new ban replaces the user's previous one in that room. The advisory lock serializes two racing
-- bans of the same user, so the second replaces the first instead of failing on the unique key.
create function private.replace_chat_ban()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform pg_advisory_xact_lock(hashtextextended('chatroom_bans:' || new.chatroom_id::text || ':' || new.user_id::text, 0));
  delete from public.chatroom_bans b where b.chatroom_id = new.chatroom_id and b.user_id = new.user_id;
  return new;
end
$$;

revoke execute on function private.replace_chat_ban() from public;

create trigger replace_chat_ban before insert on public.chatroom_bans
  for each row execute function private.replace_chat_ban();

-- Events ------------------------------------------------------------------------------------------

create function private.broadcast_chat_ban()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  moderator jsonb;
  room_channel uuid;
begin
  if tg_op = 'INSERT' then
    select jsonb_build_object('id', u.id, 'username', u.username::text, 'display_name', u.display_name)
    into moderator from public.users u where u.id = new.banned_by;
    select r.channel_id into room_channel from public.chatrooms r where r.id = new.chatroom_id;
    insert into private.moderation_log (chatroom_id, action, actor_id, target_user_id, details)
    values (new.chatroom_id, 'user.banned', new.banned_by, new.user_id,
      jsonb_build_object('reason', new.reason, 'expires_at', new.expires_at));
    perform realtime.send(jsonb_build_object('user_id', new.user_id, 'expires_at', new.expires_at),
      'user.banned', 'chatroom:' || new.chatroom_id::text, true);
    perform realtime.send(to_jsonb(new) || jsonb_build_object('moderator', moderator),
      'ban.created', 'chatroom:' || new.chatroom_id::text || ':mods', true);
    perform realtime.send(jsonb_build_object('chatroom_id', new.chatroom_id, 'channel_id', room_channel,
      'reason', new.reason, 'created_at', new.created_at, 'expires_at', new.expires_at),
      'ban.received', 'user:' || new.user_id::text, true);
  elsif pg_trigger_depth() = 1 and (old.expires_at is null or old.expires_at > now()) then
    -- Lifting an active ban; not when a new ban replaces it (depth > 1) or when it had expired.
    insert into private.moderation_log (chatroom_id, action, actor_id, target_user_id)
    values (old.chatroom_id, 'user.unbanned', auth.uid(), old.user_id);
    perform realtime.send(jsonb_build_object('user_id', old.user_id),
      'user.unbanned', 'chatroom:' || old.chatroom_id::text, true);
  end if;
  return null;
end
$$;

revoke execute on function private.broadcast_chat_ban() from public;

create trigger broadcast_chat_ban after insert or delete on public.chatroom_bans
  for each row execute function private.broadcast_chat_ban();
