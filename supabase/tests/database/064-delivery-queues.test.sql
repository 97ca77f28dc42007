-- Push and email delivery queues (20261201151857): a notification is queued when it is
-- inserted, for push when its user has a subscription and push_enabled, for email when they have a
-- verified address and email_enabled; a claim takes queued rows whatever order they committed in (a
-- notification committing after a higher id was claimed is still delivered), deletes them (at most
-- once), re-checks the preferences, bounds a run, and empties the queue without sending while off.
-- Only the service role claims; nobody reads the queues.
begin;
select plan(46);

select tests.create_user('dq_alice');            -- a subscription and a verified address
select tests.create_user('dq_bob');              -- a verified address, no subscription
select tests.create_user('dq_carol', null, false); -- a subscription, an unverified address
select tests.create_user('dq_dave');             -- both, and no preferences row (the defaults)
select tests.create_user('dq_erin', null, false); -- neither
delete from public.notification_preferences where user_id = tests.user_id('dq_dave');
delete from public.push_subscriptions;
insert into public.push_subscriptions (user_id, endpoint, p256dh, auth)
select tests.user_id(u), 'https://fcm.googleapis.com/fcm/send/' || u, 'B' || repeat('A', 86), repeat('a', 22)
from unnest(array['dq_alice', 'dq_carol', 'dq_dave']) u;
-- Start with empty queues (the seed's notifications may be queued).
delete from private.push_queue;
delete from private.email_queue;
update private.email_delivery_settings set kinds = null;

-- A notification of `username`; with `late_id`, inserted with that id (taken from the sequence earlier),
-- as a transaction that took its id before others and commits after them.
create function pg_temp.notify(username text, kind text default 'channel_live', late_id bigint default null)
returns bigint language plpgsql as $$
declare
  new_id bigint;
begin
  if late_id is null then
    insert into public.notifications (user_id, kind) values (tests.user_id(username), kind) returning id into new_id;
  else
    insert into public.notifications (id, user_id, kind) overriding system value
    values (late_id, tests.user_id(username), kind) returning id into new_id;
  end if;
  return new_id;
end
$$;
create function pg_temp.reserve_id() returns bigint language sql as $$
  select nextval(pg_get_serial_sequence('public.notifications', 'id'))
$$;
-- What a claim returns, as sorted notification ids (one per push subscription / email).
create function pg_temp.pushed(batch_size integer default 1000, deliver boolean default true) returns bigint[]
language sql as $$
  select coalesce(array_agg((c.notification ->> 'id')::bigint order by (c.notification ->> 'id')::bigint), '{}')
  from private.claim_push_deliveries(batch_size, deliver) c
$$;
-- These checks are of the queues and the claims with every kind queued for email: a claim reports its
-- kinds, which narrows what is queued next (072), so each one here is followed by a reset.
create function pg_temp.emailed(kinds text[] default array['channel_live', 'subscription', 'gift_subscription'],
  batch_size integer default 200, deliver boolean default true, scan_limit integer default 10000) returns bigint[]
language plpgsql as $$
declare
  ids bigint[];
begin
  select coalesce(array_agg((c.notification ->> 'id')::bigint order by (c.notification ->> 'id')::bigint), '{}') into ids
  from private.claim_email_deliveries(kinds, batch_size, deliver, scan_limit) c;
  update private.email_delivery_settings set kinds = null;
  return ids;
end
$$;
create function pg_temp.queued(queue text) returns bigint[] language plpgsql as $$
declare
  ids bigint[];
begin
  execute format('select coalesce(array_agg(notification_id order by notification_id), ''{}'') from private.%I', queue) into ids;
  return ids;
end
$$;

-- who is queued ------------------------------------------------------------------------------------
create temporary table fan (username text, id bigint) on commit drop;
with inserted as (
  insert into public.notifications (user_id, kind)
  select tests.user_id(u), 'channel_live' from unnest(array['dq_alice', 'dq_bob', 'dq_carol', 'dq_dave', 'dq_erin']) u
  returning id, user_id)
insert into fan select u.username, i.id from inserted i join public.users u on u.id = i.user_id;
create function pg_temp.fan_ids(usernames text[]) returns bigint[] language sql as $$
  select array_agg(f.id order by f.id) from fan f where f.username = any(usernames)
$$;

select is(pg_temp.queued('push_queue'), pg_temp.fan_ids(array['dq_alice', 'dq_carol', 'dq_dave']),
  'one insert of many notifications queues for push exactly those of users with a subscription (not bob, not erin)');
select is(pg_temp.queued('email_queue'), pg_temp.fan_ids(array['dq_alice', 'dq_bob', 'dq_dave']),
  'and for email exactly those of users with a verified address (not carol, not erin), no preferences row counting as on');
select is((select array_agg(t.tgname::text order by t.tgname) from pg_trigger t
           where t.tgrelid = 'public.notifications'::regclass and not t.tgisinternal and t.tgtype & 1 = 0),
  array['queue_deliveries', 'send_notification_created'], 'the queues are filled by a statement-level trigger (one pass per fan-out batch)');

select is(pg_temp.pushed(), pg_temp.fan_ids(array['dq_alice', 'dq_carol', 'dq_dave']),
  'a push claim returns each queued notification once per subscription of its user');
select is(pg_temp.queued('push_queue'), '{}', 'and deletes what it claimed');
select is(pg_temp.pushed(), '{}', 'so a second claim returns none of them (at most once)');
select is(pg_temp.emailed(), pg_temp.fan_ids(array['dq_alice', 'dq_bob', 'dq_dave']), 'an email claim returns each queued notification');
select is(pg_temp.queued('email_queue') || pg_temp.emailed(), '{}', 'and deletes it: never returned again');

update public.notification_preferences set push_enabled = false where user_id = tests.user_id('dq_alice');
update public.notification_preferences set email_enabled = false where user_id = tests.user_id('dq_bob');
select pg_temp.notify('dq_alice');
select pg_temp.notify('dq_bob');
select is(pg_temp.queued('push_queue'), '{}', 'push_enabled off: not queued for push');
select is(pg_temp.queued('email_queue'), array[(select max(id) from public.notifications where user_id = tests.user_id('dq_alice'))],
  'email_enabled off: not queued for email (alice still is)');
update private.accounts set email = null where user_id = tests.user_id('dq_alice');
select pg_temp.notify('dq_alice');
select is(cardinality(pg_temp.queued('email_queue')), 1, 'a user without an address is not queued for email');
update private.accounts set email = 'dq_alice@example.test' where user_id = tests.user_id('dq_alice');
update public.notification_preferences set push_enabled = true where user_id = tests.user_id('dq_alice');
update public.notification_preferences set email_enabled = true where user_id = tests.user_id('dq_bob');
delete from private.email_queue;

-- commit order -----------------------------------------------------------------------------------
create temporary table late (id bigint, later bigint) on commit drop;
insert into late (id) select pg_temp.reserve_id();
update late set later = pg_temp.notify('dq_alice');
select is(pg_temp.pushed(), array[(select later from late)], 'a notification with a higher id committed first is pushed');
select is(pg_temp.emailed(), array[(select later from late)], 'and emailed');
select pg_temp.notify('dq_alice', late_id => (select id from late));
select cmp_ok((select id from late), '<', (select later from late), 'the late notification has the lower id');
select is(pg_temp.pushed(), array[(select id from late)],
  'a notification committing after a higher id was claimed is still pushed');
select is(pg_temp.emailed(), array[(select id from late)], 'and still emailed');
select is(pg_temp.pushed() || pg_temp.emailed(), '{}', 'once');

-- preferences at claim time ----------------------------------------------------------------------
select pg_temp.notify('dq_alice');
update public.notification_preferences set push_enabled = false, email_enabled = false where user_id = tests.user_id('dq_alice');
select is(pg_temp.pushed() || pg_temp.emailed(), '{}',
  'preferences turned off after a notification was queued: neither pushed nor emailed');
select is(pg_temp.queued('push_queue') || pg_temp.queued('email_queue'), '{}',
  'and its rows are deleted');
update public.notification_preferences set push_enabled = true, email_enabled = true where user_id = tests.user_id('dq_alice');
select pg_temp.notify('dq_alice');
delete from public.push_subscriptions where user_id = tests.user_id('dq_alice');
select is(pg_temp.pushed(), '{}', 'a subscription removed after a notification was queued: not pushed');
insert into public.push_subscriptions (user_id, endpoint, p256dh, auth)
values (tests.user_id('dq_alice'), 'https://fcm.googleapis.com/fcm/send/dq_alice', 'B' || repeat('A', 86), repeat('a', 22));
delete from private.email_queue;
select pg_temp.notify('dq_alice');
delete from public.notifications where id = (select max(id) from public.notifications where user_id = tests.user_id('dq_alice'));
select is(pg_temp.pushed() || pg_temp.emailed(), '{}', 'a notification deleted before its claim is not sent');
select is(pg_temp.queued('push_queue') || pg_temp.queued('email_queue'), '{}',
  'and the claim deletes its rows');

-- off ----------------------------------------------------------------------------------------------
select pg_temp.notify('dq_alice');
select pg_temp.notify('dq_dave');
select is(pg_temp.pushed(deliver => false), '{}', 'push off (deliver false): the claim returns nothing');
select is(pg_temp.queued('push_queue'), '{}', 'and empties the queue: nothing is kept for later');
select is(pg_temp.emailed(deliver => false), '{}', 'email off: the claim returns nothing');
select is(pg_temp.queued('email_queue'), '{}', 'and empties the queue');
select is(pg_temp.pushed() || pg_temp.emailed(), '{}', 'turned on again, nothing old is sent');

-- kinds and bounds ---------------------------------------------------------------------------------
select pg_temp.notify('dq_bob', 'new_follower');
select pg_temp.notify('dq_bob', 'subscription');
select is(pg_temp.emailed(), array[(select max(id) from public.notifications where user_id = tests.user_id('dq_bob'))],
  'only the kinds asked for are emailed');
select is(pg_temp.queued('email_queue'), '{}', 'a kind not asked for is deleted without an email');
select pg_temp.notify('dq_bob', 'new_follower');
select is(cardinality(pg_temp.emailed(array['new_follower'])), 1, 'any kind may be asked for');

select pg_temp.notify('dq_bob');
select pg_temp.notify('dq_bob', 'raid_incoming');
select pg_temp.notify('dq_dave');
select pg_temp.notify('dq_bob');
select is(cardinality(pg_temp.emailed(batch_size => 2)), 2, 'an email run takes at most batch_size emails');
select is(cardinality(pg_temp.queued('email_queue')), 1, 'and leaves the rest queued, from the first email that did not fit');
select is(cardinality(pg_temp.emailed(batch_size => 2)), 1, 'for the next run');
select pg_temp.notify('dq_bob', 'new_follower');
select pg_temp.notify('dq_bob', 'new_follower');
select pg_temp.notify('dq_bob', 'new_follower');
select pg_temp.notify('dq_bob');
select is(cardinality(pg_temp.emailed(scan_limit => 2)), 0, 'an email run reads at most scan_limit queued notifications');
select is(cardinality(pg_temp.emailed(scan_limit => 2)), 1, 'and the next one goes on from there');
delete from private.push_queue;
select pg_temp.notify('dq_dave');
select pg_temp.notify('dq_dave');
select pg_temp.notify('dq_dave');
select is(cardinality(pg_temp.pushed(batch_size => 2)), 2, 'a push run takes at most batch_size notifications');
select is(cardinality(pg_temp.pushed(batch_size => 2)), 1, 'and the next run the rest');

-- privileges ---------------------------------------------------------------------------------------
select is_empty($$
    select c.oid::regclass::text, case a.grantee when 0 then 'PUBLIC' else a.grantee::regrole::text end, a.privilege_type
    from pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
    where c.oid in ('private.push_queue'::regclass, 'private.email_queue'::regclass,
                    'private.push_targets'::regclass, 'private.email_targets'::regclass)
      and a.grantee <> c.relowner $$,
  'nobody but their owner holds any privilege on the queues and the target views');
select is(tests.try_as('service_role', 'select * from private.email_queue'), '42501', 'the service role cannot read a queue');
select is(tests.try_as('dq_alice', 'select * from private.push_queue'), '42501', 'nor can a signed-in user');
select is(tests.try_as('dq_alice', 'select * from private.claim_push_deliveries()'), '42501', 'a signed-in user cannot claim pushes');
select is(tests.try_as(null, 'select * from private.claim_push_deliveries()'), '42501', 'nor can anon');
select is(tests.try_as('service_role', 'select * from private.claim_push_deliveries(1, false)'), 'rows:0', 'the service role can');
select is_empty($$
    select p.oid::regprocedure::text from pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
    where p.oid = 'private.queue_deliveries()'::regprocedure and a.grantee <> p.proowner $$,
  'nobody but its owner can execute the queueing trigger''s function');
select hasnt_table('private', 'push_delivery_cursor', 'the push cursor is gone');
select hasnt_table('private', 'email_delivery_cursor', 'and so is the email cursor');

select * from finish();
rollback;
