-- Platform shim, part 1 (cluster-wide, run once as the bootstrap superuser `supabase_admin`):
-- the roles a Supabase database has before user migrations run, with Supabase's attributes and
-- memberships (reference/supabase-platform.md §1.1). Never deployed; idempotent.

do $$
declare
  r record;
begin
  for r in
    select * from (values
      ('anon',                     'nologin inherit'),
      ('authenticated',            'nologin inherit'),
      ('service_role',             'nologin inherit bypassrls'),
      ('authenticator',            'login noinherit'),
      ('postgres',                 'login nosuperuser createdb createrole replication bypassrls'),
      ('supabase_auth_admin',      'login noinherit createrole noreplication'),
      ('supabase_realtime_admin',  'nologin noinherit'),
      ('supabase_functions_admin', 'login noinherit createrole noreplication'),
      ('supabase_read_only_user',  'login bypassrls')
    ) as t(name, attrs)
  loop
    if not exists (select from pg_catalog.pg_roles where rolname = r.name) then
      execute format('create role %I %s', r.name, r.attrs);
    else
      execute format('alter role %I %s', r.name, r.attrs);
    end if;
  end loop;
end
$$;

-- Local-only passwords, as `supabase start` uses them.
alter role postgres password 'postgres';
alter role authenticator password 'postgres';

grant anon, authenticated, service_role to authenticator;
-- `postgres` switches to the API roles in tests (set local role authenticated), as on Supabase.
grant anon, authenticated, service_role to postgres;
-- Realtime's admin owns realtime.* and is a member of the API roles.
grant anon, authenticated, service_role to supabase_realtime_admin;
-- Hosted projects no longer make `postgres` a member of supabase_realtime_admin (Realtime's
-- 20260707120000_restrict_realtime_schema): it cannot alter, index or add tables in `realtime`, and
-- creates policies on realtime.messages through supautils' policy grants. The shim's stand-in for
-- those grants is an event trigger (database.sql, "policy grants"), not membership.
do $$ begin
  if pg_catalog.pg_has_role('postgres', 'supabase_realtime_admin', 'member') then
    revoke supabase_realtime_admin from postgres;
  end if;
end $$;
grant pg_read_all_data to supabase_read_only_user;

-- pgTAP and the Supabase CLI resolve extensions unqualified, as on Supabase (post-setup script).
alter role postgres set search_path to "$user", public, extensions;
alter role supabase_admin set search_path to "$user", public, auth, extensions;

-- Per-role settings as hosted Supabase sets them (supabase/postgres migrations 20221028101028,
-- 20231130133139): PostgREST applies the API role's own settings in each request's transaction.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
