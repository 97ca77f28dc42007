-- API-role privileges as hosted Supabase leaves them: no TRUNCATE/REFERENCES/TRIGGER/MAINTAIN on tables, no sequence
-- UPDATE, no EXECUTE by default, for existing and future objects (API.md "Privileges"; every grant there is explicit).

-- Hosted Supabase's 2026 revoke takes back only SELECT, INSERT, UPDATE and DELETE on new tables,
-- USAGE and SELECT on sequences and EXECUTE on functions: anon, authenticated and service_role keep
-- TRUNCATE, REFERENCES and TRIGGER (and MAINTAIN on PostgreSQL 17) on every table in public, and
-- UPDATE on its sequences. Take them back on what exists ...
revoke truncate, references, trigger on all tables in schema public from anon, authenticated, service_role;
do $$
begin
  if current_setting('server_version_num')::int >= 170000 then
    execute 'revoke maintain on all tables in schema public from anon, authenticated, service_role';
  end if;
end
$$;
revoke update on all sequences in schema public from anon, authenticated, service_role;

-- ... and on everything later migrations create (they run as postgres, on hosted as here), so a new
-- table, sequence or function starts with no API-role privilege at all and each migration writes
-- only its explicit GRANTs. ALL covers MAINTAIN on 17 without naming it.
alter default privileges for role postgres in schema public
  revoke all on tables from anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  revoke all on sequences from anon, authenticated, service_role;
alter default privileges for role postgres in schema public, private
  revoke execute on functions from anon, authenticated, service_role;
-- PUBLIC's EXECUTE on new functions is a global default: a per-schema revoke cannot remove it, so
-- this one is global (every function postgres creates, in any schema, starts callable by its owner only).
alter default privileges for role postgres revoke execute on functions from public;

-- Existing functions: PUBLIC loses EXECUTE where a migration forgot to revoke it (trigger functions
-- need none); the helpers policies call and the RPCs keep their explicit grants to the API roles.
revoke execute on all functions in schema public, private from public;
