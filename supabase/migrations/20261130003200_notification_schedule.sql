-- Notification jobs: the go-live fan-out drain every second and the 90-day pruning hourly, run by
-- pg_cron on hosted Supabase (plain SQL, no pg_net needed). Serves API.md `notifications`.
--
-- Hosted: enable pg_cron (Dashboard > Database > Extensions), then run `select private.schedule_notification_jobs();`
-- once (this migration does it when pg_cron is already there). The docker-less local stack has no
-- pg_cron: its gateway runs the same jobs on a timer (supabase/platform/scheduler.ts).

-- The jobs, in one place: pg_cron and the local scheduler both read them from here. `schedule` is
-- pg_cron syntax: '<n> seconds' (pg_cron >= 1.5; Supabase ships 1.6) or a five-field cron line.
create function private.notification_jobs()
returns table (name text, schedule text, command text)
language sql
immutable
set search_path = ''
as $$
  values
    ('notifications-fanout', '1 seconds', 'select private.drain_notification_outbox()'),
    ('notifications-prune', '17 * * * *', 'select private.prune_read_notifications()')
$$;

-- Schedules (or re-schedules: cron.schedule upserts by name) every job; false without pg_cron.
create function private.schedule_notification_jobs()
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  job record;
begin
  if not exists (select 1 from pg_catalog.pg_extension where extname = 'pg_cron') then
    raise notice 'notification jobs not scheduled: enable pg_cron, then select private.schedule_notification_jobs()';
    return false;
  end if;
  for job in select * from private.notification_jobs() loop
    -- Dynamic so this function compiles where the cron schema does not exist.
    execute 'select cron.schedule($1, $2, $3)' using job.name, job.schedule, job.command;
  end loop;
  return true;
end
$$;

revoke execute on function private.notification_jobs() from public, anon, authenticated, service_role;
revoke execute on function private.schedule_notification_jobs() from public, anon, authenticated, service_role;

select private.schedule_notification_jobs();
