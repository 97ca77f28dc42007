-- Test helpers (schema `tests`), created by the first test file so that they also work under
-- `supabase test db` on a Docker stack. Never part of the migrations. Committed on purpose.
begin;
select plan(5);

create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;
alter default privileges in schema tests revoke execute on functions from public;
alter default privileges in schema tests grant execute on functions to anon, authenticated, service_role;

-- A user as production makes one (private.provision_user); username doubles as the test identifier.
create or replace function tests.create_user(
  username text,
  created_at timestamptz default null,
  email_verified boolean default true
) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  new_id uuid := gen_random_uuid();
begin
  perform private.provision_user(new_id, username, lower(username) || '@example.test', email_verified);
  if created_at is not null then
    update public.users u set created_at = create_user.created_at where u.id = new_id;
  end if;
  return new_id;
end
$$;

create or replace function tests.user_id(username text) returns uuid
language plpgsql stable security definer set search_path = '' as $$
declare
  found_id uuid;
begin
  select u.id into found_id from public.users u where u.username = user_id.username::extensions.citext;
  if found_id is null then
    raise exception 'test user % not found', username;
  end if;
  return found_id;
end
$$;

-- Exactly what PostgREST does per request: role, then the JWT claims with "role" set.
create or replace function tests.authenticate_as(username text) returns void
language plpgsql set search_path = '' as $$
declare
  uid uuid := tests.user_id(username);
begin
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims', json_build_object(
    'sub', uid, 'role', 'authenticated', 'aud', 'authenticated',
    'iat', extract(epoch from now())::bigint, 'exp', extract(epoch from now() + interval '1 hour')::bigint,
    'session_id', gen_random_uuid())::text, true);
end
$$;

create or replace function tests.authenticate_as_anon() returns void
language plpgsql set search_path = '' as $$
begin
  perform set_config('role', 'anon', true);
  perform set_config('request.jwt.claims', '{"role":"anon"}', true);
end
$$;

create or replace function tests.authenticate_as_service_role() returns void
language plpgsql set search_path = '' as $$
begin
  perform set_config('role', 'service_role', true);
  perform set_config('request.jwt.claims', '{"role":"service_role"}', true);
end
$$;

-- Back to the test runner's own role (postgres).
create or replace function tests.clear_authentication() returns void
language plpgsql set search_path = '' as $$
begin
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
end
$$;

-- try_as runs one statement as a role (null = anon, 'service_role', or a username) and answers
-- 'rows:N' (rows read or affected) or the SQLSTATE it failed with; the role is reset either way.
create or replace function tests.try_as(who text, statement text) returns text
language plpgsql set search_path = '' as $$
declare
  n bigint;
begin
  if who is null then
    perform tests.authenticate_as_anon();
  elsif who = 'service_role' then
    perform tests.authenticate_as_service_role();
  else
    perform tests.authenticate_as(who);
  end if;
  begin
    execute statement;
    get diagnostics n = row_count;
  exception when others then
    perform tests.clear_authentication();
    return sqlstate;
  end;
  perform tests.clear_authentication();
  return 'rows:' || n;
end
$$;

-- What Realtime would allow on a private channel (reference/supabase-platform.md §3.6): a probe
-- row inserted by the admin, then a SELECT (receive) or an INSERT (send) as the user's role with
-- `realtime.topic` set. `username` null means anon. Call it as the test runner (postgres).
create or replace function tests.realtime_can(
  action text, username text, topic text, extension text default 'broadcast'
) returns boolean
language plpgsql set search_path = '' as $$
declare
  probe uuid := gen_random_uuid();
  allowed boolean;
