-- Guards for the RLS role matrix (090, 091): every table in public has RLS on and is covered by the
-- matrix, and anon/authenticated hold exactly the privileges docs/API.md lists, written out here
-- table by table and column by column, so a migration that grants more (or a new table) fails here.
begin;
select plan(10);

select is_empty($$ select c.relname::text from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relrowsecurity $$,
  'every table in public has row level security enabled');

select set_eq($$ select tablename::text from pg_tables where schemaname = 'public' $$,
  array['users', 'notification_preferences', 'follows', 'category_follows', 'channels', 'channel_panels', 'channel_links',
    'subscriber_badges', 'channel_roles', 'subscriptions', 'categories', 'livestreams', 'chatrooms', 'chatroom_rules',
    'chatroom_blocked_terms', 'emotes', 'chat_identities', 'chatroom_bans', 'messages', 'user_blocks',
    'moderation_actions', 'reports', 'unban_requests', 'chatroom_lockdowns', 'notifications', 'raids', 'schedule_segments', 'push_subscriptions'],
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
    ('chatroom_bans', 'authenticated', 'DELETE'),
    ('messages', 'anon', 'SELECT'), ('messages', 'authenticated', 'SELECT'),
    ('user_blocks', 'authenticated', 'SELECT'), ('user_blocks', 'authenticated', 'DELETE'),
    ('moderation_actions', 'authenticated', 'SELECT'),
    ('chatroom_lockdowns', 'authenticated', 'SELECT'),
    ('notifications', 'authenticated', 'SELECT'), ('notifications', 'authenticated', 'DELETE'),
    ('raids', 'authenticated', 'SELECT'),
    ('schedule_segments', 'anon', 'SELECT'), ('schedule_segments', 'authenticated', 'SELECT'), ('schedule_segments', 'authenticated', 'DELETE'),
    ('followed_schedule', 'authenticated', 'SELECT'),
    ('push_subscriptions', 'authenticated', 'SELECT'), ('push_subscriptions', 'authenticated', 'DELETE')
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
    ('channels', 'authenticated', 'UPDATE', 'allow_raids, category_id, description, is_mature, language, raids_followed_only, title'),
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
    ('chatroom_bans', 'authenticated', 'SELECT', 'chatroom_id, created_at, expires_at, id, reason, user_id'),
    ('chatroom_bans', 'authenticated', 'INSERT', 'chatroom_id, expires_at, reason, user_id'),
    ('user_blocks', 'authenticated', 'INSERT', 'blocked_id, blocker_id'),
    ('reports', 'authenticated', 'SELECT',
      'channel_id, chatroom_id, created_at, details, id, message_id, reason, resolution_note, resolved_at, status, target_user_id'),
    ('reports', 'authenticated', 'INSERT', 'channel_id, details, message_id, reason, target_user_id'),
    ('unban_requests', 'authenticated', 'SELECT', 'ban_id, chatroom_id, created_at, id, resolution_text, resolved_at, status, text, user_id'),
    ('unban_requests', 'authenticated', 'INSERT', 'chatroom_id, text'),
    ('chatroom_lockdowns', 'authenticated', 'UPDATE',
      'emotes_only, followers_only_minutes, min_account_age_minutes, require_verified_email, slow_mode_seconds, subscribers_only'),
    ('notifications', 'authenticated', 'UPDATE', 'read_at'),
    ('schedule_segments', 'authenticated', 'INSERT', 'canceled, category_id, channel_id, ends_at, recurrence, starts_at, title'),
    ('schedule_segments', 'authenticated', 'UPDATE', 'canceled, category_id, ends_at, recurrence, starts_at, title'),
    ('push_subscriptions', 'authenticated', 'INSERT', 'auth, endpoint, p256dh, user_id')
  $$,
  'anon and authenticated hold exactly the column privileges API.md lists (anon writes nothing)');

-- Hosted Supabase leaves TRUNCATE, REFERENCES, TRIGGER (MAINTAIN on 17) and sequence UPDATE granted
-- by default; the platform shim does the same, so only the migrations' explicit revokes keep these empty.
select is_empty($$
    select c.relname::text, case a.grantee when 0 then 'PUBLIC' else a.grantee::regrole::text end, a.privilege_type
    from pg_class c, aclexplode(c.relacl) a
    where c.relnamespace = 'public'::regnamespace
      and (a.grantee = 0 or a.grantee in ('anon'::regrole, 'authenticated'::regrole, 'service_role'::regrole))
      and (a.privilege_type not in ('SELECT', 'INSERT', 'UPDATE', 'DELETE') or c.relkind = 'S') $$,
  'no API role can truncate, reference, trigger on or maintain a public table, nor use a public sequence');

