-- Search sync scheduling: pg_cron calls the `search-sync` function through pg_net every 10 seconds
-- while the search outbox has work. Serves API.md `search-sync` ("cron or service").
--
-- Needs the pg_cron and pg_net extensions (Dashboard > Database > Extensions) and two Vault secrets:
--   select vault.create_secret('https://<project-ref>.supabase.co', 'project_url');
--   select vault.create_secret('<service role key or sb_secret_ key>', 'search_sync_key');
-- Where the extensions are missing (the docker-less local stack) this migration schedules nothing;
-- after enabling them, run `select private.schedule_search_sync();` once.

-- The statement cron runs: one POST, only when a row is ready, with the URL and key read from Vault
-- at run time (nothing secret is stored in cron.job).
create function private.search_sync_command()
returns text
language sql
immutable
set search_path = ''
as $cmd$
  select $$
    select net.http_post(
      url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url') || '/functions/v1/search-sync',
      headers := jsonb_build_object(
        'Content-Type', 'application/json',
        'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'search_sync_key'),
        'apikey', (select decrypted_secret from vault.decrypted_secrets where name = 'search_sync_key')),
      body := '{}'::jsonb,
      timeout_milliseconds := 60000) as request_id
    where exists (
      select 1 from private.search_outbox o
      where o.parked_at is null and o.next_attempt_at <= now()
        and (o.locked_until is null or o.locked_until < now()))
  $$
$cmd$;

-- Schedules (or re-schedules: cron.schedule upserts by name) the job; false when pg_cron or pg_net is
-- not installed. pg_cron >= 1.5 takes second intervals (Supabase ships 1.6).
create function private.schedule_search_sync(schedule text default '10 seconds')
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from pg_catalog.pg_extension where extname = 'pg_cron')
     or not exists (select 1 from pg_catalog.pg_extension where extname = 'pg_net') then
    raise notice 'search-sync not scheduled: pg_cron and pg_net must both be enabled';
    return false;
  end if;
  -- Dynamic so this function compiles where the cron schema does not exist.
  execute 'select cron.schedule($1, $2, $3)' using 'search-sync', schedule, private.search_sync_command();
  return true;
end
$$;

revoke execute on function private.search_sync_command() from public, anon, authenticated, service_role;
revoke execute on function private.schedule_search_sync(text) from public, anon, authenticated, service_role;

select private.schedule_search_sync();
