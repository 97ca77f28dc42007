-- send_message against evasion and floods: content rules (visible text, no control or bidi
-- override characters), blocked terms and duplicates on the matching form, blocked attempts counted
-- by slow mode, the duplicate rule and the rate limit, one `message.blocked` per sender per room per
-- 30 s, and no replies to someone who blocks you. Serves API.md `send_message` and `message_invalid`.

-- Blocked attempts, kept two minutes (the longest slow mode) so the rate rules can count them.
create table private.chat_blocked_attempts (
  id bigint generated always as identity primary key,
  chatroom_id uuid not null references public.chatrooms (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  content_form text not null,
  moderation_action_id bigint,  -- the moderators' log row that counts this attempt (one per sender, room and 30 s)
  created_at timestamptz not null default now()
);

create index chat_blocked_attempts_sender_idx on private.chat_blocked_attempts (chatroom_id, user_id, created_at desc);
create index chat_blocked_attempts_user_id_idx on private.chat_blocked_attempts (user_id);

alter table private.chat_blocked_attempts enable row level security;

update private.error_codes set message = 'Messages are 1 to 500 characters of visible text, without control or bidirectional override characters, and replies stay in their chatroom.'
where code = 'message_invalid';

-- The text a message is stored with (trimmed, NFC), or message_invalid with `details.reason`:
-- `length`, `control_characters` (C0/C1 controls, line breaks included), `bidi_controls` (bidi
-- embeddings, overrides and isolates, which let stored text display in another order) or
-- `no_visible_characters` (nothing left in the matching form: only spaces, invisible or
-- zero-width characters and marks).
create type private.chat_message_body as (body text, content_form text);

create function private.chat_message_body(content text)
returns private.chat_message_body language plpgsql stable set search_path = '' as $$
declare
  body text;
  content_form text;
begin
  body := normalize(btrim(content, E' \t\r\n'), nfc);
  if body is null or char_length(body) not between 1 and 500 then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'length'),
      'Messages are 1 to 500 characters.');
  end if;
  if body ~ '[\u0001-\u001f\u007f-\u009f]' then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'control_characters'),
      'Messages cannot contain control characters or line breaks.');
  end if;
  if body ~ '[\u202a-\u202e\u2066-\u2069]' then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'bidi_controls'),
      'Messages cannot contain bidirectional embedding, override or isolate characters.');
  end if;
  content_form := private.matching_form(body);
  if content_form = '' then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'no_visible_characters'),
      'Messages need at least one visible character.');
  end if;
  return (body, content_form)::private.chat_message_body;
end
$$;

-- A reply stays in its room, and nobody replies to a user who blocks them.
create function private.check_chat_reply(chatroom_id uuid, sender_id uuid, reply_to_id bigint)
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
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'reply_blocked'),
      'You cannot reply to this user.');
  end if;
end
$$;

-- Records a blocked attempt. Moderators hear of the first in 30 s (a moderation_actions row, with its
-- `moderation.action`, and `message.blocked` on the mods topic); later ones within those 30 s only
-- raise that row's `details.count`.
create function private.record_blocked_attempt(chatroom_id uuid, sender_id uuid, body text, content_form text)
returns void language plpgsql volatile security definer set search_path = '' as $$
declare
  log_id bigint;
  term text;
begin
  delete from private.chat_blocked_attempts a
  where a.chatroom_id = record_blocked_attempt.chatroom_id and a.user_id = sender_id
    and a.created_at < now() - interval '2 minutes';
  select a.moderation_action_id into log_id from private.chat_blocked_attempts a
  where a.chatroom_id = record_blocked_attempt.chatroom_id and a.user_id = sender_id
    and a.created_at > now() - interval '30 seconds'
  order by a.created_at limit 1;
  if log_id is not null then
    update public.moderation_actions l
    set details = jsonb_set(l.details, '{count}', to_jsonb(coalesce((l.details ->> 'count')::integer, 1) + 1))
    where l.id = log_id;
  else
    select t.term into term from public.chatroom_blocked_terms t
    where t.chatroom_id = record_blocked_attempt.chatroom_id and (t.expires_at is null or t.expires_at > now())
      and content_form ~ t.pattern
    order by t.id limit 1;
    log_id := private.log_moderation_action(chatroom_id, null, sender_id, 'message.blocked', null, null,
      jsonb_build_object('code', 'chat_blocked_term', 'content', body, 'term', term, 'count', 1));
    perform realtime.send(jsonb_build_object('user_id', sender_id, 'code', 'chat_blocked_term'),
      'message.blocked', 'chatroom:' || chatroom_id::text || ':mods', true);
  end if;
  insert into private.chat_blocked_attempts (chatroom_id, user_id, content_form, moderation_action_id)
  values (chatroom_id, sender_id, content_form, log_id);
