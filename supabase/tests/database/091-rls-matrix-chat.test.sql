-- The RLS role matrix, chat tables: for chatrooms, chatroom_rules, chatroom_blocked_terms, emotes,
-- chat_identities, chatroom_bans, messages, moderation_actions, reports, unban_requests and
-- chatroom_lockdowns and every role (anon, a stranger, the channel owner, a
-- moderator, a VIP, a subscriber, a banned user, the service role), what SELECT, INSERT, UPDATE and
-- DELETE do, exactly as docs/API.md states. A refusal is either SQLSTATE 42501 (no grant, or a WITH
-- CHECK failure) or 0 rows (RLS filters them); each cell says which, and every table is read back as
-- the test runner to prove refused writes changed nothing.
begin;
select plan(375);

-- The matrix helpers (tests.try_as, tests.cell, tests.remember, tests.unchanged) are in
-- 000-helpers.test.sql.

-- The world: chat_owner's chatroom with a moderator (two), a VIP, an OG, a subscriber, a banned user
-- and a stranger (who owns a channel and chatroom of their own); a rule, a blocked term, a channel
-- emote and a global emote, chat identities for the VIP and the subscriber, a message.
select tests.create_chat_world('ch');
insert into public.chatroom_rules (chatroom_id, position, body) values (tests.chatroom_of('ch_owner'), 0, 'Be kind.');
insert into public.chatroom_blocked_terms (chatroom_id, term, created_by) values (tests.chatroom_of('ch_owner'), 'spoiler', tests.user_id('ch_owner'));
insert into public.emotes (channel_id, code, image_url)
select id, 'chHype', 'https://cdn.example.test/chHype.png' from public.channels where slug = 'ch_owner';
insert into public.emotes (channel_id, code, image_url) values (null, 'chGlobal', 'https://cdn.example.test/chGlobal.png');
insert into public.chat_identities (chatroom_id, user_id, color)
values (tests.chatroom_of('ch_owner'), tests.user_id('ch_vip'), '#112233'), (tests.chatroom_of('ch_owner'), tests.user_id('ch_sub'), '#445566');
select tests.add_message(tests.chatroom_of('ch_owner'), 'ch_sub', 'hello');

