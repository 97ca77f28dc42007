-- The moderators' log as a table staff can read: one row per moderation action, written only through
-- private.log_moderation_action. Serves API.md `moderation_actions` and `moderation.action` (mods topic).

-- Tables ------------------------------------------------------------------------------------------

create table public.moderation_actions (
  id bigint generated always as identity primary key,
  chatroom_id uuid not null references public.chatrooms (id) on delete cascade,
  actor_id uuid references public.users (id) on delete set null,
  target_user_id uuid references public.users (id) on delete set null,
  action text not null constraint moderation_actions_action_known check (action in (
    'user.banned', 'user.timed_out', 'user.unbanned', 'message.deleted', 'messages.cleared', 'message.pinned',
    'message.unpinned', 'settings.updated', 'message.blocked', 'role.granted', 'role.revoked',
    'lockdown.started', 'lockdown.ended', 'report.resolved', 'unban_request.resolved')),
  -- No foreign key: the log outlives the messages it names.
  message_id bigint,
  reason text,
  details jsonb not null default '{}',
  created_at timestamptz not null default now()
);

comment on table public.moderation_actions is
  'The moderators'' log of a chatroom: every ban, timeout, unban, deletion, clear, pin, settings change, blocked-term hit, role change, lockdown and resolution. Read by the room''s owner and moderators only, newest first (keyset on id); written by the database only.';
comment on column public.moderation_actions.id is 'Increasing id: page with id < the last one seen.';
comment on column public.moderation_actions.chatroom_id is 'The chatroom the action happened in.';
comment on column public.moderation_actions.actor_id is 'Who acted: a moderator or the owner; null for the service or the automatic filter (message.blocked).';
comment on column public.moderation_actions.target_user_id is 'The user acted on, if any.';
comment on column public.moderation_actions.action is 'user.banned, user.timed_out, user.unbanned, message.deleted, messages.cleared, message.pinned, message.unpinned, settings.updated, message.blocked, role.granted, role.revoked, lockdown.started, lockdown.ended, report.resolved, unban_request.resolved.';
comment on column public.moderation_actions.message_id is 'The message acted on, if any.';
comment on column public.moderation_actions.reason is 'The reason given (ban reason, resolution note).';
comment on column public.moderation_actions.details is 'Per action: {expires_at} for bans, {content} (the removed text) for message.deleted, {code, content} for message.blocked, {before, after} for settings.updated, {role}, {report_id, status}, {request_id, approved}.';
comment on column public.moderation_actions.created_at is 'When it happened.';

-- Newest first per room (the documented read, and the policy column); one user's record in a room;
-- the foreign keys.
create index moderation_actions_chatroom_id_id_idx on public.moderation_actions (chatroom_id, id desc);
create index moderation_actions_chatroom_id_target_user_id_id_idx
  on public.moderation_actions (chatroom_id, target_user_id, id desc);
create index moderation_actions_actor_id_idx on public.moderation_actions (actor_id);
create index moderation_actions_target_user_id_idx on public.moderation_actions (target_user_id);

-- Grants ------------------------------------------------------------------------------------------

-- Read only, for everyone: the database is the one writer.
grant select on public.moderation_actions to authenticated, service_role;

alter table public.moderation_actions enable row level security;

-- The previous private log moves here (timeouts get their own action; content goes into details).
insert into public.moderation_actions (chatroom_id, actor_id, target_user_id, action, message_id, reason, details, created_at)
select l.chatroom_id,
  case when l.action = 'message.blocked' then null else (select u.id from public.users u where u.id = l.actor_id) end,
  (select u.id from public.users u where u.id = l.target_user_id),
  case when l.action = 'user.banned' and l.details ->> 'expires_at' is not null then 'user.timed_out' else l.action end,
  l.message_id, l.details ->> 'reason',
  coalesce(l.details, '{}') - 'reason' || case when l.content is not null then jsonb_build_object('content', l.content) else '{}' end,
  l.created_at
from private.moderation_log l
where exists (select 1 from public.chatrooms r where r.id = l.chatroom_id)
order by l.id;

drop table private.moderation_log;

-- Helpers -----------------------------------------------------------------------------------------

-- The one writer of the moderators' log; every moderation path calls it (its insert sends
-- `moderation.action`, below). Returns the new row's id.
create function private.log_moderation_action(chatroom_id uuid, actor_id uuid, target_user_id uuid, action text,
  message_id bigint, reason text, details jsonb)
