-- Search sync scheduling checks for what the job calls (cron.schedule, net.http_post, Vault) rather than
-- extension names, so it is a clean no-op without any of them (API.md `search-sync`, "cron or service").

-- The first version asked pg_extension for pg_cron and pg_net only: with both but no Vault it would
-- schedule a job failing every 10 seconds, and nothing but the real extensions could show it working.
-- This one schedules only when every object the command uses resolves; pgTAP 082 runs both states.
create or replace function private.schedule_search_sync(schedule text default '10 seconds')
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  if pg_catalog.to_regprocedure('cron.schedule(text,text,text)') is null
     or pg_catalog.to_regprocedure('net.http_post(text,jsonb,jsonb,jsonb,integer)') is null
     or pg_catalog.to_regclass('vault.decrypted_secrets') is null then
    raise notice 'search-sync not scheduled: pg_cron, pg_net and Vault must all be enabled';
    return false;
  end if;
  -- Dynamic so this function compiles where the cron schema does not exist.
  execute 'select cron.schedule($1, $2, $3)' using 'search-sync', schedule, private.search_sync_command();
  return true;
end
$$;