begin
  if action not in ('receive', 'send') then
    raise exception 'action must be receive or send';
  end if;
  perform tests.clear_authentication();
  -- Everything happens in a block that ends by raising, so the probe row is rolled back (postgres has
  -- no DELETE on realtime.messages, as on hosted Supabase) and so are the role and topic settings.
  begin
    if action = 'receive' then
      insert into realtime.messages (id, topic, extension) values (probe, realtime_can.topic, realtime_can.extension);
    end if;
    if username is null then
      perform tests.authenticate_as_anon();
    else
      perform tests.authenticate_as(username);
    end if;
    perform set_config('realtime.topic', realtime_can.topic, true);
    if action = 'receive' then
      select exists (select 1 from realtime.messages m where m.id = probe) into allowed;
    else
      insert into realtime.messages (topic, extension) values (realtime_can.topic, realtime_can.extension);
      allowed := true;
    end if;
    raise sqlstate 'P0004';  -- roll the probe back
  exception
    when sqlstate 'P0004' then null;
    when insufficient_privilege then allowed := false;
  end;
  perform tests.clear_authentication();
  return allowed;
end
$$;

-- Broadcasts the database sent in this transaction (same-transaction rows share inserted_at, so
-- look them up by event rather than by order).
create or replace function tests.broadcasts(topic text default null)
returns table (topic text, event text, payload jsonb, private boolean)
language sql stable set search_path = '' as $$
  select m.topic, m.event, m.payload, m.private
  from realtime.messages m
  where m.extension = 'broadcast' and m.event is not null
    and (broadcasts.topic is null or m.topic = broadcasts.topic)
  order by m.inserted_at, m.id
$$;

-- The JSON plan of `query` as the current role (EXPLAIN, not run): plan tests look for index names.
create or replace function tests.plan_of(query text) returns text language plpgsql set search_path = '' as $$
declare
  plan json;
begin
  execute 'explain (format json) ' || query into plan;
  return plan::text;
end
$$;

-- Chat helpers (the 04x-06x files): a chat world with every role, direct (backdated) messages,
-- and API error capture.

-- A channel whose chatroom has a user in each role: owner, moderator (two), vip, og, subscriber,
-- banned, stranger; usernames are `<prefix>_<role>`. Returns the chatroom id.
create or replace function tests.create_chat_world(prefix text default 'chat') returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  owner_uid uuid := tests.create_user(prefix || '_owner', now() - interval '1 year');
  channel uuid;
  room uuid;
begin
  perform tests.create_user(prefix || '_mod', now() - interval '1 year');
  perform tests.create_user(prefix || '_mod2', now() - interval '1 year');
  perform tests.create_user(prefix || '_vip', now() - interval '1 minute', false);
  perform tests.create_user(prefix || '_og', now() - interval '1 year');
  perform tests.create_user(prefix || '_sub', now() - interval '1 year');
  perform tests.create_user(prefix || '_banned', now() - interval '1 year');
  perform tests.create_user(prefix || '_stranger', now() - interval '1 year');
  select c.id into channel from public.channels c where c.owner_id = owner_uid;
  select r.id into room from public.chatrooms r where r.channel_id = channel;
  insert into public.channel_roles (channel_id, user_id, role) values
    (channel, tests.user_id(prefix || '_mod'), 'moderator'),
    (channel, tests.user_id(prefix || '_mod2'), 'moderator'),
    (channel, tests.user_id(prefix || '_vip'), 'vip'),
    (channel, tests.user_id(prefix || '_og'), 'og');
  insert into public.subscriptions (channel_id, user_id, tier, cumulative_months, started_at, current_period_end)
  values (channel, tests.user_id(prefix || '_sub'), 1, 7, now() - interval '7 months', now() + interval '20 days');
  insert into public.chatroom_bans (chatroom_id, user_id, banned_by, reason)
  values (room, tests.user_id(prefix || '_banned'), owner_uid, 'spam');
  return room;
end
$$;

-- The chatroom of a user's channel.
create or replace function tests.chatroom_of(username text) returns uuid
language plpgsql stable security definer set search_path = '' as $$
declare
  room uuid;
begin
  select r.id into room from public.chatrooms r join public.channels c on c.id = r.channel_id
  where c.owner_id = tests.user_id(username);
  return room;
end
$$;

-- A message written straight into the table (as the test runner), `age` in the past.
create or replace function tests.add_message(room uuid, username text, content text, age interval default '0')
returns bigint language plpgsql security definer set search_path = '' as $$
declare
  new_id bigint;
