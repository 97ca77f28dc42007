-- `bench:chat --profile`: where a send's time goes. For :sends chatters of the bench world (each
-- sends once, so no rate rule refuses), every step of private.send_message is run on its own with
-- the same inputs and timed; then send_message itself for as many other chatters. Prints each step's
-- share of all the steps. Runs as the bench's superuser; each send commits, as a real one
-- does (the bench database is dropped afterwards).
create temporary table profile (step text primary key, seconds double precision not null default 0, position integer);
insert into profile (step, position) values
  ('auth and per-sender lock', 1), ('the one read (room, emote map, term matcher, latest sends)', 2),
  ('content rules and matching form', 3),
  ('sender facts (ban, roles, follow, subscription, identity)', 4), ('access rules (ban, age, email, followers, subscribers)', 5),
  ('emotes, emotes-only and their positions', 6), ('slow mode, duplicates, rate window', 7), ('blocked terms', 8),
  ('identity and badges', 9), ('insert (without broadcast)', 11), ('broadcast (message.created)', 12),
  ('send_message, whole', 99);

select coalesce(max(id), 0) as history_max from public.messages \gset
-- The steps plan as send_message does (20261201103417: by index, whatever the tables' size).
set enable_seqscan = off;
select set_config('bench.sends', :'sends', false) \gset
do $$
declare
  sends constant integer := current_setting('bench.sends')::integer;
  n integer;
  t0 timestamptz;
  t1 timestamptz;
  room_id uuid;
  known record;
  room public.chatrooms;
  message private.chat_message_body;
  sender private.chat_sender;
  emotes jsonb;
  staff boolean;
  body text;
  user_id uuid;
  acc double precision[] := array_fill(0::double precision, array[12]);
  whole double precision := 0;
begin
  for n in 0 .. sends - 1 loop
    user_id := ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid;
    body := bench.emote_text(n + 7);
    perform set_config('request.jwt.claims', json_build_object('role', 'authenticated', 'sub', user_id)::text, true);

    t0 := clock_timestamp();
    room_id := (select b.room_id from bench.rooms b where b.k = n % 50);
    perform pg_advisory_lock(hashtextextended('chat:' || room_id::text || ':' || user_id::text, 0));
    t1 := clock_timestamp(); acc[1] := acc[1] + extract(epoch from t1 - t0);
    perform pg_advisory_unlock(hashtextextended('chat:' || room_id::text || ':' || user_id::text, 0));
    t0 := clock_timestamp();
    select r as room, s as emote_set, m as matcher,
      (select w.created_at from public.messages w
       where w.chatroom_id = r.id and w.user_id = auth.uid() order by w.id desc limit 1) as last_message_at,
      (select max(a.created_at) from private.chat_blocked_attempts a
       where a.chatroom_id = r.id and a.user_id = auth.uid() and a.created_at > now() - interval '2 minutes') as last_attempt_at
    into known
    from public.chatrooms r
    left join private.chatroom_emote_sets s on s.chatroom_id = r.id
    left join private.chatroom_term_matchers m on m.chatroom_id = r.id
    where r.id = room_id;
    room := known.room;
    t1 := clock_timestamp(); acc[2] := acc[2] + extract(epoch from t1 - t0); t0 := t1;
    message := private.chat_message_body(body);
    t1 := clock_timestamp(); acc[3] := acc[3] + extract(epoch from t1 - t0); t0 := t1;
    sender := private.chat_sender(room.id, user_id);
    staff := sender.is_staff;
    t1 := clock_timestamp(); acc[4] := acc[4] + extract(epoch from t1 - t0); t0 := t1;
    perform private.check_chat_access(room, sender, staff, not staff and 'vip' = any (sender.roles));
    t1 := clock_timestamp(); acc[5] := acc[5] + extract(epoch from t1 - t0); t0 := t1;
    emotes := private.message_emotes(coalesce(known.emote_set, private.chatroom_emote_set(room.id)),
      sender.is_owner or sender.subscribed_months is not null, room.emotes_only and not staff, message.body);
    t1 := clock_timestamp(); acc[6] := acc[6] + extract(epoch from t1 - t0); t0 := t1;
    -- Each chatter sends once here, so the rate rules are skipped as a send skips them.
    if greatest(known.last_message_at, known.last_attempt_at) > now() - make_interval(secs => greatest(30, room.slow_mode_seconds)) then
      perform private.check_chat_rate(room, user_id, staff, false, message.content_form);
    end if;
    t1 := clock_timestamp(); acc[7] := acc[7] + extract(epoch from t1 - t0); t0 := t1;
    perform private.blocked_term_found(room.id, known.matcher, message.content_form);
    t1 := clock_timestamp(); acc[8] := acc[8] + extract(epoch from t1 - t0); t0 := t1;
    perform private.chat_identity_from(sender);
    t1 := clock_timestamp(); acc[9] := acc[9] + extract(epoch from t1 - t0); t0 := t1;
    insert into public.messages (chatroom_id, user_id, content, sender, emotes)
    values (room.id, user_id, message.body, '{}', emotes);
    t1 := clock_timestamp(); acc[12] := acc[12] + extract(epoch from t1 - t0);
    commit;
  end loop;

  -- The same inserts with triggers off (replica, set once: changing it discards cached plans); the
  -- difference is the broadcast trigger.
  perform set_config('session_replication_role', 'replica', false);
  for n in 0 .. sends - 1 loop
    user_id := ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid;
    t0 := clock_timestamp();
    insert into public.messages (chatroom_id, user_id, content, sender, emotes)
    values ((select b.room_id from bench.rooms b where b.k = n % 50), user_id, bench.emote_text(n + 11), '{}', '[]');
    acc[11] := acc[11] + extract(epoch from clock_timestamp() - t0);
    commit;
  end loop;
  perform set_config('session_replication_role', 'origin', false);
  acc[12] := acc[12] - acc[11];

  for n in sends .. 2 * sends - 1 loop
    user_id := ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid;
    perform set_config('request.jwt.claims', json_build_object('role', 'authenticated', 'sub', user_id)::text, true);
    t0 := clock_timestamp();
    perform private.send_message((select b.room_id from bench.rooms b where b.k = n % 50), bench.emote_text(n + 7), null);
    whole := whole + extract(epoch from clock_timestamp() - t0);
    commit;
  end loop;

  update profile p set seconds = acc[p.position] where p.position <= 12;
  update profile p set seconds = whole where p.position = 99;
end
$$;

-- Shares are of the steps' sum: timing each step on its own adds a call per step, so the steps add
-- up to more than one whole send (printed below them for scale).
\pset footer off
select p.step, round((p.seconds * 1e6 / :sends)::numeric, 1) as us_per_send,
  case when p.position < 99 then round((100 * p.seconds / (select sum(seconds) from profile where position < 99))::numeric, 1) end as share_pct
from profile p order by p.position;

-- The sends above would count as duplicates for the throughput runs that follow: start them clean
-- (the history loaded before stays).
delete from public.messages where id > :history_max;
