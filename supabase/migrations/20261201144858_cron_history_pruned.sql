-- pg_cron writes a row into cron.job_run_details for every run and never deletes one. The fan-out
-- drain and push-delivery run every second, the other jobs every few seconds: about 9,000 rows an hour
-- (with each job's whole command), which would fill a Free project's 500 MB in days. An hourly job
-- keeps the last six hours, as Supabase's pg_cron guide recommends pruning it. It joins the SQL jobs
-- in private.notification_jobs(), the list pg_cron and the local scheduler both read; locally (no
-- pg_cron) it does nothing.

create function private.prune_cron_history(keep interval default '6 hours')
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  pruned integer;
begin
  if pg_catalog.to_regclass('cron.job_run_details') is null then
    return 0;
  end if;
  -- Dynamic so this function compiles where the cron schema does not exist.
  execute 'delete from cron.job_run_details d where d.end_time < now() - $1' using keep;
  get diagnostics pruned = row_count;
  return pruned;
end
$$;

revoke execute on function private.prune_cron_history(interval) from public, anon, authenticated, service_role;

create or replace function private.notification_jobs()
returns table (name text, schedule text, command text)
language sql
immutable
set search_path = ''
as $$
  values
    ('notifications-fanout', '1 seconds', 'select private.drain_notification_outbox()'),
    ('notifications-prune', '17 * * * *', 'select private.prune_read_notifications()'),
    ('cron-history-prune', '29 * * * *', 'select private.prune_cron_history()')
$$;

select private.schedule_notification_jobs();
