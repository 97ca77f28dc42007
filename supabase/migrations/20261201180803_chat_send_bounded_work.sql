-- A send's work is bounded by what the sender may send. Serves API.md `send_message`
-- (`message_invalid` reason `expanded_length`, `chat_duplicate`); docs/chat.md "Sending: the rules".
--
-- Found by a denial-of-service probe:
-- 1. A character can stand for many under NFKC (U+FDFA is 18 letters in four words), so a 500-character
--    message could have a matching form of 9,000 characters and 2,000 words for the chat rules to read.
--    A message whose compatibility form (NFKC) is longer than 1,000 characters is refused:
--    `message_invalid`, reason `expanded_length`. Ordinary text never comes near: NFKC leaves
--    letters of every script, emoji and accented text as long as they are; only compatibility
--    characters (ligatures, ﷺ, ㎏, ①) grow.
-- 2. The duplicate rule folded each of the sender's messages of the last 30 s again at every send:
--    after 19 such messages, a plain send took 153 ms. A message sent within the rate window of the
--    sender's previous one keeps its matching form (private.chat_message_forms, 30 s) when its text is
--    not ASCII (an ASCII form is a few µs to compute again), and the duplicate rule reads it there.
--    The first message of a burst is folded again by the next ones (at most about 0.4 ms each).
-- 3. JIT: with jit on (the Postgres default), a statement whose estimated cost passes jit_above_cost
--    is compiled by LLVM, about 125 ms on this machine; a send never runs a statement that needs it.
--    private.send_message runs with jit off, for everything it calls.

-- The matching forms of messages sent in a burst, for the duplicate rule of the sends after them.
create table private.chat_message_forms (
  message_id bigint primary key references public.messages (id) on delete cascade,
  chatroom_id uuid not null,
  user_id uuid not null,
  content_form text not null,
  created_at timestamptz not null default now()
);

create index chat_message_forms_sender_idx on private.chat_message_forms (chatroom_id, user_id, created_at);

alter table private.chat_message_forms enable row level security;
revoke all on private.chat_message_forms from public, anon, authenticated, service_role;

comment on table private.chat_message_forms is
  'The matching form of a non-ASCII message sent within the rate window of the sender''s previous one, so the duplicate rule does not fold it again; a sender''s rows older than 30 s go at their next such send in the room.';

-- The longest compatibility form (NFKC) a message may have.
create function private.chat_expanded_length_limit()
returns integer language sql immutable parallel safe set search_path = '' as $$
  select 1000
$$;

revoke execute on function private.chat_expanded_length_limit() from public, anon, authenticated, service_role;

-- As in 20261201124950, with the expanded length checked before the matching form is computed.
create or replace function private.chat_message_body(content text)
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
  -- U+2028 and U+2029 (line and paragraph separators) break a line as LF does.
  if body ~ '[\u0001-\u001f\u007f-\u009f\u2028\u2029]' then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'control_characters'),
      'Messages cannot contain control characters or line breaks.');
  end if;
  if body ~ '[\u202a-\u202e\u2066-\u2069]' then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'bidi_controls'),
      'Messages cannot contain bidirectional embedding, override or isolate characters.');
  end if;
  if body ~ private.stacked_marks() then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'combining_marks'),
      'Messages cannot stack five or more accents on a letter.');
  end if;
  -- Text already in NFKC (every ASCII message, most others) is as long as it is.
  if body is not nfkc normalized and char_length(normalize(body, nfkc)) > private.chat_expanded_length_limit() then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'expanded_length'),
      'Messages are at most 1,000 characters once characters that stand for several (ﷺ, ㎏, ﬃ) are written out.');
  end if;
  content_form := private.matching_form(body);
  if content_form = '' then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'no_visible_characters'),
      'Messages need at least one visible character.');
  end if;
  return (body, content_form)::private.chat_message_body;
end
$$;

-- As in 20261201030300, the duplicate rule reading the forms kept by private.send_message.
create or replace function private.check_chat_rate(room public.chatrooms, sender_id uuid, is_staff boolean, is_vip boolean, content_form text)
returns void language plpgsql stable security definer set search_path = '' set plan_cache_mode = 'force_generic_plan' as $$
declare
  rate_limit integer := case when is_staff then 100 else 20 end;
  window_start timestamptz := now() - interval '30 seconds';
  last_at timestamptz;
  oldest_at timestamptz;
  recent_count integer;
  is_duplicate boolean;
  attempt_last_at timestamptz;
  attempt_oldest_at timestamptz;
  attempt_count integer;
  attempt_duplicate boolean;
  waited double precision;
