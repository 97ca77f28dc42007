-- Test helpers (schema `tests`), created by the first test file so that they also work under
-- `supabase test db` on a Docker stack. Never part of the migrations. Committed on purpose.
begin;
select plan(1);

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

select has_function('tests', 'realtime_can', array['text', 'text', 'text', 'text'], 'the test helpers exist');
select * from finish();
commit;