-- Objects later migrations create start with no API-role privilege (default privileges of postgres).
create table public.grants_probe (id bigint generated always as identity primary key);
create function public.grants_probe_fn() returns int language sql as 'select 1';
create function private.grants_probe_fn() returns int language sql as 'select 1';
select is_empty($$
    select c.relname::text, a.grantee::regrole::text, a.privilege_type
    from pg_class c, aclexplode(coalesce(c.relacl, acldefault((case c.relkind when 'S' then 's' else 'r' end)::"char", c.relowner))) a
    where c.relnamespace = 'public'::regnamespace and c.relname like 'grants_probe%' and a.grantee <> c.relowner
    union all
    select p.oid::regprocedure::text, case a.grantee when 0 then 'PUBLIC' else a.grantee::regrole::text end, a.privilege_type
    from pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
    where p.proname = 'grants_probe_fn' and a.grantee <> p.proowner $$,
  'a table, sequence or function a later migration creates grants nothing to anyone but its owner until it says so');

-- The RPCs API.md lists are the only functions in public the API roles can call.
select set_eq($$
    select p.oid::regprocedure::text from pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
    where p.pronamespace = 'public'::regnamespace and a.privilege_type = 'EXECUTE'
      and (a.grantee = 0 or a.grantee in ('anon'::regrole, 'authenticated'::regrole))
    group by 1 $$,
  array['send_message(uuid,text,bigint)', 'delete_message(bigint)', 'ban_user(uuid,uuid,text,integer)', 'unban_user(uuid,uuid)',
    'clear_chat(uuid,uuid)', 'pin_message(bigint,integer)', 'unpin_message(uuid)', 'chat_identity(uuid,uuid)',
    'resolve_report(bigint,text,text)', 'resolve_unban_request(bigint,boolean,text)', 'set_chat_lockdown(uuid,boolean)',
    'mark_all_notifications_read()', 'start_raid(uuid,uuid)', 'cancel_raid(uuid)', 'chat_user_card(uuid,uuid)'],
  'the only public functions anon and authenticated can execute are the RPCs API.md lists');

select is_empty($$
    select p.oid::regprocedure::text from pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
    where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace) and a.grantee = 0 $$,
  'no function in public or private is executable by PUBLIC');

-- The private helpers the API roles may execute: those their policies and RPC wrappers call, and
-- those the checks, generated columns and index expressions of tables they write call
-- (private.matching_form, private.name_skeleton).
select set_eq($$
    select p.oid::regprocedure::text, a.grantee::regrole::text
    from pg_proc p, aclexplode(p.proacl) a
    where p.pronamespace = 'private'::regnamespace and a.privilege_type = 'EXECUTE'
      and a.grantee in ('anon'::regrole, 'authenticated'::regrole) $$,
  $$ select f, r from unnest(array[
      'private.raise_error(text,jsonb,text)', 'private.is_channel_owner(uuid,uuid)', 'private.owned_channel_id(uuid)',
      'private.has_channel_role(uuid,uuid,text)', 'private.is_channel_staff(uuid,uuid)', 'private.is_subscriber(uuid,uuid)',
      'private.can_receive_topic(text)', 'private.blocked_term_pattern(text)', 'private.is_chatroom_staff(uuid,uuid)',
      'private.chat_identity(uuid,uuid)', 'private.active_chat_ban(uuid,uuid)', 'private.ban_user(uuid,uuid,text,integer)',
      'private.unban_user(uuid,uuid)', 'private.send_message(uuid,text,bigint)', 'private.delete_message(bigint)',
      'private.clear_chat(uuid,uuid)', 'private.pin_message(bigint,integer)', 'private.unpin_message(uuid)',
      'private.chat_identity_of(uuid,uuid)', 'private.matching_form(text)', 'private.resolve_report(bigint,text,text)',
      'private.resolve_unban_request(bigint,boolean,text)', 'private.set_chat_lockdown(uuid,boolean)',
      'private.chat_settings(chatrooms)', 'private.is_service_role()', 'private.start_raid(uuid,uuid)',
      'private.cancel_raid(uuid)', 'private.chat_user_card(uuid,uuid)', 'private.name_skeleton(text)']) f, unnest(array['anon', 'authenticated']) r
    union all
    select f, 'authenticated' from unnest(array['private.staffed_chatroom_ids(uuid)', 'private.can_share_presence(text)',
      'private.caller_blocked_user_ids()', 'private.staffed_channel_ids(uuid)', 'private.unread_report_targets(uuid)']) f $$,
  'anon and authenticated can execute exactly the private helpers their policies and RPC wrappers call');

select * from finish();
rollback;