end
$$;

revoke execute on function private.chat_message_body(text) from public;
revoke execute on function private.check_chat_reply(uuid, uuid, bigint) from public;
revoke execute on function private.record_blocked_attempt(uuid, uuid, text, text) from public;
-- Called only from private.send_message, which runs as its owner: no API role needs them.

-- Bans, then the account and mode requirements (account age, verified email, followers-only,
-- subscribers-only) that staff and VIPs skip.
create function private.check_chat_access(room public.chatrooms, sender private.chat_sender, is_staff boolean, is_vip boolean)
returns void language plpgsql stable set search_path = '' as $$
begin
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

-- The emotes a message uses, {code: {id, code, image_url}}: whitespace-separated tokens naming an
-- emote the sender may use (global, or this channel's; subscriber-only ones need an active
-- subscription, or owning the channel; the channel's wins over a global one with the same code).
-- In emotes-only mode every token must be one (staff excepted). Planned once, like
-- private.chat_sender.
create function private.chat_usable_emotes(room public.chatrooms, sender private.chat_sender, is_staff boolean, body text)
returns jsonb language plpgsql stable security definer
set search_path = '' set plan_cache_mode = force_generic_plan as $$
declare
  tokens text[] := regexp_split_to_array(body, '\s+');
  usable jsonb;
begin
  select coalesce(jsonb_object_agg(e.code, jsonb_build_object('id', e.id, 'code', e.code, 'image_url', e.image_url)), '{}')
  into usable
  from (
    select distinct on (e.code) e.id, e.code, e.image_url
    from public.emotes e
    where e.code = any (tokens)
      and (e.channel_id is null or (e.channel_id = room.channel_id
        and (not e.subscribers_only or sender.is_owner or sender.subscribed_months is not null)))
    order by e.code, e.channel_id nulls last
  ) e;
  if room.emotes_only and not is_staff and exists (select 1 from unnest(tokens) t (token) where not usable ? t.token) then
    perform private.raise_error('chat_emotes_only');
  end if;
  return usable;
end
$$;

-- Slow mode, duplicates and the rate limit, over the sender's latest messages in this room (at most
-- the rate limit's worth, through messages_chatroom_id_user_id_id_idx) and blocked attempts (kept
-- two minutes). Duplicates compare matching forms, so case, spacing and invisible characters do not
-- make a message new. Staff skip slow mode and duplicates (their limit is 100 per 30 s); VIPs skip
-- slow mode. Planned once, like private.chat_sender.
create function private.check_chat_rate(room public.chatrooms, sender_id uuid, is_staff boolean, is_vip boolean, content_form text)
returns void language plpgsql stable security definer
set search_path = '' set plan_cache_mode = force_generic_plan as $$
declare
  rate_limit integer := case when is_staff then 100 else 20 end;
  last_at timestamptz;
  oldest_at timestamptz;
  recent_count integer;
  is_duplicate boolean;
  waited double precision;
begin
  select max(w.created_at),
         min(w.created_at) filter (where w.created_at > now() - interval '30 seconds'),
         count(*) filter (where w.created_at > now() - interval '30 seconds'),
         coalesce(bool_or(w.created_at > now() - interval '30 seconds' and w.form = content_form), false)
  into last_at, oldest_at, recent_count, is_duplicate
  from (
    (select r.created_at,
            case when not is_staff and r.created_at > now() - interval '30 seconds'
              then private.matching_form(r.content) end as form
     from public.messages r
     where r.chatroom_id = room.id and r.user_id = sender_id
     order by r.id desc limit rate_limit)
    union all
    select a.created_at, a.content_form from private.chat_blocked_attempts a
    where a.chatroom_id = room.id and a.user_id = sender_id and a.created_at > now() - interval '2 minutes'
  ) w;

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
end
$$;

