-- The rate window and the blocked terms each read what they need in one statement instead of two:
-- every statement of a send costs its own executor start. Same rules; serves API.md `send_message`.

-- Same answer as 20261130002100: the room's matcher and the message's words are read and matched in
-- one statement; a missing or expired matcher is rebuilt, then matched again.
create or replace function private.has_blocked_term(chatroom_id uuid, content_form text)
returns boolean language plpgsql volatile security definer
set search_path = '' set plan_cache_mode = force_generic_plan as $$
declare
  stale boolean;
  hit boolean;
begin
  for attempt in 1 .. 2 loop
    select m.chatroom_id is null or m.next_expiry <= now(),
      (m.max_words > 0 and m.exact ?| array(
         select array_to_string(w.words[i:i + n - 1], '')
         from generate_series(1, cardinality(w.words)) i, generate_series(1, m.max_words) n
         where i + n - 1 <= cardinality(w.words)))
      or (m.max_prefix > 0 and m.prefixes ?| array(
         select left(x, n) from unnest(w.words) x, generate_series(2, least(char_length(x), m.max_prefix)) n))
      or (m.max_suffix > 0 and m.suffixes ?| array(
         select right(x, n) from unnest(w.words) x, generate_series(2, least(char_length(x), m.max_suffix)) n))
      or coalesce(has_blocked_term.content_form ~ m.pattern, false)
    into stale, hit
    from (select array_remove(regexp_split_to_array(has_blocked_term.content_form, '\W+'), '') as words) w
    left join private.chatroom_term_matchers m on m.chatroom_id = has_blocked_term.chatroom_id;
    exit when not stale;
    perform private.rebuild_term_matcher(chatroom_id);
  end loop;
  return coalesce(hit, false);
end
$$;

-- Same rules as 20261201012000; the sender's latest message and their refused attempts of the last two
-- minutes are read in one statement.
create or replace function private.check_chat_rate(room public.chatrooms, sender_id uuid, is_staff boolean, is_vip boolean, content_form text)
returns void language plpgsql stable security definer
set search_path = '' set plan_cache_mode = force_generic_plan as $$
declare
  rate_limit integer := case when is_staff then 100 else 20 end;
  window_start timestamptz := now() - interval '30 seconds';
  last_at timestamptz;
  oldest_at timestamptz;
  recent_count integer := 0;
  is_duplicate boolean := false;
  attempt_last_at timestamptz;
  attempt_oldest_at timestamptz;
  attempt_count integer;
  attempt_duplicate boolean;
  waited double precision;
begin
  -- Refused blocked-term attempts count too (kept two minutes).
  select (select r.created_at from public.messages r
          where r.chatroom_id = room.id and r.user_id = sender_id order by r.id desc limit 1),
         max(a.created_at), min(a.created_at) filter (where a.created_at > window_start),
         count(*) filter (where a.created_at > window_start)::integer,
         coalesce(bool_or(a.created_at > window_start and a.content_form = check_chat_rate.content_form), false)
  into last_at, attempt_last_at, attempt_oldest_at, attempt_count, attempt_duplicate
  from private.chat_blocked_attempts a
  where a.chatroom_id = room.id and a.user_id = sender_id and a.created_at > now() - interval '2 minutes';
  -- A sender's messages in a room are written one at a time (send_message's per-sender lock), so their
  -- ids follow their times: when the latest is outside the window, every earlier one is too.
  if last_at > window_start then
    select min(w.created_at), count(*)::integer,
           coalesce(bool_or(not is_staff and private.matching_form(w.content) = content_form), false)
    into oldest_at, recent_count, is_duplicate
    from (select r.created_at, r.content from public.messages r
          where r.chatroom_id = room.id and r.user_id = sender_id
          order by r.id desc limit rate_limit) w
    where w.created_at > window_start;
  end if;
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
