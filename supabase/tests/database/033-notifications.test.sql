-- Notifications: each user reads, marks read (read_at only) and deletes only their own; go-live fans
-- out through the outbox (never in the going-live transaction), once per restart window, skipping
-- blocks either way and users who turned it off; new follower and subscription notify the owner by
-- preferences; notification.created goes to user:<id>; read notifications are pruned after 90 days.
begin;
select plan(41);

select tests.create_user('nt_streamer');
select tests.create_user('nt_fan');        -- follows, notifications on
select tests.create_user('nt_quiet');      -- follows with follows.notifications off
select tests.create_user('nt_optout');     -- follows, on_followed_live off
select tests.create_user('nt_blocker');    -- follows, but blocks the streamer
select tests.create_user('nt_blocked');    -- follows, but the streamer blocks them
select tests.create_user('nt_nopref');     -- follows, and has no preferences row (defaults apply)
select tests.create_user('nt_other');

create temporary table ch as select c.id, c.owner_id from public.channels c where c.slug = 'nt_streamer';
grant select on ch to authenticated;

update public.notification_preferences set on_new_follower = false where user_id = tests.user_id('nt_streamer');
insert into public.follows (user_id, channel_id, notifications)
select tests.user_id(u), (select id from ch), u <> 'nt_quiet'
from unnest(array['nt_fan', 'nt_quiet', 'nt_optout', 'nt_blocker', 'nt_blocked', 'nt_nopref']) u;
update public.notification_preferences set on_followed_live = false where user_id = tests.user_id('nt_optout');
delete from public.notification_preferences where user_id = tests.user_id('nt_nopref');
insert into public.user_blocks (blocker_id, blocked_id) values
  (tests.user_id('nt_blocker'), tests.user_id('nt_streamer')), (tests.user_id('nt_streamer'), tests.user_id('nt_blocked'));

select is((select count(*)::int from public.notifications where user_id = tests.user_id('nt_streamer')), 0,
  'follows do not notify an owner who turned on_new_follower off');

-- go-live: one outbox row in the going-live transaction, no notification yet
insert into public.livestreams (channel_id, title, started_at) values ((select id from ch), 'First stream', now() - interval '1 hour');
select is((select count(*)::int from private.notification_outbox where channel_id = (select id from ch)), 1,
  'going live queues one fan-out job');
select is((select count(*)::int from public.notifications where kind = 'channel_live' and channel_id = (select id from ch)), 0,
  'going live notifies nobody inside its own transaction (the drain does, later)');

select cmp_ok(private.drain_notification_outbox(2, '1 minute'), '>=', 2, 'the drain notifies followers in batches');
select set_eq($$ select u.username::text from public.notifications n join public.users u on u.id = n.user_id
    where n.kind = 'channel_live' and n.channel_id = (select id from ch) $$,
  array['nt_fan', 'nt_nopref'],
  'followers with notifications on are notified; follows.notifications off, on_followed_live off and blocks either way are skipped');
select is((select count(*)::int from private.notification_outbox where channel_id = (select id from ch)), 0,
  'a finished job leaves the outbox');
select is((select payload ->> 'title' from public.notifications where kind = 'channel_live' and user_id = tests.user_id('nt_fan')),
  'First stream', 'the notification carries the stream title');
select is((select actor_id from public.notifications where kind = 'channel_live' and user_id = tests.user_id('nt_fan')),
  tests.user_id('nt_streamer'), 'the streamer is the actor');
select is((select count(*)::int from realtime.messages
    where topic = (select 'user:' || tests.user_id('nt_fan')) and event = 'notification.created'), 1,
  'each new notification is notification.created on user:<id>');
select is((select (payload ->> 'id')::bigint from realtime.messages
    where topic = (select 'user:' || tests.user_id('nt_fan')) and event = 'notification.created'),
  (select id from public.notifications where user_id = tests.user_id('nt_fan')),
  'the event carries the notification row');
select is(private.drain_notification_outbox(), 0, 'a second drain finds nothing to do');

