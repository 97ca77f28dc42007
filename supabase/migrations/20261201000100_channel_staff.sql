-- Staff (a channel's owner and its moderators) decided in one place, the view private.channel_staff:
-- the staff helpers policies call, the staff RPCs, the topic checks and send_message all read it.

create view private.channel_staff as
  select c.id as channel_id, c.owner_id as user_id from public.channels c
  union all
  select r.channel_id, r.user_id from public.channel_roles r where r.role = 'moderator';
comment on view private.channel_staff is
  'Who is staff of which channel: its owner and its moderators. The one definition of staff.';

create or replace function private.is_channel_staff(channel_id uuid, user_id uuid)
returns boolean language plpgsql stable security definer set search_path = '' as $$
begin
  return exists (select 1 from private.channel_staff s
                 where s.channel_id = is_channel_staff.channel_id and s.user_id = is_channel_staff.user_id);
end
$$;

create or replace function private.is_chatroom_staff(chatroom_id uuid, user_id uuid)
returns boolean language plpgsql stable security definer set search_path = '' as $$
begin
  return exists (select 1 from public.chatrooms r join private.channel_staff s on s.channel_id = r.channel_id
                 where r.id = is_chatroom_staff.chatroom_id and s.user_id = is_chatroom_staff.user_id);
end
$$;

-- For read policies: compared with `= any` against one array computed once per statement.
create or replace function private.staffed_chatroom_ids(user_id uuid)
returns uuid[] language plpgsql stable security definer set search_path = '' as $$
begin
  return array(select r.id from private.channel_staff s join public.chatrooms r on r.channel_id = s.channel_id
               where s.user_id = staffed_chatroom_ids.user_id);
end
$$;

-- The sender's facts carry whether they are staff, from the same view.
alter type private.chat_sender add attribute is_staff boolean;

create or replace function private.chat_sender(chatroom_id uuid, user_id uuid)
returns private.chat_sender language plpgsql stable security definer
set search_path = '' set plan_cache_mode = force_generic_plan as $$
declare
  result private.chat_sender;
begin
  select u.id, u.username::text, u.display_name, u.created_at,
    exists (select 1 from private.accounts a where a.user_id = u.id and a.email_verified_at is not null),
    c.owner_id = u.id,
    array(select cr.role from public.channel_roles cr where cr.channel_id = c.id and cr.user_id = u.id
          order by array_position(array['moderator', 'vip', 'og'], cr.role)),
    b.id is not null, b.expires_at,
    (select f.created_at from public.follows f where f.user_id = u.id and f.channel_id = c.id),
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
  is_staff := sender.is_staff;
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