begin
  insert into public.messages (chatroom_id, user_id, content, created_at, sender)
  values (room, tests.user_id(username), content, now() - age,
    jsonb_build_object('username', username, 'badges', '[]'::jsonb))
  returning id into new_id;
  return new_id;
end
$$;

-- Runs `statement` (as the current role) and returns what the API client would see:
-- {"ok": true, "result": ...} or {"code", "message", "details", "status"} for a PostgREST custom
-- error (also for a refusal reported through `response.status`), or {"sqlstate", "message"}.
create or replace function tests.api(statement text) returns jsonb
language plpgsql set search_path = '' as $$
declare
  result jsonb;
  body jsonb;
  status text;
begin
  perform set_config('response.status', '', true);
  begin
    execute 'select to_jsonb(r) from (' || statement || ') r' into result;
  exception
    when sqlstate 'PGRST' then
      declare
        msg text;
        det text;
      begin
        get stacked diagnostics msg = message_text, det = pg_exception_detail;
        body := msg::jsonb;
        return jsonb_build_object('code', body ->> 'code', 'message', body ->> 'message',
          'details', (body ->> 'details')::jsonb, 'status', (det::jsonb ->> 'status')::integer);
      end;
    when others then
      return jsonb_build_object('sqlstate', sqlstate, 'message', sqlerrm);
  end;
  status := nullif(current_setting('response.status', true), '');
  if status is not null and status::integer >= 400 then
    body := (select v from jsonb_each(result) e (k, v) limit 1);
    return jsonb_build_object('code', body ->> 'code', 'message', body ->> 'message',
      'details', body -> 'details', 'status', status::integer);
  end if;
  return jsonb_build_object('ok', true, 'result', (select v from jsonb_each(result) e (k, v) limit 1));
end
$$;

-- send_message as the given user (null = anon); returns tests.api's answer. Leaves the role reset.
create or replace function tests.send_as(username text, room uuid, content text, reply_to bigint default null)
returns jsonb language plpgsql set search_path = '' as $$
declare
  answer jsonb;
begin
  if username is null then
    perform tests.authenticate_as_anon();
  else
    perform tests.authenticate_as(username);
  end if;
  answer := tests.api(format('select public.send_message(%L::uuid, %L, %L::bigint)', room, content, reply_to));
  perform tests.clear_authentication();
  return answer;
end
$$;

-- The code of what tests.send_as answered ('ok' when the message was sent).
create or replace function tests.send_code(username text, room uuid, content text, reply_to bigint default null)
returns text language plpgsql set search_path = '' as $$
declare
  answer jsonb := tests.send_as(username, room, content, reply_to);
begin
  return case when answer ? 'ok' then 'ok' else coalesce(answer ->> 'code', answer ->> 'sqlstate') end;
end
$$;

-- One send judged from a clean slate (the chat-safety corpora): 'ok' when the stored text is the NFC
-- of what was sent ('changed' when not), else 'code' or 'code:reason'. The sender's messages, refused
-- attempts and log rows go afterwards, so no earlier case makes the rate rules decide a later one.
create or replace function tests.send_outcome(username text, room uuid, content text)
returns text language plpgsql set search_path = '' as $$
declare
  answer jsonb := tests.send_as(username, room, content);
begin
  delete from public.messages m where m.user_id = tests.user_id(username);
  delete from private.chat_blocked_attempts a where a.user_id = tests.user_id(username);
  delete from public.moderation_actions l where l.target_user_id = tests.user_id(username);
  if answer ? 'ok' then
    return case when answer -> 'result' ->> 'content' = normalize(content, nfc) then 'ok' else 'changed' end;
  end if;
  return concat_ws(':', answer ->> 'code', answer -> 'details' ->> 'reason');
end
$$;

-- Runs `statement` as `username` (null = anon) through tests.api.
create or replace function tests.api_as(username text, statement text) returns jsonb
language plpgsql set search_path = '' as $$
declare
  answer jsonb;
