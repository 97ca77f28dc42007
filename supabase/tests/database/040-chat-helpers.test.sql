-- Chat test helpers (schema `tests`), committed like 000-helpers so the 04x-06x chat files share
-- them: a chat world with every role, direct (backdated) messages, and API error capture.
begin;
select plan(3);

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

select has_function('tests', 'create_chat_world', array['text'], 'the chat world helper exists');
select has_function('tests', 'api', array['text'], 'the API error capture helper exists');
select has_function('tests', 'send_as', array['text', 'uuid', 'text', 'bigint'], 'the send helper exists');
select * from finish();
commit;