-- restarts
update public.livestreams set ended_at = now() - interval '30 minutes' where channel_id = (select id from ch) and ended_at is null;
insert into public.livestreams (channel_id, started_at) values ((select id from ch), now() - interval '20 minutes' + interval '1 second');
select is((select count(*)::int from private.notification_outbox where channel_id = (select id from ch)), 1,
  'a stream starting just over 10 minutes after the last one ended notifies again');
delete from private.notification_outbox;
update public.livestreams set ended_at = now() - interval '15 minutes' where channel_id = (select id from ch) and ended_at is null;
insert into public.livestreams (channel_id, started_at) values ((select id from ch), now() - interval '5 minutes' - interval '1 second');
select is((select count(*)::int from private.notification_outbox where channel_id = (select id from ch)), 0,
  'a restart just under 10 minutes after the stream ended notifies nobody twice');
update public.livestreams set ended_at = now() - interval '1 minute' where channel_id = (select id from ch) and ended_at is null;

-- a job interrupted by its time budget resumes at its cursor
insert into public.livestreams (channel_id, started_at) values ((select id from ch), now() + interval '20 minutes');
create temporary table drained as select private.drain_notification_outbox(1, '0 seconds') as first_run;
select isnt((select cursor from private.notification_outbox where channel_id = (select id from ch)), null,
  'a drain out of time stops after one batch and keeps its place in the job');
select is((select first_run from drained) + private.drain_notification_outbox(1, '1 minute'), 2,
  'the next run notifies only the rest');
select is((select count(*)::int from public.notifications where kind = 'channel_live' and user_id = tests.user_id('nt_fan')), 2,
  'nobody is notified twice for one go-live');

-- new follower and subscriptions
select tests.authenticate_as('nt_other');
insert into public.follows (channel_id) select c.id from public.channels c where c.slug = 'nt_fan';
select tests.clear_authentication();
select is((select payload ->> 'username' from public.notifications where user_id = tests.user_id('nt_fan') and kind = 'new_follower'),
  'nt_other', 'a new follower notifies the channel owner (on_new_follower on)');
delete from public.follows where user_id = tests.user_id('nt_other');
insert into public.follows (user_id, channel_id) select tests.user_id('nt_other'), c.id from public.channels c where c.slug = 'nt_fan';
select is((select count(*)::int from public.notifications where user_id = tests.user_id('nt_fan') and kind = 'new_follower'), 1,
  'unfollowing and following again does not notify twice in a day');
insert into public.user_blocks (blocker_id, blocked_id) values (tests.user_id('nt_quiet'), tests.user_id('nt_other'));
insert into public.follows (user_id, channel_id) select tests.user_id('nt_other'), c.id from public.channels c where c.slug = 'nt_quiet';
select is((select count(*)::int from public.notifications where user_id = tests.user_id('nt_quiet') and kind = 'new_follower'), 0,
  'a follow by someone the owner blocks does not notify the owner');

insert into public.subscriptions (channel_id, user_id, current_period_end)
select c.id, tests.user_id('nt_other'), now() + interval '30 days' from public.channels c where c.slug = 'nt_fan';
select is((select kind || ':' || (payload ->> 'tier') from public.notifications where user_id = tests.user_id('nt_fan') and actor_id = tests.user_id('nt_other') and kind like '%subscription'),
  'subscription:1', 'a new subscription notifies the owner');
insert into public.subscriptions (channel_id, user_id, current_period_end, is_gift, gifter_id)
select c.id, tests.user_id('nt_blocked'), now() + interval '30 days', true, tests.user_id('nt_optout') from public.channels c where c.slug = 'nt_fan';
select is((select payload ->> 'gifter_username' from public.notifications where user_id = tests.user_id('nt_fan') and kind = 'gift_subscription'),
  'nt_optout', 'a gifted subscription notifies the owner with the gifter as actor');
update public.notification_preferences set on_subscription = false where user_id = tests.user_id('nt_fan');
insert into public.subscriptions (channel_id, user_id, current_period_end)
select c.id, tests.user_id('nt_nopref'), now() + interval '30 days' from public.channels c where c.slug = 'nt_fan';
select is((select count(*)::int from public.notifications where user_id = tests.user_id('nt_fan') and kind like '%subscription'), 2,
  'with on_subscription off a subscription notifies nobody');

