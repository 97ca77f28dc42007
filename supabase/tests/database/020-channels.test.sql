-- Channels: everyone reads them, only the owner edits the editable columns, the slug follows the
-- username, and what viewers see changing sends `channel.updated` on `channel:<id>`.
begin;
select plan(35);

select tests.create_user('ch_owner');
select tests.create_user('ch_mod');
select tests.create_user('ch_vip');
select tests.create_user('ch_stranger');
insert into public.categories (igdb_id, name, slug) values (990001, 'Test Game', 'test-game');
insert into public.channel_roles (channel_id, user_id, role, granted_by)
select c.id, tests.user_id(r.username), r.role, c.owner_id
from public.channels c, (values ('ch_mod', 'moderator'), ('ch_vip', 'vip')) as r (username, role)
where c.slug = 'ch_owner';

-- creation
select is((select count(*) from public.channels where owner_id = tests.user_id('ch_owner'))::int, 1,
  'a new user owns exactly one channel');
select is((select slug::text from public.channels where owner_id = tests.user_id('ch_owner')), 'ch_owner',
  'a new channel''s slug is its owner''s username');
select is((select (is_live, followers_count, title) from public.channels where slug = 'ch_owner'), (false, 0, ''::text),
  'a new channel starts offline, with no followers and no title');

-- anon
select tests.authenticate_as_anon();
select is((select count(*) from public.channels where slug in ('ch_owner', 'ch_stranger'))::int, 2, 'anon can read channels');
select throws_ok($$ update public.channels set title = 'anon was here' $$, '42501', null, 'anon cannot update channels');
select throws_ok($$ insert into public.channels (owner_id, slug) values (tests.user_id('ch_stranger'), 'second') $$, '42501', null,
  'anon cannot create channels');

-- a stranger, a moderator and a VIP cannot edit someone else's channel
select tests.authenticate_as('ch_stranger');
select is((select count(*) from public.channels where slug = 'ch_owner')::int, 1, 'a signed-in user can read channels');
update public.channels set title = 'stranger was here' where slug = 'ch_owner';
select tests.authenticate_as('ch_mod');
update public.channels set title = 'mod was here' where slug = 'ch_owner';
select tests.authenticate_as('ch_vip');
update public.channels set title = 'vip was here' where slug = 'ch_owner';
select tests.clear_authentication();
select is((select title from public.channels where slug = 'ch_owner'), '',
  'a stranger, a moderator and a VIP cannot edit another user''s channel');
select is((select count(*) from tests.broadcasts('channel:' || (select id from public.channels where slug = 'ch_owner')))::int, 0,
  'denied edits send no event');

-- the owner
select tests.authenticate_as('ch_owner');
select lives_ok($$
  update public.channels
  set title = 'Day one', description = 'Hello', category_id = (select id from public.categories where slug = 'test-game'),
      language = 'pt', is_mature = true
  where slug = 'ch_owner' $$, 'the owner can edit title, description, category, language and maturity');
select tests.clear_authentication();
select is((select (title, description, language, is_mature) from public.channels where slug = 'ch_owner'),
  ('Day one'::text, 'Hello'::text, 'pt'::text, true), 'the owner''s edits are stored');
select is((select category_id from public.channels where slug = 'ch_owner'),
  (select id from public.categories where slug = 'test-game'), 'the owner can set the category');
select is((select count(*) from tests.broadcasts('channel:' || (select id from public.channels where slug = 'ch_owner'))
  where event = 'channel.updated')::int, 1, 'an owner edit sends channel.updated on channel:<id>');
select is((select payload ->> 'title' from tests.broadcasts('channel:' || (select id from public.channels where slug = 'ch_owner'))
  where event = 'channel.updated'), 'Day one', 'channel.updated carries the channel row');
select is((select (payload ->> 'id')::uuid from tests.broadcasts('channel:' || (select id from public.channels where slug = 'ch_owner'))
  where event = 'channel.updated'), (select id from public.channels where slug = 'ch_owner'), 'the payload id is the channel id');
