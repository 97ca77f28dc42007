-- A scheduled edge function is posted to only when it has work (20261201155211): push-delivery and
-- email-delivery while their queue holds a notification, viewer-counts while a stream is live. The
-- pg_cron command asks private.function_job_due itself.
begin;
select plan(12);

delete from private.push_queue;
delete from private.email_queue;
update public.livestreams set ended_at = now() where ended_at is null;
-- email-delivery reported its kinds a minute ago (a claim does, 20261201164338).
update private.email_delivery_settings set reported_at = now() - interval '1 minute';

select is(private.function_job_due('push-delivery'), false, 'push-delivery is not due with an empty queue');
select is(private.function_job_due('email-delivery'), false, 'email-delivery is not due with an empty queue');
select is(private.function_job_due('viewer-counts'), false, 'viewer-counts is not due with no stream live');
update private.email_delivery_settings set reported_at = now() - interval '10 minutes 1 second';
select is(private.function_job_due('email-delivery'), true,
  'email-delivery is due with an empty queue once it has not reported for 10 minutes (a new SMTP_HOST or EMAIL_KINDS reaches the queue)');
update private.email_delivery_settings set reported_at = now() - interval '9 minutes 59 seconds';
select is(private.function_job_due('email-delivery'), false, 'and not at 9 min 59 s');

insert into private.push_queue (notification_id) values (-1);
insert into private.email_queue (notification_id) values (-1);
select tests.create_user('fj_streamer');
insert into public.livestreams (channel_id, started_at)
select c.id, now() from public.channels c where c.slug = 'fj_streamer';

select is(private.function_job_due('push-delivery'), true, 'push-delivery is due with a queued notification');
select is(private.function_job_due('email-delivery'), true, 'email-delivery is due with a queued notification');
select is(private.function_job_due('viewer-counts'), true, 'viewer-counts is due while a stream is live');

select ok(private.function_job_command(f.function_name) like '%where private.function_job_due(' || quote_literal(f.function_name) || ')%',
  f.function_name || '''s pg_cron command posts only when due')
from private.function_jobs() f;

set local role service_role;
select throws_ok($$select private.function_job_due('push-delivery')$$, '42501', null, 'the API roles cannot call it');
reset role;

select * from finish();
rollback;
