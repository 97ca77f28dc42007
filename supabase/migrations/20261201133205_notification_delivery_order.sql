-- Push and email deliver every notification, in the order its transaction committed to be seen.
-- Both claims moved a cursor to the highest visible `notifications.id`; a sequence hands out ids in
-- insert order, not commit order, so a notification whose transaction committed after a higher id had
-- been claimed was never pushed or emailed. A follow committing while a go-live drain (one
-- transaction of up to 5 s) is open is the likely case. Found by probing.
--
-- Each notification now records the transaction that inserted it (`delivery_xact`,
-- pg_current_xact_id()). A claim takes only rows from transactions older than the oldest one still
-- running (pg_snapshot_xmin of its snapshot), in (delivery_xact, id) order after a cursor on both:
-- a transaction still running then has a larger id than every row claimed, so its rows come after
-- the cursor whenever it commits. A run may wait for the oldest open writing transaction (at most the
-- drain's 5 s). Rows from before this migration have no delivery_xact: those not yet claimed by
-- either cursor are given the first normal transaction id (3), and both cursors start at it.

alter table public.notifications add column delivery_xact xid8;
alter table public.notifications alter column delivery_xact set default pg_current_xact_id();
comment on column public.notifications.delivery_xact is
  'Internal: the transaction that inserted the notification, so push and email deliver in commit order. Null for notifications older than delivery ordering.';
create index notifications_delivery_order_idx on public.notifications (delivery_xact, id) where delivery_xact is not null;

alter table private.push_delivery_cursor add column last_xact xid8 not null default '3';
alter table private.email_delivery_cursor add column last_xact xid8 not null default '3';
update public.notifications n set delivery_xact = '3'
where n.id > (select least(p.last_notification_id, e.last_notification_id)
              from private.push_delivery_cursor p, private.email_delivery_cursor e);

-- As in 20261201003300, in (delivery_xact, id) order up to the horizon; the payload leaves out
-- delivery_xact.
create or replace function private.claim_push_deliveries(batch_size integer default 1000, deliver boolean default true)
returns table (notification jsonb, subscription_id bigint, endpoint text, p256dh text, auth text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  cursor_row private.push_delivery_cursor;
  horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
  -- Its own rows, when this transaction is the oldest one running (only a test inserts and claims
  -- in one transaction): nothing older can still commit before them.
  own xid8 := case when pg_current_xact_id_if_assigned() = pg_snapshot_xmin(pg_current_snapshot())
                   then pg_current_xact_id_if_assigned() end;
  last_row record;
begin
  select * into cursor_row from private.push_delivery_cursor c for update skip locked;
  if not found then
    return;
  end if;
  select n.delivery_xact, n.id into last_row from (
    select n.delivery_xact, n.id from public.notifications n
    where (n.delivery_xact, n.id) > (cursor_row.last_xact, cursor_row.last_notification_id)
      and (n.delivery_xact < horizon or n.delivery_xact = own)
    order by n.delivery_xact, n.id limit batch_size) n
  order by n.delivery_xact desc, n.id desc limit 1;
  if last_row.id is null then
    return;
  end if;
  update private.push_delivery_cursor c
  set last_xact = last_row.delivery_xact, last_notification_id = last_row.id, updated_at = now();
  if not deliver then
    return;
  end if;
  return query
    select to_jsonb(n) - 'delivery_xact', s.id, s.endpoint, s.p256dh, s.auth
    from public.notifications n
    join public.push_subscriptions s on s.user_id = n.user_id
    left join public.notification_preferences p on p.user_id = n.user_id
    where (n.delivery_xact, n.id) > (cursor_row.last_xact, cursor_row.last_notification_id)
      and (n.delivery_xact, n.id) <= (last_row.delivery_xact, last_row.id)
      and coalesce(p.push_enabled, true)
    order by n.delivery_xact, n.id, s.id;
end
$$;

-- As in 20261201010000, in (delivery_xact, id) order up to the horizon.
create or replace function private.claim_email_deliveries(
  kinds text[], batch_size integer default 200, deliver boolean default true, scan_limit integer default 10000)
returns table (notification jsonb, email text, channel_slug text, channel_name text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  cursor_row private.email_delivery_cursor;
  horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
  -- Its own rows, when this transaction is the oldest one running (only a test inserts and claims
  -- in one transaction): nothing older can still commit before them.
  own xid8 := case when pg_current_xact_id_if_assigned() = pg_snapshot_xmin(pg_current_snapshot())
                   then pg_current_xact_id_if_assigned() end;
begin
  select * into cursor_row from private.email_delivery_cursor c for update skip locked;
  if not found then
    return;
  end if;
  if not deliver then
    -- Off: step over the next scan_limit notifications without looking at their users.
    update private.email_delivery_cursor c set last_xact = m.delivery_xact, last_notification_id = m.id, updated_at = now()
    from (select n.delivery_xact, n.id from (
            select n.delivery_xact, n.id from public.notifications n
            where (n.delivery_xact, n.id) > (cursor_row.last_xact, cursor_row.last_notification_id)
              and (n.delivery_xact < horizon or n.delivery_xact = own)
            order by n.delivery_xact, n.id limit scan_limit) n
          order by n.delivery_xact desc, n.id desc limit 1) m;
    return;
  end if;
  return query
    with scanned as (
      select n.delivery_xact, n.id, n.channel_id, a.email,
        n.kind = any(kinds) and a.email is not null and a.email_verified_at is not null
          and coalesce(p.email_enabled, true) as emailable
      from (select n.delivery_xact, n.id, n.user_id, n.kind, n.channel_id from public.notifications n
            where (n.delivery_xact, n.id) > (cursor_row.last_xact, cursor_row.last_notification_id)
              and (n.delivery_xact < horizon or n.delivery_xact = own)
            order by n.delivery_xact, n.id limit scan_limit) n
      left join private.accounts a on a.user_id = n.user_id
      left join public.notification_preferences p on p.user_id = n.user_id),
    -- Everything before the (batch_size + 1)-th emailable notification.
    chosen as (
      select s.* from (select s.*, count(*) filter (where s.emailable) over (order by s.delivery_xact, s.id) as emails from scanned s) s
      where s.emails <= batch_size),
    moved as (
      update private.email_delivery_cursor c set last_xact = m.delivery_xact, last_notification_id = m.id, updated_at = now()
      from (select chosen.delivery_xact, chosen.id from chosen order by chosen.delivery_xact desc, chosen.id desc limit 1) m)
    select to_jsonb(n) - 'delivery_xact', c.email::text, ch.slug::text, coalesce(o.display_name, o.username::text)
    from chosen c
    join public.notifications n on n.id = c.id
    left join public.channels ch on ch.id = c.channel_id
    left join public.users o on o.id = ch.owner_id
    where c.emailable
    order by c.delivery_xact, c.id;
end
$$;

-- As in 20261130003000; the broadcast leaves out delivery_xact.
create or replace function private.send_notification_created()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  begin
    insert into realtime.messages (id, payload, event, topic, private, extension)
    select gen_random_uuid(), to_jsonb(n) - 'delivery_xact', 'notification.created', 'user:' || n.user_id::text, true, 'broadcast'
    from new_rows n;
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
  return null;
end
$$;