-- chatrooms ---------------------------------------------------------------------------------------
select tests.remember('public.chatrooms');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read a chatroom', $$select * from public.chatrooms where id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_stranger', 'read a chatroom', $$select * from public.chatrooms where id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_owner', 'read a chatroom', $$select * from public.chatrooms where id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_mod', 'read a chatroom', $$select * from public.chatrooms where id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_vip', 'read a chatroom', $$select * from public.chatrooms where id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_sub', 'read a chatroom', $$select * from public.chatrooms where id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_banned', 'read a chatroom', $$select * from public.chatrooms where id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('service_role', 'read a chatroom', $$select * from public.chatrooms where id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  (null, 'create a chatroom', $$insert into public.chatrooms (channel_id) values ((select id from public.channels where slug = 'ch_stranger'))$$, '42501'),
  ('ch_stranger', 'create a chatroom', $$insert into public.chatrooms (channel_id) values ((select id from public.channels where slug = 'ch_stranger'))$$, '42501'),
  ('ch_owner', 'create a chatroom', $$insert into public.chatrooms (channel_id) values ((select id from public.channels where slug = 'ch_owner'))$$, '42501'),
  ('ch_mod', 'create a chatroom', $$insert into public.chatrooms (channel_id) values ((select id from public.channels where slug = 'ch_mod'))$$, '42501'),
  ('ch_vip', 'create a chatroom', $$insert into public.chatrooms (channel_id) values ((select id from public.channels where slug = 'ch_vip'))$$, '42501'),
  ('ch_sub', 'create a chatroom', $$insert into public.chatrooms (channel_id) values ((select id from public.channels where slug = 'ch_sub'))$$, '42501'),
  ('ch_banned', 'create a chatroom', $$insert into public.chatrooms (channel_id) values ((select id from public.channels where slug = 'ch_banned'))$$, '42501'),
  (null, 'change chat settings', $$update public.chatrooms set slow_mode_seconds = 30$$, '42501'),
  ('ch_stranger', 'change chat settings', $$update public.chatrooms set slow_mode_seconds = 30 where id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_vip', 'change chat settings', $$update public.chatrooms set slow_mode_seconds = 30 where id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_sub', 'change chat settings', $$update public.chatrooms set slow_mode_seconds = 30 where id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_banned', 'change chat settings', $$update public.chatrooms set slow_mode_seconds = 30 where id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_owner', 'change chat settings in someone else''s chatroom', $$update public.chatrooms set slow_mode_seconds = 30 where id = tests.chatroom_of('ch_stranger')$$, 'rows:0'),
  ('ch_owner', 'write the pin columns directly', $$update public.chatrooms set pinned_until = null where id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_mod', 'move the chatroom to another channel', $$update public.chatrooms set channel_id = (select id from public.channels where slug = 'ch_mod') where id = tests.chatroom_of('ch_owner')$$, '42501'),
  (null, 'delete a chatroom', $$delete from public.chatrooms$$, '42501'),
  ('ch_stranger', 'delete a chatroom', $$delete from public.chatrooms where id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_owner', 'delete their chatroom', $$delete from public.chatrooms where id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_mod', 'delete a chatroom', $$delete from public.chatrooms where id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_vip', 'delete a chatroom', $$delete from public.chatrooms where id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_sub', 'delete a chatroom', $$delete from public.chatrooms where id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_banned', 'delete a chatroom', $$delete from public.chatrooms where id = tests.chatroom_of('ch_owner')$$, '42501')
) m (who, action, statement, expected);
select tests.unchanged('public.chatrooms');
select tests.cell(who, action, statement, expected) from (values
  ('ch_owner', 'change chat settings', $$update public.chatrooms set slow_mode_seconds = 10, emotes_only = true where id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_mod', 'change chat settings', $$update public.chatrooms set subscribers_only = true, followers_only_minutes = 5, min_account_age_minutes = 60,
      require_verified_email = true where id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('service_role', 'change any chatroom', $$update public.chatrooms set emotes_only = true where id = tests.chatroom_of('ch_stranger')$$, 'rows:1'),
  ('service_role', 'delete a chatroom', $$delete from public.chatrooms where id = tests.chatroom_of('ch_stranger')$$, 'rows:1'),
  ('service_role', 'create a chatroom', $$insert into public.chatrooms (channel_id) values ((select id from public.channels where slug = 'ch_stranger'))$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select c.slug::text, r.slow_mode_seconds, r.followers_only_minutes, r.subscribers_only, r.emotes_only, r.min_account_age_minutes, r.require_verified_email
    from public.chatrooms r join public.channels c on c.id = r.channel_id where c.slug::text in ('ch_owner', 'ch_stranger') order by 1 $$,
  $$ values ('ch_owner', 10, 5, true, true, 60, true), ('ch_stranger', 0, null::integer, false, false, null::integer, false) $$,
  'the allowed chatroom writes took effect (the recreated chatroom starts with default settings)');

-- chatroom_rules ----------------------------------------------------------------------------------
select tests.remember('public.chatroom_rules');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read chatroom rules', $$select * from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_stranger', 'read chatroom rules', $$select * from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_owner', 'read chatroom rules', $$select * from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_mod', 'read chatroom rules', $$select * from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_vip', 'read chatroom rules', $$select * from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_sub', 'read chatroom rules', $$select * from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_banned', 'read chatroom rules', $$select * from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('service_role', 'read chatroom rules', $$select * from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  (null, 'add a chatroom rule', $$insert into public.chatroom_rules (chatroom_id, body) values (tests.chatroom_of('ch_owner'), 'x')$$, '42501'),
  ('ch_stranger', 'add a chatroom rule', $$insert into public.chatroom_rules (chatroom_id, body) values (tests.chatroom_of('ch_owner'), 'x')$$, '42501'),
  ('ch_vip', 'add a chatroom rule', $$insert into public.chatroom_rules (chatroom_id, body) values (tests.chatroom_of('ch_owner'), 'x')$$, '42501'),
  ('ch_sub', 'add a chatroom rule', $$insert into public.chatroom_rules (chatroom_id, body) values (tests.chatroom_of('ch_owner'), 'x')$$, '42501'),
  ('ch_banned', 'add a chatroom rule', $$insert into public.chatroom_rules (chatroom_id, body) values (tests.chatroom_of('ch_owner'), 'x')$$, '42501'),
  ('ch_owner', 'add a rule to someone else''s chatroom', $$insert into public.chatroom_rules (chatroom_id, body) values (tests.chatroom_of('ch_stranger'), 'x')$$, '42501'),
  ('ch_mod', 'add a rule to a chatroom they do not moderate', $$insert into public.chatroom_rules (chatroom_id, body) values (tests.chatroom_of('ch_stranger'), 'x')$$, '42501'),
  (null, 'edit a chatroom rule', $$update public.chatroom_rules set body = 'x'$$, '42501'),
  ('ch_stranger', 'edit a chatroom rule', $$update public.chatroom_rules set body = 'x' where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_owner', 'edit a chatroom rule (rules are added and removed)', $$update public.chatroom_rules set body = 'x' where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_mod', 'edit a chatroom rule', $$update public.chatroom_rules set body = 'x' where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_vip', 'edit a chatroom rule', $$update public.chatroom_rules set body = 'x' where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_sub', 'edit a chatroom rule', $$update public.chatroom_rules set body = 'x' where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_banned', 'edit a chatroom rule', $$update public.chatroom_rules set body = 'x' where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  (null, 'delete a chatroom rule', $$delete from public.chatroom_rules$$, '42501'),
  ('ch_stranger', 'delete a chatroom rule', $$delete from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_vip', 'delete a chatroom rule', $$delete from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_sub', 'delete a chatroom rule', $$delete from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_banned', 'delete a chatroom rule', $$delete from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.chatroom_rules');
select tests.cell(who, action, statement, expected) from (values
  ('ch_owner', 'add a chatroom rule', $$insert into public.chatroom_rules (chatroom_id, position, body) values (tests.chatroom_of('ch_owner'), 1, 'No spam.')$$, 'rows:1'),
  ('ch_mod', 'add a chatroom rule', $$insert into public.chatroom_rules (chatroom_id, position, body) values (tests.chatroom_of('ch_owner'), 2, 'No spoilers.')$$, 'rows:1'),
  ('ch_mod', 'delete a chatroom rule', $$delete from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner') and body = 'Be kind.'$$, 'rows:1'),
  ('ch_owner', 'delete a chatroom rule', $$delete from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner') and body = 'No spoilers.'$$, 'rows:1'),
  ('service_role', 'add a rule to any chatroom', $$insert into public.chatroom_rules (chatroom_id, position, body) values (tests.chatroom_of('ch_owner'), 3, 'Service rule.')$$, 'rows:1'),
  ('service_role', 'edit any rule', $$update public.chatroom_rules set body = 'Edited rule.' where chatroom_id = tests.chatroom_of('ch_owner') and body = 'Service rule.'$$, 'rows:1'),
  ('service_role', 'delete any rule', $$delete from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner') and body = 'No spam.'$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select body from public.chatroom_rules where chatroom_id = tests.chatroom_of('ch_owner') order by position $$,
  $$ values ('Edited rule.') $$,
  'the allowed rule writes took effect');

-- chatroom_blocked_terms ----------------------------------------------------------------------------
select tests.remember('public.chatroom_blocked_terms');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read blocked terms', $$select * from public.chatroom_blocked_terms$$, '42501'),
  ('ch_stranger', 'read blocked terms', $$select * from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_vip', 'read blocked terms', $$select * from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_sub', 'read blocked terms', $$select * from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_banned', 'read blocked terms', $$select * from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_owner', 'read their chatroom''s blocked terms', $$select * from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_mod', 'read the blocked terms of a chatroom they moderate', $$select * from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('service_role', 'read any blocked terms', $$select * from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  (null, 'add a blocked term', $$insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('ch_owner'), 'xx')$$, '42501'),
  ('ch_stranger', 'add a blocked term', $$insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('ch_owner'), 'xx')$$, '42501'),
  ('ch_vip', 'add a blocked term', $$insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('ch_owner'), 'xx')$$, '42501'),
  ('ch_sub', 'add a blocked term', $$insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('ch_owner'), 'xx')$$, '42501'),
  ('ch_banned', 'add a blocked term', $$insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('ch_owner'), 'xx')$$, '42501'),
  ('ch_owner', 'add a blocked term to someone else''s chatroom', $$insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('ch_stranger'), 'xx')$$, '42501'),
  ('ch_mod', 'add a blocked term in another user''s name', $$insert into public.chatroom_blocked_terms (chatroom_id, term, created_by) values (tests.chatroom_of('ch_owner'), 'xx', tests.user_id('ch_owner'))$$, '42501'),
  (null, 'edit a blocked term', $$update public.chatroom_blocked_terms set term = 'xx'$$, '42501'),
  ('ch_stranger', 'edit a blocked term', $$update public.chatroom_blocked_terms set term = 'xx'$$, '42501'),
  ('ch_owner', 'edit a blocked term (terms are added and removed)', $$update public.chatroom_blocked_terms set expires_at = now() + interval '1 day' where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_mod', 'edit a blocked term', $$update public.chatroom_blocked_terms set expires_at = now() + interval '1 day' where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_vip', 'edit a blocked term', $$update public.chatroom_blocked_terms set term = 'xx'$$, '42501'),
  ('ch_sub', 'edit a blocked term', $$update public.chatroom_blocked_terms set term = 'xx'$$, '42501'),
  ('ch_banned', 'edit a blocked term', $$update public.chatroom_blocked_terms set term = 'xx'$$, '42501'),
  (null, 'delete a blocked term', $$delete from public.chatroom_blocked_terms$$, '42501'),
  ('ch_stranger', 'delete a blocked term', $$delete from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_vip', 'delete a blocked term', $$delete from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_sub', 'delete a blocked term', $$delete from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_banned', 'delete a blocked term', $$delete from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.chatroom_blocked_terms');
select tests.cell(who, action, statement, expected) from (values
  ('ch_owner', 'add a blocked term', $$insert into public.chatroom_blocked_terms (chatroom_id, term) values (tests.chatroom_of('ch_owner'), 'ragebait')$$, 'rows:1'),
  ('ch_mod', 'add a blocked term', $$insert into public.chatroom_blocked_terms (chatroom_id, term, expires_at) values (tests.chatroom_of('ch_owner'), 'leak*', now() + interval '1 day')$$, 'rows:1'),
  ('ch_mod', 'delete a blocked term', $$delete from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('ch_owner') and term = 'spoiler'$$, 'rows:1'),
  ('ch_owner', 'delete a blocked term', $$delete from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('ch_owner') and term = 'leak*'$$, 'rows:1'),
  ('service_role', 'add a blocked term to any chatroom', $$insert into public.chatroom_blocked_terms (chatroom_id, term, created_by) values (tests.chatroom_of('ch_owner'), 'scam link', tests.user_id('ch_owner'))$$, 'rows:1'),
  ('service_role', 'edit any blocked term', $$update public.chatroom_blocked_terms set term = 'scam links' where chatroom_id = tests.chatroom_of('ch_owner') and term = 'scam link'$$, 'rows:1'),
  ('service_role', 'delete any blocked term', $$delete from public.chatroom_blocked_terms where chatroom_id = tests.chatroom_of('ch_owner') and term = 'scam links'$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select t.term, u.username::text from public.chatroom_blocked_terms t left join public.users u on u.id = t.created_by
    where t.chatroom_id = tests.chatroom_of('ch_owner') order by 1 $$,
  $$ values ('ragebait', 'ch_owner') $$,
  'the allowed blocked-term writes took effect, created_by set to the staff member');

-- emotes (chHype in chat_owner's channel, chGlobal global) ----------------------------------------
select tests.remember('public.emotes');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read channel and global emotes', $$select * from public.emotes where code in ('chHype', 'chGlobal')$$, 'rows:2'),
  ('ch_stranger', 'read channel and global emotes', $$select * from public.emotes where code in ('chHype', 'chGlobal')$$, 'rows:2'),
  ('ch_owner', 'read channel and global emotes', $$select * from public.emotes where code in ('chHype', 'chGlobal')$$, 'rows:2'),
  ('ch_mod', 'read channel and global emotes', $$select * from public.emotes where code in ('chHype', 'chGlobal')$$, 'rows:2'),
  ('ch_vip', 'read channel and global emotes', $$select * from public.emotes where code in ('chHype', 'chGlobal')$$, 'rows:2'),
  ('ch_sub', 'read channel and global emotes', $$select * from public.emotes where code in ('chHype', 'chGlobal')$$, 'rows:2'),
  ('ch_banned', 'read channel and global emotes', $$select * from public.emotes where code in ('chHype', 'chGlobal')$$, 'rows:2'),
  ('service_role', 'read channel and global emotes', $$select * from public.emotes where code in ('chHype', 'chGlobal')$$, 'rows:2'),
  (null, 'add an emote', $$insert into public.emotes (channel_id, code, image_url) values ((select id from public.channels where slug = 'ch_owner'), 'chNew', 'https://cdn.example.test/n.png')$$, '42501'),
  ('ch_stranger', 'add an emote to someone else''s channel', $$insert into public.emotes (channel_id, code, image_url) values ((select id from public.channels where slug = 'ch_owner'), 'chNew', 'https://cdn.example.test/n.png')$$, '42501'),
  ('ch_mod', 'add an emote to the channel they moderate', $$insert into public.emotes (channel_id, code, image_url) values ((select id from public.channels where slug = 'ch_owner'), 'chNew', 'https://cdn.example.test/n.png')$$, '42501'),
  ('ch_vip', 'add an emote', $$insert into public.emotes (channel_id, code, image_url) values ((select id from public.channels where slug = 'ch_owner'), 'chNew', 'https://cdn.example.test/n.png')$$, '42501'),
  ('ch_sub', 'add an emote', $$insert into public.emotes (channel_id, code, image_url) values ((select id from public.channels where slug = 'ch_owner'), 'chNew', 'https://cdn.example.test/n.png')$$, '42501'),
  ('ch_banned', 'add an emote', $$insert into public.emotes (channel_id, code, image_url) values ((select id from public.channels where slug = 'ch_owner'), 'chNew', 'https://cdn.example.test/n.png')$$, '42501'),
  ('ch_owner', 'add a global emote', $$insert into public.emotes (channel_id, code, image_url) values (null, 'chNewGlobal', 'https://cdn.example.test/n.png')$$, '42501'),
  (null, 'edit an emote', $$update public.emotes set image_url = 'https://cdn.example.test/x.png'$$, '42501'),
  ('ch_stranger', 'edit an emote', $$update public.emotes set image_url = 'https://cdn.example.test/x.png' where code = 'chHype'$$, '42501'),
  ('ch_owner', 'edit their emote (emotes are added and removed)', $$update public.emotes set image_url = 'https://cdn.example.test/x.png' where code = 'chHype'$$, '42501'),
  ('ch_mod', 'edit an emote', $$update public.emotes set image_url = 'https://cdn.example.test/x.png' where code = 'chHype'$$, '42501'),
  ('ch_vip', 'edit an emote', $$update public.emotes set image_url = 'https://cdn.example.test/x.png' where code = 'chHype'$$, '42501'),
  ('ch_sub', 'edit an emote', $$update public.emotes set image_url = 'https://cdn.example.test/x.png' where code = 'chHype'$$, '42501'),
  ('ch_banned', 'edit an emote', $$update public.emotes set image_url = 'https://cdn.example.test/x.png' where code = 'chHype'$$, '42501'),
  (null, 'delete an emote', $$delete from public.emotes$$, '42501'),
  ('ch_stranger', 'delete an emote', $$delete from public.emotes where code in ('chHype', 'chGlobal')$$, 'rows:0'),
  ('ch_mod', 'delete an emote of the channel they moderate', $$delete from public.emotes where code in ('chHype', 'chGlobal')$$, 'rows:0'),
  ('ch_vip', 'delete an emote', $$delete from public.emotes where code in ('chHype', 'chGlobal')$$, 'rows:0'),
  ('ch_sub', 'delete an emote', $$delete from public.emotes where code in ('chHype', 'chGlobal')$$, 'rows:0'),
  ('ch_banned', 'delete an emote', $$delete from public.emotes where code in ('chHype', 'chGlobal')$$, 'rows:0'),
  ('ch_owner', 'delete a global emote', $$delete from public.emotes where code = 'chGlobal'$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.emotes');
select tests.cell(who, action, statement, expected) from (values
  ('ch_owner', 'add an emote to their channel', $$insert into public.emotes (channel_id, code, image_url, subscribers_only) values ((select id from public.channels where slug = 'ch_owner'), 'chSubHype', 'https://cdn.example.test/s.png', true)$$, 'rows:1'),
  ('ch_owner', 'delete their channel''s emote', $$delete from public.emotes where code = 'chHype'$$, 'rows:1'),
  ('service_role', 'add a global emote', $$insert into public.emotes (channel_id, code, image_url) values (null, 'chNewGlobal', 'https://cdn.example.test/g.png')$$, 'rows:1'),
  ('service_role', 'edit any emote', $$update public.emotes set image_url = 'https://cdn.example.test/g2.png' where code = 'chNewGlobal'$$, 'rows:1'),
  ('service_role', 'delete any emote', $$delete from public.emotes where code = 'chGlobal'$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select code, channel_id is null, image_url from public.emotes where code like 'ch%' order by 1 $$,
  $$ values ('chNewGlobal', true, 'https://cdn.example.test/g2.png'), ('chSubHype', false, 'https://cdn.example.test/s.png') $$,
  'the allowed emote writes took effect');

-- chat_identities (the VIP and the subscriber have one in chat_owner's chatroom) ------------------
select tests.remember('public.chat_identities');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read chat identities', $$select * from public.chat_identities where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:2'),
  ('ch_stranger', 'read chat identities', $$select * from public.chat_identities where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:2'),
  ('ch_owner', 'read chat identities', $$select * from public.chat_identities where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:2'),
  ('ch_mod', 'read chat identities', $$select * from public.chat_identities where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:2'),
  ('ch_vip', 'read chat identities', $$select * from public.chat_identities where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:2'),
  ('ch_sub', 'read chat identities', $$select * from public.chat_identities where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:2'),
  ('ch_banned', 'read chat identities', $$select * from public.chat_identities where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:2'),
  ('service_role', 'read chat identities', $$select * from public.chat_identities where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:2'),
  (null, 'create a chat identity', $$insert into public.chat_identities (chatroom_id, user_id, color) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_og'), '#000000')$$, '42501'),
  ('ch_stranger', 'create another user''s chat identity', $$insert into public.chat_identities (chatroom_id, user_id, color) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_og'), '#000000')$$, '42501'),
  ('ch_owner', 'create another user''s chat identity', $$insert into public.chat_identities (chatroom_id, user_id, color) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_og'), '#000000')$$, '42501'),
  ('ch_mod', 'create another user''s chat identity', $$insert into public.chat_identities (chatroom_id, user_id, color) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_og'), '#000000')$$, '42501'),
  ('ch_vip', 'create another user''s chat identity', $$insert into public.chat_identities (chatroom_id, user_id, color) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_og'), '#000000')$$, '42501'),
  ('ch_sub', 'create another user''s chat identity', $$insert into public.chat_identities (chatroom_id, user_id, color) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_og'), '#000000')$$, '42501'),
  ('ch_banned', 'create another user''s chat identity', $$insert into public.chat_identities (chatroom_id, user_id, color) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_og'), '#000000')$$, '42501'),
  (null, 'change a chat identity', $$update public.chat_identities set color = '#000000'$$, '42501'),
  ('ch_stranger', 'change another user''s chat identity', $$update public.chat_identities set color = '#000000' where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_owner', 'change another user''s chat identity', $$update public.chat_identities set color = '#000000' where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_mod', 'change another user''s chat identity', $$update public.chat_identities set color = '#000000' where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_vip', 'change another user''s chat identity', $$update public.chat_identities set color = '#000000' where user_id = tests.user_id('ch_sub')$$, 'rows:0'),
  ('ch_sub', 'change another user''s chat identity', $$update public.chat_identities set color = '#000000' where user_id = tests.user_id('ch_vip')$$, 'rows:0'),
  ('ch_banned', 'change another user''s chat identity', $$update public.chat_identities set color = '#000000' where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_vip', 'move their chat identity to another user', $$update public.chat_identities set user_id = tests.user_id('ch_og') where user_id = tests.user_id('ch_vip')$$, '42501'),
  (null, 'delete a chat identity', $$delete from public.chat_identities$$, '42501'),
  ('ch_stranger', 'delete a chat identity', $$delete from public.chat_identities where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_owner', 'delete a chat identity', $$delete from public.chat_identities where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_mod', 'delete a chat identity', $$delete from public.chat_identities where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_vip', 'delete their own chat identity', $$delete from public.chat_identities where user_id = tests.user_id('ch_vip')$$, '42501'),
  ('ch_sub', 'delete their own chat identity', $$delete from public.chat_identities where user_id = tests.user_id('ch_sub')$$, '42501'),
  ('ch_banned', 'delete a chat identity', $$delete from public.chat_identities where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501')
) m (who, action, statement, expected);
select tests.unchanged('public.chat_identities');
select tests.cell(who, action, statement, expected) from (values
  ('ch_stranger', 'create their own chat identity', $$insert into public.chat_identities (chatroom_id, user_id, color) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_stranger'), '#000001')$$, 'rows:1'),
  ('ch_owner', 'create their own chat identity', $$insert into public.chat_identities (chatroom_id, user_id, color) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_owner'), '#000002')$$, 'rows:1'),
  ('ch_mod', 'create their own chat identity', $$insert into public.chat_identities (chatroom_id, user_id, color) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_mod'), '#000003')$$, 'rows:1'),
  ('ch_banned', 'create their own chat identity', $$insert into public.chat_identities (chatroom_id, user_id, color) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_banned'), '#000004')$$, 'rows:1'),
  ('ch_vip', 'change their own chat identity', $$update public.chat_identities set color = '#000005', badges = array['vip'] where user_id = tests.user_id('ch_vip')$$, 'rows:1'),
  ('ch_sub', 'change their own chat identity', $$update public.chat_identities set color = null where user_id = tests.user_id('ch_sub')$$, 'rows:1'),
  ('service_role', 'create any chat identity', $$insert into public.chat_identities (chatroom_id, user_id, color) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_og'), '#000006')$$, 'rows:1'),
  ('service_role', 'change any chat identity', $$update public.chat_identities set color = '#000007' where user_id = tests.user_id('ch_og')$$, 'rows:1'),
  ('service_role', 'delete any chat identity', $$delete from public.chat_identities where user_id = tests.user_id('ch_banned')$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select u.username::text, i.color, i.badges from public.chat_identities i join public.users u on u.id = i.user_id
    where i.chatroom_id = tests.chatroom_of('ch_owner') order by 1 $$,
  $$ values ('ch_mod', '#000003', null::text[]), ('ch_og', '#000007', null), ('ch_owner', '#000002', null),
            ('ch_stranger', '#000001', null), ('ch_sub', null, null), ('ch_vip', '#000005', array['vip']) $$,
  'the allowed chat identity writes took effect');

-- chatroom_bans (ch_banned is banned from chat_owner's chatroom) ----------------------------------
select tests.remember('public.chatroom_bans');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read bans', $$select * from public.chatroom_bans$$, '42501'),
  ('ch_stranger', 'read a chatroom''s bans', $$select id, user_id, reason, expires_at from public.chatroom_bans where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_vip', 'read a chatroom''s bans', $$select id, user_id, reason, expires_at from public.chatroom_bans where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_sub', 'read a chatroom''s bans', $$select id, user_id, reason, expires_at from public.chatroom_bans where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_banned', 'read their own ban', $$select id, user_id, reason, created_at, expires_at from public.chatroom_bans where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_banned', 'read who banned them', $$select banned_by from public.chatroom_bans$$, '42501'),
  ('ch_banned', 'read every column of their ban (banned_by is not theirs)', $$select * from public.chatroom_bans$$, '42501'),
  ('ch_banned', 'find who banned them by filtering', $$select id from public.chatroom_bans where banned_by = tests.user_id('ch_owner')$$, '42501'),
  ('ch_owner', 'read their chatroom''s bans', $$select id, chatroom_id, user_id, reason, created_at, expires_at from public.chatroom_bans where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_owner', 'read banned_by (the moderators'' log names the moderator)', $$select banned_by from public.chatroom_bans$$, '42501'),
  ('ch_mod', 'read the bans of a chatroom they moderate', $$select id, user_id, reason, expires_at from public.chatroom_bans where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_mod', 'read banned_by (the moderators'' log names the moderator)', $$select banned_by from public.chatroom_bans$$, '42501'),
  ('service_role', 'read any bans, with who banned', $$select * from public.chatroom_bans where chatroom_id = tests.chatroom_of('ch_owner') and banned_by is not null$$, 'rows:1'),
  (null, 'ban a user', $$insert into public.chatroom_bans (chatroom_id, user_id) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_stranger'))$$, '42501'),
  ('ch_stranger', 'ban a user', $$insert into public.chatroom_bans (chatroom_id, user_id) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_sub'))$$, '42501'),
  ('ch_vip', 'ban a user', $$insert into public.chatroom_bans (chatroom_id, user_id) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_stranger'))$$, '42501'),
  ('ch_sub', 'ban a user', $$insert into public.chatroom_bans (chatroom_id, user_id) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_stranger'))$$, '42501'),
  ('ch_banned', 'ban a user', $$insert into public.chatroom_bans (chatroom_id, user_id) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_stranger'))$$, '42501'),
  ('ch_mod', 'ban the owner', $$insert into public.chatroom_bans (chatroom_id, user_id) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_owner'))$$, '42501'),
  ('ch_mod', 'ban another moderator', $$insert into public.chatroom_bans (chatroom_id, user_id) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_mod2'))$$, '42501'),
  ('ch_owner', 'ban a moderator (lift the role first)', $$insert into public.chatroom_bans (chatroom_id, user_id) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_mod'))$$, '42501'),
  ('ch_owner', 'ban someone from another chatroom', $$insert into public.chatroom_bans (chatroom_id, user_id) values (tests.chatroom_of('ch_stranger'), tests.user_id('ch_sub'))$$, '42501'),
  ('ch_owner', 'ban in another moderator''s name', $$insert into public.chatroom_bans (chatroom_id, user_id, banned_by) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_sub'), tests.user_id('ch_mod'))$$, '42501'),
  (null, 'edit a ban', $$update public.chatroom_bans set expires_at = null$$, '42501'),
  ('ch_stranger', 'edit a ban', $$update public.chatroom_bans set reason = 'x'$$, '42501'),
  ('ch_owner', 'edit a ban (bans are replaced)', $$update public.chatroom_bans set reason = 'x' where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_mod', 'edit a ban', $$update public.chatroom_bans set reason = 'x' where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_vip', 'edit a ban', $$update public.chatroom_bans set reason = 'x'$$, '42501'),
  ('ch_sub', 'edit a ban', $$update public.chatroom_bans set reason = 'x'$$, '42501'),
  ('ch_banned', 'shorten their own ban', $$update public.chatroom_bans set expires_at = now() + interval '1 second' where user_id = tests.user_id('ch_banned')$$, '42501'),
  (null, 'lift a ban', $$delete from public.chatroom_bans$$, '42501'),
  ('ch_stranger', 'lift a ban', $$delete from public.chatroom_bans where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_vip', 'lift a ban', $$delete from public.chatroom_bans where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_sub', 'lift a ban', $$delete from public.chatroom_bans where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_banned', 'lift their own ban', $$delete from public.chatroom_bans where user_id = tests.user_id('ch_banned')$$, 'rows:0')
) m (who, action, statement, expected);
select tests.unchanged('public.chatroom_bans');
select tests.cell(who, action, statement, expected) from (values
  ('ch_owner', 'ban a user', $$insert into public.chatroom_bans (chatroom_id, user_id, reason) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_stranger'), 'rude')$$, 'rows:1'),
  ('ch_mod', 'time a user out', $$insert into public.chatroom_bans (chatroom_id, user_id, expires_at) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_sub'), now() + interval '10 minutes')$$, 'rows:1'),
  ('ch_mod', 'lift a ban', $$delete from public.chatroom_bans where user_id = tests.user_id('ch_stranger')$$, 'rows:1'),
  ('service_role', 'ban in any chatroom', $$insert into public.chatroom_bans (chatroom_id, user_id, reason) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_og'), 'service')$$, 'rows:1'),
  ('service_role', 'edit any ban', $$update public.chatroom_bans set reason = 'service edit' where user_id = tests.user_id('ch_og')$$, 'rows:1'),
  ('service_role', 'lift any ban', $$delete from public.chatroom_bans where user_id = tests.user_id('ch_sub')$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select u.username::text, b.reason from public.chatroom_bans b join public.users u on u.id = b.user_id
    where b.chatroom_id = tests.chatroom_of('ch_owner') order by 1 $$,
  $$ values ('ch_banned', 'spam'), ('ch_og', 'service edit') $$,
  'the allowed ban writes took effect');
select is((select l.actor_id from public.moderation_actions l
    where l.chatroom_id = tests.chatroom_of('ch_owner') and l.action = 'user.timed_out' and l.target_user_id = tests.user_id('ch_sub')),
  tests.user_id('ch_mod'), 'a staff ban is recorded under the moderator who made it');

-- messages (one message from the subscriber) ------------------------------------------------------
select tests.remember('public.messages');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read messages', $$select * from public.messages where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_stranger', 'read messages', $$select * from public.messages where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_owner', 'read messages', $$select * from public.messages where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_mod', 'read messages', $$select * from public.messages where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_vip', 'read messages', $$select * from public.messages where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_sub', 'read messages', $$select * from public.messages where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_banned', 'read messages', $$select * from public.messages where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('service_role', 'read messages', $$select * from public.messages where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  (null, 'insert a message directly', $$insert into public.messages (chatroom_id, user_id, content, sender) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_stranger'), 'x', '{}')$$, '42501'),
  ('ch_stranger', 'insert a message directly (send_message only)', $$insert into public.messages (chatroom_id, user_id, content, sender) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_stranger'), 'x', '{}')$$, '42501'),
  ('ch_owner', 'insert a message directly (send_message only)', $$insert into public.messages (chatroom_id, user_id, content, sender) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_owner'), 'x', '{}')$$, '42501'),
  ('ch_mod', 'insert a message directly (send_message only)', $$insert into public.messages (chatroom_id, user_id, content, sender) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_mod'), 'x', '{}')$$, '42501'),
  ('ch_vip', 'insert a message directly (send_message only)', $$insert into public.messages (chatroom_id, user_id, content, sender) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_vip'), 'x', '{}')$$, '42501'),
  ('ch_sub', 'insert a message directly (send_message only)', $$insert into public.messages (chatroom_id, user_id, content, sender) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_sub'), 'x', '{}')$$, '42501'),
  ('ch_banned', 'insert a message directly (send_message only)', $$insert into public.messages (chatroom_id, user_id, content, sender) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_banned'), 'x', '{}')$$, '42501'),
  (null, 'edit a message', $$update public.messages set content = 'x'$$, '42501'),
  ('ch_stranger', 'edit a message', $$update public.messages set content = 'x' where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_owner', 'soft-delete a message directly (delete_message only)', $$update public.messages set content = null, deleted_at = now() where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_mod', 'soft-delete a message directly (delete_message only)', $$update public.messages set content = null, deleted_at = now() where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_vip', 'edit a message', $$update public.messages set content = 'x' where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_sub', 'edit their own message', $$update public.messages set content = 'edited' where user_id = tests.user_id('ch_sub')$$, '42501'),
  ('ch_banned', 'edit a message', $$update public.messages set content = 'x' where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  (null, 'delete a message', $$delete from public.messages$$, '42501'),
  ('ch_stranger', 'delete a message', $$delete from public.messages where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_owner', 'hard-delete a message', $$delete from public.messages where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_mod', 'hard-delete a message', $$delete from public.messages where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_vip', 'delete a message', $$delete from public.messages where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_sub', 'delete their own message', $$delete from public.messages where user_id = tests.user_id('ch_sub')$$, '42501'),
  ('ch_banned', 'delete a message', $$delete from public.messages where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501')
) m (who, action, statement, expected);
select tests.unchanged('public.messages');
select tests.cell(who, action, statement, expected) from (values
  ('service_role', 'insert a message', $$insert into public.messages (chatroom_id, user_id, content, sender) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_owner'), 'from the service', '{"username": "ch_owner"}')$$, 'rows:1'),
  ('service_role', 'edit a message', $$update public.messages set content = 'from the service (edited)' where chatroom_id = tests.chatroom_of('ch_owner') and content = 'from the service'$$, 'rows:1'),
  -- ch_sub's 'hello', removed when ch_mod timed ch_sub out above.
  ('service_role', 'delete a message', $$delete from public.messages where chatroom_id = tests.chatroom_of('ch_owner') and content is null$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select content from public.messages where chatroom_id = tests.chatroom_of('ch_owner') order by id $$,
  $$ values ('from the service (edited)') $$,
  'the service role''s message writes took effect');

-- moderation_actions (the world's ban of ch_banned is logged) --------------------------------------
select tests.remember('public.moderation_actions');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read the moderators'' log', $$select * from public.moderation_actions$$, '42501'),
  ('ch_stranger', 'read the room''s log', $$select * from public.moderation_actions where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_owner', 'read the room''s log', $$select * from public.moderation_actions where chatroom_id = tests.chatroom_of('ch_owner') and action = 'user.banned' and target_user_id = tests.user_id('ch_banned')$$, 'rows:1'),
  ('ch_mod', 'read the room''s log', $$select * from public.moderation_actions where chatroom_id = tests.chatroom_of('ch_owner') and action = 'user.banned' and target_user_id = tests.user_id('ch_banned')$$, 'rows:1'),
  ('ch_vip', 'read the room''s log', $$select * from public.moderation_actions where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_sub', 'read the room''s log', $$select * from public.moderation_actions where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_banned', 'read the log of their own ban', $$select * from public.moderation_actions where target_user_id = tests.user_id('ch_banned')$$, 'rows:0'),
  ('service_role', 'read the room''s log', $$select * from public.moderation_actions where chatroom_id = tests.chatroom_of('ch_owner') and action = 'user.banned' and target_user_id = tests.user_id('ch_banned')$$, 'rows:1'),
  (null, 'write the log', $$insert into public.moderation_actions (chatroom_id, action) values (tests.chatroom_of('ch_owner'), 'user.banned')$$, '42501'),
  ('ch_stranger', 'write the log', $$insert into public.moderation_actions (chatroom_id, action) values (tests.chatroom_of('ch_owner'), 'user.banned')$$, '42501'),
  ('ch_owner', 'write the log', $$insert into public.moderation_actions (chatroom_id, action) values (tests.chatroom_of('ch_owner'), 'user.banned')$$, '42501'),
  ('ch_mod', 'write the log', $$insert into public.moderation_actions (chatroom_id, action) values (tests.chatroom_of('ch_owner'), 'user.banned')$$, '42501'),
  ('ch_vip', 'write the log', $$insert into public.moderation_actions (chatroom_id, action) values (tests.chatroom_of('ch_owner'), 'user.banned')$$, '42501'),
  ('ch_sub', 'write the log', $$insert into public.moderation_actions (chatroom_id, action) values (tests.chatroom_of('ch_owner'), 'user.banned')$$, '42501'),
  ('ch_banned', 'write the log', $$insert into public.moderation_actions (chatroom_id, action) values (tests.chatroom_of('ch_owner'), 'user.banned')$$, '42501'),
  ('service_role', 'write the log (the database is its one writer)', $$insert into public.moderation_actions (chatroom_id, action) values (tests.chatroom_of('ch_owner'), 'user.banned')$$, '42501'),
  (null, 'edit the log', $$update public.moderation_actions set reason = 'x'$$, '42501'),
  ('ch_owner', 'edit the log', $$update public.moderation_actions set reason = 'x'$$, '42501'),
  ('ch_mod', 'edit the log', $$update public.moderation_actions set reason = 'x'$$, '42501'),
  ('ch_banned', 'edit the log', $$update public.moderation_actions set reason = 'x'$$, '42501'),
  ('service_role', 'edit the log', $$update public.moderation_actions set reason = 'x'$$, '42501'),
  (null, 'erase the log', $$delete from public.moderation_actions$$, '42501'),
  ('ch_owner', 'erase the log', $$delete from public.moderation_actions$$, '42501'),
  ('ch_mod', 'erase the log', $$delete from public.moderation_actions$$, '42501'),
  ('ch_vip', 'erase the log', $$delete from public.moderation_actions$$, '42501'),
  ('ch_banned', 'erase the log', $$delete from public.moderation_actions$$, '42501'),
  ('service_role', 'erase the log', $$delete from public.moderation_actions$$, '42501')
) m (who, action, statement, expected);
select tests.unchanged('public.moderation_actions');

-- reports (ch_sub reported ch_stranger's and ch_mod's messages in ch_owner's room) ---------------------
insert into public.reports (reporter_id, message_id, reason)
values (tests.user_id('ch_sub'), tests.add_message(tests.chatroom_of('ch_owner'), 'ch_stranger', 'rude'), 'harassment'),
  (tests.user_id('ch_sub'), tests.add_message(tests.chatroom_of('ch_owner'), 'ch_mod', 'moderator rant'), 'harassment');
select tests.remember('public.reports');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read reports', $$select id from public.reports$$, '42501'),
  ('ch_stranger', 'read the report about them', $$select id from public.reports where target_user_id = tests.user_id('ch_stranger')$$, 'rows:0'),
  ('ch_owner', 'read the room''s reports', $$select id, reason, message_id, target_user_id from public.reports where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:2'),
  ('ch_owner', 'read who reported', $$select reporter_id from public.reports$$, '42501'),
  ('ch_owner', 'read who resolved (the moderators'' log names the moderator)', $$select resolved_by from public.reports$$, '42501'),
  ('ch_mod', 'read the room''s reports but the one about them', $$select id, status from public.reports where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_mod', 'read the report about them', $$select id from public.reports where target_user_id = tests.user_id('ch_mod')$$, 'rows:0'),
  ('ch_mod', 'read who reported', $$select reporter_id from public.reports$$, '42501'),
  ('ch_vip', 'read the room''s reports', $$select id from public.reports where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_sub', 'read their own reports', $$select id, status from public.reports$$, 'rows:2'),
  ('ch_sub', 'read reporter_id, even their own', $$select * from public.reports$$, '42501'),
  ('ch_sub', 'read who resolved their report', $$select resolved_by from public.reports$$, '42501'),
  ('ch_banned', 'read reports', $$select id from public.reports$$, 'rows:0'),
  ('service_role', 'read every report with its reporter and resolver', $$select reporter_id, resolved_by from public.reports where reporter_id = tests.user_id('ch_sub')$$, 'rows:2'),
  (null, 'report', $$insert into public.reports (target_user_id, reason) values (tests.user_id('ch_stranger'), 'spam')$$, '42501'),
  ('ch_vip', 'report in someone else''s name', $$insert into public.reports (reporter_id, target_user_id, reason) values (tests.user_id('ch_sub'), tests.user_id('ch_stranger'), 'spam')$$, '42501'),
  ('ch_mod', 'file an already-resolved report', $$insert into public.reports (target_user_id, reason, status) values (tests.user_id('ch_stranger'), 'spam', 'dismissed')$$, '42501'),
  ('ch_sub', 'report the same message twice while open', $$insert into public.reports (message_id, reason) values ((select id from public.messages where content = 'rude' and user_id = tests.user_id('ch_stranger')), 'spam')$$, 'PGRST'),
  (null, 'resolve a report by update', $$update public.reports set status = 'dismissed'$$, '42501'),
  ('ch_owner', 'resolve a report by update', $$update public.reports set status = 'dismissed'$$, '42501'),
  ('ch_mod', 'resolve a report by update', $$update public.reports set status = 'dismissed'$$, '42501'),
  ('ch_sub', 'edit their own report', $$update public.reports set details = 'x'$$, '42501'),
  (null, 'delete reports', $$delete from public.reports$$, '42501'),
  ('ch_owner', 'delete the room''s reports', $$delete from public.reports$$, '42501'),
  ('ch_mod', 'delete the room''s reports', $$delete from public.reports$$, '42501'),
  ('ch_sub', 'withdraw their own report', $$delete from public.reports$$, '42501'),
  ('ch_stranger', 'delete the report about them', $$delete from public.reports$$, '42501')
) m (who, action, statement, expected);
select tests.unchanged('public.reports');
select tests.cell(who, action, statement, expected) from (values
  ('ch_vip', 'report a user', $$insert into public.reports (target_user_id, channel_id, reason, details) values (tests.user_id('ch_stranger'), (select id from public.channels where slug = 'ch_owner'), 'spam', 'bot')$$, 'rows:1'),
  ('service_role', 'edit any report', $$update public.reports set details = 'checked' where reporter_id = tests.user_id('ch_vip')$$, 'rows:1'),
  ('service_role', 'delete any report', $$delete from public.reports where reporter_id = tests.user_id('ch_sub')$$, 'rows:2')
) m (who, action, statement, expected);
select results_eq($$ select u.username::text, r.details from public.reports r join public.users u on u.id = r.reporter_id where r.chatroom_id = tests.chatroom_of('ch_owner') $$,
  $$ values ('ch_vip', 'checked') $$, 'the allowed report writes took effect');

-- unban_requests (ch_banned appealed) --------------------------------------------------------------
insert into public.unban_requests (chatroom_id, user_id, text) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_banned'), 'sorry');
select tests.remember('public.unban_requests');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read unban requests', $$select * from public.unban_requests$$, '42501'),
  ('ch_stranger', 'read the room''s unban requests', $$select id, status, text from public.unban_requests where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_owner', 'read the room''s unban requests', $$select id, chatroom_id, user_id, ban_id, text, status, resolution_text, created_at, resolved_at from public.unban_requests where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_owner', 'read resolved_by (the moderators'' log names the moderator)', $$select resolved_by from public.unban_requests$$, '42501'),
  ('ch_mod', 'read the room''s unban requests', $$select id, user_id, text, status from public.unban_requests where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_vip', 'read the room''s unban requests', $$select id, status, text from public.unban_requests where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_sub', 'read the room''s unban requests', $$select id, status, text from public.unban_requests where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_banned', 'read their own unban request', $$select id, status, text, resolution_text, resolved_at from public.unban_requests$$, 'rows:1'),
  ('ch_banned', 'read who answered their unban request', $$select resolved_by from public.unban_requests$$, '42501'),
  ('ch_banned', 'read every column of their unban request (resolved_by is not theirs)', $$select * from public.unban_requests$$, '42501'),
  ('service_role', 'read every unban request, with who answered', $$select * from public.unban_requests where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  (null, 'ask for an unban', $$insert into public.unban_requests (chatroom_id, text) values (tests.chatroom_of('ch_owner'), 'hi')$$, '42501'),
  ('ch_sub', 'ask for an unban without a ban', $$insert into public.unban_requests (chatroom_id, text) values (tests.chatroom_of('ch_owner'), 'hi')$$, 'PGRST'),
  ('ch_mod', 'ask in the banned user''s name', $$insert into public.unban_requests (chatroom_id, user_id, text) values (tests.chatroom_of('ch_owner'), tests.user_id('ch_banned'), 'hi')$$, '42501'),
  ('ch_banned', 'ask twice while pending', $$insert into public.unban_requests (chatroom_id, text) values (tests.chatroom_of('ch_owner'), 'again')$$, 'PGRST'),
  ('ch_banned', 'approve their own request by update', $$update public.unban_requests set status = 'approved'$$, '42501'),
  ('ch_owner', 'resolve by update', $$update public.unban_requests set status = 'approved'$$, '42501'),
  ('ch_mod', 'resolve by update', $$update public.unban_requests set status = 'denied'$$, '42501'),
  (null, 'delete unban requests', $$delete from public.unban_requests$$, '42501'),
  ('ch_owner', 'delete unban requests', $$delete from public.unban_requests$$, '42501'),
  ('ch_mod', 'delete unban requests', $$delete from public.unban_requests$$, '42501'),
  ('ch_banned', 'withdraw their request', $$delete from public.unban_requests$$, '42501')
) m (who, action, statement, expected);
select tests.unchanged('public.unban_requests');
select tests.cell(who, action, statement, expected) from (values
  ('service_role', 'edit any unban request', $$update public.unban_requests set text = 'edited' where user_id = tests.user_id('ch_banned')$$, 'rows:1'),
  ('service_role', 'delete any unban request', $$delete from public.unban_requests where user_id = tests.user_id('ch_banned')$$, 'rows:1')
) m (who, action, statement, expected);

-- chatroom_lockdowns (every room has one) ----------------------------------------------------------
select tests.remember('public.chatroom_lockdowns');
select tests.cell(who, action, statement, expected) from (values
  (null, 'read a lockdown preset', $$select * from public.chatroom_lockdowns$$, '42501'),
  ('ch_stranger', 'read the room''s lockdown', $$select * from public.chatroom_lockdowns where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_owner', 'read the room''s lockdown', $$select * from public.chatroom_lockdowns where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_mod', 'read the room''s lockdown', $$select * from public.chatroom_lockdowns where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_vip', 'read the room''s lockdown', $$select * from public.chatroom_lockdowns where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_sub', 'read the room''s lockdown', $$select * from public.chatroom_lockdowns where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_banned', 'read the room''s lockdown', $$select * from public.chatroom_lockdowns where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('service_role', 'read the room''s lockdown', $$select * from public.chatroom_lockdowns where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  (null, 'create a lockdown row', $$insert into public.chatroom_lockdowns (chatroom_id) values (tests.chatroom_of('ch_owner'))$$, '42501'),
  ('ch_owner', 'create a lockdown row', $$insert into public.chatroom_lockdowns (chatroom_id) values (tests.chatroom_of('ch_owner'))$$, '42501'),
  ('ch_mod', 'create a lockdown row', $$insert into public.chatroom_lockdowns (chatroom_id) values (tests.chatroom_of('ch_owner'))$$, '42501'),
  (null, 'edit a lockdown preset', $$update public.chatroom_lockdowns set followers_only_minutes = 0$$, '42501'),
  ('ch_stranger', 'edit the room''s lockdown preset', $$update public.chatroom_lockdowns set followers_only_minutes = 0 where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_vip', 'edit the room''s lockdown preset', $$update public.chatroom_lockdowns set followers_only_minutes = 0 where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_sub', 'edit the room''s lockdown preset', $$update public.chatroom_lockdowns set followers_only_minutes = 0 where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_banned', 'edit the room''s lockdown preset', $$update public.chatroom_lockdowns set followers_only_minutes = 0 where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:0'),
  ('ch_owner', 'switch lockdown on by update', $$update public.chatroom_lockdowns set is_active = true where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_mod', 'overwrite the saved settings', $$update public.chatroom_lockdowns set saved_settings = '{}' where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  (null, 'delete a lockdown row', $$delete from public.chatroom_lockdowns$$, '42501'),
  ('ch_owner', 'delete the room''s lockdown row', $$delete from public.chatroom_lockdowns where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501'),
  ('ch_mod', 'delete the room''s lockdown row', $$delete from public.chatroom_lockdowns where chatroom_id = tests.chatroom_of('ch_owner')$$, '42501')
) m (who, action, statement, expected);
select tests.unchanged('public.chatroom_lockdowns');
select tests.cell(who, action, statement, expected) from (values
  ('ch_owner', 'edit the room''s lockdown preset', $$update public.chatroom_lockdowns set slow_mode_seconds = 10 where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('ch_mod', 'edit the room''s lockdown preset', $$update public.chatroom_lockdowns set emotes_only = true where chatroom_id = tests.chatroom_of('ch_owner')$$, 'rows:1'),
  ('service_role', 'edit any lockdown row', $$update public.chatroom_lockdowns set subscribers_only = true where chatroom_id = tests.chatroom_of('ch_stranger')$$, 'rows:1')
) m (who, action, statement, expected);
select results_eq($$ select slow_mode_seconds, emotes_only from public.chatroom_lockdowns where chatroom_id = tests.chatroom_of('ch_owner') $$,
  $$ values (10, true) $$, 'the allowed preset edits took effect');


select * from finish();
rollback;
