-- Push and email deliver every notification whatever order its transaction commits in: two queues of
-- the notifications to send, filled as notifications are inserted. Serves API.md `push-delivery`, `email-delivery`.
--
-- Until now private.claim_push_deliveries (20261201003300) and private.claim_email_deliveries
-- (20261201010000) each moved a cursor to the highest notifications.id they had seen. A sequence hands
-- out ids in insert order, not commit order, so a notification whose transaction committed after a
-- higher id had been claimed was never pushed or emailed: a follow committing while a go-live drain (one
-- transaction of up to 5 s) was open, for example. Found by probing. (Ordering by transaction id was
-- withdrawn: xids are cluster-wide, so one long transaction anywhere held back every delivery.)
-- A queue row becomes visible when its notification commits, whenever that is, and a claim deletes the
-- rows it takes (`for update skip locked`), so runs neither wait for other transactions nor get the same
-- row twice. Only deliverable notifications are queued: for push, users with a subscription and
-- push_enabled; for email, users with a verified address and email_enabled, of every kind (which kinds
-- are emailed is the function's setting, EMAIL_KINDS, so the email claim drops the others unsent).

-- No foreign keys to notifications: a go-live fan-out can queue a row for most followers, and a key
-- check per row cost it about 180 ms more per 50,000 rows queued (measured, on a fan-out of 5-6 s). A
-- notification deleted before its claim leaves its rows behind; the claim deletes them and sends
-- nothing, since it joins the notification.
create table private.push_queue (
  notification_id bigint primary key
);
create table private.email_queue (
  notification_id bigint primary key
);

comment on table private.push_queue is
  'Notifications push-delivery has yet to send: one row each, queued on insert for users in private.push_targets, deleted by private.claim_push_deliveries.';
comment on table private.email_queue is
  'Notifications email-delivery has yet to consider: one row each, queued on insert for users in private.email_targets, deleted by private.claim_email_deliveries.';

-- The targets' look-ups per new notification, all index-only: the users with an address to write to,
-- and the (few) who turned push or email off. Subscriptions are found by push_subscriptions' unique
-- (user_id, endpoint).
create index accounts_email_targets_idx on private.accounts (user_id) where email is not null and email_verified_at is not null;
create index notification_preferences_push_off_idx on public.notification_preferences (user_id) where not push_enabled;
create index notification_preferences_email_off_idx on public.notification_preferences (user_id) where not email_enabled;

revoke all on private.push_queue, private.email_queue from public, anon, authenticated, service_role;
alter table private.push_queue enable row level security;
alter table private.email_queue enable row level security;

-- Who gets pushes and emails, each written once: the queueing trigger, the upgrade below and the claims
-- read them. A user without a preferences row has both on (the columns' defaults).
create view private.push_targets with (security_invoker = true) as
  select s.user_id, s.id as subscription_id, s.endpoint, s.p256dh, s.auth
  from public.push_subscriptions s
  where not exists (
    select 1 from public.notification_preferences p where p.user_id = s.user_id and not p.push_enabled);

create view private.email_targets with (security_invoker = true) as
  select a.user_id, a.email
  from private.accounts a
  where a.email is not null and a.email_verified_at is not null
    and not exists (
      select 1 from public.notification_preferences p where p.user_id = a.user_id and not p.email_enabled);

comment on view private.push_targets is
  'Every push subscription of a user with push_enabled on (no preferences row = on): where a notification is pushed.';
comment on view private.email_targets is
  'The address of every user with a verified email and email_enabled on (no preferences row = on): where a notification is emailed.';

revoke all on private.push_targets, private.email_targets from public, anon, authenticated, service_role;

-- Queues a statement's new notifications (a fan-out batch of 5,000 rows is one statement) with index
-- look-ups per new row. Hash and merge joins are off for it: the planner chose hash joins that read
-- every account, subscription and preferences row at each statement, even for a one-row insert (a
-- follow), which then cost up to 45 ms instead of about 0.1 ms (measured with 100,000 users).
create function private.queue_deliveries()
returns trigger language plpgsql security definer
set search_path = '' set enable_hashjoin = off set enable_mergejoin = off
as $$
begin
  insert into private.push_queue (notification_id)
  select n.id from new_rows n
  where n.user_id in (select t.user_id from private.push_targets t);
  insert into private.email_queue (notification_id)
  select n.id from new_rows n
  where n.user_id in (select t.user_id from private.email_targets t);
  return null;
end
$$;

revoke execute on function private.queue_deliveries() from public, anon, authenticated, service_role;

-- Same name, arguments and rows as in 20261201003300: takes the first `batch_size` queued notifications
-- no other run holds (`for update skip locked`) and deletes them, then returns one row per (notification,
-- subscription) of users still in push_targets (a subscription removed or push_enabled turned off since
-- the notification was queued: nothing sent). At most once: the rows are gone when the run sends, so a
-- push lost in a crash is not sent again. `deliver` false (push not configured) deletes the same rows
-- and returns nothing: pushes are not kept while push is off. The ids go through an array so that each
-- step is planned for the rows it has (index look-ups), whatever the size of the queue.
create or replace function private.claim_push_deliveries(batch_size integer default 1000, deliver boolean default true)
returns table (notification jsonb, subscription_id bigint, endpoint text, p256dh text, auth text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  taken bigint[];
begin
  taken := array(
    select q.notification_id from private.push_queue q
    order by q.notification_id limit batch_size
    for update skip locked);
  delete from private.push_queue q where q.notification_id = any(taken);
  if not deliver then
    return;
  end if;
  return query
    select to_jsonb(n), s.subscription_id, s.endpoint, s.p256dh, s.auth
    from public.notifications n
    join private.push_targets s on s.user_id = n.user_id
    where n.id = any(taken)
    order by n.id, s.subscription_id;
end
$$;

revoke execute on function private.claim_push_deliveries(integer, boolean) from public, anon, authenticated;
grant execute on function private.claim_push_deliveries(integer, boolean) to service_role;

-- Same name, arguments and rows as in 20261201010000: walks the queue in notification order, skipping
-- rows another run holds (`for update skip locked`), and takes every row up to the (batch_size + 1)-th
-- email or `scan_limit` rows, whichever comes first. It deletes what it took, sent or not (a kind not in
-- `kinds`, email turned off since, a deleted notification), and returns one row per email: a notification
-- of a kind in `kinds` whose user is still in email_targets, with the channel's slug and name. At most
-- `batch_size` emails per run, and at most once: the rows are gone when the run sends. `deliver` false
-- (email not configured) deletes the first `scan_limit` rows without looking at them and returns
-- nothing: emails are not kept while email is off. The walk is a loop so that it stops at the last
-- email that fits instead of reading and locking `scan_limit` rows each run.
create or replace function private.claim_email_deliveries(
  kinds text[], batch_size integer default 200, deliver boolean default true, scan_limit integer default 10000)
returns table (notification jsonb, email text, channel_slug text, channel_name text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  queued record;
  taken bigint[] := '{}';
  emailed bigint[] := '{}';
begin
  if not deliver then
    delete from private.email_queue q where q.notification_id = any(array(
      select t.notification_id from private.email_queue t
      order by t.notification_id limit scan_limit
      for update skip locked));
    return;
  end if;
  for queued in
    select q.notification_id, (n.kind = any(kinds) and e.email is not null) is true as emailable
    from private.email_queue q
    left join public.notifications n on n.id = q.notification_id
    left join private.email_targets e on e.user_id = n.user_id
    order by q.notification_id limit scan_limit
    for update of q skip locked
  loop
    if queued.emailable then
      exit when cardinality(emailed) = batch_size;
      emailed := emailed || queued.notification_id;
    end if;
    taken := taken || queued.notification_id;
  end loop;
  delete from private.email_queue q where q.notification_id = any(taken);
  return query
    select to_jsonb(n), e.email::text, ch.slug::text, coalesce(o.display_name, o.username::text)
    from public.notifications n
    join private.email_targets e on e.user_id = n.user_id
    left join public.channels ch on ch.id = n.channel_id
    left join public.users o on o.id = ch.owner_id
    where n.id = any(emailed)
    order by n.id;
end
$$;

revoke execute on function private.claim_email_deliveries(text[], integer, boolean, integer) from public, anon, authenticated;
grant execute on function private.claim_email_deliveries(text[], integer, boolean, integer) to service_role;

-- Statement-level, after insert. Triggers of one event fire in name order: queue_deliveries, then
-- send_notification_created (20261130003000); neither reads what the other writes.
create trigger queue_deliveries after insert on public.notifications
  referencing new table as new_rows
  for each statement execute function private.queue_deliveries();

-- Upgrade: queue what each cursor had not reached yet, then drop the cursors. The trigger above is
-- created first: it waits for transactions inserting notifications and holds new ones back until this
-- migration commits, so every notification is either seen here or queued by the trigger. Each cursor is
-- read `for update`: a claim still moving it with the old function is waited for, so what it took is
-- not queued again. (The CLI runs a migration file as one transaction.)
insert into private.push_queue (notification_id)
select n.id from public.notifications n
where n.id > (select c.last_notification_id from private.push_delivery_cursor c for update)
  and n.user_id in (select t.user_id from private.push_targets t);
insert into private.email_queue (notification_id)
select n.id from public.notifications n
where n.id > (select c.last_notification_id from private.email_delivery_cursor c for update)
  and n.user_id in (select t.user_id from private.email_targets t);
drop table private.push_delivery_cursor, private.email_delivery_cursor;
