-- Viewer counts: `livestreams.peak_viewer_count` and `viewer_count_updated_at`, written by the
-- `viewer-counts` function at most every 15 s per stream, and its schedule. Serves API.md `livestreams`, `viewer-counts`.

alter table public.livestreams
  add column peak_viewer_count integer not null default 0
    constraint livestreams_peak_viewer_count_positive check (peak_viewer_count >= 0),
  add column viewer_count_updated_at timestamptz;

comment on column public.livestreams.viewer_count is
  'Concurrent viewers (Livepeer Studio''s realtime viewership), 0 or more, refreshed at most every 15 s while live; each change sends livestream.updated.';
comment on column public.livestreams.peak_viewer_count is 'The highest viewer_count this stream reached (0 or more).';
comment on column public.livestreams.viewer_count_updated_at is 'When viewer_count was last written; null until the first count.';

-- The live streams by playback id: what each viewer-counts run reads.
create index livestreams_live_playback_id_idx on public.livestreams (playback_id) where ended_at is null;

-- Writes the counts of one viewership answer ({"<playback_id>": viewers, ...}): every live stream with
-- a playback id gets its count, 0 when the answer does not name it (nobody watching). A stream is
-- written only when its count changed and its last write is at least 15 s old, so
-- livestream.updated (sent by the livestreams trigger for each written row) and the search
-- re-index that viewer_count feeds happen at most every 15 s per stream. Returns the rows written.
create function private.record_viewer_counts(counts jsonb)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  written integer;
begin
  if jsonb_typeof(counts) is distinct from 'object' then
    raise exception 'counts must be a JSON object of playback id to viewer count' using errcode = '22023';
  end if;
  update public.livestreams l
  set viewer_count = v.viewers,
      peak_viewer_count = greatest(l.peak_viewer_count, v.viewers),
      viewer_count_updated_at = now()
  from (
    select s.id, greatest(0, least(2147483647, coalesce(floor((counts ->> s.playback_id)::numeric), 0)))::integer as viewers
    from public.livestreams s
    where s.ended_at is null and s.playback_id is not null
  ) v
  where l.id = v.id
    and l.viewer_count <> v.viewers
    and (l.viewer_count_updated_at is null or l.viewer_count_updated_at <= now() - interval '15 seconds');
  get diagnostics written = row_count;
  return written;
end
$$;

revoke execute on function private.record_viewer_counts(jsonb) from public, anon, authenticated;
grant execute on function private.record_viewer_counts(jsonb) to service_role;

-- Scheduled edge functions, listed once: pg_cron + pg_net call them on hosted Supabase, the local
-- gateway's scheduler (supabase/platform/scheduler.ts) POSTs to them locally. `schedule` is pg_cron
-- syntax, as in private.notification_jobs().
create function private.function_jobs()
returns table (name text, schedule text, function_name text)
language sql
immutable
set search_path = ''
as $$
  values ('viewer-counts', '5 seconds', 'viewer-counts')
$$;

-- The statement cron runs for a function: one POST with the project URL and key read from Vault at
-- run time (nothing secret is stored in cron.job). Needs two Vault secrets:
--   select vault.create_secret('https://<project-ref>.supabase.co', 'project_url');
--   select vault.create_secret('<service role key or sb_secret_ key>', 'scheduled_functions_key');
create function private.function_job_command(function_name text)
returns text
language sql
immutable
set search_path = ''
as $cmd$
  select format($$
    select net.http_post(
      url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url') || '/functions/v1/%s',
      headers := jsonb_build_object(
        'Content-Type', 'application/json',
        'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'scheduled_functions_key'),
        'apikey', (select decrypted_secret from vault.decrypted_secrets where name = 'scheduled_functions_key')),
      body := '{}'::jsonb,
      timeout_milliseconds := 10000) as request_id
  $$, function_name)
$cmd$;

-- Schedules (or re-schedules) every function job; false, scheduling nothing, without pg_cron or pg_net.
create function private.schedule_function_jobs()
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  job record;
begin
  if not exists (select 1 from pg_catalog.pg_extension where extname = 'pg_cron')
     or not exists (select 1 from pg_catalog.pg_extension where extname = 'pg_net') then
    raise notice 'function jobs not scheduled: enable pg_cron and pg_net, then select private.schedule_function_jobs()';
    return false;
  end if;
  for job in select * from private.function_jobs() loop
    -- Dynamic so this function compiles where the cron schema does not exist.
    execute 'select cron.schedule($1, $2, $3)' using job.name, job.schedule, private.function_job_command(job.function_name);
  end loop;
  return true;
end
$$;

revoke execute on function private.function_jobs() from public, anon, authenticated, service_role;
revoke execute on function private.function_job_command(text) from public, anon, authenticated, service_role;
revoke execute on function private.schedule_function_jobs() from public, anon, authenticated, service_role;

select private.schedule_function_jobs();
