-- The scheduled edge functions were POSTed to whether or not they had anything to do: push-delivery
-- every second, email-delivery and viewer-counts every 5 seconds, about 121,000 invocations a day
-- (Free includes 500,000 a month, Pro 2 million), each also a pg_net request. Now each run first
-- asks the database whether the function is due, in the job's own SQL, and posts only then:
-- push-delivery and email-delivery when their queue holds a notification, viewer-counts while a
-- stream is live. The local scheduler asks the same function.

create function private.function_job_due(function_name text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select case function_name
    when 'push-delivery' then exists (select 1 from private.push_queue)
    when 'email-delivery' then exists (select 1 from private.email_queue)
    when 'viewer-counts' then exists (select 1 from public.livestreams l where l.ended_at is null)
    else true
  end
$$;

revoke execute on function private.function_job_due(text) from public, anon, authenticated, service_role;

create or replace function private.function_job_command(function_name text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO ''
AS $function$
  select format($$
    select net.http_post(
      url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url') || '/functions/v1/%s',
      headers := jsonb_build_object(
        'Content-Type', 'application/json',
        'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'scheduled_functions_key'),
        'apikey', (select decrypted_secret from vault.decrypted_secrets where name = 'scheduled_functions_key')),
      body := '{}'::jsonb,
      timeout_milliseconds := 10000) as request_id
    where private.function_job_due(%L)
  $$, function_name, function_name)
$function$;

-- pg_cron keeps the command it was given: schedule the jobs again (cron.schedule replaces by name).
select private.schedule_function_jobs();
