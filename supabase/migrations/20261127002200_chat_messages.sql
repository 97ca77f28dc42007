-- Chat messages: the table, the three history indexes, and the RPCs that write it (send_message with
-- every chat rule, delete_message, clear_chat, pin_message, unpin_message) plus chat_identity, with
-- their events. Serves API.md `messages`, those RPCs and the `chatroom:<id>` message/pin events.

-- Tables ------------------------------------------------------------------------------------------

create table public.messages (
  id bigint generated always as identity primary key,
  chatroom_id uuid not null references public.chatrooms (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  content text constraint messages_content_length check (char_length(content) between 1 and 500),
  reply_to_id bigint references public.messages (id) on delete set null,
  created_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_by uuid references public.users (id) on delete set null,
  -- The sender's identity at send time: {user_id, username, display_name, color, badges}.
  sender jsonb not null,
  -- Emotes used: [{id, code, image_url, positions: [{s, e}]}], 0-based inclusive character offsets.
  emotes jsonb not null default '[]',
  constraint messages_content_until_deleted check ((content is null) = (deleted_at is not null))
);

-- History, newest first, keyset on id: a room; one user in a room (also the send rules' lookups);
-- one user everywhere.
create index messages_chatroom_id_id_idx on public.messages (chatroom_id, id desc);
create index messages_chatroom_id_user_id_id_idx on public.messages (chatroom_id, user_id, id desc);
create index messages_user_id_id_idx on public.messages (user_id, id desc);
create index messages_reply_to_id_idx on public.messages (reply_to_id);
create index messages_deleted_by_idx on public.messages (deleted_by);

alter table public.chatrooms add constraint chatrooms_pinned_message_id_fkey
  foreign key (pinned_message_id) references public.messages (id) on delete set null;
create index chatrooms_pinned_message_id_idx on public.chatrooms (pinned_message_id);

-- Grants ------------------------------------------------------------------------------------------

grant select on public.messages to anon, authenticated;
grant select, insert, update, delete on public.messages to service_role;

alter table public.messages enable row level security;

insert into private.error_codes (code, http_status, message) values
  ('message_invalid', 422, 'Messages are 1 to 500 characters, and replies stay in their chatroom.'),
  ('chat_banned', 403, 'You are banned from this chat.'),
  ('chat_account_too_new', 403, 'Your account is too new to chat here.'),
  ('chat_email_unverified', 403, 'Verify your email address to chat here.'),
  ('chat_followers_only', 403, 'This chat is for followers only.'),
  ('chat_subscribers_only', 403, 'This chat is for subscribers only.'),
  ('chat_emotes_only', 403, 'This chat is in emote-only mode.'),
  ('chat_blocked_term', 403, 'Your message contains a term this chat does not allow.'),
  ('chat_slow_mode', 429, 'Slow mode is on: wait before sending another message.'),
  ('chat_duplicate', 429, 'You sent the same message less than 30 seconds ago.'),
  ('chat_rate_limited', 429, 'You are sending messages too quickly.');

-- Policies ----------------------------------------------------------------------------------------

-- Deleted messages keep their row (content null) so history and replies stay coherent.
create policy "anyone can read messages" on public.messages
  for select to anon, authenticated using (true);

-- send_message ------------------------------------------------------------------------------------

-- The error body PostgREST would build from private.raise_error, for the one refusal that must
-- commit (see send_message).
create function private.error_body(error_code text)
returns jsonb language plpgsql stable security definer set search_path = '' as $$
begin
  return (select jsonb_build_object('code', e.code, 'message', e.message, 'details', null, 'hint', null)
          from private.error_codes e where e.code = error_code);
end
$$;

-- Sends a message as the caller, checking API.md's rules in its order. Staff (owner, moderators)
-- bypass every mode and rate rule but the length rule (their rate limit is 100 per 30 s); VIPs
-- bypass slow mode, followers-only, subscribers-only and the account requirements.
--
-- Refusals raise the PostgREST custom error, which rolls the request back; except a blocked term:
-- moderators must hear about it (`message.blocked` on the mods topic), and an event sent from a
-- rolled-back transaction is lost. So that refusal does not raise: it logs the attempt, sends the
-- event, sets PostgREST's `response.status` to 403 and returns the same error body a raise would
-- give ({code, message, details, hint}); supabase-js reports it as `error` exactly like the others.
-- That is why send_message returns jsonb (the messages row on success) rather than the row type.
create function private.send_message(chatroom_id uuid, content text, reply_to_id bigint)
returns jsonb language plpgsql volatile security definer set search_path = '' as $$
declare
  sender_id uuid := auth.uid();
  room public.chatrooms;
  room_owner uuid;
  body text := btrim(content, E' \t\r\n');
  is_staff boolean;
  is_vip boolean;
  ban public.chatroom_bans;
  followed_at timestamptz;
  tokens text[];
  usable jsonb;         -- {code: {id, code, image_url}} of emotes the sender may use here
  used jsonb := '[]';
  token_code text;
  search_from integer;
  found_at integer;
  positions jsonb;
  last_at timestamptz;
  oldest_at timestamptz;
  recent_count integer;
  is_duplicate boolean;
  rate_limit integer;
  waited double precision;
  result public.messages;
begin
  if sender_id is null then
    perform private.raise_error('auth_required');
  end if;
  select * into room from public.chatrooms r where r.id = send_message.chatroom_id;
  if room.id is null then
    perform private.raise_error('chatroom_not_found');
  end if;
  if body is null or char_length(body) = 0 or char_length(body) > 500 then
    perform private.raise_error('message_invalid');
  end if;
  if reply_to_id is not null and not exists (
    select 1 from public.messages m where m.id = send_message.reply_to_id and m.chatroom_id = room.id
  ) then
    perform private.raise_error('message_invalid', null, 'You can only reply to a message in this chatroom.');
  end if;

  -- One sender in one room at a time: racing sends are checked one after the other (each check
  -- below runs after the lock, on a snapshot that sees the previous send).
  perform pg_advisory_xact_lock(hashtextextended('chat:' || room.id::text || ':' || sender_id::text, 0));

  ban := private.active_chat_ban(room.id, sender_id);
  if ban.id is not null then
    perform private.raise_error('chat_banned', jsonb_build_object('expires_at', ban.expires_at));
  end if;

  select c.owner_id into room_owner from public.channels c where c.id = room.channel_id;
  is_staff := room_owner = sender_id or private.has_channel_role(room.channel_id, sender_id, 'moderator');
  is_vip := not is_staff and private.has_channel_role(room.channel_id, sender_id, 'vip');

  if not is_staff and not is_vip then
    if room.min_account_age_minutes is not null and exists (
      select 1 from public.users u where u.id = sender_id
        and u.created_at > now() - make_interval(mins => room.min_account_age_minutes)
    ) then
      perform private.raise_error('chat_account_too_new',
        jsonb_build_object('required_minutes', room.min_account_age_minutes));
    end if;
    if room.require_verified_email and not exists (
      select 1 from private.accounts a where a.user_id = sender_id and a.email_verified_at is not null
    ) then
      perform private.raise_error('chat_email_unverified');
    end if;
    if room.followers_only_minutes is not null then
      select f.created_at into followed_at from public.follows f
      where f.user_id = sender_id and f.channel_id = room.channel_id;
      if followed_at is null or followed_at > now() - make_interval(mins => room.followers_only_minutes) then
        perform private.raise_error('chat_followers_only',
          jsonb_build_object('required_minutes', room.followers_only_minutes));
      end if;
    end if;
    if room.subscribers_only and not private.is_subscriber(room.channel_id, sender_id) then
      perform private.raise_error('chat_subscribers_only');
    end if;
  end if;

  -- Emotes: whitespace-separated tokens naming an emote the sender may use (global, or this
  -- channel's; subscriber-only ones need an active subscription, or owning the channel). A channel
  -- emote wins over a global one with the same code.
  tokens := regexp_split_to_array(body, '\s+');
  select coalesce(jsonb_object_agg(e.code, jsonb_build_object('id', e.id, 'code', e.code, 'image_url', e.image_url)), '{}')
  into usable
  from (
    select distinct on (e.code) e.id, e.code, e.image_url
    from public.emotes e
    where e.code = any (tokens)
      and (e.channel_id is null or (e.channel_id = room.channel_id
        and (not e.subscribers_only or room_owner = sender_id or private.is_subscriber(room.channel_id, sender_id))))
    order by e.code, e.channel_id nulls last
  ) e;

  if room.emotes_only and not is_staff and exists (
    select 1 from unnest(tokens) t (token) where not usable ? t.token
  ) then
    perform private.raise_error('chat_emotes_only');
  end if;

  if not is_staff and exists (
    select 1 from public.chatroom_blocked_terms t
    where t.chatroom_id = room.id and (t.expires_at is null or t.expires_at > now()) and body ~* t.pattern
  ) then
    insert into private.moderation_log (chatroom_id, action, actor_id, target_user_id, content, details)
    values (room.id, 'message.blocked', sender_id, sender_id, body, jsonb_build_object('code', 'chat_blocked_term'));
    perform realtime.send(jsonb_build_object('user_id', sender_id, 'code', 'chat_blocked_term'),
      'message.blocked', 'chatroom:' || room.id::text || ':mods', true);
    perform set_config('response.status', '403', true);
    return private.error_body('chat_blocked_term');
  end if;

  -- Slow mode, duplicates and the rate limit read the sender's latest messages in this room (at most
  -- the rate limit's worth) through messages_chatroom_id_user_id_id_idx.
  rate_limit := case when is_staff then 100 else 20 end;
  select max(m.created_at), min(m.created_at),
         count(*) filter (where m.created_at > now() - interval '30 seconds'),
         coalesce(bool_or(m.content = body and m.created_at > now() - interval '30 seconds'), false)
  into last_at, oldest_at, recent_count, is_duplicate
  from (
    select r.created_at, r.content from public.messages r
    where r.chatroom_id = room.id and r.user_id = sender_id
    order by r.id desc limit rate_limit
  ) m;

  if not is_staff then
    if not is_vip and room.slow_mode_seconds > 0 and last_at is not null then
      waited := extract(epoch from now() - last_at);
      if waited < room.slow_mode_seconds then
        perform private.raise_error('chat_slow_mode',
          jsonb_build_object('retry_after_seconds', greatest(1, ceil(room.slow_mode_seconds - waited))::integer));
      end if;
    end if;
    if is_duplicate then
      perform private.raise_error('chat_duplicate');
    end if;
  end if;
  if recent_count >= rate_limit then
    perform private.raise_error('chat_rate_limited', jsonb_build_object('retry_after_seconds',
      greatest(1, ceil(30 - extract(epoch from now() - oldest_at)))::integer));
  end if;

  -- Where each emote appears (0-based, inclusive), found token by token.
  if usable <> '{}' then
    for token_code in select t.token from unnest(tokens) t (token) where usable ? t.token group by t.token loop
      positions := '[]';
      search_from := 1;
      loop
        found_at := position(token_code in substr(body, search_from));
        exit when found_at = 0;
        found_at := search_from + found_at - 1;  -- 1-based in body
        if (found_at = 1 or substr(body, found_at - 1, 1) ~ '\s')
           and (found_at + char_length(token_code) > char_length(body)
                or substr(body, found_at + char_length(token_code), 1) ~ '\s') then
          positions := positions || jsonb_build_object('s', found_at - 1, 'e', found_at + char_length(token_code) - 2);
        end if;
        search_from := found_at + char_length(token_code);
      end loop;
      used := used || (usable -> token_code || jsonb_build_object('positions', positions));
    end loop;
  end if;

  insert into public.messages (chatroom_id, user_id, content, reply_to_id, sender, emotes)
  values (room.id, sender_id, body, reply_to_id, private.chat_identity(room.id, sender_id), used)
  returning * into result;
  return to_jsonb(result);
end
$$;

-- Moderation RPCs ---------------------------------------------------------------------------------

-- Soft delete: readers see content null; the original goes to the private moderation log. A
-- moderator cannot delete the owner's or another moderator's message (the owner can delete any).
create function private.delete_message(message_id bigint)
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
  insert into private.moderation_log (chatroom_id, action, actor_id, target_user_id, message_id, content)
  values (target.chatroom_id, 'message.deleted', actor, target.user_id, target.id, target.content);
  update public.messages m set content = null, emotes = '[]', deleted_at = now(), deleted_by = actor
  where m.id = target.id;
  update public.chatrooms r set pinned_message_id = null, pinned_until = null
  where r.id = target.chatroom_id and r.pinned_message_id = target.id;
end
$$;

-- Clearing sends `messages.cleared` only: history stays, clients hide what they show.
create function private.clear_chat(chatroom_id uuid, user_id uuid)
returns void language plpgsql volatile security definer set search_path = '' as $$
declare
  actor uuid;
begin
  actor := private.require_chatroom_staff(chatroom_id);
  if user_id is not null and user_id <> actor and private.is_chatroom_staff(chatroom_id, user_id) then
    perform private.raise_error('cannot_target_staff');
  end if;
  insert into private.moderation_log (chatroom_id, action, actor_id, target_user_id)
  values (chatroom_id, 'messages.cleared', actor, user_id);
  perform realtime.send(jsonb_build_object('user_id', user_id), 'messages.cleared', 'chatroom:' || chatroom_id::text, true);
end
$$;

create function private.pin_message(message_id bigint, duration_seconds integer)
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
  return result;
end
$$;

create function private.unpin_message(chatroom_id uuid)
returns void language plpgsql volatile security definer set search_path = '' as $$
declare
  actor uuid;
begin
  actor := private.require_chatroom_staff(chatroom_id);
  update public.chatrooms r set pinned_message_id = null, pinned_until = null
  where r.id = unpin_message.chatroom_id and r.pinned_message_id is not null;
end
$$;

create function private.chat_identity_of(chatroom_id uuid, user_id uuid)
returns jsonb language plpgsql stable security definer set search_path = '' as $$
declare
  result jsonb;
begin
  if not exists (select 1 from public.chatrooms r where r.id = chat_identity_of.chatroom_id) then
    perform private.raise_error('chatroom_not_found');
  end if;
  result := private.chat_identity(chatroom_id, user_id);
  if result is null then
    perform private.raise_error('not_found', null, 'This user does not exist.');
  end if;
  return result;
end
$$;

revoke execute on function private.error_body(text) from public;
revoke execute on function private.send_message(uuid, text, bigint) from public;
revoke execute on function private.delete_message(bigint) from public;
revoke execute on function private.clear_chat(uuid, uuid) from public;
revoke execute on function private.pin_message(bigint, integer) from public;
revoke execute on function private.unpin_message(uuid) from public;
revoke execute on function private.chat_identity_of(uuid, uuid) from public;
grant execute on function private.send_message(uuid, text, bigint) to anon, authenticated, service_role;
grant execute on function private.delete_message(bigint) to anon, authenticated, service_role;
grant execute on function private.clear_chat(uuid, uuid) to anon, authenticated, service_role;
grant execute on function private.pin_message(bigint, integer) to anon, authenticated, service_role;
grant execute on function private.unpin_message(uuid) to anon, authenticated, service_role;
grant execute on function private.chat_identity_of(uuid, uuid) to anon, authenticated, service_role;

-- Public RPCs: security invoker wrappers (anon may call them, so a missing sign-in answers
-- auth_required as API.md says, not a bare permission error) over the private implementations.
create function public.send_message(chatroom_id uuid, content text, reply_to_id bigint default null)
returns jsonb language plpgsql volatile security invoker set search_path = '' as $$
begin
  return private.send_message(chatroom_id, content, reply_to_id);
end
$$;

create function public.delete_message(message_id bigint)
returns void language plpgsql volatile security invoker set search_path = '' as $$
begin
  perform private.delete_message(message_id);
end
$$;

create function public.clear_chat(chatroom_id uuid, user_id uuid default null)
returns void language plpgsql volatile security invoker set search_path = '' as $$
begin
  perform private.clear_chat(chatroom_id, user_id);
end
$$;

create function public.pin_message(message_id bigint, duration_seconds integer default null)
returns public.chatrooms language plpgsql volatile security invoker set search_path = '' as $$
begin
  return private.pin_message(message_id, duration_seconds);
end
$$;

create function public.unpin_message(chatroom_id uuid)
returns void language plpgsql volatile security invoker set search_path = '' as $$
begin
  perform private.unpin_message(chatroom_id);
end
$$;

create function public.chat_identity(chatroom_id uuid, user_id uuid)
returns jsonb language plpgsql stable security invoker set search_path = '' as $$
begin
  return private.chat_identity_of(chatroom_id, user_id);
end
$$;

revoke execute on function public.send_message(uuid, text, bigint) from public;
revoke execute on function public.delete_message(bigint) from public;
revoke execute on function public.clear_chat(uuid, uuid) from public;
revoke execute on function public.pin_message(bigint, integer) from public;
revoke execute on function public.unpin_message(uuid) from public;
revoke execute on function public.chat_identity(uuid, uuid) from public;
grant execute on function public.send_message(uuid, text, bigint) to anon, authenticated, service_role;
grant execute on function public.delete_message(bigint) to anon, authenticated, service_role;
grant execute on function public.clear_chat(uuid, uuid) to anon, authenticated, service_role;
grant execute on function public.pin_message(bigint, integer) to anon, authenticated, service_role;
grant execute on function public.unpin_message(uuid) to anon, authenticated, service_role;
grant execute on function public.chat_identity(uuid, uuid) to anon, authenticated, service_role;

-- Events ------------------------------------------------------------------------------------------

create function private.broadcast_message_created()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.send(to_jsonb(new), 'message.created', 'chatroom:' || new.chatroom_id::text, true);
  return null;
end
$$;

create function private.broadcast_message_deleted()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.send(jsonb_build_object('id', new.id), 'message.deleted', 'chatroom:' || new.chatroom_id::text, true);
  return null;
end
$$;

-- `pin.updated` {message (the row, or null), pinned_until} whenever the pin changes.
create function private.broadcast_pin()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.send(jsonb_build_object(
    'message', (select to_jsonb(m) from public.messages m where m.id = new.pinned_message_id),
    'pinned_until', new.pinned_until), 'pin.updated', 'chatroom:' || new.id::text, true);
  return null;
end
$$;

revoke execute on function private.broadcast_message_created() from public;
revoke execute on function private.broadcast_message_deleted() from public;
revoke execute on function private.broadcast_pin() from public;

create trigger broadcast_message_created after insert on public.messages
  for each row execute function private.broadcast_message_created();
create trigger broadcast_message_deleted after update of deleted_at on public.messages
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function private.broadcast_message_deleted();
create trigger broadcast_pin after update on public.chatrooms
  for each row when ((old.pinned_message_id, old.pinned_until) is distinct from (new.pinned_message_id, new.pinned_until))
  execute function private.broadcast_pin();