select is((select private from tests.broadcasts('channel:' || (select id from public.channels where slug = 'ch_owner'))
  where event = 'channel.updated'), true, 'channel.updated is a private broadcast');

select tests.authenticate_as('ch_owner');
select throws_ok($$ update public.channels set followers_count = 1000000 where slug = 'ch_owner' $$, '42501', null,
  'the owner cannot set their follower count');
select throws_ok($$ update public.channels set is_live = true where slug = 'ch_owner' $$, '42501', null,
  'the owner cannot mark their channel live');
select throws_ok($$ update public.channels set slug = 'vanity' where slug = 'ch_owner' $$, '42501', null,
  'the owner cannot change the slug directly');
select throws_ok($$ update public.channels set owner_id = tests.user_id('ch_stranger') where slug = 'ch_owner' $$, '42501', null,
  'the owner cannot hand the channel over');
select throws_ok($$ update public.channels set title = repeat('t', 141) where slug = 'ch_owner' $$, '23514', null,
  'a title over 140 characters is refused');
select lives_ok($$ update public.channels set title = repeat('t', 140) where slug = 'ch_owner' $$,
  'a title of exactly 140 characters is accepted');
select throws_ok($$ update public.channels set description = repeat('d', 1001) where slug = 'ch_owner' $$, '23514', null,
  'a description over 1000 characters is refused');
select throws_ok($$ update public.channels set language = 'eng' where slug = 'ch_owner' $$, '23514', null,
  'a language that is not two lowercase letters is refused');
select throws_ok($$ update public.channels set category_id = gen_random_uuid() where slug = 'ch_owner' $$, '23503', null,
  'an unknown category is refused');
select tests.clear_authentication();
select is((select (title, description, language) from public.channels where slug = 'ch_owner'),
  (repeat('t', 140), 'Hello'::text, 'pt'::text), 'refused edits change nothing');

-- a rolled-back edit sends nothing
select is((select count(*) from tests.broadcasts('channel:' || (select id from public.channels where slug = 'ch_owner')))::int, 2,
  'two accepted edits so far, two events');
savepoint before_rollback;
update public.channels set title = 'never happened' where slug = 'ch_owner';
rollback to savepoint before_rollback;
select is((select count(*) from tests.broadcasts('channel:' || (select id from public.channels where slug = 'ch_owner')))::int, 2,
  'a rolled-back edit sends nothing');
update public.channels set followers_count = followers_count + 1 where slug = 'ch_owner';
select is((select count(*) from tests.broadcasts('channel:' || (select id from public.channels where slug = 'ch_owner')))::int, 2,
  'a follower count change alone sends no channel.updated');

-- the slug follows the username
select private.provision_user(tests.user_id('ch_owner'), 'ch_renamed');
select is((select slug::text from public.channels where owner_id = tests.user_id('ch_renamed')), 'ch_renamed',
  'renaming a user renames their channel''s slug');
select is((select payload ->> 'slug' from tests.broadcasts('channel:' || (select id from public.channels where slug = 'ch_renamed'))
  where event = 'channel.updated' and payload ->> 'slug' = 'ch_renamed'), 'ch_renamed', 'a new slug sends channel.updated');
select throws_ok($$ select private.provision_user(tests.user_id('ch_renamed'), 'ch_stranger') $$, '23505', null,
  'a rename onto a taken username is refused');
select is((select slug::text from public.channels where owner_id = tests.user_id('ch_renamed')), 'ch_renamed',
  'a refused rename leaves the slug alone');

-- the service role
select tests.authenticate_as_service_role();
select lives_ok($$ update public.channels set is_live = false, title = 'Service title' where slug = 'ch_stranger' $$,
  'the service role can update any channel');
select throws_ok($$ insert into public.channels (owner_id, slug) values (tests.user_id('ch_stranger'), 'second_one') $$, '23505', null,
  'a user cannot own a second channel, even through the service role');
select tests.clear_authentication();

select * from finish();
rollback;
