-- The go-live fan-out sends its notification.created events within a token bucket
-- (private.fanout_event_budget, 20261201144820): hosted Realtime drops every broadcast past the
-- project's messages per second. Every follower still gets the notification row; one user's action
-- (a new follower) is not counted.
begin;
select plan(14);

select tests.create_user('fb_streamer');
select tests.create_user('fb_fan_' || i) from generate_series(1, 10) i;
select tests.create_user('fb_blocker');
create temporary table ch as select c.id from public.channels c where c.slug = 'fb_streamer';
update public.notification_preferences set on_new_follower = false where user_id = tests.user_id('fb_streamer');
insert into public.follows (user_id, channel_id)
select tests.user_id('fb_fan_' || i), (select id from ch) from generate_series(1, 10) i;
insert into public.follows (user_id, channel_id) values (tests.user_id('fb_blocker'), (select id from ch));
insert into public.user_blocks (blocker_id, blocked_id) values (tests.user_id('fb_blocker'), tests.user_id('fb_streamer'));

create function pg_temp.live_events() returns integer language sql as $$
  select count(*)::integer from realtime.messages m
  where m.event = 'notification.created' and m.payload ->> 'kind' = 'channel_live'
    and m.payload ->> 'channel_id' = (select id::text from ch)
$$;

-- Three events in the bucket and no refill.
update private.fanout_event_budget set per_second = 0, burst = 3, tokens = 3, refilled_at = now();
delete from private.notification_outbox;
insert into public.livestreams (channel_id, title, started_at) values ((select id from ch), 'Big stream', now() - interval '1 hour');
select is(private.drain_notification_outbox(4, '1 minute'), 10, 'every follower is notified');
select is(pg_temp.live_events(), 3, 'only as many events as the bucket held are sent');
select is((select tokens from private.fanout_event_budget), 0::double precision,
  'the bucket is spent, and the events taken for the blocking follower went back first');
select is((select count(distinct m.topic)::integer from realtime.messages m
           where m.event = 'notification.created' and m.payload ->> 'kind' = 'channel_live'
             and m.payload ->> 'channel_id' = (select id::text from ch)
             and m.topic = 'user:' || (m.payload ->> 'user_id')), 3, 'each event goes to its own follower''s topic');

-- One user's action is not counted against the bucket.
insert into public.follows (user_id, channel_id)
select tests.user_id('fb_fan_1'), c.id from public.channels c where c.slug = 'fb_fan_2';
select is((select count(*)::integer from realtime.messages m where m.event = 'notification.created'
           and m.topic = 'user:' || tests.user_id('fb_fan_2') and m.payload ->> 'kind' = 'new_follower'), 1,
  'a new follower''s notification is broadcast with the bucket empty');

-- The bucket refills at per_second, up to burst.
update private.fanout_event_budget set per_second = 1000, burst = 5, tokens = 0, refilled_at = now() - interval '1 minute';
update public.livestreams set ended_at = now() - interval '30 minutes' where channel_id = (select id from ch) and ended_at is null;
insert into public.livestreams (channel_id, started_at) values ((select id from ch), now() - interval '5 minutes' - interval '1 second');
select is(private.drain_notification_outbox(), 10, 'the next go-live notifies every follower again');
select is(pg_temp.live_events(), 3 + 5, 'and sends events up to the burst, not the time passed');

-- A generous bucket sends every event, as before.
update private.fanout_event_budget set per_second = 25, burst = 250, tokens = 250, refilled_at = now();
update public.livestreams set ended_at = now() - interval '1 minute' where channel_id = (select id from ch) and ended_at is null;
insert into public.livestreams (channel_id, started_at) values ((select id from ch), now() + interval '20 minutes');
select is(private.drain_notification_outbox(), 10, 'a third go-live');
select is(pg_temp.live_events(), 8 + 10, 'every follower gets the event while the bucket holds enough');
select is(current_setting('streamz.notification_events', true), '', 'the drain leaves no event limit set behind it');

-- A value that is not a count in the setting is no limit: the insert and its event go through.
select set_config('streamz.notification_events', 'abc', true);
insert into public.follows (user_id, channel_id)
select tests.user_id('fb_fan_3'), c.id from public.channels c where c.slug = 'fb_fan_2';
select is((select count(*)::integer from realtime.messages m where m.event = 'notification.created'
           and m.topic = 'user:' || tests.user_id('fb_fan_2') and m.payload ->> 'kind' = 'new_follower'), 2,
  'a garbled event limit fails no insert and limits nothing');
select set_config('streamz.notification_events', '-1', true);
select lives_ok($$insert into public.follows (user_id, channel_id)
  select tests.user_id('fb_fan_4'), c.id from public.channels c where c.slug = 'fb_fan_2'$$,
  'nor does a negative one');
select set_config('streamz.notification_events', '', true);

-- Nobody but the database reads or changes the bucket.
select tests.authenticate_as('fb_fan_1');
select throws_ok('select * from private.fanout_event_budget', '42501', null, 'a signed-in user cannot read the bucket');
select tests.clear_authentication();
set local role service_role;
select throws_ok('update private.fanout_event_budget set burst = 1000000', '42501', null, 'nor can the service role change it');
reset role;

select * from finish();
rollback;
