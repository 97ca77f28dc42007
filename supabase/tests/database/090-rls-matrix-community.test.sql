-- The RLS role matrix, community tables: for every table of the community part (users through
-- livestreams) and every role (anon, a stranger, the channel owner, a moderator, a VIP, the service
-- role), what SELECT, INSERT, UPDATE and DELETE do, exactly as docs/API.md states. A refusal is
-- either SQLSTATE 42501 (no grant, or a WITH CHECK failure) or 0 rows (RLS filters them); each cell
-- says which, and every table is read back as the test runner to prove refused writes changed nothing.
begin;
select plan(473);

-- The matrix helpers (tests.try_as, tests.cell, tests.remember, tests.unchanged) are in
-- 000-helpers.test.sql.

-- The world: a channel (cm_owner) with a moderator, a VIP, an OG, a subscriber and a banned user, a
-- stranger who holds no role in it (and owns a channel of their own), and a spare user.
select tests.create_chat_world('cm');
select tests.create_user('cm_spare');
insert into public.categories (igdb_id, name, slug) values
  (990001, 'Matrix Game', 'matrix-game'), (990002, 'Removed Game', 'removed-game');
update public.categories set deleted_at = now() where slug = 'removed-game';
insert into public.follows (user_id, channel_id)
select tests.user_id(u), c.id from public.channels c, unnest(array['cm_mod', 'cm_vip', 'cm_sub']) u where c.slug = 'cm_owner';
insert into public.category_follows (user_id, category_id)
select tests.user_id(u), c.id from public.categories c, unnest(array['cm_vip', 'cm_sub']) u where c.slug = 'matrix-game';
insert into public.channel_panels (channel_id, position, title)
select c.id, p, t from public.channels c, (values (0, 'About'), (1, 'Schedule')) v (p, t) where c.slug = 'cm_owner';
insert into public.channel_links (channel_id, platform, url, position)
select c.id, p, u, n from public.channels c,
  (values ('x', 'https://x.com/cm', 0), ('youtube', 'https://youtube.com/cm', 1)) v (p, u, n) where c.slug = 'cm_owner';
insert into public.subscriber_badges (channel_id, months, image_url)
select c.id, m, 'https://cdn.example.test/' || m || '.png' from public.channels c, unnest(array[1, 3]) m where c.slug = 'cm_owner';
insert into public.livestreams (channel_id, title)
select c.id, 'Live now' from public.channels c where c.slug = 'cm_owner';

