-- pg_cron's run history is pruned hourly to six hours (20261201144858); without pg_cron the job does
-- nothing. cron.job_run_details is stood in for by a table of the same name here (no pg_cron locally).
begin;
select plan(5);

select is((select schedule from private.notification_jobs() where name = 'cron-history-prune'), '29 * * * *',
  'the prune is one of the SQL jobs, hourly');
select is(private.prune_cron_history(), 0, 'without pg_cron there is nothing to prune');

create schema cron;
create table cron.job_run_details (runid bigint primary key, end_time timestamptz);
insert into cron.job_run_details values (1, now() - interval '7 hours'), (2, now() - interval '5 hours'), (3, null);
select is(private.prune_cron_history(), 1, 'runs that ended over six hours ago are deleted');
select results_eq('select runid from cron.job_run_details order by runid', array[2::bigint, 3],
  'recent runs and runs still going stay');

set local role service_role;
select throws_ok('select private.prune_cron_history()', '42501', null, 'the API roles cannot call it');
reset role;

select * from finish();
rollback;
