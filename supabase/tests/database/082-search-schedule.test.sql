-- search-sync scheduling: a no-op without pg_cron (the local stack), and the command cron would run
-- posts to the function with the Vault secrets, only when the outbox has work.
begin;
select plan(6);

select is(private.schedule_search_sync(), false, 'without pg_cron and pg_net nothing is scheduled');
select hasnt_schema('cron', '(the local stack has no cron schema)');

select vault.create_secret('https://example-ref.supabase.co', 'project_url');
select vault.create_secret('sb_secret_test_key', 'search_sync_key');
delete from private.search_outbox;
create temporary table seen as select coalesce(max(id), 0) as last_id from net.http_request_queue;
create temporary view calls as select q.* from net.http_request_queue q where q.id > (select last_id from seen);

create function pg_temp.run_command() returns void language plpgsql as $$
begin
  execute private.search_sync_command();
end
$$;

select pg_temp.run_command();
select is((select count(*)::int from calls), 0, 'an empty outbox calls nothing');

insert into public.categories (igdb_id, name, slug) values (960001, 'Cron Game', 'cron-game');
select pg_temp.run_command();
select is((select url from calls), 'https://example-ref.supabase.co/functions/v1/search-sync',
  'with work queued, cron posts to search-sync at the project URL from Vault');
select is((select headers ->> 'Authorization' from calls), 'Bearer sb_secret_test_key',
  'with the key from Vault');
select is((select method from calls), 'POST', 'as a POST');

select * from finish();
rollback;