-- Where each usable emote appears in the body: [{id, code, image_url, positions: [{s, e}]}],
-- 0-based inclusive character offsets of whole tokens.
create function private.emote_positions(body text, usable jsonb)
returns jsonb language plpgsql immutable set search_path = '' as $$
declare
  used jsonb := '[]';
  token_code text;
  search_from integer;
  found_at integer;
  positions jsonb;
begin
  if usable = '{}' then
    return used;
  end if;
  for token_code in select t.token from unnest(regexp_split_to_array(body, '\s+')) t (token) where usable ? t.token group by t.token loop
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
  return used;
end
$$;

revoke execute on function private.check_chat_access(public.chatrooms, private.chat_sender, boolean, boolean) from public;
revoke execute on function private.chat_usable_emotes(public.chatrooms, private.chat_sender, boolean, text) from public;
revoke execute on function private.check_chat_rate(public.chatrooms, uuid, boolean, boolean, text) from public;
revoke execute on function private.emote_positions(text, jsonb) from public;

-- Sends a message as the caller: API.md's rules, one step each, in the contract's order. Staff
-- (owner, moderators) bypass every mode and rate rule and blocked terms but not the content rules
-- (their rate limit is 100 per 30 s); VIPs bypass slow mode, followers-only, subscribers-only and the
-- account requirements.
--
-- Refusals raise the PostgREST custom error, which rolls the request back; except a blocked term:
-- moderators must hear about it and the attempt must count for the rate rules, and a rolled-back
-- transaction keeps neither. So that refusal records the attempt, sets PostgREST's
-- `response.status` to 403 and returns the same error body a raise would give; supabase-js reports
-- it as `error` exactly like the others. That is why send_message returns jsonb.
create or replace function private.send_message(chatroom_id uuid, content text, reply_to_id bigint)
returns jsonb language plpgsql volatile security definer set search_path = '' as $$
declare
  sender_id uuid := auth.uid();
  room public.chatrooms;
  message private.chat_message_body;
  sender private.chat_sender;
  is_staff boolean;
  is_vip boolean;
  usable jsonb;
  result public.messages;
begin
  if sender_id is null then
    perform private.raise_error('auth_required');
  end if;
  select * into room from public.chatrooms r where r.id = send_message.chatroom_id;
  if room.id is null then
    perform private.raise_error('chatroom_not_found');
  end if;
  message := private.chat_message_body(content);
  if reply_to_id is not null then
    perform private.check_chat_reply(room.id, sender_id, reply_to_id);
  end if;

  -- One sender in one room at a time: racing sends are checked one after the other (each check
  -- below runs after the lock, on a snapshot that sees the previous send).
  perform pg_advisory_xact_lock(hashtextextended('chat:' || room.id::text || ':' || sender_id::text, 0));

  sender := private.chat_sender(room.id, sender_id);
  is_staff := sender.is_owner or 'moderator' = any (sender.roles);
  is_vip := not is_staff and 'vip' = any (sender.roles);
  perform private.check_chat_access(room, sender, is_staff, is_vip);
  usable := private.chat_usable_emotes(room, sender, is_staff, message.body);
  perform private.check_chat_rate(room, sender_id, is_staff, is_vip, message.content_form);
  if not is_staff and private.has_blocked_term(room.id, message.content_form) then
    perform private.record_blocked_attempt(room.id, sender_id, message.body, message.content_form);
    perform set_config('response.status', '403', true);
    return private.error_body('chat_blocked_term');
  end if;

  insert into public.messages (chatroom_id, user_id, content, reply_to_id, sender, emotes)
  values (room.id, sender_id, message.body, reply_to_id, private.chat_identity_from(sender),
    private.emote_positions(message.body, usable))
  returning * into result;
  return to_jsonb(result);
end
$$;
