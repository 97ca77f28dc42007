-- A send reads the room, its emote map, its blocked-term matcher and the sender's latest message and
-- refused attempt in one statement, right after the per-sender lock, and skips each rule's own
-- function when that read already shows the rule has nothing to check (no terms, nothing recent).
-- Emote positions come from two splits of the message instead of a regexp_matches query. Same rules
-- and answers as before; serves API.md `send_message`.

-- The emotes a message uses, in order of first appearance: [{id, code, image_url, positions: [{s, e}]}]
-- with 0-based inclusive character offsets of whole whitespace-separated tokens; in emotes-only mode
-- (`must_be_emotes`) every token must be one. `emote_set` is the room's map (private.chatroom_emote_set);
-- its subscriber emotes count first when `may_use_subscriber_emotes`.
create function private.message_emotes(emote_set private.chatroom_emote_sets, may_use_subscriber_emotes boolean,
  must_be_emotes boolean, body text)
returns jsonb language plpgsql stable set search_path = '' as $$
declare
  words text[] := regexp_split_to_array(body, '\s+');
  gaps text[];               -- gaps[i]: the whitespace before the i-th token
  token text;
  i integer := 0;
  starts_at integer := 0;
  emote jsonb;
  codes text[] := '{}';      -- each emote used, in order of first appearance
  emotes text[] := '{}';     -- its JSON without the closing brace
  positions text[] := '{}';  -- its positions as JSON array items
  k integer;
begin
  -- Most messages hold no emote: one lookup of all their words says so.
  if not must_be_emotes
     and not (emote_set.everyone ?| words or (may_use_subscriber_emotes and emote_set.subscribers ?| words)) then
    return '[]';
  end if;
  -- Splitting on the tokens leaves the gaps, one more than the tokens (the first may be empty).
  gaps := regexp_split_to_array(body, '\S+');
  foreach token in array array_remove(words, '') loop
    i := i + 1;
    starts_at := starts_at + char_length(gaps[i]);
    emote := coalesce(case when may_use_subscriber_emotes then emote_set.subscribers -> token end,
                      emote_set.everyone -> token);
    if emote is null then
      if must_be_emotes then
        perform private.raise_error('chat_emotes_only');
      end if;
    else
      k := array_position(codes, token);
      if k is null then
        codes := codes || token;
        emotes := emotes || left(emote::text, -1);
        positions := positions || format('{"s": %s, "e": %s}', starts_at, starts_at + char_length(token) - 1);
      else
        positions[k] := positions[k] || format(', {"s": %s, "e": %s}', starts_at, starts_at + char_length(token) - 1);
      end if;
    end if;
    starts_at := starts_at + char_length(token);
  end loop;
  -- Written as JSON text and parsed once: every jsonb operation would copy the whole value again.
  for k in 1 .. cardinality(codes) loop
    emotes[k] := format('%s, "positions": [%s]}', emotes[k], positions[k]);
  end loop;
  return ('[' || array_to_string(emotes, ', ') || ']')::jsonb;
end
$$;

-- Whether a message's matching form holds one of the room's active blocked terms, given the room's
-- matcher as read by the caller (null when the room has none yet): a missing or expired matcher is
-- rebuilt first. The word sequences and the word starts and ends to look up are gathered by plain
-- loops: the same lists as queries over generate_series would cost a plan execution each.
create function private.blocked_term_found(chatroom_id uuid, matcher private.chatroom_term_matchers, content_form text)
returns boolean language plpgsql volatile security definer set search_path = '' as $$
declare
  words text[];
  word text;
  joined text;
  runs text[] := '{}';       -- runs of words, for exact terms
  starts text[] := '{}';
  ends text[] := '{}';
  i integer;
  n integer;
begin
  if matcher.chatroom_id is null or matcher.next_expiry <= now() then
    matcher := private.rebuild_term_matcher(chatroom_id);
  end if;
  if matcher.max_words = 0 and matcher.max_prefix = 0 and matcher.max_suffix = 0 and matcher.pattern is null then
    return false;
  end if;
  words := array_remove(regexp_split_to_array(content_form, '\W+'), '');
  -- Exact terms: every run of up to max_words consecutive words, joined without spaces.
  if matcher.max_words > 0 then
    for i in 1 .. cardinality(words) loop
      joined := '';
      for n in i .. least(cardinality(words), i + matcher.max_words - 1) loop
        joined := joined || words[n];
        runs := runs || joined;
      end loop;
    end loop;
    if matcher.exact ?| runs then
      return true;
    end if;
  end if;
  -- Prefix terms (`word*`) and suffix terms (`*word`): each word's starts and ends of 2 characters or more.
  if matcher.max_prefix > 0 or matcher.max_suffix > 0 then
    foreach word in array words loop
      for n in 2 .. least(char_length(word), greatest(matcher.max_prefix, matcher.max_suffix)) loop
        if n <= matcher.max_prefix then
          starts := starts || left(word, n);
        end if;
        if n <= matcher.max_suffix then
          ends := ends || right(word, n);
        end if;
      end loop;
    end loop;
    if matcher.prefixes ?| starts or matcher.suffixes ?| ends then
      return true;
    end if;
  end if;
  return coalesce(content_form ~ matcher.pattern, false);
end
$$;

-- Sends a message as the caller: API.md's rules, in the contract's order. Staff (owner, moderators)
-- bypass every mode and rate rule and blocked terms but not the content rules (their rate limit is
-- 100 per 30 s); VIPs bypass slow mode, followers-only, subscribers-only and the account requirements.
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
  known record;              -- the one read: the room, its emote map and matcher, the latest sends
  room public.chatrooms;
  emote_set private.chatroom_emote_sets;
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
  if greatest(known.last_message_at, known.last_attempt_at) > now() - make_interval(secs => greatest(30, room.slow_mode_seconds)) then
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
  return to_jsonb(result);
end
$$;

drop function private.chat_message_emotes(public.chatrooms, private.chat_sender, boolean, text);
drop function private.has_blocked_term(uuid, text);

revoke execute on function private.message_emotes(private.chatroom_emote_sets, boolean, boolean, text) from public;
revoke execute on function private.blocked_term_found(uuid, private.chatroom_term_matchers, text) from public;

-- The sender's facts are key lookups. Where a table is small (a new site's subscriber badges) the
-- planner scans and sorts it instead, which costs more per send than the index probe.
alter function private.chat_sender(uuid, uuid) set enable_seqscan = off;
