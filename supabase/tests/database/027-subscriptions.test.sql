-- Subscriptions: written by the service role only (payments are a later capability); read by the
-- subscriber and the channel's owner. (subscription.created on the chatroom topic belongs to chat.)
begin;
select plan(17);

select tests.create_user('su_owner');
select tests.create_user('su_mod');
select tests.create_user('su_vip');
select tests.create_user('su_fan');
select tests.create_user('su_gifter');
select tests.create_user('su_stranger');
insert into public.channel_roles (channel_id, user_id, role, granted_by)
select c.id, tests.user_id(r.username), r.role, c.owner_id
from public.channels c, (values ('su_mod', 'moderator'), ('su_vip', 'vip')) as r (username, role)
where c.slug = 'su_owner';

-- the service role writes
select tests.authenticate_as_service_role();
select lives_ok($$ insert into public.subscriptions (channel_id, user_id, tier, current_period_end)
  values ((select id from public.channels where slug = 'su_owner'), tests.user_id('su_fan'), 2, now() + interval '30 days') $$,
  'the service role can create a subscription');
select lives_ok($$ insert into public.subscriptions (channel_id, user_id, current_period_end, is_gift, gifter_id)
  values ((select id from public.channels where slug = 'su_owner'), tests.user_id('su_vip'), now() + interval '30 days', true, tests.user_id('su_gifter')) $$,
  'the service role can record a gifted subscription');
select lives_ok($$ update public.subscriptions set cumulative_months = 2, current_period_end = now() + interval '60 days'
  where user_id = tests.user_id('su_fan') $$, 'the service role can renew a subscription');
select throws_ok($$ insert into public.subscriptions (channel_id, user_id, current_period_end)
  values ((select id from public.channels where slug = 'su_owner'), tests.user_id('su_fan'), now() + interval '30 days') $$,
  '23505', null, 'a user has at most one subscription per channel');
select throws_ok($$ insert into public.subscriptions (channel_id, user_id, tier, current_period_end)
  values ((select id from public.channels where slug = 'su_owner'), tests.user_id('su_stranger'), 4, now() + interval '30 days') $$,
  '23514', null, 'tiers go from 1 to 3');
select throws_ok($$ insert into public.subscriptions (channel_id, user_id, current_period_end, is_gift)
  values ((select id from public.channels where slug = 'su_owner'), tests.user_id('su_stranger'), now() + interval '30 days', true) $$,
  '23514', null, 'a gift needs a gifter');
select throws_ok($$ insert into public.subscriptions (channel_id, user_id, current_period_end)
  values ((select id from public.channels where slug = 'su_owner'), tests.user_id('su_stranger'), now() - interval '1 day') $$,
  '23514', null, 'a period cannot end before it starts');
select tests.clear_authentication();

-- anon and signed-in users
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.subscriptions $$, '42501', null, 'anon cannot read subscriptions');
select tests.authenticate_as('su_fan');
select is((select count(*) from public.subscriptions)::int, 1, 'a subscriber reads their own subscription only');
select throws_ok($$ insert into public.subscriptions (channel_id, user_id, current_period_end)
  values ((select id from public.channels where slug = 'su_stranger'), tests.user_id('su_fan'), now() + interval '30 days') $$,
  '42501', null, 'a user cannot subscribe themselves for free');
select throws_ok($$ update public.subscriptions set tier = 3 $$, '42501', null, 'a subscriber cannot change their tier');
select throws_ok($$ delete from public.subscriptions $$, '42501', null, 'a subscriber cannot delete their subscription');
select tests.authenticate_as('su_owner');
select is((select count(*) from public.subscriptions where channel_id = (select id from public.channels where slug = 'su_owner'))::int, 2,
  'the owner reads their channel''s subscriptions');
select tests.authenticate_as('su_mod');
select is((select count(*) from public.subscriptions)::int, 0, 'a moderator cannot read the channel''s subscriptions');
select tests.authenticate_as('su_vip');
select is((select count(*) from public.subscriptions)::int, 1, 'a VIP reads only their own (gifted) subscription');
select tests.authenticate_as('su_stranger');
select is((select count(*) from public.subscriptions)::int, 0, 'a stranger reads no subscriptions');
select tests.clear_authentication();

select is(private.is_subscriber((select id from public.channels where slug = 'su_owner'), tests.user_id('su_fan')), true,
  'an active subscription makes the user a subscriber');

select * from finish();
rollback;
