-- The rate window walks the sender's messages newest first and stops at the first one outside the
-- 30 s window, instead of reading their last 20 (mostly old rows, from disk in a large table) whenever
-- the latest is recent. Same rules as 20261201012000; serves API.md `send_message`.

-- A sender's messages in a room are written one at a time (send_message's per-sender lock), so their
-- ids follow their times: the messages inside the window are the newest ones, and one step past the
-- last of them is enough. Each step is one index probe (the recursive walk); the latest message is
-- the first step, so a sender whose latest message is old costs one probe, as before.
create or replace function private.check_chat_rate(room public.chatrooms, sender_id uuid, is_staff boolean, is_vip boolean, content_form text)
returns void language plpgsql stable security definer
set search_path = '' set plan_cache_mode = force_generic_plan as $$
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
         coalesce(bool_or(w.created_at > window_start and not is_staff and private.matching_form(w.content) = content_form), false)
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