-- users -------------------------------------------------------------------------------------------
select tests.remember('public.users');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read a profile', $$select * from public.users where id = tests.user_id('cm_owner')$$, 'rows:1'),
  ('cm_stranger', 'read a profile', $$select * from public.users where id = tests.user_id('cm_owner')$$, 'rows:1'),
  ('cm_owner', 'read a profile', $$select * from public.users where id = tests.user_id('cm_owner')$$, 'rows:1'),
  ('cm_mod', 'read a profile', $$select * from public.users where id = tests.user_id('cm_owner')$$, 'rows:1'),
  ('cm_vip', 'read a profile', $$select * from public.users where id = tests.user_id('cm_owner')$$, 'rows:1'),
  ('service_role', 'read a profile', $$select * from public.users where id = tests.user_id('cm_owner')$$, 'rows:1'),
  (null, 'create a user', $$insert into public.users (id, username) values (gen_random_uuid(), 'cm_new')$$, '42501'),
  ('cm_stranger', 'create a user', $$insert into public.users (id, username) values (gen_random_uuid(), 'cm_new')$$, '42501'),
  ('cm_owner', 'create a user', $$insert into public.users (id, username) values (gen_random_uuid(), 'cm_new')$$, '42501'),
  ('cm_mod', 'create a user', $$insert into public.users (id, username) values (gen_random_uuid(), 'cm_new')$$, '42501'),
  ('cm_vip', 'create a user', $$insert into public.users (id, username) values (gen_random_uuid(), 'cm_new')$$, '42501'),
  (null, 'edit a profile', $$update public.users set bio = 'anon' where id = tests.user_id('cm_owner')$$, '42501'),
  ('cm_stranger', 'edit the owner''s profile', $$update public.users set bio = 'x' where id = tests.user_id('cm_owner')$$, 'rows:0'),
  ('cm_mod', 'edit the owner''s profile', $$update public.users set bio = 'x' where id = tests.user_id('cm_owner')$$, 'rows:0'),
  ('cm_vip', 'edit the owner''s profile', $$update public.users set bio = 'x' where id = tests.user_id('cm_owner')$$, 'rows:0'),
  ('cm_owner', 'change their own username (not an editable column)', $$update public.users set username = 'cm_renamed' where id = tests.user_id('cm_owner')$$, '42501'),
  ('cm_owner', 'change their own created_at', $$update public.users set created_at = now() where id = tests.user_id('cm_owner')$$, '42501'),
  (null, 'delete a user', $$delete from public.users where id = tests.user_id('cm_spare')$$, '42501'),
  ('cm_stranger', 'delete a user', $$delete from public.users where id = tests.user_id('cm_spare')$$, '42501'),
  ('cm_owner', 'delete their own user', $$delete from public.users where id = tests.user_id('cm_owner')$$, '42501'),
  ('cm_mod', 'delete a user', $$delete from public.users where id = tests.user_id('cm_spare')$$, '42501'),
  ('cm_vip', 'delete a user', $$delete from public.users where id = tests.user_id('cm_spare')$$, '42501')
) m (who, action, statement, expected);
select tests.unchanged('public.users');
select tests.cell(who, action, statement, expected) from (values
  ('cm_owner', 'edit their own display_name, avatar_url and bio',
    $$update public.users set display_name = 'Owner', avatar_url = 'https://cdn.example.test/o.png', bio = 'mine' where id = tests.user_id('cm_owner')$$, 'rows:1'),
  ('service_role', 'edit any profile', $$update public.users set bio = 'service' where id = tests.user_id('cm_vip')$$, 'rows:1'),
  ('service_role', 'create a user', $$insert into public.users (id, username) values (gen_random_uuid(), 'cm_new')$$, 'rows:1'),
  ('service_role', 'delete a user', $$delete from public.users where id = tests.user_id('cm_spare')$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select username::text, bio from public.users where username::text in ('cm_owner', 'cm_vip', 'cm_new', 'cm_spare') order by 1 $$,
  $$ values ('cm_new', null::text), ('cm_owner', 'mine'), ('cm_vip', 'service') $$,
  'the allowed user writes took effect: own bio, service edit, service insert and delete');

-- notification_preferences ------------------------------------------------------------------------
select tests.remember('public.notification_preferences');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read notification preferences', $$select * from public.notification_preferences where user_id = tests.user_id('cm_owner')$$, '42501'),
  ('cm_stranger', 'read the owner''s notification preferences', $$select * from public.notification_preferences where user_id = tests.user_id('cm_owner')$$, 'rows:0'),
  ('cm_mod', 'read the owner''s notification preferences', $$select * from public.notification_preferences where user_id = tests.user_id('cm_owner')$$, 'rows:0'),
  ('cm_vip', 'read the owner''s notification preferences', $$select * from public.notification_preferences where user_id = tests.user_id('cm_owner')$$, 'rows:0'),
  ('cm_owner', 'read their own notification preferences', $$select * from public.notification_preferences where user_id = tests.user_id('cm_owner')$$, 'rows:1'),
  ('cm_owner', 'read anyone else''s notification preferences', $$select * from public.notification_preferences where user_id <> tests.user_id('cm_owner')$$, 'rows:0'),
  ('service_role', 'read anyone''s notification preferences', $$select * from public.notification_preferences where user_id = tests.user_id('cm_owner')$$, 'rows:1'),
  (null, 'create notification preferences', $$insert into public.notification_preferences (user_id) values (tests.user_id('cm_spare'))$$, '42501'),
  ('cm_stranger', 'create notification preferences', $$insert into public.notification_preferences (user_id) values (tests.user_id('cm_stranger'))$$, '42501'),
  ('cm_owner', 'create notification preferences', $$insert into public.notification_preferences (user_id) values (tests.user_id('cm_owner'))$$, '42501'),
  ('cm_mod', 'create notification preferences', $$insert into public.notification_preferences (user_id) values (tests.user_id('cm_mod'))$$, '42501'),
  ('cm_vip', 'create notification preferences', $$insert into public.notification_preferences (user_id) values (tests.user_id('cm_vip'))$$, '42501'),
  (null, 'update notification preferences', $$update public.notification_preferences set push_enabled = false$$, '42501'),
  ('cm_stranger', 'update the owner''s notification preferences', $$update public.notification_preferences set push_enabled = false where user_id = tests.user_id('cm_owner')$$, 'rows:0'),
  ('cm_mod', 'update the owner''s notification preferences', $$update public.notification_preferences set push_enabled = false where user_id = tests.user_id('cm_owner')$$, 'rows:0'),
  ('cm_vip', 'update the owner''s notification preferences', $$update public.notification_preferences set push_enabled = false where user_id = tests.user_id('cm_owner')$$, 'rows:0'),
  ('cm_owner', 'move their notification preferences to another user', $$update public.notification_preferences set user_id = tests.user_id('cm_spare') where user_id = tests.user_id('cm_owner')$$, '42501'),
  (null, 'delete notification preferences', $$delete from public.notification_preferences$$, '42501'),
  ('cm_stranger', 'delete their notification preferences', $$delete from public.notification_preferences where user_id = tests.user_id('cm_stranger')$$, '42501'),
  ('cm_owner', 'delete their notification preferences', $$delete from public.notification_preferences where user_id = tests.user_id('cm_owner')$$, '42501'),
  ('cm_mod', 'delete their notification preferences', $$delete from public.notification_preferences where user_id = tests.user_id('cm_mod')$$, '42501'),
  ('cm_vip', 'delete their notification preferences', $$delete from public.notification_preferences where user_id = tests.user_id('cm_vip')$$, '42501')
) m (who, action, statement, expected);
select tests.unchanged('public.notification_preferences');
select tests.cell(who, action, statement, expected) from (values
  ('cm_owner', 'update their own notification preferences', $$update public.notification_preferences set push_enabled = false, on_new_follower = false where user_id = tests.user_id('cm_owner')$$, 'rows:1'),
  ('cm_mod', 'update their own notification preferences', $$update public.notification_preferences set email_enabled = false$$, 'rows:1'),
  ('service_role', 'update anyone''s notification preferences', $$update public.notification_preferences set on_subscription = false where user_id = tests.user_id('cm_vip')$$, 'rows:1'),
  ('service_role', 'delete notification preferences', $$delete from public.notification_preferences where user_id = tests.user_id('cm_stranger')$$, 'rows:1'),
  ('service_role', 'create notification preferences', $$insert into public.notification_preferences (user_id, on_followed_live) values (tests.user_id('cm_stranger'), false)$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select u.username::text, p.email_enabled, p.push_enabled, p.on_followed_live, p.on_new_follower, p.on_subscription
    from public.notification_preferences p join public.users u on u.id = p.user_id
    where u.username::text in ('cm_owner', 'cm_mod', 'cm_vip', 'cm_stranger') order by 1 $$,
  $$ values ('cm_mod', false, true, true, true, true), ('cm_owner', true, false, true, false, true),
            ('cm_stranger', true, true, false, true, true), ('cm_vip', true, true, true, true, false) $$,
  'the allowed preference writes changed exactly the rows they targeted');

-- follows (channel cm_owner is followed by cm_mod, cm_vip and cm_sub) -----------------------------
select tests.remember('public.follows');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read follows', $$select * from public.follows where channel_id = (select id from public.channels where slug = 'cm_owner')$$, '42501'),
  ('cm_stranger', 'read the follows of a channel they do not own', $$select * from public.follows where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_mod', 'read other users'' follows of the channel', $$select * from public.follows where channel_id = (select id from public.channels where slug = 'cm_owner') and user_id <> tests.user_id('cm_mod')$$, 'rows:0'),
  ('cm_mod', 'read their own follow', $$select * from public.follows where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('cm_vip', 'read their own follow', $$select * from public.follows where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('cm_owner', 'read every follow of their channel', $$select * from public.follows where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:3'),
  ('service_role', 'read every follow', $$select * from public.follows where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:3'),
  (null, 'follow a channel', $$insert into public.follows (user_id, channel_id) values (tests.user_id('cm_stranger'), (select id from public.channels where slug = 'cm_owner'))$$, '42501'),
  ('cm_stranger', 'make another user follow a channel', $$insert into public.follows (user_id, channel_id) values (tests.user_id('cm_og'), (select id from public.channels where slug = 'cm_owner'))$$, '42501'),
  ('cm_owner', 'follow their own channel', $$insert into public.follows (channel_id) values ((select id from public.channels where slug = 'cm_owner'))$$, '42501'),
  ('cm_owner', 'make a user follow their channel', $$insert into public.follows (user_id, channel_id) values (tests.user_id('cm_og'), (select id from public.channels where slug = 'cm_owner'))$$, '42501'),
  ('cm_mod', 'make another user follow a channel', $$insert into public.follows (user_id, channel_id) values (tests.user_id('cm_og'), (select id from public.channels where slug = 'cm_owner'))$$, '42501'),
  ('cm_vip', 'make another user follow a channel', $$insert into public.follows (user_id, channel_id) values (tests.user_id('cm_og'), (select id from public.channels where slug = 'cm_owner'))$$, '42501'),
  (null, 'change follow notifications', $$update public.follows set notifications = false$$, '42501'),
  ('cm_stranger', 'change other users'' follow notifications', $$update public.follows set notifications = false where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_owner', 'change their followers'' notifications', $$update public.follows set notifications = false where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_mod', 'change a VIP''s follow notifications', $$update public.follows set notifications = false where user_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_vip', 'change a subscriber''s follow notifications', $$update public.follows set notifications = false where user_id = tests.user_id('cm_sub')$$, 'rows:0'),
  ('cm_vip', 'move their follow to another channel', $$update public.follows set channel_id = (select id from public.channels where slug = 'cm_stranger') where user_id = tests.user_id('cm_vip')$$, '42501'),
  ('cm_vip', 'backdate their follow', $$update public.follows set created_at = now() - interval '1 year' where user_id = tests.user_id('cm_vip')$$, '42501'),
  (null, 'delete follows', $$delete from public.follows$$, '42501'),
  ('cm_stranger', 'delete other users'' follows', $$delete from public.follows where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_owner', 'remove their followers', $$delete from public.follows where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_mod', 'delete a VIP''s follow', $$delete from public.follows where user_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_vip', 'delete a subscriber''s follow', $$delete from public.follows where user_id = tests.user_id('cm_sub')$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.follows');
select tests.cell(who, action, statement, expected) from (values
  ('cm_stranger', 'follow a channel', $$insert into public.follows (channel_id) values ((select id from public.channels where slug = 'cm_owner'))$$, 'rows:1'),
  ('cm_owner', 'follow another channel', $$insert into public.follows (channel_id) values ((select id from public.channels where slug = 'cm_stranger'))$$, 'rows:1'),
  ('cm_mod', 'change their own follow notifications', $$update public.follows set notifications = false where user_id = tests.user_id('cm_mod')$$, 'rows:1'),
  ('cm_vip', 'unfollow', $$delete from public.follows where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('service_role', 'create any follow', $$insert into public.follows (user_id, channel_id) values (tests.user_id('cm_og'), (select id from public.channels where slug = 'cm_owner'))$$, 'rows:1'),
  ('service_role', 'update any follow', $$update public.follows set notifications = false where user_id = tests.user_id('cm_og')$$, 'rows:1'),
  ('service_role', 'delete any follow', $$delete from public.follows where user_id = tests.user_id('cm_sub')$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select u.username::text, c.slug::text, f.notifications from public.follows f
    join public.users u on u.id = f.user_id join public.channels c on c.id = f.channel_id
    where u.username::text like 'cm\_%' order by 1 $$,
  $$ values ('cm_mod', 'cm_owner', false), ('cm_og', 'cm_owner', false), ('cm_owner', 'cm_stranger', true),
            ('cm_stranger', 'cm_owner', true) $$,
  'the allowed follow writes took effect and nothing else');

-- category_follows (matrix-game is followed by cm_vip and cm_sub) ---------------------------------
select tests.remember('public.category_follows');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read category follows', $$select * from public.category_follows$$, '42501'),
  ('cm_stranger', 'read other users'' category follows', $$select * from public.category_follows where category_id = (select id from public.categories where slug = 'matrix-game')$$, 'rows:0'),
  ('cm_owner', 'read other users'' category follows', $$select * from public.category_follows where category_id = (select id from public.categories where slug = 'matrix-game')$$, 'rows:0'),
  ('cm_mod', 'read other users'' category follows', $$select * from public.category_follows where category_id = (select id from public.categories where slug = 'matrix-game')$$, 'rows:0'),
  ('cm_vip', 'read their own category follow', $$select * from public.category_follows where category_id = (select id from public.categories where slug = 'matrix-game')$$, 'rows:1'),
  ('service_role', 'read every category follow', $$select * from public.category_follows where category_id = (select id from public.categories where slug = 'matrix-game')$$, 'rows:2'),
  (null, 'follow a category', $$insert into public.category_follows (user_id, category_id) values (tests.user_id('cm_stranger'), (select id from public.categories where slug = 'matrix-game'))$$, '42501'),
  ('cm_stranger', 'make another user follow a category', $$insert into public.category_follows (user_id, category_id) values (tests.user_id('cm_og'), (select id from public.categories where slug = 'matrix-game'))$$, '42501'),
  ('cm_owner', 'make another user follow a category', $$insert into public.category_follows (user_id, category_id) values (tests.user_id('cm_og'), (select id from public.categories where slug = 'matrix-game'))$$, '42501'),
  ('cm_mod', 'make another user follow a category', $$insert into public.category_follows (user_id, category_id) values (tests.user_id('cm_og'), (select id from public.categories where slug = 'matrix-game'))$$, '42501'),
  ('cm_vip', 'make another user follow a category', $$insert into public.category_follows (user_id, category_id) values (tests.user_id('cm_og'), (select id from public.categories where slug = 'matrix-game'))$$, '42501'),
  (null, 'update category follows', $$update public.category_follows set created_at = now()$$, '42501'),
  ('cm_stranger', 'update category follows', $$update public.category_follows set created_at = now()$$, '42501'),
  ('cm_owner', 'update category follows', $$update public.category_follows set created_at = now()$$, '42501'),
  ('cm_mod', 'update category follows', $$update public.category_follows set created_at = now()$$, '42501'),
  ('cm_vip', 'update their own category follow', $$update public.category_follows set created_at = now() where user_id = tests.user_id('cm_vip')$$, '42501'),
  (null, 'delete category follows', $$delete from public.category_follows$$, '42501'),
  ('cm_stranger', 'delete other users'' category follows', $$delete from public.category_follows where category_id = (select id from public.categories where slug = 'matrix-game')$$, 'rows:0'),
  ('cm_owner', 'delete other users'' category follows', $$delete from public.category_follows where category_id = (select id from public.categories where slug = 'matrix-game')$$, 'rows:0'),
  ('cm_mod', 'delete other users'' category follows', $$delete from public.category_follows where category_id = (select id from public.categories where slug = 'matrix-game')$$, 'rows:0'),
  ('cm_vip', 'delete a subscriber''s category follow', $$delete from public.category_follows where user_id = tests.user_id('cm_sub')$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.category_follows');
select tests.cell(who, action, statement, expected) from (values
  ('cm_stranger', 'follow a category', $$insert into public.category_follows (category_id) values ((select id from public.categories where slug = 'matrix-game'))$$, 'rows:1'),
  ('cm_vip', 'unfollow a category', $$delete from public.category_follows where category_id = (select id from public.categories where slug = 'matrix-game')$$, 'rows:1'),
  ('service_role', 'create any category follow', $$insert into public.category_follows (user_id, category_id) values (tests.user_id('cm_og'), (select id from public.categories where slug = 'matrix-game'))$$, 'rows:1'),
  ('service_role', 'update any category follow', $$update public.category_follows set created_at = now() - interval '1 day' where user_id = tests.user_id('cm_og')$$, 'rows:1'),
  ('service_role', 'delete any category follow', $$delete from public.category_follows where user_id = tests.user_id('cm_sub')$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select u.username::text from public.category_follows f join public.users u on u.id = f.user_id
    where f.category_id = (select id from public.categories where slug = 'matrix-game') order by 1 $$,
  $$ values ('cm_og'), ('cm_stranger') $$,
  'the allowed category follow writes took effect and nothing else');

-- channels ----------------------------------------------------------------------------------------
select tests.remember('public.channels');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read a channel', $$select * from public.channels where slug = 'cm_owner'$$, 'rows:1'),
  ('cm_stranger', 'read a channel', $$select * from public.channels where slug = 'cm_owner'$$, 'rows:1'),
  ('cm_owner', 'read a channel', $$select * from public.channels where slug = 'cm_owner'$$, 'rows:1'),
  ('cm_mod', 'read a channel', $$select * from public.channels where slug = 'cm_owner'$$, 'rows:1'),
  ('cm_vip', 'read a channel', $$select * from public.channels where slug = 'cm_owner'$$, 'rows:1'),
  ('service_role', 'read a channel', $$select * from public.channels where slug = 'cm_owner'$$, 'rows:1'),
  (null, 'create a channel', $$insert into public.channels (owner_id, slug) values (tests.user_id('cm_spare'), 'cm_chan')$$, '42501'),
  ('cm_stranger', 'create a channel', $$insert into public.channels (owner_id, slug) values (tests.user_id('cm_stranger'), 'cm_chan')$$, '42501'),
  ('cm_owner', 'create a second channel', $$insert into public.channels (owner_id, slug) values (tests.user_id('cm_owner'), 'cm_chan')$$, '42501'),
  ('cm_mod', 'create a channel', $$insert into public.channels (owner_id, slug) values (tests.user_id('cm_mod'), 'cm_chan')$$, '42501'),
  ('cm_vip', 'create a channel', $$insert into public.channels (owner_id, slug) values (tests.user_id('cm_vip'), 'cm_chan')$$, '42501'),
  (null, 'update a channel', $$update public.channels set title = 'anon' where slug = 'cm_owner'$$, '42501'),
  ('cm_stranger', 'update someone else''s channel', $$update public.channels set title = 'x' where slug = 'cm_owner'$$, 'rows:0'),
  ('cm_mod', 'update the channel they moderate', $$update public.channels set title = 'x' where slug = 'cm_owner'$$, 'rows:0'),
  ('cm_vip', 'update the channel', $$update public.channels set title = 'x' where slug = 'cm_owner'$$, 'rows:0'),
  ('cm_owner', 'set their channel live', $$update public.channels set is_live = true where slug = 'cm_owner'$$, '42501'),
  ('cm_owner', 'set their followers count', $$update public.channels set followers_count = 1000 where slug = 'cm_owner'$$, '42501'),
  ('cm_owner', 'change their channel''s slug', $$update public.channels set slug = 'cm_renamed' where slug = 'cm_owner'$$, '42501'),
  ('cm_owner', 'give their channel away', $$update public.channels set owner_id = tests.user_id('cm_spare') where slug = 'cm_owner'$$, '42501'),
  (null, 'delete a channel', $$delete from public.channels where slug = 'cm_owner'$$, '42501'),
  ('cm_stranger', 'delete a channel', $$delete from public.channels where slug = 'cm_owner'$$, '42501'),
  ('cm_owner', 'delete their own channel', $$delete from public.channels where slug = 'cm_owner'$$, '42501'),
  ('cm_mod', 'delete a channel', $$delete from public.channels where slug = 'cm_owner'$$, '42501'),
  ('cm_vip', 'delete a channel', $$delete from public.channels where slug = 'cm_owner'$$, '42501')
) m (who, action, statement, expected);
select tests.unchanged('public.channels');
select tests.cell(who, action, statement, expected) from (values
  ('cm_owner', 'update their channel''s title, description, category, language and maturity',
    $$update public.channels set title = 'Owner title', description = 'd', category_id = (select id from public.categories where slug = 'matrix-game'),
      language = 'fr', is_mature = true where slug = 'cm_owner'$$, 'rows:1'),
  ('service_role', 'update any channel', $$update public.channels set is_live = true where slug = 'cm_vip'$$, 'rows:1'),
  ('service_role', 'delete a channel', $$delete from public.channels where slug = 'cm_new'$$, 'rows:1'),
  ('service_role', 'create a channel', $$insert into public.channels (owner_id, slug) values (tests.user_id('cm_new'), 'cm_new')$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select slug::text, title, language, is_mature, is_live from public.channels where slug::text in ('cm_owner', 'cm_vip', 'cm_new') order by 1 $$,
  $$ values ('cm_new', '', 'en', false, false), ('cm_owner', 'Owner title', 'fr', true, true), ('cm_vip', '', 'en', false, true) $$,
  'the allowed channel writes took effect');

-- channel_panels (cm_owner has About and Schedule) ------------------------------------------------
select tests.remember('public.channel_panels');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read a channel''s panels', $$select * from public.channel_panels where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('cm_stranger', 'read a channel''s panels', $$select * from public.channel_panels where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('cm_owner', 'read a channel''s panels', $$select * from public.channel_panels where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('cm_mod', 'read a channel''s panels', $$select * from public.channel_panels where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('cm_vip', 'read a channel''s panels', $$select * from public.channel_panels where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('service_role', 'read a channel''s panels', $$select * from public.channel_panels where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  (null, 'add a channel panel', $$insert into public.channel_panels (channel_id, title) values ((select id from public.channels where slug = 'cm_owner'), 'x')$$, '42501'),
  ('cm_stranger', 'add a panel to someone else''s channel', $$insert into public.channel_panels (channel_id, title) values ((select id from public.channels where slug = 'cm_owner'), 'x')$$, '42501'),
  ('cm_mod', 'add a channel panel', $$insert into public.channel_panels (channel_id, title) values ((select id from public.channels where slug = 'cm_owner'), 'x')$$, '42501'),
  ('cm_vip', 'add a channel panel', $$insert into public.channel_panels (channel_id, title) values ((select id from public.channels where slug = 'cm_owner'), 'x')$$, '42501'),
  ('cm_owner', 'add a panel to someone else''s channel', $$insert into public.channel_panels (channel_id, title) values ((select id from public.channels where slug = 'cm_stranger'), 'x')$$, '42501'),
  (null, 'edit a channel panel', $$update public.channel_panels set title = 'x'$$, '42501'),
  ('cm_stranger', 'edit a channel panel', $$update public.channel_panels set title = 'x' where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_mod', 'edit a channel panel', $$update public.channel_panels set title = 'x' where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_vip', 'edit a channel panel', $$update public.channel_panels set title = 'x' where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_owner', 'move a panel to another channel', $$update public.channel_panels set channel_id = (select id from public.channels where slug = 'cm_stranger') where channel_id = (select id from public.channels where slug = 'cm_owner')$$, '42501'),
  (null, 'delete a channel panel', $$delete from public.channel_panels$$, '42501'),
  ('cm_stranger', 'delete a channel panel', $$delete from public.channel_panels where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_mod', 'delete a channel panel', $$delete from public.channel_panels where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_vip', 'delete a channel panel', $$delete from public.channel_panels where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.channel_panels');
select tests.cell(who, action, statement, expected) from (values
  ('cm_owner', 'add a panel to their channel', $$insert into public.channel_panels (position, title) values (2, 'Rules')$$, 'rows:1'),
  ('cm_owner', 'edit their channel''s panel', $$update public.channel_panels set body = 'Hello' where title = 'About' and channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('cm_owner', 'delete their channel''s panel', $$delete from public.channel_panels where title = 'Schedule' and channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('service_role', 'add a panel to any channel', $$insert into public.channel_panels (channel_id, position, title) values ((select id from public.channels where slug = 'cm_owner'), 3, 'Service')$$, 'rows:1'),
  ('service_role', 'edit any channel''s panel', $$update public.channel_panels set body = 'Edited' where title = 'Service' and channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('service_role', 'delete any channel''s panel', $$delete from public.channel_panels where title = 'Rules' and channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select title, body from public.channel_panels where channel_id = (select id from public.channels where slug = 'cm_owner') order by position $$,
  $$ values ('About', 'Hello'), ('Service', 'Edited') $$,
  'the allowed panel writes took effect');

-- channel_links (cm_owner has an x and a youtube link) --------------------------------------------
select tests.remember('public.channel_links');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read a channel''s links', $$select * from public.channel_links where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('cm_stranger', 'read a channel''s links', $$select * from public.channel_links where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('cm_owner', 'read a channel''s links', $$select * from public.channel_links where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('cm_mod', 'read a channel''s links', $$select * from public.channel_links where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('cm_vip', 'read a channel''s links', $$select * from public.channel_links where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('service_role', 'read a channel''s links', $$select * from public.channel_links where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  (null, 'add a channel link', $$insert into public.channel_links (channel_id, platform, url) values ((select id from public.channels where slug = 'cm_owner'), 'website', 'https://spam.example')$$, '42501'),
  ('cm_stranger', 'add a link to someone else''s channel', $$insert into public.channel_links (channel_id, platform, url) values ((select id from public.channels where slug = 'cm_owner'), 'website', 'https://spam.example')$$, '42501'),
  ('cm_mod', 'add a channel link', $$insert into public.channel_links (channel_id, platform, url) values ((select id from public.channels where slug = 'cm_owner'), 'website', 'https://spam.example')$$, '42501'),
  ('cm_vip', 'add a channel link', $$insert into public.channel_links (channel_id, platform, url) values ((select id from public.channels where slug = 'cm_owner'), 'website', 'https://spam.example')$$, '42501'),
  ('cm_owner', 'add a link to someone else''s channel', $$insert into public.channel_links (channel_id, platform, url) values ((select id from public.channels where slug = 'cm_stranger'), 'website', 'https://spam.example')$$, '42501'),
  (null, 'edit a channel link', $$update public.channel_links set url = 'https://spam.example'$$, '42501'),
  ('cm_stranger', 'edit a channel link', $$update public.channel_links set url = 'https://spam.example' where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_mod', 'edit a channel link', $$update public.channel_links set url = 'https://spam.example' where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_vip', 'edit a channel link', $$update public.channel_links set url = 'https://spam.example' where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_owner', 'move a link to another channel', $$update public.channel_links set channel_id = (select id from public.channels where slug = 'cm_stranger') where channel_id = (select id from public.channels where slug = 'cm_owner')$$, '42501'),
  (null, 'delete a channel link', $$delete from public.channel_links$$, '42501'),
  ('cm_stranger', 'delete a channel link', $$delete from public.channel_links where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_mod', 'delete a channel link', $$delete from public.channel_links where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_vip', 'delete a channel link', $$delete from public.channel_links where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.channel_links');
select tests.cell(who, action, statement, expected) from (values
  ('cm_owner', 'add a link to their channel', $$insert into public.channel_links (platform, url, position) values ('discord', 'https://discord.gg/cm', 2)$$, 'rows:1'),
  ('cm_owner', 'edit their channel''s link', $$update public.channel_links set url = 'https://x.com/cm_owner' where platform = 'x' and channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('cm_owner', 'delete their channel''s link', $$delete from public.channel_links where platform = 'youtube' and channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('service_role', 'add a link to any channel', $$insert into public.channel_links (channel_id, platform, url, position) values ((select id from public.channels where slug = 'cm_owner'), 'website', 'https://cm.example', 3)$$, 'rows:1'),
  ('service_role', 'edit any channel''s link', $$update public.channel_links set position = 9 where url = 'https://cm.example'$$, 'rows:1'),
  ('service_role', 'delete any channel''s link', $$delete from public.channel_links where platform = 'discord' and channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select platform, url, position from public.channel_links where channel_id = (select id from public.channels where slug = 'cm_owner') order by position $$,
  $$ values ('x', 'https://x.com/cm_owner', 0), ('website', 'https://cm.example', 9) $$,
  'the allowed link writes took effect');

-- subscriber_badges (cm_owner has badges for 1 and 3 months) --------------------------------------
select tests.remember('public.subscriber_badges');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read a channel''s subscriber badges', $$select * from public.subscriber_badges where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('cm_stranger', 'read a channel''s subscriber badges', $$select * from public.subscriber_badges where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('cm_owner', 'read a channel''s subscriber badges', $$select * from public.subscriber_badges where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('cm_mod', 'read a channel''s subscriber badges', $$select * from public.subscriber_badges where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('cm_vip', 'read a channel''s subscriber badges', $$select * from public.subscriber_badges where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  ('service_role', 'read a channel''s subscriber badges', $$select * from public.subscriber_badges where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:2'),
  (null, 'add a subscriber badge', $$insert into public.subscriber_badges (channel_id, months, image_url) values ((select id from public.channels where slug = 'cm_owner'), 6, 'https://cdn.example.test/6.png')$$, '42501'),
  ('cm_stranger', 'add a badge to someone else''s channel', $$insert into public.subscriber_badges (channel_id, months, image_url) values ((select id from public.channels where slug = 'cm_owner'), 6, 'https://cdn.example.test/6.png')$$, '42501'),
  ('cm_mod', 'add a subscriber badge', $$insert into public.subscriber_badges (channel_id, months, image_url) values ((select id from public.channels where slug = 'cm_owner'), 6, 'https://cdn.example.test/6.png')$$, '42501'),
  ('cm_vip', 'add a subscriber badge', $$insert into public.subscriber_badges (channel_id, months, image_url) values ((select id from public.channels where slug = 'cm_owner'), 6, 'https://cdn.example.test/6.png')$$, '42501'),
  ('cm_owner', 'add a badge to someone else''s channel', $$insert into public.subscriber_badges (channel_id, months, image_url) values ((select id from public.channels where slug = 'cm_stranger'), 6, 'https://cdn.example.test/6.png')$$, '42501'),
  (null, 'edit a subscriber badge', $$update public.subscriber_badges set months = 2$$, '42501'),
  ('cm_stranger', 'edit a subscriber badge', $$update public.subscriber_badges set image_url = 'https://cdn.example.test/x.png'$$, '42501'),
  ('cm_owner', 'edit their own subscriber badge (badges are replaced, not edited)', $$update public.subscriber_badges set image_url = 'https://cdn.example.test/x.png' where channel_id = (select id from public.channels where slug = 'cm_owner')$$, '42501'),
  ('cm_mod', 'edit a subscriber badge', $$update public.subscriber_badges set image_url = 'https://cdn.example.test/x.png'$$, '42501'),
  ('cm_vip', 'edit a subscriber badge', $$update public.subscriber_badges set image_url = 'https://cdn.example.test/x.png'$$, '42501'),
  (null, 'delete a subscriber badge', $$delete from public.subscriber_badges$$, '42501'),
  ('cm_stranger', 'delete a subscriber badge', $$delete from public.subscriber_badges where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_mod', 'delete a subscriber badge', $$delete from public.subscriber_badges where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_vip', 'delete a subscriber badge', $$delete from public.subscriber_badges where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.subscriber_badges');
select tests.cell(who, action, statement, expected) from (values
  ('cm_owner', 'add a badge to their channel', $$insert into public.subscriber_badges (months, image_url) values (6, 'https://cdn.example.test/6.png')$$, 'rows:1'),
  ('cm_owner', 'delete their channel''s badge', $$delete from public.subscriber_badges where months = 1 and channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('service_role', 'add a badge to any channel', $$insert into public.subscriber_badges (channel_id, months, image_url) values ((select id from public.channels where slug = 'cm_owner'), 12, 'https://cdn.example.test/12.png')$$, 'rows:1'),
  ('service_role', 'edit any badge', $$update public.subscriber_badges set image_url = 'https://cdn.example.test/three.png' where months = 3 and channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('service_role', 'delete any badge', $$delete from public.subscriber_badges where months = 12 and channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select months, image_url from public.subscriber_badges where channel_id = (select id from public.channels where slug = 'cm_owner') order by months $$,
  $$ values (3, 'https://cdn.example.test/three.png'), (6, 'https://cdn.example.test/6.png') $$,
  'the allowed badge writes took effect');

-- channel_roles (cm_owner: cm_mod and cm_mod2 moderators, cm_vip VIP, cm_og OG) -------------------
select tests.remember('public.channel_roles');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read a channel''s roles', $$select * from public.channel_roles where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:4'),
  ('cm_stranger', 'read a channel''s roles', $$select * from public.channel_roles where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:4'),
  ('cm_owner', 'read a channel''s roles', $$select * from public.channel_roles where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:4'),
  ('cm_mod', 'read a channel''s roles', $$select * from public.channel_roles where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:4'),
  ('cm_vip', 'read a channel''s roles', $$select * from public.channel_roles where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:4'),
  ('service_role', 'read a channel''s roles', $$select * from public.channel_roles where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:4'),
  (null, 'grant a channel role', $$insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'cm_owner'), tests.user_id('cm_stranger'), 'og')$$, '42501'),
  ('cm_stranger', 'grant themselves a role in someone else''s channel', $$insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'cm_owner'), tests.user_id('cm_stranger'), 'moderator')$$, '42501'),
  ('cm_mod', 'grant a channel role', $$insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'cm_owner'), tests.user_id('cm_stranger'), 'og')$$, '42501'),
  ('cm_vip', 'grant a channel role', $$insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'cm_owner'), tests.user_id('cm_stranger'), 'og')$$, '42501'),
  ('cm_owner', 'grant a role in someone else''s channel', $$insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'cm_stranger'), tests.user_id('cm_vip'), 'og')$$, '42501'),
  ('cm_owner', 'grant themselves a role in their own channel', $$insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'cm_owner'), tests.user_id('cm_owner'), 'og')$$, '23514'),
  (null, 'change a channel role', $$update public.channel_roles set role = 'og'$$, '42501'),
  ('cm_stranger', 'change a channel role', $$update public.channel_roles set role = 'og' where user_id = tests.user_id('cm_vip')$$, '42501'),
  ('cm_owner', 'change a role in place (roles are granted and revoked)', $$update public.channel_roles set role = 'og' where user_id = tests.user_id('cm_vip')$$, '42501'),
  ('cm_mod', 'change a channel role', $$update public.channel_roles set role = 'og' where user_id = tests.user_id('cm_vip')$$, '42501'),
  ('cm_vip', 'change their own channel role', $$update public.channel_roles set role = 'moderator' where user_id = tests.user_id('cm_vip')$$, '42501'),
  (null, 'revoke a channel role', $$delete from public.channel_roles$$, '42501'),
  ('cm_stranger', 'revoke a channel role', $$delete from public.channel_roles where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_mod', 'revoke another moderator''s role', $$delete from public.channel_roles where user_id = tests.user_id('cm_mod2')$$, 'rows:0'),
  ('cm_mod', 'revoke a VIP''s role', $$delete from public.channel_roles where user_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_vip', 'revoke a channel role', $$delete from public.channel_roles where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.channel_roles');
select tests.cell(who, action, statement, expected) from (values
  ('cm_owner', 'grant a role in their channel', $$insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'cm_owner'), tests.user_id('cm_stranger'), 'og')$$, 'rows:1'),
  ('cm_owner', 'revoke a role in their channel', $$delete from public.channel_roles where user_id = tests.user_id('cm_og') and channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('service_role', 'grant a role in any channel', $$insert into public.channel_roles (channel_id, user_id, role) values ((select id from public.channels where slug = 'cm_owner'), tests.user_id('cm_sub'), 'vip')$$, 'rows:1'),
  ('service_role', 'change any role', $$update public.channel_roles set role = 'og' where user_id = tests.user_id('cm_sub')$$, 'rows:1'),
  ('service_role', 'revoke any role', $$delete from public.channel_roles where user_id = tests.user_id('cm_mod2')$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select u.username::text, r.role from public.channel_roles r join public.users u on u.id = r.user_id
    where r.channel_id = (select id from public.channels where slug = 'cm_owner') order by 1 $$,
  $$ values ('cm_mod', 'moderator'), ('cm_stranger', 'og'), ('cm_sub', 'og'), ('cm_vip', 'vip') $$,
  'the allowed role writes took effect');

-- subscriptions (cm_sub subscribes to cm_owner) ---------------------------------------------------
select tests.remember('public.subscriptions');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read subscriptions', $$select * from public.subscriptions$$, '42501'),
  ('cm_stranger', 'read a channel''s subscriptions', $$select * from public.subscriptions where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_mod', 'read a channel''s subscriptions', $$select * from public.subscriptions where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_vip', 'read a channel''s subscriptions', $$select * from public.subscriptions where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:0'),
  ('cm_sub', 'read their own subscription', $$select * from public.subscriptions where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('cm_owner', 'read their channel''s subscriptions', $$select * from public.subscriptions where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('service_role', 'read every subscription', $$select * from public.subscriptions where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  (null, 'create a subscription', $$insert into public.subscriptions (channel_id, user_id, current_period_end) values ((select id from public.channels where slug = 'cm_owner'), tests.user_id('cm_stranger'), now() + interval '1 month')$$, '42501'),
  ('cm_stranger', 'subscribe for free', $$insert into public.subscriptions (channel_id, user_id, current_period_end) values ((select id from public.channels where slug = 'cm_owner'), tests.user_id('cm_stranger'), now() + interval '1 month')$$, '42501'),
  ('cm_owner', 'create a subscription', $$insert into public.subscriptions (channel_id, user_id, current_period_end) values ((select id from public.channels where slug = 'cm_owner'), tests.user_id('cm_stranger'), now() + interval '1 month')$$, '42501'),
  ('cm_mod', 'create a subscription', $$insert into public.subscriptions (channel_id, user_id, current_period_end) values ((select id from public.channels where slug = 'cm_owner'), tests.user_id('cm_mod'), now() + interval '1 month')$$, '42501'),
  ('cm_vip', 'create a subscription', $$insert into public.subscriptions (channel_id, user_id, current_period_end) values ((select id from public.channels where slug = 'cm_owner'), tests.user_id('cm_vip'), now() + interval '1 month')$$, '42501'),
  (null, 'extend a subscription', $$update public.subscriptions set current_period_end = now() + interval '1 year'$$, '42501'),
  ('cm_stranger', 'extend a subscription', $$update public.subscriptions set current_period_end = now() + interval '1 year'$$, '42501'),
  ('cm_sub', 'extend their own subscription', $$update public.subscriptions set current_period_end = now() + interval '1 year' where user_id = tests.user_id('cm_sub')$$, '42501'),
  ('cm_owner', 'change their channel''s subscriptions', $$update public.subscriptions set tier = 3 where channel_id = (select id from public.channels where slug = 'cm_owner')$$, '42501'),
  ('cm_mod', 'change a subscription', $$update public.subscriptions set tier = 3$$, '42501'),
  ('cm_vip', 'change a subscription', $$update public.subscriptions set tier = 3$$, '42501'),
  (null, 'delete a subscription', $$delete from public.subscriptions$$, '42501'),
  ('cm_stranger', 'delete a subscription', $$delete from public.subscriptions$$, '42501'),
  ('cm_sub', 'delete their own subscription', $$delete from public.subscriptions where user_id = tests.user_id('cm_sub')$$, '42501'),
  ('cm_owner', 'delete their channel''s subscriptions', $$delete from public.subscriptions where channel_id = (select id from public.channels where slug = 'cm_owner')$$, '42501'),
  ('cm_mod', 'delete a subscription', $$delete from public.subscriptions$$, '42501'),
  ('cm_vip', 'delete a subscription', $$delete from public.subscriptions$$, '42501')
) m (who, action, statement, expected);
select tests.unchanged('public.subscriptions');
select tests.cell(who, action, statement, expected) from (values
  ('service_role', 'create a subscription', $$insert into public.subscriptions (channel_id, user_id, current_period_end) values ((select id from public.channels where slug = 'cm_owner'), tests.user_id('cm_stranger'), now() + interval '1 month')$$, 'rows:1'),
  ('service_role', 'renew a subscription', $$update public.subscriptions set cumulative_months = 8 where user_id = tests.user_id('cm_sub')$$, 'rows:1'),
  ('service_role', 'delete a subscription', $$delete from public.subscriptions where user_id = tests.user_id('cm_stranger')$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select u.username::text, s.cumulative_months from public.subscriptions s join public.users u on u.id = s.user_id
    where s.channel_id = (select id from public.channels where slug = 'cm_owner') $$,
  $$ values ('cm_sub', 8) $$,
  'the service role''s subscription writes took effect');

-- categories (matrix-game listed, removed-game removed by IGDB) -----------------------------------
select tests.remember('public.categories');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read listed categories', $$select * from public.categories where slug in ('matrix-game', 'removed-game')$$, 'rows:1'),
  ('cm_stranger', 'read listed categories', $$select * from public.categories where slug in ('matrix-game', 'removed-game')$$, 'rows:1'),
  ('cm_owner', 'read listed categories', $$select * from public.categories where slug in ('matrix-game', 'removed-game')$$, 'rows:1'),
  ('cm_mod', 'read listed categories', $$select * from public.categories where slug in ('matrix-game', 'removed-game')$$, 'rows:1'),
  ('cm_vip', 'read listed categories', $$select * from public.categories where slug in ('matrix-game', 'removed-game')$$, 'rows:1'),
  ('service_role', 'read removed categories too', $$select * from public.categories where slug in ('matrix-game', 'removed-game')$$, 'rows:2'),
  (null, 'create a category', $$insert into public.categories (igdb_id, name, slug) values (990003, 'Fake', 'fake-game')$$, '42501'),
  ('cm_stranger', 'create a category', $$insert into public.categories (igdb_id, name, slug) values (990003, 'Fake', 'fake-game')$$, '42501'),
  ('cm_owner', 'create a category', $$insert into public.categories (igdb_id, name, slug) values (990003, 'Fake', 'fake-game')$$, '42501'),
  ('cm_mod', 'create a category', $$insert into public.categories (igdb_id, name, slug) values (990003, 'Fake', 'fake-game')$$, '42501'),
  ('cm_vip', 'create a category', $$insert into public.categories (igdb_id, name, slug) values (990003, 'Fake', 'fake-game')$$, '42501'),
  (null, 'edit a category', $$update public.categories set name = 'x' where slug = 'matrix-game'$$, '42501'),
  ('cm_stranger', 'edit a category', $$update public.categories set name = 'x' where slug = 'matrix-game'$$, '42501'),
  ('cm_owner', 'edit a category', $$update public.categories set name = 'x' where slug = 'matrix-game'$$, '42501'),
  ('cm_mod', 'edit a category', $$update public.categories set name = 'x' where slug = 'matrix-game'$$, '42501'),
  ('cm_vip', 'edit a category', $$update public.categories set name = 'x' where slug = 'matrix-game'$$, '42501'),
  (null, 'delete a category', $$delete from public.categories where slug = 'matrix-game'$$, '42501'),
  ('cm_stranger', 'delete a category', $$delete from public.categories where slug = 'matrix-game'$$, '42501'),
  ('cm_owner', 'delete a category', $$delete from public.categories where slug = 'matrix-game'$$, '42501'),
  ('cm_mod', 'delete a category', $$delete from public.categories where slug = 'matrix-game'$$, '42501'),
  ('cm_vip', 'delete a category', $$delete from public.categories where slug = 'matrix-game'$$, '42501')
) m (who, action, statement, expected);
select tests.unchanged('public.categories');
select tests.cell(who, action, statement, expected) from (values
  ('service_role', 'create a category', $$insert into public.categories (igdb_id, name, slug) values (990003, 'New Game', 'new-game')$$, 'rows:1'),
  ('service_role', 'edit a category', $$update public.categories set summary = 'Edited' where slug = 'matrix-game'$$, 'rows:1'),
  ('service_role', 'delete a category', $$delete from public.categories where slug = 'removed-game'$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select slug::text, summary from public.categories where igdb_id between 990001 and 990003 order by 1 $$,
  $$ values ('matrix-game', 'Edited'), ('new-game', null::text) $$,
  'the service role''s category writes took effect');

-- livestreams (cm_owner is live) ------------------------------------------------------------------
select tests.remember('public.livestreams');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read a channel''s livestreams', $$select * from public.livestreams where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('cm_stranger', 'read a channel''s livestreams', $$select * from public.livestreams where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('cm_owner', 'read a channel''s livestreams', $$select * from public.livestreams where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('cm_mod', 'read a channel''s livestreams', $$select * from public.livestreams where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('cm_vip', 'read a channel''s livestreams', $$select * from public.livestreams where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('service_role', 'read a channel''s livestreams', $$select * from public.livestreams where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  (null, 'start a livestream', $$insert into public.livestreams (channel_id) values ((select id from public.channels where slug = 'cm_stranger'))$$, '42501'),
  ('cm_stranger', 'start a livestream on their own channel directly', $$insert into public.livestreams (channel_id) values ((select id from public.channels where slug = 'cm_stranger'))$$, '42501'),
  ('cm_owner', 'start a livestream directly', $$insert into public.livestreams (channel_id) values ((select id from public.channels where slug = 'cm_stranger'))$$, '42501'),
  ('cm_mod', 'start a livestream', $$insert into public.livestreams (channel_id) values ((select id from public.channels where slug = 'cm_mod'))$$, '42501'),
  ('cm_vip', 'start a livestream', $$insert into public.livestreams (channel_id) values ((select id from public.channels where slug = 'cm_vip'))$$, '42501'),
  (null, 'edit a livestream', $$update public.livestreams set viewer_count = 999999$$, '42501'),
  ('cm_stranger', 'edit a livestream', $$update public.livestreams set viewer_count = 999999$$, '42501'),
  ('cm_owner', 'edit their own livestream directly', $$update public.livestreams set title = 'x' where channel_id = (select id from public.channels where slug = 'cm_owner')$$, '42501'),
  ('cm_mod', 'edit a livestream', $$update public.livestreams set title = 'x'$$, '42501'),
  ('cm_vip', 'edit a livestream', $$update public.livestreams set title = 'x'$$, '42501'),
  (null, 'delete a livestream', $$delete from public.livestreams$$, '42501'),
  ('cm_stranger', 'delete a livestream', $$delete from public.livestreams$$, '42501'),
  ('cm_owner', 'delete their own livestream', $$delete from public.livestreams where channel_id = (select id from public.channels where slug = 'cm_owner')$$, '42501'),
  ('cm_mod', 'delete a livestream', $$delete from public.livestreams$$, '42501'),
  ('cm_vip', 'delete a livestream', $$delete from public.livestreams$$, '42501')
) m (who, action, statement, expected);
select tests.unchanged('public.livestreams');
select tests.cell(who, action, statement, expected) from (values
  ('service_role', 'start a livestream', $$insert into public.livestreams (channel_id, title) values ((select id from public.channels where slug = 'cm_stranger'), 'Stranger live')$$, 'rows:1'),
  ('service_role', 'update a livestream', $$update public.livestreams set viewer_count = 42 where channel_id = (select id from public.channels where slug = 'cm_owner')$$, 'rows:1'),
  ('service_role', 'delete a livestream', $$delete from public.livestreams where channel_id = (select id from public.channels where slug = 'cm_stranger')$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select c.slug::text, l.viewer_count from public.livestreams l join public.channels c on c.id = l.channel_id
    where c.slug::text like 'cm\_%' $$,
  $$ values ('cm_owner', 42) $$,
  'the service role''s livestream writes took effect');

-- user_blocks (cm_vip blocks cm_sub; cm_owner blocks cm_stranger) ---------------------------------
insert into public.user_blocks (blocker_id, blocked_id) values
  (tests.user_id('cm_vip'), tests.user_id('cm_sub')), (tests.user_id('cm_owner'), tests.user_id('cm_stranger'));
select tests.remember('public.user_blocks');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read blocks', $$select * from public.user_blocks$$, '42501'),
  ('cm_stranger', 'read the block against them', $$select * from public.user_blocks where blocked_id = tests.user_id('cm_stranger')$$, 'rows:0'),
  ('cm_owner', 'read another user''s block', $$select * from public.user_blocks where blocker_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_owner', 'read their own block', $$select * from public.user_blocks where blocker_id = tests.user_id('cm_owner')$$, 'rows:1'),
  ('cm_mod', 'read another user''s block', $$select * from public.user_blocks where blocker_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_vip', 'read their own block', $$select * from public.user_blocks$$, 'rows:1'),
  ('service_role', 'read every block', $$select * from public.user_blocks where blocker_id in (tests.user_id('cm_vip'), tests.user_id('cm_owner'))$$, 'rows:2'),
  (null, 'block someone', $$insert into public.user_blocks (blocker_id, blocked_id) values (tests.user_id('cm_mod'), tests.user_id('cm_vip'))$$, '42501'),
  ('cm_stranger', 'block on another user''s behalf', $$insert into public.user_blocks (blocker_id, blocked_id) values (tests.user_id('cm_og'), tests.user_id('cm_vip'))$$, '42501'),
  ('cm_owner', 'block on another user''s behalf', $$insert into public.user_blocks (blocker_id, blocked_id) values (tests.user_id('cm_og'), tests.user_id('cm_vip'))$$, '42501'),
  ('cm_mod', 'block on another user''s behalf', $$insert into public.user_blocks (blocker_id, blocked_id) values (tests.user_id('cm_og'), tests.user_id('cm_vip'))$$, '42501'),
  ('cm_vip', 'block themselves', $$insert into public.user_blocks (blocked_id) values (tests.user_id('cm_vip'))$$, '23514'),
  (null, 'update blocks', $$update public.user_blocks set created_at = now()$$, '42501'),
  ('cm_stranger', 'update blocks', $$update public.user_blocks set created_at = now()$$, '42501'),
  ('cm_owner', 'update their own block', $$update public.user_blocks set created_at = now() where blocker_id = tests.user_id('cm_owner')$$, '42501'),
  ('cm_mod', 'update blocks', $$update public.user_blocks set created_at = now()$$, '42501'),
  ('cm_vip', 'update their own block', $$update public.user_blocks set created_at = now()$$, '42501'),
  (null, 'delete blocks', $$delete from public.user_blocks$$, '42501'),
  ('cm_stranger', 'delete the block against them', $$delete from public.user_blocks where blocked_id = tests.user_id('cm_stranger')$$, 'rows:0'),
  ('cm_owner', 'delete another user''s block', $$delete from public.user_blocks where blocker_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_mod', 'delete another user''s block', $$delete from public.user_blocks where blocker_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_vip', 'delete another user''s block', $$delete from public.user_blocks where blocker_id = tests.user_id('cm_owner')$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.user_blocks');
select tests.cell(who, action, statement, expected) from (values
  ('cm_stranger', 'block someone for themselves', $$insert into public.user_blocks (blocked_id) values (tests.user_id('cm_owner'))$$, 'rows:1'),
  ('cm_vip', 'remove their own block', $$delete from public.user_blocks where blocked_id = tests.user_id('cm_sub')$$, 'rows:1'),
  ('service_role', 'create any block', $$insert into public.user_blocks (blocker_id, blocked_id) values (tests.user_id('cm_og'), tests.user_id('cm_mod'))$$, 'rows:1'),
  ('service_role', 'update any block', $$update public.user_blocks set created_at = now() - interval '1 day' where blocker_id = tests.user_id('cm_og')$$, 'rows:1'),
  ('service_role', 'delete any block', $$delete from public.user_blocks where blocker_id = tests.user_id('cm_owner')$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select a.username::text, b.username::text from public.user_blocks x
    join public.users a on a.id = x.blocker_id join public.users b on b.id = x.blocked_id
    where a.username::text like 'cm\_%' order by 1 $$,
  $$ values ('cm_og', 'cm_mod'), ('cm_stranger', 'cm_owner') $$,
  'the allowed block writes took effect and nothing else');

-- notifications (cm_vip has one, cm_sub has one) ------------------------------------------------------
insert into public.notifications (user_id, kind, channel_id, actor_id)
select tests.user_id(u), 'channel_live', c.id, c.owner_id from public.channels c, unnest(array['cm_vip', 'cm_sub']) u where c.slug = 'cm_owner';
select tests.remember('public.notifications');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read notifications', $$select * from public.notifications$$, '42501'),
  ('cm_stranger', 'read another user''s notifications', $$select * from public.notifications where user_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_owner', 'read a notification about their channel sent to someone else', $$select * from public.notifications where user_id = tests.user_id('cm_vip') and kind = 'channel_live'$$, 'rows:0'),
  ('cm_mod', 'read another user''s notifications', $$select * from public.notifications where user_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_vip', 'read their own notification', $$select * from public.notifications where kind = 'channel_live'$$, 'rows:1'),
  ('service_role', 'read every notification', $$select * from public.notifications where user_id in (tests.user_id('cm_vip'), tests.user_id('cm_sub')) and kind = 'channel_live'$$, 'rows:2'),
  (null, 'create a notification', $$insert into public.notifications (user_id, kind) values (tests.user_id('cm_vip'), 'channel_live')$$, '42501'),
  ('cm_stranger', 'create a notification', $$insert into public.notifications (user_id, kind) values (tests.user_id('cm_stranger'), 'channel_live')$$, '42501'),
  ('cm_owner', 'notify their followers by hand', $$insert into public.notifications (user_id, kind) values (tests.user_id('cm_vip'), 'channel_live')$$, '42501'),
  ('cm_vip', 'create a notification for themselves', $$insert into public.notifications (user_id, kind) values (tests.user_id('cm_vip'), 'channel_live')$$, '42501'),
  (null, 'mark notifications read', $$update public.notifications set read_at = now()$$, '42501'),
  ('cm_stranger', 'mark another user''s notification read', $$update public.notifications set read_at = now() where user_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_owner', 'mark another user''s notification read', $$update public.notifications set read_at = now() where user_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_mod', 'mark another user''s notification read', $$update public.notifications set read_at = now() where user_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_vip', 'change the payload of their own notification', $$update public.notifications set payload = '{"x":1}' where kind = 'channel_live'$$, '42501'),
  ('cm_vip', 'hand their notification to another user', $$update public.notifications set user_id = tests.user_id('cm_mod') where kind = 'channel_live'$$, '42501'),
  (null, 'delete notifications', $$delete from public.notifications$$, '42501'),
  ('cm_stranger', 'delete another user''s notification', $$delete from public.notifications where user_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_owner', 'delete another user''s notification', $$delete from public.notifications where user_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_mod', 'delete another user''s notification', $$delete from public.notifications where user_id = tests.user_id('cm_vip')$$, 'rows:0'),
  ('cm_sub', 'delete another user''s notification', $$delete from public.notifications where user_id = tests.user_id('cm_vip')$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.notifications');
select tests.cell(who, action, statement, expected) from (values
  ('cm_vip', 'mark their own notification read', $$update public.notifications set read_at = now() where kind = 'channel_live'$$, 'rows:1'),
  ('cm_sub', 'delete their own notification', $$delete from public.notifications where kind = 'channel_live'$$, 'rows:1'),
  ('service_role', 'create a notification', $$insert into public.notifications (user_id, kind) values (tests.user_id('cm_sub'), 'channel_live')$$, 'rows:1'),
  ('service_role', 'update any notification', $$update public.notifications set payload = '{"x":1}' where user_id = tests.user_id('cm_vip') and kind = 'channel_live'$$, 'rows:1'),
  ('service_role', 'delete any notification', $$delete from public.notifications where user_id = tests.user_id('cm_sub') and kind = 'channel_live'$$, 'rows:1')
) m (who, action, statement, expected);

-- raids (cm_owner's live channel raided cm_stranger's live channel) -----------------------------------
insert into public.livestreams (channel_id, title) select c.id, 'Stranger live' from public.channels c where c.slug = 'cm_stranger';
insert into public.raids (source_channel_id, target_channel_id, started_by, viewer_count)
select s.id, t.id, s.owner_id, 5 from public.channels s, public.channels t where s.slug = 'cm_owner' and t.slug = 'cm_stranger';
select tests.remember('public.raids');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read raids', $$select * from public.raids$$, '42501'),
  ('cm_owner', 'read their channel''s raid', $$select * from public.raids$$, 'rows:1'),
  ('cm_mod', 'read the raid of the channel they moderate', $$select * from public.raids$$, 'rows:1'),
  ('cm_stranger', 'read the raid their channel received', $$select * from public.raids$$, 'rows:1'),
  ('cm_vip', 'read the channel''s raids', $$select * from public.raids$$, 'rows:0'),
  ('service_role', 'read every raid', $$select * from public.raids$$, 'rows:1'),
  (null, 'insert a raid', $$insert into public.raids (source_channel_id, target_channel_id) select s.id, t.id from public.channels s, public.channels t where s.slug = 'cm_owner' and t.slug = 'cm_stranger'$$, '42501'),
  ('cm_owner', 'insert a raid without start_raid', $$insert into public.raids (source_channel_id, target_channel_id) select s.id, t.id from public.channels s, public.channels t where s.slug = 'cm_owner' and t.slug = 'cm_stranger'$$, '42501'),
  ('cm_mod', 'insert a raid without start_raid', $$insert into public.raids (source_channel_id, target_channel_id) select s.id, t.id from public.channels s, public.channels t where s.slug = 'cm_owner' and t.slug = 'cm_stranger'$$, '42501'),
  ('cm_vip', 'insert a raid', $$insert into public.raids (source_channel_id, target_channel_id) select s.id, t.id from public.channels s, public.channels t where s.slug = 'cm_owner' and t.slug = 'cm_stranger'$$, '42501'),
  ('cm_stranger', 'insert a raid from their channel', $$insert into public.raids (source_channel_id, target_channel_id) select s.id, t.id from public.channels s, public.channels t where s.slug = 'cm_stranger' and t.slug = 'cm_owner'$$, '42501'),
  (null, 'cancel a raid by hand', $$update public.raids set canceled_at = now()$$, '42501'),
  ('cm_owner', 'cancel their raid without cancel_raid', $$update public.raids set canceled_at = now()$$, '42501'),
  ('cm_mod', 'change a raid''s viewer count', $$update public.raids set viewer_count = 9999$$, '42501'),
  ('cm_stranger', 'change the raid they received', $$update public.raids set viewer_count = 0$$, '42501'),
  (null, 'delete raids', $$delete from public.raids$$, '42501'),
  ('cm_owner', 'delete their raid', $$delete from public.raids$$, '42501'),
  ('cm_mod', 'delete the channel''s raid', $$delete from public.raids$$, '42501'),
  ('cm_vip', 'delete raids', $$delete from public.raids$$, '42501'),
  ('cm_stranger', 'delete the raid they received', $$delete from public.raids$$, '42501'),
  ('cm_mod', 'turn raids off on the channel they moderate', $$update public.channels set allow_raids = false where slug = 'cm_owner'$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.raids');
select tests.cell(who, action, statement, expected) from (values
  ('cm_owner', 'set their channel''s raid settings', $$update public.channels set allow_raids = false, raids_followed_only = true where slug = 'cm_owner'$$, 'rows:1'),
  ('service_role', 'update any raid', $$update public.raids set viewer_count = 6$$, 'rows:1'),
  ('service_role', 'delete any raid', $$delete from public.raids$$, 'rows:1'),
  ('service_role', 'insert a raid', $$insert into public.raids (source_channel_id, target_channel_id) select s.id, t.id from public.channels s, public.channels t where s.slug = 'cm_owner' and t.slug = 'cm_stranger'$$, 'rows:1')
) m (who, action, statement, expected);

-- schedule_segments (cm_owner has one) --------------------------------------------------------------
insert into public.schedule_segments (channel_id, starts_at, ends_at, title)
select c.id, now() + interval '1 day', now() + interval '1 day 2 hours', 'Planned' from public.channels c where c.slug = 'cm_owner';
select tests.remember('public.schedule_segments');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read a schedule', $$select * from public.schedule_segments where title = 'Planned'$$, 'rows:1'),
  ('cm_stranger', 'read a schedule', $$select * from public.schedule_segments where title = 'Planned'$$, 'rows:1'),
  ('cm_mod', 'read a schedule', $$select * from public.schedule_segments where title = 'Planned'$$, 'rows:1'),
  ('cm_vip', 'read a schedule', $$select * from public.schedule_segments where title = 'Planned'$$, 'rows:1'),
  ('cm_owner', 'read their schedule', $$select * from public.schedule_segments where title = 'Planned'$$, 'rows:1'),
  ('service_role', 'read a schedule', $$select * from public.schedule_segments where title = 'Planned'$$, 'rows:1'),
  (null, 'add to a schedule', $$insert into public.schedule_segments (channel_id, starts_at, ends_at) select id, now() + interval '2 days', now() + interval '2 days 1 hour' from public.channels where slug = 'cm_owner'$$, '42501'),
  ('cm_stranger', 'add to someone else''s schedule', $$insert into public.schedule_segments (channel_id, starts_at, ends_at) select id, now() + interval '2 days', now() + interval '2 days 1 hour' from public.channels where slug = 'cm_owner'$$, '42501'),
  ('cm_mod', 'add to the schedule of the channel they moderate', $$insert into public.schedule_segments (channel_id, starts_at, ends_at) select id, now() + interval '2 days', now() + interval '2 days 1 hour' from public.channels where slug = 'cm_owner'$$, '42501'),
  ('cm_vip', 'add to the channel''s schedule', $$insert into public.schedule_segments (channel_id, starts_at, ends_at) select id, now() + interval '2 days', now() + interval '2 days 1 hour' from public.channels where slug = 'cm_owner'$$, '42501'),
  ('cm_owner', 'set a segment''s created_at', $$insert into public.schedule_segments (channel_id, starts_at, ends_at, created_at) select id, now() + interval '2 days', now() + interval '2 days 1 hour', now() from public.channels where slug = 'cm_owner'$$, '42501'),
  (null, 'change a schedule', $$update public.schedule_segments set title = 'anon'$$, '42501'),
  ('cm_stranger', 'change someone else''s schedule', $$update public.schedule_segments set title = 'x' where title = 'Planned'$$, 'rows:0'),
  ('cm_mod', 'change the schedule of the channel they moderate', $$update public.schedule_segments set title = 'x' where title = 'Planned'$$, 'rows:0'),
  ('cm_vip', 'cancel the channel''s segment', $$update public.schedule_segments set canceled = true where title = 'Planned'$$, 'rows:0'),
  ('cm_owner', 'move their segment to another channel', $$update public.schedule_segments set channel_id = (select id from public.channels where slug = 'cm_stranger')$$, '42501'),
  (null, 'delete from a schedule', $$delete from public.schedule_segments$$, '42501'),
  ('cm_stranger', 'delete from someone else''s schedule', $$delete from public.schedule_segments where title = 'Planned'$$, 'rows:0'),
  ('cm_mod', 'delete from the schedule of the channel they moderate', $$delete from public.schedule_segments where title = 'Planned'$$, 'rows:0'),
  ('cm_vip', 'delete from the channel''s schedule', $$delete from public.schedule_segments where title = 'Planned'$$, 'rows:0'),
  (null, 'read the followed schedule', $$select * from public.followed_schedule$$, '42501'),
  ('cm_owner', 'read the followed schedule (follows nobody)', $$select * from public.followed_schedule$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.schedule_segments');
select tests.cell(who, action, statement, expected) from (values
  ('cm_mod', 'read the followed schedule of the channel they follow', $$select * from public.followed_schedule where title = 'Planned'$$, 'rows:1'),
  ('cm_owner', 'add to their schedule', $$insert into public.schedule_segments (channel_id, starts_at, ends_at, title) select id, now() + interval '2 days', now() + interval '2 days 1 hour', 'Second' from public.channels where slug = 'cm_owner'$$, 'rows:1'),
  ('cm_owner', 'change their segment', $$update public.schedule_segments set title = 'Planned!', canceled = true where title = 'Planned'$$, 'rows:1'),
  ('cm_owner', 'delete their segment', $$delete from public.schedule_segments where title = 'Second'$$, 'rows:1'),
  ('service_role', 'change any segment', $$update public.schedule_segments set canceled = false$$, 'rows:1'),
  ('service_role', 'delete any segment', $$delete from public.schedule_segments$$, 'rows:1')
) m (who, action, statement, expected);

-- push_subscriptions (cm_vip has one) --------------------------------------------------------------
insert into public.push_subscriptions (user_id, endpoint, p256dh, auth)
values (tests.user_id('cm_vip'), 'https://fcm.googleapis.com/fcm/send/vip', 'B' || repeat('A', 86), repeat('a', 22));
select tests.remember('public.push_subscriptions');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read push subscriptions', $$select * from public.push_subscriptions$$, '42501'),
  ('cm_stranger', 'read another user''s push subscriptions', $$select * from public.push_subscriptions$$, 'rows:0'),
  ('cm_owner', 'read a viewer''s push subscriptions', $$select * from public.push_subscriptions$$, 'rows:0'),
  ('cm_mod', 'read another user''s push subscriptions', $$select * from public.push_subscriptions$$, 'rows:0'),
  ('cm_vip', 'read their own push subscription', $$select * from public.push_subscriptions$$, 'rows:1'),
  ('service_role', 'read every push subscription', $$select * from public.push_subscriptions where user_id = tests.user_id('cm_vip')$$, 'rows:1'),
  (null, 'register a push subscription', $$insert into public.push_subscriptions (user_id, endpoint, p256dh, auth) values (tests.user_id('cm_vip'), 'https://fcm.googleapis.com/fcm/send/anon', 'B' || repeat('A', 86), repeat('a', 22))$$, '42501'),
  ('cm_owner', 'register a push subscription for a viewer', $$insert into public.push_subscriptions (user_id, endpoint, p256dh, auth) values (tests.user_id('cm_vip'), 'https://fcm.googleapis.com/fcm/send/o', 'B' || repeat('A', 86), repeat('a', 22))$$, '42501'),
  ('cm_mod', 'register a push subscription for someone else', $$insert into public.push_subscriptions (user_id, endpoint, p256dh, auth) values (tests.user_id('cm_vip'), 'https://fcm.googleapis.com/fcm/send/m', 'B' || repeat('A', 86), repeat('a', 22))$$, '42501'),
  ('cm_vip', 'set the created_at of their subscription', $$insert into public.push_subscriptions (endpoint, p256dh, auth, created_at) values ('https://fcm.googleapis.com/fcm/send/v2', 'B' || repeat('A', 86), repeat('a', 22), now())$$, '42501'),
  ('cm_vip', 'change their subscription''s endpoint', $$update public.push_subscriptions set endpoint = 'https://fcm.googleapis.com/fcm/send/moved'$$, '42501'),
  ('cm_stranger', 'change another user''s subscription', $$update public.push_subscriptions set endpoint = 'https://fcm.googleapis.com/fcm/send/moved'$$, '42501'),
  (null, 'delete push subscriptions', $$delete from public.push_subscriptions$$, '42501'),
  ('cm_stranger', 'delete another user''s push subscription', $$delete from public.push_subscriptions$$, 'rows:0'),
  ('cm_owner', 'delete a viewer''s push subscription', $$delete from public.push_subscriptions$$, 'rows:0'),
  ('cm_mod', 'delete another user''s push subscription', $$delete from public.push_subscriptions$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.push_subscriptions');
select tests.cell(who, action, statement, expected) from (values
  ('cm_vip', 'register another push subscription', $$insert into public.push_subscriptions (endpoint, p256dh, auth) values ('https://fcm.googleapis.com/fcm/send/vip2', 'B' || repeat('A', 86), repeat('a', 22))$$, 'rows:1'),
  ('cm_vip', 'delete their own push subscription', $$delete from public.push_subscriptions where endpoint like '%/vip2'$$, 'rows:1'),
  ('service_role', 'delete any push subscription', $$delete from public.push_subscriptions$$, 'rows:1')
) m (who, action, statement, expected);

select * from finish();
rollback;