begin
  with recursive newest as (
    (select r.id, r.created_at, r.content, 1 as n from public.messages r
     where r.chatroom_id = room.id and r.user_id = sender_id
     order by r.id desc limit 1)
    union all
    (select older.id, older.created_at, older.content, newest.n + 1
     from newest cross join lateral (
       select r.id, r.created_at, r.content from public.messages r
       where r.chatroom_id = room.id and r.user_id = sender_id and r.id < newest.id
       order by r.id desc limit 1) older
     where newest.created_at > window_start and newest.n < rate_limit)
  )
  select max(w.created_at), min(w.created_at) filter (where w.created_at > window_start),
         count(*) filter (where w.created_at > window_start)::integer,
         coalesce(bool_or(w.created_at > window_start and not is_staff and w.content is not null
           and coalesce((select f.content_form from private.chat_message_forms f where f.message_id = w.id),
                        private.matching_form(w.content)) = content_form), false)
  into last_at, oldest_at, recent_count, is_duplicate
  from newest w;
  -- Refused blocked-term attempts count too (kept two minutes).
  select max(a.created_at), min(a.created_at) filter (where a.created_at > window_start),
         count(*) filter (where a.created_at > window_start)::integer,
         coalesce(bool_or(a.created_at > window_start and a.content_form = check_chat_rate.content_form), false)
  into attempt_last_at, attempt_oldest_at, attempt_count, attempt_duplicate
  from private.chat_blocked_attempts a
  where a.chatroom_id = room.id and a.user_id = sender_id and a.created_at > now() - interval '2 minutes';
  last_at := greatest(last_at, attempt_last_at);
  oldest_at := least(oldest_at, attempt_oldest_at);
  recent_count := recent_count + attempt_count;
  is_duplicate := is_duplicate or attempt_duplicate;

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

-- As in 20261201050000 (enable_seqscan from 20261201103417), with jit off and the form of a message sent in a burst kept for the next
-- sends' duplicate rule.
create or replace function private.send_message(chatroom_id uuid, content text, reply_to_id bigint)
returns jsonb language plpgsql security definer set search_path = '' set enable_seqscan = off set jit = off as $$
declare
  sender_id uuid := auth.uid();
  known record;              -- the one read: the room, its emote map and matcher, the latest sends
  room public.chatrooms;
  emote_set private.chatroom_emote_sets;
  message private.chat_message_body;
  sender private.chat_sender;
  is_staff boolean;
  is_vip boolean;
  in_burst boolean;
  emotes jsonb;
  result public.messages;
begin
  if sender_id is null then
    perform private.raise_error('auth_required');
  end if;
  -- One sender in one room at a time: racing sends are checked one after the other. The lock comes
  -- before every read, so each check below runs on a snapshot that sees the previous send.
  perform pg_advisory_xact_lock(hashtextextended('chat:' || chatroom_id::text || ':' || sender_id::text, 0));
  select r as room, s as emote_set, m as matcher,
    (select w.created_at from public.messages w
     where w.chatroom_id = r.id and w.user_id = sender_id order by w.id desc limit 1) as last_message_at,
    (select max(a.created_at) from private.chat_blocked_attempts a
     where a.chatroom_id = r.id and a.user_id = sender_id and a.created_at > now() - interval '2 minutes') as last_attempt_at
  into known
  from public.chatrooms r
  left join private.chatroom_emote_sets s on s.chatroom_id = r.id
  left join private.chatroom_term_matchers m on m.chatroom_id = r.id
  where r.id = send_message.chatroom_id;
  room := known.room;
  if room.id is null then
    perform private.raise_error('chatroom_not_found');
  end if;
  message := private.chat_message_body(content);
  if reply_to_id is not null then
    perform private.check_chat_reply(room.id, sender_id, reply_to_id);
  end if;

  sender := private.chat_sender(room.id, sender_id);
  is_staff := sender.is_staff;
  is_vip := not is_staff and 'vip' = any (sender.roles);
  perform private.check_chat_access(room, sender, is_staff, is_vip);
  emote_set := known.emote_set;
  if emote_set.chatroom_id is null then
    emote_set := private.chatroom_emote_set(room.id);
  end if;
  emotes := private.message_emotes(emote_set, sender.is_owner or sender.subscribed_months is not null,
    room.emotes_only and not is_staff, message.body);
  -- The rate rules look back 30 s (slow mode: its own seconds; refused attempts are kept 2 minutes):
  -- a sender with nothing that recent has nothing for them to count.
  in_burst := coalesce(greatest(known.last_message_at, known.last_attempt_at)
    > now() - make_interval(secs => greatest(30, room.slow_mode_seconds)), false);
  if in_burst then
    perform private.check_chat_rate(room, sender_id, is_staff, is_vip, message.content_form);
  end if;
  if not is_staff and private.blocked_term_found(room.id, known.matcher, message.content_form) then
    perform private.record_blocked_attempt(room.id, sender_id, message.body, message.content_form);
    perform set_config('response.status', '403', true);
    return private.error_body('chat_blocked_term');
  end if;

  insert into public.messages (chatroom_id, user_id, content, reply_to_id, sender, emotes)
  values (room.id, sender_id, message.body, reply_to_id, private.chat_identity_from(sender), emotes)
  returning * into result;
  -- The next sends of the burst compare with this form instead of folding the text again.
  if in_burst and not is_staff and octet_length(message.body) > char_length(message.body) then
    delete from private.chat_message_forms f
    where f.chatroom_id = room.id and f.user_id = sender_id and f.created_at < now() - interval '30 seconds';
    insert into private.chat_message_forms (message_id, chatroom_id, user_id, content_form)
    values (result.id, room.id, sender_id, message.content_form);
  end if;
  return to_jsonb(result);
end
$$;
