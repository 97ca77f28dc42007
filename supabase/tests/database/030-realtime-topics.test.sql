-- Realtime authorization: channel:<channel_id> is received by everyone (anon too) and user:<user_id>
-- only by that user; nobody may send on either; unknown or malformed topics are refused.
begin;
select plan(18);

select tests.create_user('rt_owner');
select tests.create_user('rt_mod');
select tests.create_user('rt_vip');
select tests.create_user('rt_stranger');
insert into public.channel_roles (channel_id, user_id, role, granted_by)
select c.id, tests.user_id(r.username), r.role, c.owner_id
from public.channels c, (values ('rt_mod', 'moderator'), ('rt_vip', 'vip')) as r (username, role)
where c.slug = 'rt_owner';
select set_config('test.channel_topic', 'channel:' || (select id from public.channels where slug = 'rt_owner'), true);
select set_config('test.user_topic', 'user:' || tests.user_id('rt_mod'), true);

-- channel:<id>
select is(tests.realtime_can('receive', null, current_setting('test.channel_topic')), true, 'anon can receive channel:<id>');
select is(tests.realtime_can('receive', 'rt_stranger', current_setting('test.channel_topic')), true, 'a signed-in stranger can receive channel:<id>');
select is(tests.realtime_can('receive', 'rt_owner', current_setting('test.channel_topic')), true, 'the owner can receive channel:<id>');
select is(tests.realtime_can('send', null, current_setting('test.channel_topic')), false, 'anon cannot send on channel:<id>');
select is(tests.realtime_can('send', 'rt_owner', current_setting('test.channel_topic')), false, 'not even the owner can send on channel:<id>');
select is(tests.realtime_can('send', 'rt_mod', current_setting('test.channel_topic')), false, 'a moderator cannot send on channel:<id>');
select is(tests.realtime_can('receive', null, 'channel:' || gen_random_uuid()), false, 'a channel that does not exist cannot be received');
select is(tests.realtime_can('receive', null, 'channel:not-a-uuid'), false, 'a malformed channel topic is refused');

-- user:<id>
select is(tests.realtime_can('receive', 'rt_mod', current_setting('test.user_topic')), true, 'a user can receive their own user:<id>');
select is(tests.realtime_can('receive', 'rt_owner', current_setting('test.user_topic')), false, 'the channel owner cannot receive their moderator''s user:<id>');
select is(tests.realtime_can('receive', 'rt_vip', current_setting('test.user_topic')), false, 'another user cannot receive someone''s user:<id>');
select is(tests.realtime_can('receive', null, current_setting('test.user_topic')), false, 'anon cannot receive any user:<id>');
select is(tests.realtime_can('receive', 'rt_mod', current_setting('test.user_topic'), 'presence'), true, 'presence on user:<id> follows the same rule');
select is(tests.realtime_can('send', 'rt_mod', current_setting('test.user_topic')), false, 'a user cannot send on their own user:<id>');
select is(tests.realtime_can('receive', 'rt_mod', 'user:' || upper(tests.user_id('rt_mod')::text)), true, 'uuid letter case does not matter');

-- anything else
select is(tests.realtime_can('receive', 'rt_owner', 'admin:all'), false, 'an unknown topic family is refused');
select is(tests.realtime_can('receive', 'rt_owner', 'channel:' || (select id from public.channels where slug = 'rt_owner') || ':extra'), false,
  'a channel topic with a suffix is refused');

-- the events really arrive where these rules look
insert into public.channel_roles (channel_id, user_id, role, granted_by)
select c.id, tests.user_id('rt_stranger'), 'og', c.owner_id from public.channels c where c.slug = 'rt_owner';
select is((select count(*) from tests.broadcasts('user:' || tests.user_id('rt_stranger')) where private)::int, 1,
  'role events are private broadcasts on the topic the rule guards');

select * from finish();
rollback;