returns bigint language plpgsql volatile security definer set search_path = '' as $$
declare
  new_id bigint;
begin
  insert into public.moderation_actions (chatroom_id, actor_id, target_user_id, action, message_id, reason, details)
  values (chatroom_id, actor_id, target_user_id, action, message_id, reason, coalesce(details, '{}'))
  returning id into new_id;
  return new_id;
end
$$;

revoke execute on function private.log_moderation_action(uuid, uuid, uuid, text, bigint, text, jsonb) from public;

-- The six chat settings of a room, as settings.updated carries them (without chatroom_id).
create function private.chat_settings(room public.chatrooms)
returns jsonb language plpgsql immutable set search_path = '' as $$
begin
  return jsonb_build_object(
    'slow_mode_seconds', room.slow_mode_seconds,
    'followers_only_minutes', room.followers_only_minutes,
    'subscribers_only', room.subscribers_only,
    'emotes_only', room.emotes_only,
    'min_account_age_minutes', room.min_account_age_minutes,
    'require_verified_email', room.require_verified_email);
end
$$;

revoke execute on function private.chat_settings(public.chatrooms) from public;
-- The settings trigger's WHEN clause runs it as whoever updates the room.
grant execute on function private.chat_settings(public.chatrooms) to anon, authenticated, service_role;

-- Policies ----------------------------------------------------------------------------------------

create policy "staff read their rooms' moderation actions" on public.moderation_actions
  for select to authenticated
  using (chatroom_id = any ((select private.staffed_chatroom_ids((select auth.uid())))::uuid[]));

-- Every moderation path now writes through the helper -----------------------------------------------

-- send_message's blocked-term log row goes through the helper from 20261130002200_send_message_safety.sql
-- on, which replaces send_message (nothing between the two migrations sends a message).

-- delete_message as before, logging through the helper (the original text stays in details.content;
-- the scrub trigger of 20261130001100 clears it from the broadcasts).
create or replace function private.delete_message(message_id bigint)
returns void language plpgsql volatile security definer set search_path = '' as $$
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
  update public.messages m set content = null, emotes = '[]', deleted_at = now(), deleted_by = actor
  where m.id = target.id;
  update public.chatrooms r set pinned_message_id = null, pinned_until = null
  where r.id = target.chatroom_id and r.pinned_message_id = target.id;
end
$$;

-- Clearing sends `messages.cleared`; history stays, but the cleared text leaves the broadcasts that
-- Realtime would replay.
create or replace function private.clear_chat(chatroom_id uuid, user_id uuid)
returns void language plpgsql volatile security definer set search_path = '' as $$
declare
  actor uuid;
begin
  actor := private.require_chatroom_staff(chatroom_id);
  if user_id is not null and user_id <> actor and private.is_chatroom_staff(chatroom_id, user_id) then
    perform private.raise_error('cannot_target_staff');
  end if;
  perform private.log_moderation_action(chatroom_id, actor, user_id, 'messages.cleared', null, null, null);
  perform private.scrub_chat_broadcasts(chatroom_id, user_id, null, now() - interval '4 days');
  perform realtime.send(jsonb_build_object('user_id', user_id), 'messages.cleared', 'chatroom:' || chatroom_id::text, true);
end
$$;

create or replace function private.pin_message(message_id bigint, duration_seconds integer)
returns public.chatrooms language plpgsql volatile security definer set search_path = '' as $$
declare
  actor uuid := auth.uid();
  target public.messages;
  result public.chatrooms;
begin
  if actor is null then
    perform private.raise_error('auth_required');
  end if;
  select * into target from public.messages m where m.id = pin_message.message_id;
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

create or replace function private.unpin_message(chatroom_id uuid)
returns void language plpgsql volatile security definer set search_path = '' as $$
declare
  actor uuid;
  unpinned bigint;
begin
  actor := private.require_chatroom_staff(chatroom_id);
  update public.chatrooms r set pinned_message_id = null, pinned_until = null
  from public.chatrooms before
  where r.id = unpin_message.chatroom_id and before.id = r.id and r.pinned_message_id is not null
  returning before.pinned_message_id into unpinned;
  if unpinned is not null then
    perform private.log_moderation_action(chatroom_id, actor, null, 'message.unpinned', unpinned, null, null);
  end if;
