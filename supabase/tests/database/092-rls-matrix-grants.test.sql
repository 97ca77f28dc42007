-- Guards for the RLS role matrix (090, 091): every table in public has RLS on and is covered by the
-- matrix, and anon/authenticated hold exactly the privileges docs/API.md lists, written out here
-- table by table and column by column, so a migration that grants more (or a new table) fails here.
begin;
select plan(7);

select is_empty($$ select c.relname::text from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relrowsecurity $$,
  'every table in public has row level security enabled');

select set_eq($$ select tablename::text from pg_tables where schemaname = 'public' $$,
  array['users', 'notification_preferences', 'follows', 'category_follows', 'channels', 'channel_panels', 'channel_links',
    'subscriber_badges', 'channel_roles', 'subscriptions', 'categories', 'livestreams', 'chatrooms', 'chatroom_rules',
    'chatroom_blocked_terms', 'emotes', 'chat_identities', 'chatroom_bans', 'messages', 'user_blocks', 'notifications'],
  'the tables in public are exactly those the RLS matrix covers (a new table needs its rows in 090/091 and here)');

select is_empty($$ select tablename || ': ' || policyname from pg_policies where schemaname = 'public' and 'public' = any (roles) $$,
  'every policy on a public table names its roles (none applies to PUBLIC)');

-- Whole-table privileges of anon, authenticated and PUBLIC on every relation in public (tables,
-- views, sequences).
select set_eq($$
    select c.relname::text, case a.grantee when 0 then 'PUBLIC' else a.grantee::regrole::text end, a.privilege_type
    from pg_class c, aclexplode(c.relacl) a
    where c.relnamespace = 'public'::regnamespace
      and (a.grantee = 0 or a.grantee in ('anon'::regrole, 'authenticated'::regrole)) $$,
  $$ values
    ('users', 'anon', 'SELECT'), ('users', 'authenticated', 'SELECT'),
    ('notification_preferences', 'authenticated', 'SELECT'),
    ('follows', 'authenticated', 'SELECT'), ('follows', 'authenticated', 'DELETE'),
    ('category_follows', 'authenticated', 'SELECT'), ('category_follows', 'authenticated', 'DELETE'),
    ('channels', 'anon', 'SELECT'), ('channels', 'authenticated', 'SELECT'),
    ('channel_panels', 'anon', 'SELECT'), ('channel_panels', 'authenticated', 'SELECT'), ('channel_panels', 'authenticated', 'DELETE'),
    ('channel_links', 'anon', 'SELECT'), ('channel_links', 'authenticated', 'SELECT'), ('channel_links', 'authenticated', 'DELETE'),
    ('subscriber_badges', 'anon', 'SELECT'), ('subscriber_badges', 'authenticated', 'SELECT'), ('subscriber_badges', 'authenticated', 'DELETE'),
    ('channel_roles', 'anon', 'SELECT'), ('channel_roles', 'authenticated', 'SELECT'), ('channel_roles', 'authenticated', 'DELETE'),
    ('subscriptions', 'authenticated', 'SELECT'),
    ('categories', 'anon', 'SELECT'), ('categories', 'authenticated', 'SELECT'),
    ('livestreams', 'anon', 'SELECT'), ('livestreams', 'authenticated', 'SELECT'),
    ('chatrooms', 'anon', 'SELECT'), ('chatrooms', 'authenticated', 'SELECT'),
    ('chatroom_rules', 'anon', 'SELECT'), ('chatroom_rules', 'authenticated', 'SELECT'), ('chatroom_rules', 'authenticated', 'DELETE'),
    ('chatroom_blocked_terms', 'authenticated', 'SELECT'), ('chatroom_blocked_terms', 'authenticated', 'DELETE'),
    ('emotes', 'anon', 'SELECT'), ('emotes', 'authenticated', 'SELECT'), ('emotes', 'authenticated', 'DELETE'),
    ('chat_identities', 'anon', 'SELECT'), ('chat_identities', 'authenticated', 'SELECT'),
    ('chatroom_bans', 'authenticated', 'SELECT'), ('chatroom_bans', 'authenticated', 'DELETE'),
    ('messages', 'anon', 'SELECT'), ('messages', 'authenticated', 'SELECT'),
    ('user_blocks', 'authenticated', 'SELECT'), ('user_blocks', 'authenticated', 'DELETE'),
    ('notifications', 'authenticated', 'SELECT'), ('notifications', 'authenticated', 'DELETE')
  $$,
  'anon and authenticated hold exactly the whole-table privileges API.md lists (nothing on sequences, nothing for PUBLIC)');

