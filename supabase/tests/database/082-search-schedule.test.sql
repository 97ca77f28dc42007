-- search-sync scheduling in both states a project can be in. This machine has no pg_cron and no
-- pg_net (neither is packaged for Debian's PostgreSQL here) and the shim's Vault stand-in: the
-- "without" state is the real one; the "with" state uses stand-ins created in this transaction with
-- pg_cron's and pg_net's exact signatures, recording their calls. Hosted projects run the real ones.
begin;
select plan(8);

select diag('this machine: pg_cron ' || case when exists (select from pg_extension where extname = 'pg_cron') then 'installed' else 'absent' end
  || ', pg_net ' || case when exists (select from pg_extension where extname = 'pg_net') then 'installed' else 'absent' end
  || ', vault ' || case when to_regclass('vault.decrypted_secrets') is null then 'absent' else 'present' end);

-- Without pg_cron and pg_net (a project that never enabled them): nothing is scheduled, nothing runs.
select hasnt_schema('net', 'without pg_net there is no net schema (the shim no longer fakes one)');
select hasnt_schema('cron', 'without pg_cron there is no cron schema');
select is(private.schedule_search_sync(), false, 'without pg_cron and pg_net nothing is scheduled, and the call is harmless');
select throws_ok(private.search_sync_command(), '3F000', null, 'the command cron would run cannot run without pg_net, which is why nothing is scheduled');

-- With them: stand-ins for cron.schedule and net.http_post, same signatures, recording their calls.
create schema cron;
create table cron.calls (jobname text, schedule text, command text);
create function cron.schedule(job_name text, schedule text, command text) returns bigint language sql as $$
  insert into cron.calls values (job_name, schedule, command) returning 1::bigint $$;
create schema net;
create table net.calls (url text, headers jsonb, body jsonb);
create function net.http_post(url text, body jsonb default '{}'::jsonb, params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb, timeout_milliseconds integer default 5000)
returns bigint language sql as $$ insert into net.calls values (url, headers, body) returning 1::bigint $$;

select is(private.schedule_search_sync(), true, 'with pg_cron, pg_net and Vault the job is scheduled');
select results_eq($$ select jobname, schedule, command from cron.calls $$,
  $$ values ('search-sync', '10 seconds', private.search_sync_command()) $$,
  'as search-sync, every 10 seconds, running the sync command');

select vault.create_secret('https://example-ref.supabase.co', 'project_url');
select vault.create_secret('sb_secret_test_key', 'search_sync_key');
delete from private.search_outbox;
create function pg_temp.run_command() returns void language plpgsql as $$
begin
  execute private.search_sync_command();
end
$$;

select pg_temp.run_command();
select is((select count(*)::int from net.calls), 0, 'an empty outbox calls nothing');

insert into public.categories (igdb_id, name, slug) values (960001, 'Cron Game', 'cron-game');
select pg_temp.run_command();
select results_eq($$ select url, headers ->> 'Authorization' from net.calls $$,
  $$ values ('https://example-ref.supabase.co/functions/v1/search-sync', 'Bearer sb_secret_test_key') $$,
  'with work queued, cron posts to search-sync at the project URL from Vault, with the key from Vault');

select * from finish();
rollback;
