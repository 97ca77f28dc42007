-- Web Push subscriptions: a user registers, reads and deletes only their own (at most 10, valid
-- endpoint and keys), and private.claim_push_deliveries hands each new notification once to push
-- delivery, one row per subscription of a user with push_enabled.
begin;
select plan(20);

select tests.create_user('ps_alice');
select tests.create_user('ps_bob');
create temporary table k (p256dh text, auth text) on commit drop;
insert into k values ('B' || repeat('A', 86), repeat('a', 22));
grant select on k to anon, authenticated, service_role;

select is(tests.try_as('ps_alice', $$ insert into public.push_subscriptions (endpoint, p256dh, auth)
    select 'https://fcm.googleapis.com/fcm/send/abc', p256dh, auth from k $$), 'rows:1', 'a user registers a subscription (user_id defaults to them)');
select is((select user_id from public.push_subscriptions), tests.user_id('ps_alice'), 'it is theirs');
select is(tests.try_as('ps_bob', $$ insert into public.push_subscriptions (user_id, endpoint, p256dh, auth)
    select tests.user_id('ps_alice'), 'https://fcm.googleapis.com/fcm/send/x', p256dh, auth from k $$), '42501', 'nobody registers one for someone else');
select is(tests.try_as(null, $$ insert into public.push_subscriptions (endpoint, p256dh, auth)
    select 'https://fcm.googleapis.com/fcm/send/y', p256dh, auth from k $$), '42501', 'anon cannot register one');
select is(tests.try_as('ps_alice', $$ insert into public.push_subscriptions (endpoint, p256dh, auth)
    select 'http://push.example.test/abc', p256dh, auth from k $$), '23514', 'the endpoint must be https (or loopback)');
select is(tests.try_as('ps_alice', $$ insert into public.push_subscriptions (endpoint, p256dh, auth)
    select 'https://user@fcm.googleapis.com/x', p256dh, auth from k $$), '23514', 'without user info');
select is(tests.try_as('ps_alice', $$ insert into public.push_subscriptions (endpoint, p256dh, auth)
    select 'https://fcm.googleapis.com/fcm/send/z', 'short', auth from k $$), '23514', 'p256dh is a 65-byte key in base64url');
select is(tests.try_as('ps_alice', $$ insert into public.push_subscriptions (endpoint, p256dh, auth)
    select 'https://fcm.googleapis.com/fcm/send/z', p256dh, auth || 'x' from k $$), '23514', 'auth is a 16-byte secret in base64url');
select is(tests.try_as('ps_alice', $$ insert into public.push_subscriptions (endpoint, p256dh, auth)
    select 'https://fcm.googleapis.com/fcm/send/abc', p256dh, auth from k $$), '23505', 'the same endpoint twice is refused');
select is(tests.try_as('ps_alice', $$ insert into public.push_subscriptions (endpoint, p256dh, auth)
    select 'https://fcm.googleapis.com/fcm/send/n' || n, p256dh, auth from k, generate_series(1, 9) n $$), 'rows:9', 'up to 10 per user');
select is(tests.try_as('ps_alice', $$ insert into public.push_subscriptions (endpoint, p256dh, auth)
    select 'https://fcm.googleapis.com/fcm/send/eleventh', p256dh, auth from k $$), '23514', 'not 11');
select is(tests.try_as('ps_bob', $$ select * from public.push_subscriptions $$), 'rows:0', 'another user reads none of them');
select is(tests.try_as('ps_alice', $$ select * from public.push_subscriptions $$), 'rows:10', 'the user reads their own');
select is(tests.try_as(null, $$ select * from public.push_subscriptions $$), '42501', 'anon reads nothing');
select is(tests.try_as('ps_bob', $$ delete from public.push_subscriptions $$), 'rows:0', 'another user deletes none');
select is(tests.try_as('ps_alice', $$ update public.push_subscriptions set endpoint = 'https://fcm.googleapis.com/fcm/send/moved' $$), '42501',
  'a subscription is not updated (delete and register again)');
select is(tests.try_as('ps_alice', $$ delete from public.push_subscriptions where endpoint like '%/n%' $$), 'rows:9', 'the user deletes their own');

-- claiming deliveries --------------------------------------------------------------------------------
select private.claim_push_deliveries(100000, false);
insert into public.notifications (user_id, kind) values (tests.user_id('ps_alice'), 'channel_live'), (tests.user_id('ps_bob'), 'channel_live');
select is((select array_agg(endpoint) from private.claim_push_deliveries()), array['https://fcm.googleapis.com/fcm/send/abc'],
  'a new notification is claimed once per subscription of its user (bob has none)');
select is((select count(*)::int from private.claim_push_deliveries()), 0, 'and never again');
update public.notification_preferences set push_enabled = false where user_id = tests.user_id('ps_alice');
insert into public.notifications (user_id, kind) values (tests.user_id('ps_alice'), 'channel_live');
select is((select count(*)::int from private.claim_push_deliveries()), 0, 'push_enabled off: not claimed for push');

select * from finish();
rollback;