-- Column privileges (inserts and updates are granted column by column: only the columns a client
-- may write).
select set_eq($$
    select c.relname::text, case e.grantee when 0 then 'PUBLIC' else e.grantee::regrole::text end, e.privilege_type,
      string_agg(at.attname::text, ', ' order by at.attname)
    from pg_class c join pg_attribute at on at.attrelid = c.oid and at.attnum > 0 and not at.attisdropped,
      aclexplode(at.attacl) e
    where c.relnamespace = 'public'::regnamespace
      and (e.grantee = 0 or e.grantee in ('anon'::regrole, 'authenticated'::regrole))
    group by 1, 2, 3 $$,
  $$ values
    ('users', 'authenticated', 'UPDATE', 'avatar_url, bio, display_name'),
    ('notification_preferences', 'authenticated', 'UPDATE', 'email_enabled, on_followed_live, on_new_follower, on_subscription, push_enabled'),
    ('follows', 'authenticated', 'INSERT', 'channel_id, notifications, user_id'),
    ('follows', 'authenticated', 'UPDATE', 'notifications'),
    ('category_follows', 'authenticated', 'INSERT', 'category_id, user_id'),
    ('channels', 'authenticated', 'UPDATE', 'category_id, description, is_mature, language, title'),
    ('channel_panels', 'authenticated', 'INSERT', 'body, channel_id, image_url, link_url, position, title'),
    ('channel_panels', 'authenticated', 'UPDATE', 'body, image_url, link_url, position, title'),
    ('channel_links', 'authenticated', 'INSERT', 'channel_id, platform, position, url'),
    ('channel_links', 'authenticated', 'UPDATE', 'platform, position, url'),
    ('subscriber_badges', 'authenticated', 'INSERT', 'channel_id, image_url, months'),
    ('channel_roles', 'authenticated', 'INSERT', 'channel_id, role, user_id'),
    ('chatrooms', 'authenticated', 'UPDATE', 'emotes_only, followers_only_minutes, min_account_age_minutes, require_verified_email, slow_mode_seconds, subscribers_only'),
    ('chatroom_rules', 'authenticated', 'INSERT', 'body, chatroom_id, position'),
    ('chatroom_blocked_terms', 'authenticated', 'INSERT', 'chatroom_id, expires_at, term'),
    ('emotes', 'authenticated', 'INSERT', 'channel_id, code, image_url, subscribers_only'),
    ('chat_identities', 'authenticated', 'INSERT', 'badges, chatroom_id, color, user_id'),
    ('chat_identities', 'authenticated', 'UPDATE', 'badges, color'),
    ('chatroom_bans', 'authenticated', 'INSERT', 'chatroom_id, expires_at, reason, user_id'),
    ('user_blocks', 'authenticated', 'INSERT', 'blocked_id, blocker_id'),
    ('notifications', 'authenticated', 'UPDATE', 'read_at')
  $$,
  'anon and authenticated hold exactly the column privileges API.md lists (anon writes nothing)');

select is_empty($$
    select c.relname::text, a.privilege_type from pg_class c, aclexplode(c.relacl) a
    where c.relnamespace = 'public'::regnamespace and a.grantee in ('anon'::regrole, 'authenticated'::regrole)
      and a.privilege_type in ('TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN') $$,
  'anon and authenticated can never truncate, reference or trigger on a public table');

-- The RPCs API.md lists are the only functions in public the API roles can call.
select set_eq($$
    select p.oid::regprocedure::text from pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
    where p.pronamespace = 'public'::regnamespace and a.privilege_type = 'EXECUTE'
      and (a.grantee = 0 or a.grantee in ('anon'::regrole, 'authenticated'::regrole))
    group by 1 $$,
  array['send_message(uuid,text,bigint)', 'delete_message(bigint)', 'ban_user(uuid,uuid,text,integer)', 'unban_user(uuid,uuid)',
    'clear_chat(uuid,uuid)', 'pin_message(bigint,integer)', 'unpin_message(uuid)', 'chat_identity(uuid,uuid)',
    'mark_all_notifications_read()'],
  'the only public functions anon and authenticated can execute are the RPCs API.md lists');

select * from finish();
rollback;