-- reading, marking read, deleting
select tests.authenticate_as('nt_fan');
select is((select count(*)::int from public.notifications), 5, 'a user reads their own notifications');
select is((select count(*)::int from public.notifications where read_at is null), 5, 'and counts their unread ones');
select lives_ok($$ update public.notifications set read_at = now() where kind = 'new_follower' $$, 'a user marks a notification read');
select throws_ok($$ update public.notifications set payload = '{}' $$, '42501', null, 'a user cannot change anything but read_at');
select throws_ok($$ update public.notifications set user_id = tests.user_id('nt_other') $$, '42501', null, 'nor move a notification to someone else');
select throws_ok($$ insert into public.notifications (user_id, kind) values (tests.user_id('nt_fan'), 'channel_live') $$,
  '42501', null, 'a user cannot create notifications');
select is(public.mark_all_notifications_read(), 4, 'mark_all_notifications_read marks the rest and says how many');
select is((select count(*)::int from public.notifications where read_at is null), 0, 'nothing is unread after it');
select is(public.mark_all_notifications_read(), 0, 'a second call marks nothing');
select lives_ok($$ delete from public.notifications where kind = 'new_follower' $$, 'a user deletes their own notification');
select is((select count(*)::int from public.notifications), 4, 'and it is gone');

select tests.authenticate_as('nt_other');
select is((select count(*)::int from public.notifications where user_id = tests.user_id('nt_fan')), 0, 'nobody reads another user''s notifications');
update public.notifications set read_at = null where user_id = tests.user_id('nt_fan');
delete from public.notifications where user_id = tests.user_id('nt_fan');
select tests.clear_authentication();
select is((select count(*)::int from public.notifications where user_id = tests.user_id('nt_fan') and read_at is not null), 4,
  'nobody marks or deletes another user''s notifications');

select tests.authenticate_as_anon();
select throws_ok($$ select * from public.notifications $$, '42501', null, 'anon reads no notifications');
select tests.clear_authentication();
select is(tests.api_code(null, $$ select public.mark_all_notifications_read() $$), 'auth_required',
  'anon calling mark_all_notifications_read gets auth_required, as every RPC');

-- pruning
update public.notifications set created_at = now() - interval '90 days' - interval '1 minute'
where user_id = tests.user_id('nt_fan') and kind = 'channel_live';
update public.notifications set created_at = now() - interval '89 days', read_at = now()
where user_id = tests.user_id('nt_fan') and kind = 'subscription';
update public.notifications set created_at = now() - interval '200 days', read_at = null
where user_id = tests.user_id('nt_fan') and kind = 'gift_subscription';
select is(private.prune_read_notifications(), 2, 'read notifications older than 90 days are pruned');
select set_eq($$ select kind from public.notifications where user_id = tests.user_id('nt_fan') $$,
  array['subscription', 'gift_subscription'], 'younger or unread ones stay');

-- deleting the actor or the channel (channel_id and actor_id are kept by triggers, not foreign keys)
insert into public.notifications (user_id, kind, channel_id, actor_id)
select tests.user_id('nt_fan'), 'new_follower', c.id, tests.user_id('nt_other') from public.channels c where c.slug = 'nt_fan';
insert into public.notifications (user_id, kind, channel_id, actor_id)
select tests.user_id('nt_fan'), 'channel_live', c.id, c.owner_id from public.channels c where c.slug = 'nt_quiet';
delete from public.users where id = tests.user_id('nt_other');
select is((select count(*)::int from public.notifications where user_id = tests.user_id('nt_fan') and kind = 'new_follower' and actor_id is null), 1,
  'a deleted actor leaves the notification with no actor');
delete from public.channels where slug = 'nt_quiet';
select is((select count(*)::int from public.notifications where user_id = tests.user_id('nt_fan') and kind = 'channel_live'
    and channel_id not in (select id from public.channels)), 0,
  'a deleted channel takes its notifications with it');

select * from finish();
rollback;
