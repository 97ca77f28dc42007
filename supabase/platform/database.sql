-- Platform shim, part 2 (per database, run as `supabase_admin` in the target database):
-- what a Supabase database holds before user migrations run — schemas extensions, auth, realtime,
-- net and vault with the same names, signatures and behaviour that our migrations and tests rely on
-- (reference/supabase-platform.md). Written from the documented behaviour; never deployed.

-- Extensions ------------------------------------------------------------------------------------
create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
grant all on schema extensions to postgres with grant option;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgtap with schema extensions;

-- Default privileges exactly as on hosted Supabase (§1.4): the platform grants everything in public
-- to the API roles by default, then the 2026 Data API revoke takes back only SELECT/INSERT/UPDATE/
-- DELETE on tables, USAGE/SELECT on sequences and EXECUTE on functions. TRUNCATE, REFERENCES,
-- TRIGGER (MAINTAIN on 17) and sequence UPDATE stay granted on every new table and sequence, so only
-- the migrations' own revokes (20261130000100) keep them from the API roles, and pgTAP 092 sees it.
-- The platform sets this up once, before the first migration: re-applying the shim to a migrated
-- database must not undo what the migrations changed.
grant usage on schema public to postgres, anon, authenticated, service_role;
do $$
begin
  if to_regclass('supabase_migrations.schema_migrations') is null then
    alter default privileges for role postgres in schema public
      grant all on tables to anon, authenticated, service_role;
    alter default privileges for role postgres in schema public
      grant all on sequences to anon, authenticated, service_role;
    alter default privileges for role postgres in schema public
      grant all on functions to anon, authenticated, service_role;
    alter default privileges for role postgres in schema public
      revoke select, insert, update, delete on tables from anon, authenticated, service_role;
    alter default privileges for role postgres in schema public
      revoke usage, select on sequences from anon, authenticated, service_role;
    alter default privileges for role postgres in schema public
      revoke execute on functions from anon, authenticated, service_role;
  end if;
end
$$;

-- auth ------------------------------------------------------------------------------------------
create schema if not exists auth authorization supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role, postgres;

create table if not exists auth.users (
  instance_id uuid,
  id uuid primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  phone text unique,
  email_confirmed_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_sso_user boolean not null default false,
  is_anonymous boolean not null default false,
  deleted_at timestamptz,
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
alter table auth.users owner to supabase_auth_admin;
alter table auth.users enable row level security;
grant all on auth.users to postgres;

-- The GoTrue definitions: the JSON claims GUC that PostgREST sets, or the legacy per-claim one.
create or replace function auth.uid() returns uuid language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
create or replace function auth.role() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
create or replace function auth.email() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;
create or replace function auth.jwt() returns jsonb language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;

-- realtime --------------------------------------------------------------------------------------
create schema if not exists realtime;
grant usage on schema realtime to postgres, anon, authenticated, service_role;
grant all on schema realtime to supabase_realtime_admin with grant option;

create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp not null default now(),
  inserted_at timestamp not null default now(),
  id uuid not null default gen_random_uuid(),
  binary_payload bytea,
  constraint messages_payload_exclusive check (payload is null or binary_payload is null) not valid,
  primary key (id, inserted_at)
) partition by range (inserted_at);
-- Realtime keeps daily partitions (realtime.streamz_local_maintain_partitions below); no default one.
drop table if exists realtime.messages_default;
create index if not exists messages_inserted_at_topic_index
  on realtime.messages (inserted_at desc, topic) where extension = 'broadcast' and private is true;
alter table realtime.messages owner to supabase_realtime_admin;
alter table realtime.messages enable row level security;
grant select, insert, update on realtime.messages to postgres, anon, authenticated, service_role;

create or replace function realtime.topic() returns text language sql stable as $$
  select nullif(current_setting('realtime.topic', true), '')::text
$$;

-- Same contract as Realtime's own: runs as the caller (so RLS on realtime.messages applies), adds
-- an `id` to the payload, and does all its work inside the block whose handler turns any failure
-- (a payload that is not an object, a missing partition, an RLS refusal) into a WARNING, losing the
-- message; it never raises.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void language plpgsql as $$
declare
  generated_id uuid;
  final_payload jsonb;
begin
  begin
    generated_id := gen_random_uuid();
    final_payload := case when payload ? 'id' then payload else jsonb_set(payload, '{id}', to_jsonb(generated_id)) end;
    execute format('set local realtime.topic to %L', topic);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (generated_id, final_payload, event, topic, private, 'broadcast');
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end
$$;

create or replace function realtime.broadcast_changes(
  topic_name text, event_name text, operation text, table_name text, table_schema text,
  new record, old record, level text default 'ROW'
) returns void language plpgsql as $$
declare
  row_data jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation not in ('INSERT', 'UPDATE', 'DELETE') then
    raise exception 'Unexpected operation type: %', operation;
  end if;
  row_data := jsonb_build_object(
    'old_record', case when operation = 'INSERT' then null else to_jsonb(old) end,
    'record', case when operation = 'DELETE' then null else to_jsonb(new) end,
    'operation', operation, 'table', table_name, 'schema', table_schema);
  perform realtime.send(row_data, event_name, topic_name);
exception when others then
  raise exception 'Failed to process the row: %', sqlerrm;
end
$$;

alter function realtime.topic() owner to supabase_realtime_admin;
alter function realtime.send(jsonb, text, text, boolean) owner to supabase_realtime_admin;
alter function realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  owner to supabase_realtime_admin;
grant execute on all functions in schema realtime to postgres, anon, authenticated, service_role;

