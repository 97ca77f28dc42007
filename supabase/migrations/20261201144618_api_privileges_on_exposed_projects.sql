-- On a project that exposes new tables to the Data API (the platform's `grant all` default
-- privileges in public, which the 2026 revoke switches off), every table, sequence and function the
-- migrations before 20261130000100 created started with ALL for anon, authenticated and service_role.
-- A table-level UPDATE overrides the column grants that keep, say, `users.created_at` and
-- `channels.followers_count` out of a client's reach; a signed-in user could backdate an account or
-- a follow past chat's age and follower rules. This takes back, from the three API roles, every
-- privilege on an object in public that the migrations did not grant, and leaves projects without
-- the default (the local stack, new hosted projects) as they are.
--
-- What the migrations grant, as it stood when this was written (later migrations add their own
-- grants; objects created after 20261130000100 never had default privileges). Generated from a
-- database built from the migrations; `npm test` (suite `exposed`) builds one with the exposing
-- default and checks it ends with the same privileges as one without.

do $$
declare
  granted constant jsonb := '
{"tables": {
  "categories": {"anon": ["SELECT"], "authenticated": ["SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "category_follows": {"authenticated": ["DELETE", "SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "channel_links": {"anon": ["SELECT"], "authenticated": ["DELETE", "SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "channel_panels": {"anon": ["SELECT"], "authenticated": ["DELETE", "SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "channel_roles": {"anon": ["SELECT"], "authenticated": ["DELETE", "SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "channels": {"anon": ["SELECT"], "authenticated": ["SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "chat_identities": {"anon": ["SELECT"], "authenticated": ["SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "chatroom_bans": {"authenticated": ["DELETE", "SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "chatroom_blocked_terms": {"authenticated": ["DELETE", "SELECT"], "service_role": ["DELETE", "SELECT", "UPDATE"]},
  "chatroom_lockdowns": {"authenticated": ["SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "chatroom_rules": {"anon": ["SELECT"], "authenticated": ["DELETE", "SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "chatrooms": {"anon": ["SELECT"], "authenticated": ["SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "emotes": {"anon": ["SELECT"], "authenticated": ["DELETE", "SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "followed_schedule": {"authenticated": ["SELECT"], "service_role": ["SELECT"]},
  "follows": {"authenticated": ["DELETE", "SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "livestreams": {"anon": ["SELECT"], "authenticated": ["SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "messages": {"anon": ["SELECT"], "authenticated": ["SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "messages_id_seq": {},
  "moderation_actions": {"authenticated": ["SELECT"], "service_role": ["SELECT"]},
  "moderation_actions_id_seq": {},
  "notification_preferences": {"authenticated": ["SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "notifications": {"authenticated": ["DELETE", "SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "notifications_id_seq": {},
  "push_subscriptions": {"authenticated": ["DELETE", "SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "push_subscriptions_id_seq": {},
  "raids": {"authenticated": ["SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "raids_id_seq": {},
  "reports": {"service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "reports_id_seq": {},
  "schedule_segments": {"anon": ["SELECT"], "authenticated": ["DELETE", "SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "subscriber_badges": {"anon": ["SELECT"], "authenticated": ["DELETE", "SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "subscriptions": {"authenticated": ["SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "unban_requests": {"authenticated": ["SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "unban_requests_id_seq": {},
  "user_blocks": {"authenticated": ["DELETE", "SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]},
  "users": {"anon": ["SELECT"], "authenticated": ["SELECT"], "service_role": ["DELETE", "INSERT", "SELECT", "UPDATE"]}
}, "columns": {
  "category_follows": {"category_id": {"authenticated": ["INSERT"]}, "user_id": {"authenticated": ["INSERT"]}},
  "channel_links": {"channel_id": {"authenticated": ["INSERT"]}, "platform": {"authenticated": ["INSERT", "UPDATE"]}, "position": {"authenticated": ["INSERT", "UPDATE"]}, "url": {"authenticated": ["INSERT", "UPDATE"]}},
  "channel_panels": {"body": {"authenticated": ["INSERT", "UPDATE"]}, "channel_id": {"authenticated": ["INSERT"]}, "image_url": {"authenticated": ["INSERT", "UPDATE"]}, "link_url": {"authenticated": ["INSERT", "UPDATE"]}, "position": {"authenticated": ["INSERT", "UPDATE"]}, "title": {"authenticated": ["INSERT", "UPDATE"]}},
  "channel_roles": {"channel_id": {"authenticated": ["INSERT"]}, "role": {"authenticated": ["INSERT"]}, "user_id": {"authenticated": ["INSERT"]}},
  "channels": {"allow_raids": {"authenticated": ["UPDATE"]}, "category_id": {"authenticated": ["UPDATE"]}, "description": {"authenticated": ["UPDATE"]}, "is_mature": {"authenticated": ["UPDATE"]}, "language": {"authenticated": ["UPDATE"]}, "raids_followed_only": {"authenticated": ["UPDATE"]}, "title": {"authenticated": ["UPDATE"]}},
  "chat_identities": {"badges": {"authenticated": ["INSERT", "UPDATE"]}, "chatroom_id": {"authenticated": ["INSERT"]}, "color": {"authenticated": ["INSERT", "UPDATE"]}, "user_id": {"authenticated": ["INSERT"]}},
  "chatroom_bans": {"chatroom_id": {"authenticated": ["INSERT"]}, "expires_at": {"authenticated": ["INSERT"]}, "reason": {"authenticated": ["INSERT"]}, "user_id": {"authenticated": ["INSERT"]}},
  "chatroom_blocked_terms": {"chatroom_id": {"authenticated": ["INSERT"], "service_role": ["INSERT"]}, "created_by": {"service_role": ["INSERT"]}, "expires_at": {"authenticated": ["INSERT"], "service_role": ["INSERT"]}, "term": {"authenticated": ["INSERT"], "service_role": ["INSERT"]}},
  "chatroom_lockdowns": {"emotes_only": {"authenticated": ["UPDATE"]}, "followers_only_minutes": {"authenticated": ["UPDATE"]}, "min_account_age_minutes": {"authenticated": ["UPDATE"]}, "require_verified_email": {"authenticated": ["UPDATE"]}, "slow_mode_seconds": {"authenticated": ["UPDATE"]}, "subscribers_only": {"authenticated": ["UPDATE"]}},
  "chatroom_rules": {"body": {"authenticated": ["INSERT"]}, "chatroom_id": {"authenticated": ["INSERT"]}, "position": {"authenticated": ["INSERT"]}},
  "chatrooms": {"emotes_only": {"authenticated": ["UPDATE"]}, "followers_only_minutes": {"authenticated": ["UPDATE"]}, "min_account_age_minutes": {"authenticated": ["UPDATE"]}, "require_verified_email": {"authenticated": ["UPDATE"]}, "slow_mode_seconds": {"authenticated": ["UPDATE"]}, "subscribers_only": {"authenticated": ["UPDATE"]}},
  "emotes": {"channel_id": {"authenticated": ["INSERT"]}, "code": {"authenticated": ["INSERT"]}, "image_url": {"authenticated": ["INSERT"]}, "subscribers_only": {"authenticated": ["INSERT"]}},
  "follows": {"channel_id": {"authenticated": ["INSERT"]}, "notifications": {"authenticated": ["INSERT", "UPDATE"]}, "user_id": {"authenticated": ["INSERT"]}},
  "notification_preferences": {"email_enabled": {"authenticated": ["UPDATE"]}, "on_followed_live": {"authenticated": ["UPDATE"]}, "on_new_follower": {"authenticated": ["UPDATE"]}, "on_subscription": {"authenticated": ["UPDATE"]}, "push_enabled": {"authenticated": ["UPDATE"]}},
  "notifications": {"read_at": {"authenticated": ["UPDATE"]}},
  "push_subscriptions": {"auth": {"authenticated": ["INSERT"]}, "endpoint": {"authenticated": ["INSERT"]}, "p256dh": {"authenticated": ["INSERT"]}, "user_id": {"authenticated": ["INSERT"]}},
  "reports": {"channel_id": {"authenticated": ["INSERT", "SELECT"]}, "chatroom_id": {"authenticated": ["SELECT"]}, "created_at": {"authenticated": ["SELECT"]}, "details": {"authenticated": ["INSERT", "SELECT"]}, "id": {"authenticated": ["SELECT"]}, "message_id": {"authenticated": ["INSERT", "SELECT"]}, "reason": {"authenticated": ["INSERT", "SELECT"]}, "resolution_note": {"authenticated": ["SELECT"]}, "resolved_at": {"authenticated": ["SELECT"]}, "resolved_by": {"authenticated": ["SELECT"]}, "status": {"authenticated": ["SELECT"]}, "target_user_id": {"authenticated": ["INSERT", "SELECT"]}},
  "schedule_segments": {"canceled": {"authenticated": ["INSERT", "UPDATE"]}, "category_id": {"authenticated": ["INSERT", "UPDATE"]}, "channel_id": {"authenticated": ["INSERT"]}, "ends_at": {"authenticated": ["INSERT", "UPDATE"]}, "recurrence": {"authenticated": ["INSERT", "UPDATE"]}, "starts_at": {"authenticated": ["INSERT", "UPDATE"]}, "title": {"authenticated": ["INSERT", "UPDATE"]}},
  "subscriber_badges": {"channel_id": {"authenticated": ["INSERT"]}, "image_url": {"authenticated": ["INSERT"]}, "months": {"authenticated": ["INSERT"]}},
  "unban_requests": {"chatroom_id": {"authenticated": ["INSERT"]}, "text": {"authenticated": ["INSERT"]}},
  "user_blocks": {"blocked_id": {"authenticated": ["INSERT"]}, "blocker_id": {"authenticated": ["INSERT"]}},
  "users": {"avatar_url": {"authenticated": ["UPDATE"]}, "bio": {"authenticated": ["UPDATE"]}, "display_name": {"authenticated": ["UPDATE"]}}
}, "functions": {
  "ban_user(uuid,uuid,text,integer)": ["anon", "authenticated", "service_role"],
  "cancel_raid(uuid)": ["anon", "authenticated", "service_role"],
  "chat_identity(uuid,uuid)": ["anon", "authenticated", "service_role"],
  "clear_chat(uuid,uuid)": ["anon", "authenticated", "service_role"],
  "delete_message(bigint)": ["anon", "authenticated", "service_role"],
  "mark_all_notifications_read()": ["anon", "authenticated", "service_role"],
  "pin_message(bigint,integer)": ["anon", "authenticated", "service_role"],
  "resolve_report(bigint,text,text)": ["anon", "authenticated", "service_role"],
  "resolve_unban_request(bigint,boolean,text)": ["anon", "authenticated", "service_role"],
  "send_message(uuid,text,bigint)": ["anon", "authenticated", "service_role"],
  "set_chat_lockdown(uuid,boolean)": ["anon", "authenticated", "service_role"],
  "start_raid(uuid,uuid)": ["anon", "authenticated", "service_role"],
  "unban_user(uuid,uuid)": ["anon", "authenticated", "service_role"],
  "unpin_message(uuid)": ["anon", "authenticated", "service_role"]
}}';
  api_role text;
  object record;
  extra text[];
  column_grant record;
begin
  for object in
    select c.oid, g.key, format('public.%I', g.key) as name, c.relkind, g.value as acl
    from jsonb_each(granted -> 'tables') g
    join pg_class c on c.oid = to_regclass(format('public.%I', g.key))
  loop
    foreach api_role in array array['anon', 'authenticated', 'service_role'] loop
      select array_agg(a.privilege_type) into extra
      from pg_class c, aclexplode(c.relacl) a
      where c.oid = object.oid and a.grantee = api_role::regrole
        and not coalesce(object.acl -> api_role, '[]') ? a.privilege_type;
      continue when extra is null;
      execute format('revoke %s on %s %s from %I', array_to_string(extra, ', '),
        case when object.relkind = 'S' then 'sequence' else 'table' end, object.name, api_role);
      -- Revoking at the table level takes the same privilege off every column: grant back the
      -- columns the migrations granted it on.
      for column_grant in
        select col.key as column_name, p.privilege
        from jsonb_each(granted -> 'columns' -> (object.key)) col,
          jsonb_array_elements_text(col.value -> api_role) p (privilege)
        where p.privilege = any (extra)
      loop
        execute format('grant %s (%I) on table %s to %I', column_grant.privilege, column_grant.column_name, object.name, api_role);
      end loop;
    end loop;
  end loop;

  for object in
    select p.oid, 'public.' || g.key as name, g.value as acl
    from jsonb_each(granted -> 'functions') g
    join pg_proc p on p.oid = to_regprocedure('public.' || g.key)
  loop
    foreach api_role in array array['anon', 'authenticated', 'service_role'] loop
      if has_function_privilege(api_role, object.oid, 'execute') and not object.acl ? api_role
         and exists (select 1 from pg_proc p, aclexplode(p.proacl) a where p.oid = object.oid and a.grantee = api_role::regrole) then
        execute format('revoke execute on function %s from %I', object.name, api_role);
      end if;
    end loop;
  end loop;
end
$$;
