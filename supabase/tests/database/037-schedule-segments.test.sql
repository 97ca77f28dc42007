-- Schedules: anyone reads a channel's segments, only its owner writes them (at most 50 upcoming),
-- and followed_schedule lists the next 7 days of the caller's followed channels, weekly segments
-- expanded, canceled and past ones left out, through indexes.
begin;
select plan(31);

select tests.create_user('sc_owner');
select tests.create_user('sc_other');
select tests.create_user('sc_fan');
create temporary table t (channel uuid, other uuid) on commit drop;
insert into t select (select id from public.channels where slug = 'sc_owner'), (select id from public.channels where slug = 'sc_other');
grant select on t to anon, authenticated, service_role;
insert into public.follows (user_id, channel_id) select tests.user_id('sc_fan'), channel from t;

-- writing and reading ------------------------------------------------------------------------------
select is(tests.try_as('sc_owner', $$ insert into public.schedule_segments (channel_id, starts_at, ends_at, title)
    values ((select channel from t), now() + interval '1 day', now() + interval '1 day 2 hours', 'Tomorrow') $$), 'rows:1',
  'the owner adds a segment to their schedule');
select is(tests.try_as('sc_other', $$ insert into public.schedule_segments (channel_id, starts_at, ends_at, title)
    values ((select channel from t), now() + interval '1 day', now() + interval '1 day 2 hours', 'Fake') $$), '42501',
  'another user cannot add to it');
select is(tests.try_as(null, $$ insert into public.schedule_segments (channel_id, starts_at, ends_at)
    values ((select channel from t), now() + interval '1 day', now() + interval '1 day 2 hours') $$), '42501', 'anon cannot add to it');
select is(tests.try_as(null, $$ select * from public.schedule_segments where channel_id = (select channel from t) $$), 'rows:1', 'anon reads it');
select is(tests.try_as('sc_other', $$ select * from public.schedule_segments where channel_id = (select channel from t) $$), 'rows:1', 'any user reads it');
select is(tests.try_as('sc_other', $$ update public.schedule_segments set title = 'x' $$), 'rows:0', 'another user cannot change it');
select is(tests.try_as('sc_other', $$ delete from public.schedule_segments $$), 'rows:0', 'nor delete it');
select is(tests.try_as('sc_owner', $$ update public.schedule_segments set channel_id = (select other from t) $$), '42501',
  'the owner cannot move a segment to another channel');
select is(tests.try_as('sc_owner', $$ update public.schedule_segments set title = 'Tomorrow, longer', canceled = false $$), 'rows:1',
  'the owner changes their segment');
select is(tests.try_as('sc_owner', $$ insert into public.schedule_segments (channel_id, starts_at, ends_at)
    values ((select channel from t), now() + interval '2 days', now() + interval '2 days' - interval '1 minute') $$), '23514',
  'a segment must end after it starts');
select is(tests.try_as('sc_owner', $$ insert into public.schedule_segments (channel_id, starts_at, ends_at)
    values ((select channel from t), now() + interval '2 days', now() + interval '3 days 1 second') $$), '23514',
  'a segment lasts at most 24 hours');
select is(tests.try_as('sc_owner', $$ insert into public.schedule_segments (channel_id, starts_at, ends_at)
    values ((select channel from t), now() + interval '2 days', now() + interval '3 days') $$), 'rows:1', 'exactly 24 hours is allowed');
select is(tests.try_as('sc_owner', $$ insert into public.schedule_segments (channel_id, starts_at, ends_at, recurrence)
    values ((select channel from t), now() + interval '2 days', now() + interval '2 days 1 hour', 'daily') $$), '23514',
  'recurrence is none or weekly');

-- at most 50 upcoming ------------------------------------------------------------------------------
delete from public.schedule_segments;
insert into public.schedule_segments (channel_id, starts_at, ends_at, title)
select (select channel from t), now() + n * interval '1 day', now() + n * interval '1 day' + interval '1 hour', 'Day ' || n
from generate_series(1, 49) n;
insert into public.schedule_segments (channel_id, starts_at, ends_at, title)
select (select channel from t), now() - n * interval '1 day', now() - n * interval '1 day' + interval '1 hour', 'Past ' || n
from generate_series(1, 5) n;
select is(tests.try_as('sc_owner', $$ insert into public.schedule_segments (channel_id, starts_at, ends_at, recurrence)
    values ((select channel from t), now() + interval '60 days', now() + interval '60 days 1 hour', 'weekly') $$), 'rows:1',
  'the 50th upcoming segment is accepted (past segments do not count)');
select tests.authenticate_as('sc_owner');
select throws_ok($$ insert into public.schedule_segments (channel_id, starts_at, ends_at)
    values ((select channel from t), now() + interval '61 days', now() + interval '61 days 1 hour') $$,
  '23514', 'schedule_segments allows at most 50 upcoming segments per channel', 'the 51st is refused, naming the limit');