-- Realtime's partition maintenance (its janitor, lib/realtime/tenants/janitor): daily partitions
-- realtime.messages_YYYY_MM_DD from yesterday to today+3 (UTC), and partitions whose day ended more
-- than 72 hours ago dropped. No default partition, so a message outside them fails (and
-- realtime.send turns that into a WARNING) as on hosted. Locally the shim runs it on every apply and
-- the Realtime stand-in (supabase/platform/realtime.ts) at start and hourly; `today` is a parameter
-- so pgTAP can run it as of another day.
create or replace function realtime.streamz_local_maintain_partitions(
  today date default (pg_catalog.now() at time zone 'utc')::date
) returns void
language plpgsql security definer set search_path = '' as $$
declare
  day date;
  old_partition text;
begin
  for old_partition in
    select c.relname from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'realtime.messages'::regclass and c.relname ~ '^messages_[0-9]{4}_[0-9]{2}_[0-9]{2}$'
      and pg_catalog.to_date(substr(c.relname, 10), 'YYYY_MM_DD') + 1 <= (today::timestamp - interval '72 hours')::date
  loop
    execute format('drop table realtime.%I', old_partition);
  end loop;
  for day in select d::date from pg_catalog.generate_series(today - 1, today + 3, interval '1 day') d loop
    execute format('create table if not exists realtime.%I partition of realtime.messages for values from (%L) to (%L)',
      'messages_' || pg_catalog.to_char(day, 'YYYY_MM_DD'), day::timestamp, (day + 1)::timestamp);
  end loop;
end
$$;
alter function realtime.streamz_local_maintain_partitions(date) owner to supabase_realtime_admin;
revoke execute on function realtime.streamz_local_maintain_partitions(date) from public, anon, authenticated, service_role;
grant execute on function realtime.streamz_local_maintain_partitions(date) to postgres;
select realtime.streamz_local_maintain_partitions();

-- supautils' policy grants, local stand-in: `postgres` is not a member of supabase_realtime_admin
-- (roles.sql), yet may create, alter and drop policies on realtime.messages, as on hosted. Around a
-- policy command run by a `postgres` session it holds the membership for that command only (a
-- failing command rolls the grant back with it), and refuses policies on any other realtime table.
create or replace function realtime.streamz_local_policy_grant() returns event_trigger
language plpgsql security definer set search_path = '' as $$
declare
  target text;
begin
  if session_user::text <> 'postgres' then
    return;
  end if;
  if tg_event = 'ddl_command_start' then
    if not pg_catalog.pg_has_role('postgres', 'supabase_realtime_admin', 'member') then
      grant supabase_realtime_admin to postgres;
      perform pg_catalog.set_config('streamz.policy_grant', 'held', true);
    end if;
    return;
  end if;
  if pg_catalog.current_setting('streamz.policy_grant', true) = 'held' then
    revoke supabase_realtime_admin from postgres;
    perform pg_catalog.set_config('streamz.policy_grant', '', true);
  end if;
  select c.object_identity into target from pg_catalog.pg_event_trigger_ddl_commands() c
  where c.schema_name = 'realtime' and c.object_identity not like '% on realtime.messages';
  if target is not null then
    raise exception 'must be owner of the table of policy %', target using errcode = '42501';
  end if;
end
$$;
revoke execute on function realtime.streamz_local_policy_grant() from public, anon, authenticated, service_role;
drop event trigger if exists streamz_local_policy_grant_start;
drop event trigger if exists streamz_local_policy_grant_end;
create event trigger streamz_local_policy_grant_start on ddl_command_start
  when tag in ('CREATE POLICY', 'ALTER POLICY', 'DROP POLICY') execute function realtime.streamz_local_policy_grant();
create event trigger streamz_local_policy_grant_end on ddl_command_end
  when tag in ('CREATE POLICY', 'ALTER POLICY', 'DROP POLICY') execute function realtime.streamz_local_policy_grant();

-- Local only, not on Supabase: the stand-in Realtime server (supabase/platform/realtime.ts) learns of
-- database broadcasts through NOTIFY instead of logical replication. NOTIFY is delivered on commit,
-- so a rolled-back message is never sent, as with the real one.
create or replace function realtime.streamz_local_notify() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform pg_catalog.pg_notify('streamz_realtime', new.id::text || ',' || new.inserted_at::text);
  return null;
end
$$;
alter function realtime.streamz_local_notify() owner to supabase_realtime_admin;
create or replace trigger streamz_local_notify after insert on realtime.messages
  for each row when (new.extension = 'broadcast' and new.event is not null)
  execute function realtime.streamz_local_notify();

do $$ begin
  if not exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end $$;

-- net: no stand-in. pg_net is not packaged for Debian, and a project without the extension has no
-- `net` schema; an older shim made one, so drop it (pgTAP 082 tests both states).
do $$ begin
  if not exists (select from pg_catalog.pg_extension where extname = 'pg_net') then
    drop schema if exists net cascade;
  end if;
end $$;

-- vault (secrets stored in clear here; the real one encrypts) ----------------------------------
create schema if not exists vault;
grant usage on schema vault to postgres, service_role;
create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text unique,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create or replace view vault.decrypted_secrets as
  select id, name, description, secret, secret as decrypted_secret, key_id, nonce, created_at, updated_at
  from vault.secrets;
create or replace function vault.create_secret(
  new_secret text, new_name text default null, new_description text default '', new_key_id uuid default null
) returns uuid language sql security definer set search_path = '' as $$
  insert into vault.secrets (secret, name, description, key_id)
  values (new_secret, new_name, new_description, new_key_id)
  returning id
$$;
grant select, insert, update, delete on vault.secrets to postgres, service_role;
grant select on vault.decrypted_secrets to postgres, service_role;
revoke execute on function vault.create_secret(text, text, text, uuid) from public;
grant execute on function vault.create_secret(text, text, text, uuid) to postgres, service_role;