begin
  if username is null then
    perform tests.authenticate_as_anon();
  else
    perform tests.authenticate_as(username);
  end if;
  answer := tests.api(statement);
  perform tests.clear_authentication();
  return answer;
end
$$;

-- The error code (or 'ok', or the SQLSTATE) of tests.api_as.
create or replace function tests.api_code(username text, statement text) returns text
language plpgsql set search_path = '' as $$
declare
  answer jsonb := tests.api_as(username, statement);
begin
  return case when answer ? 'ok' then 'ok' else coalesce(answer ->> 'code', answer ->> 'sqlstate') end;
end
$$;

-- Runs one write (insert, update, delete) as the current role and answers 1, so tests.api (which
-- wraps statements in a select) can report its custom error codes.
create or replace function tests.run(statement text) returns integer
language plpgsql set search_path = '' as $$
begin
  execute statement;
  return 1;
end
$$;

-- RLS role-matrix helpers (the 090-09x files): name a cell after its outcome (running it with
-- tests.try_as), and prove refused writes left a table unchanged.

create or replace function tests.who(who text) returns text
language sql immutable set search_path = '' as $$
  select case
    when who is null then 'anon'
    when who = 'service_role' then 'the service role'
    when who like '%\_owner' then 'the channel owner'
    when who like '%\_mod' then 'a moderator'
    when who like '%\_vip' then 'a VIP'
    when who like '%\_sub' then 'a subscriber'
    when who like '%\_banned' then 'a banned user'
    when who like '%\_stranger' then 'a stranger (signed in, no role)'
    else who end
$$;

-- One matrix cell: `who` tries `statement`; `expected` is 'rows:N' or a SQLSTATE. The test name
-- says whether the role can or cannot, and how a denial shows (the error, or 0 rows).
-- (search_path `extensions`: pgTAP's own functions call each other unqualified.)
create or replace function tests.cell(who text, action text, statement text, expected text) returns text
language plpgsql set search_path = extensions as $$
begin
  return extensions.is(tests.try_as(who, statement), expected,
    tests.who(who) || case
      when expected = 'rows:0' then ' cannot ' || action || ' (RLS filters it: 0 rows)'
      when expected like 'rows:%' then ' can ' || action || ' (' || substr(expected, 6) || ' rows)'
      else ' cannot ' || action || ' (' || expected || ')' end);
end
$$;

-- A table's content as the test runner sees it (every row, RLS bypassed), to prove denied writes
-- changed nothing.
create or replace function tests.digest(tbl regclass) returns text
language plpgsql set search_path = '' as $$
declare
  d text;
begin
  execute format('select count(*) || '' rows, md5 '' || md5(coalesce(string_agg(t::text, ''|'' order by t::text), '''')) from %s t', tbl)
    into d;
  return d;
end
$$;

create table if not exists tests.matrix_snapshots (tbl regclass primary key, digest text not null);

create or replace function tests.remember(tbl regclass) returns void
language sql set search_path = '' as $$
  insert into tests.matrix_snapshots (tbl, digest) values (tbl, tests.digest(tbl))
  on conflict (tbl) do update set digest = excluded.digest
$$;

create or replace function tests.unchanged(tbl regclass) returns text
language sql set search_path = extensions as $$
  select extensions.is(tests.digest(tbl), (select s.digest from tests.matrix_snapshots s where s.tbl = unchanged.tbl),
    'the refused writes left ' || tbl::text || ' unchanged (same rows, read as the test runner)')
$$;

select has_function('tests', 'realtime_can', array['text', 'text', 'text', 'text'], 'the test helpers exist');
select has_function('tests', 'create_chat_world', array['text'], 'the chat world helper exists');
select has_function('tests', 'api', array['text'], 'the API error capture helper exists');
select has_function('tests', 'send_as', array['text', 'uuid', 'text', 'bigint'], 'the send helper exists');
select has_function('tests', 'cell', array['text', 'text', 'text', 'text'], 'the RLS matrix helpers exist');
select * from finish();
commit;