select tests.clear_authentication();
select is(tests.try_as('sc_owner', $$ insert into public.schedule_segments (channel_id, starts_at, ends_at, canceled)
    values ((select channel from t), now() + interval '61 days', now() + interval '61 days 1 hour', true) $$), 'rows:1',
  'a canceled segment does not count');
select is(tests.try_as('sc_owner', $$ update public.schedule_segments set canceled = false where canceled $$), '23514',
  'un-canceling it over the limit is refused');
select is(tests.try_as('sc_owner', $$ insert into public.schedule_segments (channel_id, starts_at, ends_at)
    values ((select channel from t), now() - interval '3 hours', now() - interval '2 hours') $$), 'rows:1',
  'a past segment can still be recorded');
select is(tests.try_as('sc_other', $$ insert into public.schedule_segments (channel_id, starts_at, ends_at)
    values ((select other from t), now() + interval '1 day', now() + interval '1 day 1 hour') $$), 'rows:1',
  'the limit is per channel');

-- followed_schedule --------------------------------------------------------------------------------
delete from public.schedule_segments;
insert into public.schedule_segments (channel_id, starts_at, ends_at, title, recurrence, canceled) values
  ((select channel from t), now() + interval '1 day', now() + interval '1 day 2 hours', 'once soon', 'none', false),
  ((select channel from t), now() + interval '8 days', now() + interval '8 days 2 hours', 'once later', 'none', false),
  ((select channel from t), now() - interval '1 day', now() - interval '22 hours', 'once past', 'none', false),
  ((select channel from t), now() + interval '2 days', now() + interval '2 days 1 hour', 'canceled', 'none', true),
  ((select channel from t), now() - interval '1 hour', now() + interval '1 hour', 'on air now', 'none', false),
  ((select channel from t), now() - interval '70 days' + interval '3 hours', now() - interval '70 days' + interval '4 hours', 'weekly', 'weekly', false),
  ((select channel from t), now() - interval '7 days 40 minutes', now() - interval '7 days' + interval '20 minutes', 'weekly twice', 'weekly', false),
  ((select other from t), now() + interval '1 day', now() + interval '1 day 1 hour', 'not followed', 'none', false);
select tests.authenticate_as('sc_fan');
select results_eq($$ select title, round(extract(epoch from starts_at - now()) / 3600)::int from public.followed_schedule order by starts_at $$,
  $$ values ('on air now', -1), ('weekly twice', -1), ('weekly', 3), ('once soon', 24), ('weekly twice', 167) $$,
  'the fan sees the next 7 days of followed channels: weekly segments expanded, canceled, past, later and unfollowed left out');
select tests.clear_authentication();
select is(tests.try_as('sc_other', $$ select * from public.followed_schedule $$), 'rows:0', 'a user who follows nobody sees nothing');
select is(tests.try_as(null, $$ select * from public.followed_schedule $$), '42501', 'anon cannot read it');
select is(tests.try_as('sc_fan', $$ select * from public.followed_schedule where channel_slug = 'sc_owner' and recurrence = 'weekly' $$), 'rows:3',
  'its columns filter like a table');
select ok(tests.plan_of($$ select * from public.schedule_segments where channel_id = '00000000-0000-0000-0000-000000000001' and starts_at > now() order by starts_at $$)
    like '%schedule_segments_channel_id_starts_at_idx%', 'a channel''s schedule is read through its index');
set local enable_seqscan = off;
select ok(tests.plan_of($$ select * from public.followed_schedule $$) like '%schedule_segments_channel_id_starts_at_idx%',
  'followed_schedule reads each followed channel''s segments through the index');
reset enable_seqscan;
select is((select count(*)::int from pg_class where relname = 'followed_schedule' and 'security_invoker=true' = any (reloptions)), 1,
  'followed_schedule runs with the caller''s rights');

-- the service role and deletes ---------------------------------------------------------------------
select is(tests.try_as('service_role', $$ update public.schedule_segments set title = 'service' where title = 'not followed' $$), 'rows:1',
  'the service role writes any schedule');
select is(tests.try_as('sc_owner', $$ delete from public.schedule_segments where channel_id = (select channel from t) and canceled $$), 'rows:1',
  'the owner deletes a segment');
select is(tests.try_as(null, $$ delete from public.schedule_segments $$), '42501', 'anon deletes nothing');
select is(tests.try_as('sc_owner', $$ update public.schedule_segments set updated_at = now() - interval '1 day' $$), '42501',
  'updated_at is kept by the database');
delete from public.channels where id = (select other from t);
select is((select count(*)::int from public.schedule_segments where title = 'service'), 0, 'a deleted channel''s schedule goes with it');

select * from finish();
rollback;
