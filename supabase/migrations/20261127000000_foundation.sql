-- Foundation: the `private` schema for helpers the Data API must not expose, and the one place
-- where user-facing error codes live (API.md "error codes"; every RPC raises through it).

create extension if not exists citext with schema extensions;

create schema if not exists private;
revoke all on schema private from public;
-- Policies run their helpers as the querying role, so the API roles need USAGE here. PostgREST
-- exposes only `public`, so nothing in `private` is reachable as an endpoint.
grant usage on schema private to anon, authenticated, service_role;

-- Codes, their HTTP status and default message; each capability's migration adds its own rows.
create table private.error_codes (
  code text primary key check (code ~ '^[a-z][a-z_]*$'),
  http_status integer not null check (http_status between 400 and 599),
  message text not null
);

insert into private.error_codes (code, http_status, message) values
  ('auth_required', 401, 'You must be signed in.'),
  ('not_found', 404, 'Not found.'),
  ('not_staff', 403, 'Only the channel owner or a moderator can do this.'),
  ('cannot_target_staff', 403, 'This action cannot target the channel owner or a moderator.'),
  ('invalid_argument', 422, 'An argument is invalid.');

-- Raises a PostgREST custom error: the client sees {code, message, details} with the code's HTTP
-- status. `details` travels as a JSON-encoded string (PostgREST passes it through as text).
create function private.raise_error(error_code text, details jsonb default null, message text default null)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  found_code private.error_codes;
begin
  select * into found_code from private.error_codes e where e.code = error_code;
  if not found then
    raise exception 'unknown error code: %', error_code;
  end if;
  raise sqlstate 'PGRST' using
    message = json_build_object(
      'code', found_code.code,
      'message', coalesce(raise_error.message, found_code.message),
      'details', case when details is null then null else details::text end)::text,
    detail = json_build_object('status', found_code.http_status)::text;
end
$$;

revoke execute on function private.raise_error(text, jsonb, text) from public;
grant execute on function private.raise_error(text, jsonb, text) to anon, authenticated, service_role;
