-- Channel roles: anyone reads them; only the owner grants and revokes (never to themselves; moderator
-- and VIP exclusive); each grant and revoke sends role.granted / role.revoked on user:<user_id>.
begin;
select plan(32);

select tests.create_user('ro_owner');
select tests.create_user('ro_mod');
select tests.create_user('ro_vip');
select tests.create_user('ro_og');
select tests.create_user('ro_stranger');
insert into public.channel_roles (channel_id, user_id, role, granted_by)
select c.id, tests.user_id(r.username), r.role, c.owner_id
from public.channels c, (values ('ro_mod', 'moderator'), ('ro_vip', 'vip')) as r (username, role)
where c.slug = 'ro_owner';

-- anon
select tests.authenticate_as_anon();
select is((select count(*) from public.channel_roles where channel_id = (select id from public.channels where slug = 'ro_owner'))::int, 2,
  'anon can read channel roles');
select throws_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_owner'), tests.user_id('ro_og'), 'og') $$,
  '42501', null, 'anon cannot grant roles');
select throws_ok($$ delete from public.channel_roles $$, '42501', null, 'anon cannot revoke roles');

-- the owner grants
select tests.authenticate_as('ro_owner');
select lives_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_owner'), tests.user_id('ro_og'), 'og') $$,
  'the owner can grant a role');
select is((select granted_by from public.channel_roles where user_id = tests.user_id('ro_og')), tests.user_id('ro_owner'),
  'granted_by records the owner');
select lives_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_owner'), tests.user_id('ro_vip'), 'og') $$,
  'a VIP can also be an OG');
select throws_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_owner'), tests.user_id('ro_mod'), 'vip') $$,
  '23514', 'a user cannot be both moderator and vip of a channel', 'a moderator cannot also be made a VIP');
select throws_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_owner'), tests.user_id('ro_vip'), 'moderator') $$,
  '23514', 'a user cannot be both moderator and vip of a channel', 'a VIP cannot also be made a moderator');
select throws_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_owner'), tests.user_id('ro_owner'), 'moderator') $$,
  '23514', 'the owner cannot hold a role in their own channel', 'the owner cannot grant themselves a role');
select throws_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_owner'), tests.user_id('ro_og'), 'og') $$,
  '23505', null, 'granting the same role twice is refused');
select throws_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_owner'), tests.user_id('ro_stranger'), 'admin') $$,
  '23514', null, 'an unknown role is refused');
select throws_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_stranger'), tests.user_id('ro_og'), 'moderator') $$,
  '42501', null, 'the owner cannot grant roles in another channel');
select throws_ok($$ update public.channel_roles set role = 'moderator' where user_id = tests.user_id('ro_vip') $$,
  '42501', null, 'roles cannot be edited, only revoked and granted');
select tests.clear_authentication();
select is((select count(*) from public.channel_roles where channel_id = (select id from public.channels where slug = 'ro_owner'))::int, 4,
  'refused grants change nothing');

-- events
select is((select count(*) from tests.broadcasts('user:' || tests.user_id('ro_og')) where event = 'role.granted')::int, 1,
  'a grant sends role.granted on user:<user_id>');
select is((select payload - 'created_at' - 'id' from tests.broadcasts('user:' || tests.user_id('ro_og')) where event = 'role.granted'),
  jsonb_build_object('channel_id', (select id from public.channels where slug = 'ro_owner'), 'channel_slug', 'ro_owner',
    'user_id', tests.user_id('ro_og'), 'role', 'og', 'granted_by', tests.user_id('ro_owner')),
  'role.granted says which channel, which role and who granted it');
select is((select count(*) from tests.broadcasts('user:' || tests.user_id('ro_mod')) where event = 'role.granted')::int, 1,
  'a refused grant sends nothing');