end
$$;

-- Bans and unbans, as in 20261127002100_chat_bans.sql, logged through the helper; a ban or timeout
-- also takes the user's text out of the room's broadcasts (clients hide their messages on user.banned).
create or replace function private.broadcast_chat_ban()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  moderator jsonb;
  room_channel uuid;
begin
  if tg_op = 'INSERT' then
    select jsonb_build_object('id', u.id, 'username', u.username::text, 'display_name', u.display_name)
    into moderator from public.users u where u.id = new.banned_by;
    select r.channel_id into room_channel from public.chatrooms r where r.id = new.chatroom_id;
    perform private.log_moderation_action(new.chatroom_id, new.banned_by, new.user_id,
      case when new.expires_at is null then 'user.banned' else 'user.timed_out' end, null, new.reason,
      jsonb_build_object('ban_id', new.id, 'expires_at', new.expires_at));
    perform private.scrub_chat_broadcasts(new.chatroom_id, new.user_id, null, now() - interval '4 days');
    perform realtime.send(jsonb_build_object('user_id', new.user_id, 'expires_at', new.expires_at),
      'user.banned', 'chatroom:' || new.chatroom_id::text, true);
    perform realtime.send(to_jsonb(new) || jsonb_build_object('moderator', moderator),
      'ban.created', 'chatroom:' || new.chatroom_id::text || ':mods', true);
    perform realtime.send(jsonb_build_object('chatroom_id', new.chatroom_id, 'channel_id', room_channel,
      'reason', new.reason, 'created_at', new.created_at, 'expires_at', new.expires_at),
      'ban.received', 'user:' || new.user_id::text, true);
  elsif pg_trigger_depth() = 1 and (old.expires_at is null or old.expires_at > now()) then
    -- Lifting an active ban; not when a new ban replaces it (depth > 1) or when it had expired.
    perform private.log_moderation_action(old.chatroom_id, auth.uid(), old.user_id, 'user.unbanned', null, null,
      jsonb_build_object('ban_id', old.id));
    perform realtime.send(jsonb_build_object('user_id', old.user_id),
      'user.unbanned', 'chatroom:' || old.chatroom_id::text, true);
  end if;
  return null;
end
$$;

-- Settings changes (by staff through the table, or by lockdown) are logged with before and after.
create function private.log_chatroom_settings()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform private.log_moderation_action(new.id, auth.uid(), null, 'settings.updated', null, null,
    jsonb_build_object('before', private.chat_settings(old), 'after', private.chat_settings(new)));
  return null;
end
$$;

revoke execute on function private.log_chatroom_settings() from public;

create trigger log_chatroom_settings after update on public.chatrooms
  for each row when (private.chat_settings(old) is distinct from private.chat_settings(new))
  execute function private.log_chatroom_settings();

-- Channel roles granted and revoked, in the channel's chatroom log.
create function private.log_role_change()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  room_id uuid;
begin
  if tg_op = 'DELETE' then
    select r.id into room_id from public.chatrooms r where r.channel_id = old.channel_id;
    if room_id is not null then
      perform private.log_moderation_action(room_id, auth.uid(), old.user_id, 'role.revoked', null, null,
        jsonb_build_object('role', old.role));
    end if;
  else
    select r.id into room_id from public.chatrooms r where r.channel_id = new.channel_id;
    if room_id is not null then
      perform private.log_moderation_action(room_id, coalesce(new.granted_by, auth.uid()), new.user_id, 'role.granted',
        null, null, jsonb_build_object('role', new.role));
    end if;
  end if;
  return null;
end
$$;

revoke execute on function private.log_role_change() from public;

create trigger log_role_change after insert or delete on public.channel_roles
  for each row execute function private.log_role_change();

-- Events ------------------------------------------------------------------------------------------

-- `moderation.action` on `chatroom:<id>:mods`: the new row, for every write (one place).
create function private.broadcast_moderation_action()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.send(to_jsonb(new), 'moderation.action', 'chatroom:' || new.chatroom_id::text || ':mods', true);
  return null;
end
$$;

revoke execute on function private.broadcast_moderation_action() from public;

create trigger broadcast_moderation_action after insert on public.moderation_actions
  for each row execute function private.broadcast_moderation_action();
