-- The email queue holds only what email-delivery will send (20261201164338): each claim reports the
-- kinds it was given (none while email is off), and the queueing trigger queues only those; until a
-- first report, every kind. The report is written when the kinds change, or after 5 minutes.
begin;
select plan(16);

select tests.create_user('ek_viewer');
delete from private.email_queue;

create function pg_temp.notify(kind text) returns bigint language sql as $$
  insert into public.notifications (user_id, kind) values (tests.user_id('ek_viewer'), kind) returning id
$$;
create function pg_temp.queued_kinds() returns text[] language sql as $$
  select coalesce(array_agg(n.kind order by n.id), '{}')
  from private.email_queue q join public.notifications n on n.id = q.notification_id
$$;
create function pg_temp.claim(kinds text[], deliver boolean default true) returns integer language sql as $$
  select count(*)::integer from private.claim_email_deliveries(kinds, 200, deliver, 10000)
$$;

-- Nothing reported yet (a database migrated before any run): every kind is queued.
update private.email_delivery_settings set kinds = null;
select pg_temp.notify('channel_live');
select pg_temp.notify('new_follower');
select is(pg_temp.queued_kinds(), array['channel_live', 'new_follower'], 'before a first report, every kind is queued');

-- A claim reports its kinds, sorted and without repeats, and sends what it was asked for.
select is(pg_temp.claim(array['subscription', 'channel_live', 'channel_live', 'gift_subscription']), 1,
  'the claim emails the queued kind it was given');
select is((select kinds from private.email_delivery_settings), array['channel_live', 'gift_subscription', 'subscription'],
  'and reports its kinds');
select pg_temp.notify('new_follower');
select pg_temp.notify('raid_incoming');
select pg_temp.notify('channel_live');
select pg_temp.notify('subscription');
select is(pg_temp.queued_kinds(), array['channel_live', 'subscription'],
  'a new follower or a raid is no longer queued for email (nothing wakes email-delivery for it)');
select is(pg_temp.claim(array['channel_live', 'subscription', 'gift_subscription']), 2, 'the queued ones are emailed');

-- EMAIL_KINDS changed: from the next claim on, the new kinds are queued.
select is(pg_temp.claim(array['new_follower']), 0, 'a claim with other kinds');
select pg_temp.notify('new_follower');
select pg_temp.notify('channel_live');
select is(pg_temp.queued_kinds(), array['new_follower'], 'queues those from then on');
select is(pg_temp.claim(array['new_follower']), 1, 'and emails them');

-- Email off (no SMTP_HOST): nothing is queued at all.
select is(pg_temp.claim(array['channel_live'], false), 0, 'a claim with email off sends nothing');
select is((select kinds from private.email_delivery_settings), '{}'::text[], 'and reports no kinds');
select pg_temp.notify('channel_live');
select pg_temp.notify('new_follower');
select is(pg_temp.queued_kinds(), '{}'::text[], 'so no notification is queued while email is off');
select is(private.function_job_due('email-delivery'), false, 'and email-delivery is not woken');

-- The report is a write only when something changed, or to say it is still there after 5 minutes.
select pg_temp.claim(array['channel_live']);
create temporary table before_report as select ctid::text as version from private.email_delivery_settings;
select pg_temp.claim(array['channel_live']);
select is((select ctid::text from private.email_delivery_settings), (select version from before_report),
  'the same kinds again within 5 minutes: the row is not rewritten');
update private.email_delivery_settings set reported_at = now() - interval '6 minutes';
select pg_temp.claim(array['channel_live']);
select ok((select reported_at > now() - interval '1 second' from private.email_delivery_settings),
  'after 5 minutes the same kinds are reported again (private.function_job_due reads when)');

-- Nobody but the database's own functions reads or writes it.
set local role service_role;
select throws_ok($$select * from private.email_delivery_settings$$, '42501', null, 'the service role cannot read the settings');
select throws_ok($$select private.report_email_kinds(array['channel_live'], true)$$, '42501', null,
  'nor report kinds but through a claim');
reset role;

select * from finish();
rollback;
