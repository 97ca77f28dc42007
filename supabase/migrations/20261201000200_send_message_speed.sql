-- A cheaper send_message, same rules (API.md `send_message`, docs/chat.md "Performance"): the emotes a
-- message uses and where they appear in one query over its tokens, the sender's account and follow
-- facts read only when the room's rule needs them, and whether the sender is staff read from
-- private.channel_staff (20261201000100) instead of decided inline.

-- The emotes a message uses, in order of first appearance: [{id, code, image_url, positions: [{s, e}]}]
-- with 0-based inclusive character offsets of whole whitespace-separated tokens. A token names an
-- emote the sender may use (global, or this channel's; subscriber-only ones need an active
-- subscription, or owning the channel; the channel's wins over a global one with the same code). In
-- emotes-only mode every token must be one (staff excepted). Planned once, like private.chat_sender.
create function private.chat_message_emotes(room public.chatrooms, sender private.chat_sender, is_staff boolean, body text)
returns jsonb language plpgsql stable security definer
set search_path = '' set plan_cache_mode = force_generic_plan as $$
declare
  used jsonb;
  has_other_tokens boolean;
begin
  with tokens as (
    select t.n, t.m[2] as token,
      (sum(char_length(t.m[1]) + char_length(t.m[2])) over (order by t.n))::integer - char_length(t.m[2]) as s
    from regexp_matches(body, '(\s*)(\S+)', 'g') with ordinality t (m, n)
  ), usable as (
    select distinct on (e.code) e.id, e.code, e.image_url
    from public.emotes e
    where e.code = any (array(select t.token from tokens t))
      and (e.channel_id is null or (e.channel_id = room.channel_id
        and (not e.subscribers_only or sender.is_owner or sender.subscribed_months is not null)))
    order by e.code, e.channel_id nulls last
  )
  select coalesce(jsonb_agg(jsonb_build_object('id', u.id, 'code', u.code, 'image_url', u.image_url,
                    'positions', p.positions) order by p.first), '[]'),
         case when room.emotes_only and not is_staff then
           exists (select 1 from tokens t where not exists (select 1 from usable v where v.code = t.token)) end
  into used, has_other_tokens
  from usable u
  cross join lateral (
    select min(t.n) as first,
           jsonb_agg(jsonb_build_object('s', t.s, 'e', t.s + char_length(t.token) - 1) order by t.n) as positions
    from tokens t where t.token = u.code
  ) p;
  if has_other_tokens then
    perform private.raise_error('chat_emotes_only');
  end if;
  return used;
end
$$;

-- The sender's facts carry whether they are staff, from the one definition of staff.
alter type private.chat_sender add attribute is_staff boolean;

create or replace function private.chat_sender(chatroom_id uuid, user_id uuid)
returns private.chat_sender language plpgsql stable security definer
set search_path = '' set plan_cache_mode = force_generic_plan as $$
declare
  result private.chat_sender;
begin
  select u.id, u.username::text, u.display_name, u.created_at,
    case when r.require_verified_email then
      exists (select 1 from private.accounts a where a.user_id = u.id and a.email_verified_at is not null) end,
    c.owner_id = u.id,
    array(select cr.role from public.channel_roles cr where cr.channel_id = c.id and cr.user_id = u.id
          order by array_position(array['moderator', 'vip', 'og'], cr.role)),
    b.id is not null, b.expires_at,
    case when r.followers_only_minutes is not null then
      (select f.created_at from public.follows f where f.user_id = u.id and f.channel_id = c.id) end,
    s.cumulative_months,
    (select sb.image_url from public.subscriber_badges sb
     where sb.channel_id = c.id and sb.months <= s.cumulative_months order by sb.months desc limit 1),
    (select count(*)::integer from public.subscriptions g where g.gifter_id = u.id and g.channel_id = c.id),
    i.color, i.badges,
    exists (select 1 from private.channel_staff st where st.channel_id = c.id and st.user_id = u.id)
  into result
  from public.chatrooms r
  join public.channels c on c.id = r.channel_id
  join public.users u on u.id = chat_sender.user_id
  left join public.chatroom_bans b on b.chatroom_id = r.id and b.user_id = u.id
    and (b.expires_at is null or b.expires_at > now())
  left join public.subscriptions s on s.channel_id = c.id and s.user_id = u.id and s.current_period_end > now()
  left join public.chat_identities i on i.chatroom_id = r.id and i.user_id = u.id
  where r.id = chat_sender.chatroom_id;
  return result;
end
$$;

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
  emotes jsonb;
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
  is_staff := sender.is_staff;
  is_vip := not is_staff and 'vip' = any (sender.roles);
  perform private.check_chat_access(room, sender, is_staff, is_vip);
  emotes := private.chat_message_emotes(room, sender, is_staff, message.body);
  perform private.check_chat_rate(room, sender_id, is_staff, is_vip, message.content_form);
  if not is_staff and private.has_blocked_term(room.id, message.content_form) then
    perform private.record_blocked_attempt(room.id, sender_id, message.body, message.content_form);
    perform set_config('response.status', '403', true);
    return private.error_body('chat_blocked_term');
  end if;

  insert into public.messages (chatroom_id, user_id, content, reply_to_id, sender, emotes)
  values (room.id, sender_id, message.body, reply_to_id, private.chat_identity_from(sender), emotes)
  returning * into result;
  return to_jsonb(result);
end
$$;

drop function private.chat_usable_emotes(public.chatrooms, private.chat_sender, boolean, text);
drop function private.emote_positions(text, jsonb);