savepoint before_rollback;
insert into public.channel_roles (channel_id, user_id, role) select id, tests.user_id('ro_stranger'), 'og' from public.channels where slug = 'ro_owner';
rollback to savepoint before_rollback;
select is((select count(*) from tests.broadcasts('user:' || tests.user_id('ro_stranger')))::int, 0, 'a rolled-back grant sends nothing');

-- a stranger, a moderator and a VIP cannot grant or revoke
select tests.authenticate_as('ro_stranger');
select throws_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_owner'), tests.user_id('ro_stranger'), 'moderator') $$,
  '42501', null, 'a stranger cannot grant themselves a role');
delete from public.channel_roles where user_id = tests.user_id('ro_og');
select tests.authenticate_as('ro_mod');
select throws_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_owner'), tests.user_id('ro_stranger'), 'moderator') $$,
  '42501', null, 'a moderator cannot grant roles');
delete from public.channel_roles where user_id = tests.user_id('ro_og');
delete from public.channel_roles where user_id = tests.user_id('ro_mod');
select tests.authenticate_as('ro_vip');
select throws_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_owner'), tests.user_id('ro_stranger'), 'vip') $$,
  '42501', null, 'a VIP cannot grant roles');
delete from public.channel_roles where user_id = tests.user_id('ro_og');
select tests.clear_authentication();
select is((select count(*) from public.channel_roles where channel_id = (select id from public.channels where slug = 'ro_owner'))::int, 4,
  'a stranger, a moderator and a VIP cannot revoke roles (not even their own)');
select is((select count(*) from tests.broadcasts('user:' || tests.user_id('ro_og')) where event = 'role.revoked')::int, 0,
  'denied revokes send nothing');

-- the owner revokes
select tests.authenticate_as('ro_owner');
delete from public.channel_roles where user_id = tests.user_id('ro_og');
select tests.clear_authentication();
select is((select count(*) from public.channel_roles where user_id = tests.user_id('ro_og'))::int, 0, 'the owner can revoke a role');
select is((select payload ->> 'role' from tests.broadcasts('user:' || tests.user_id('ro_og')) where event = 'role.revoked'), 'og',
  'a revoke sends role.revoked on user:<user_id>');
select is((select (payload ->> 'revoked_by')::uuid from tests.broadcasts('user:' || tests.user_id('ro_og')) where event = 'role.revoked'),
  tests.user_id('ro_owner'), 'role.revoked says who revoked it');
select tests.authenticate_as('ro_owner');
delete from public.channel_roles where user_id = tests.user_id('ro_mod');
select lives_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_owner'), tests.user_id('ro_mod'), 'vip') $$,
  'a former moderator can be made a VIP once the moderator role is revoked');
select tests.clear_authentication();

-- the service role
select tests.authenticate_as_service_role();
select throws_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_owner'), tests.user_id('ro_owner'), 'og') $$,
  '23514', 'the owner cannot hold a role in their own channel', 'not even the service role can give the owner a role');
select lives_ok($$ insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'ro_stranger'), tests.user_id('ro_og'), 'moderator') $$,
  'the service role can grant roles');
select lives_ok($$ update public.channel_roles set role = 'vip' where user_id = tests.user_id('ro_og') and channel_id = (select id from public.channels where slug = 'ro_stranger') $$,
  'the service role can change a role');
select tests.clear_authentication();
select is((select array_agg(event || ':' || (payload ->> 'role') order by event desc, payload ->> 'role') from tests.broadcasts('user:' || tests.user_id('ro_og'))
  where payload ->> 'channel_id' = (select id::text from public.channels where slug = 'ro_stranger')),
  array['role.revoked:moderator', 'role.granted:moderator', 'role.granted:vip'], 'a changed role sends role.revoked for the old and role.granted for the new');
select tests.authenticate_as_service_role();
select lives_ok($$ delete from public.channel_roles where user_id = tests.user_id('ro_og') $$, 'the service role can revoke roles');
select tests.clear_authentication();

select * from finish();
rollback;
