-- Email delivery: the queue the `email-delivery` function drains (a cursor over notifications, as for
-- Web Push) and the one-click unsubscribe it links to. Serves API.md `email-delivery`, `email-unsubscribe`.

-- The last notification handed to email-delivery. Claiming moves the cursor first (at most once: an
-- email lost in a crash or refused by the SMTP server is not sent again).
create table private.email_delivery_cursor (
  id boolean primary key default true constraint email_delivery_cursor_one_row check (id),
  last_notification_id bigint not null default 0,
  updated_at timestamptz not null default now()
);

revoke all on private.email_delivery_cursor from public, anon, authenticated, service_role;
alter table private.email_delivery_cursor enable row level security;

-- Start after every notification that exists now: older ones are not emailed.
insert into private.email_delivery_cursor (last_notification_id)
select coalesce(max(id), 0) from public.notifications;

-- Claims the next notifications after the cursor (none when another run holds the cursor) and returns
-- one row per notification of a kind in `kinds` whose user has a verified email address and
-- email_enabled on (no preferences row = on, the column's default), with the channel's slug and name
-- for the email. A run reads at most `scan_limit` notifications and returns at most `batch_size`
-- emails: the cursor stops before the first email that does not fit, so a go-live to many followers
-- with few emailable ones is passed quickly, and a run's sending stays bounded. `deliver` false (email
-- not configured) moves the cursor over `scan_limit` notifications and returns nothing: emails are not
-- queued while they are off.
create function private.claim_email_deliveries(
  kinds text[], batch_size integer default 200, deliver boolean default true, scan_limit integer default 10000)
returns table (notification jsonb, email text, channel_slug text, channel_name text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  cursor_row private.email_delivery_cursor;
begin
  select * into cursor_row from private.email_delivery_cursor c for update skip locked;
  if not found then
    return;
  end if;
  if not deliver then
    -- Off: step over the next scan_limit notifications without looking at their users.
    update private.email_delivery_cursor c set last_notification_id = m.last_id, updated_at = now()
    from (select max(n.id) as last_id from (
            select n.id from public.notifications n where n.id > cursor_row.last_notification_id
            order by n.id limit scan_limit) n) m
    where m.last_id is not null;
    return;
  end if;
  return query
    with scanned as (
      select n.id, n.channel_id, a.email,
        n.kind = any(kinds) and a.email is not null and a.email_verified_at is not null
          and coalesce(p.email_enabled, true) as emailable
      from (select n.id, n.user_id, n.kind, n.channel_id from public.notifications n
            where n.id > cursor_row.last_notification_id order by n.id limit scan_limit) n
      left join private.accounts a on a.user_id = n.user_id
      left join public.notification_preferences p on p.user_id = n.user_id),
    -- Everything before the (batch_size + 1)-th emailable notification.
    chosen as (
      select s.* from (select s.*, count(*) filter (where s.emailable) over (order by s.id) as emails from scanned s) s
      where s.emails <= batch_size),
    moved as (
      update private.email_delivery_cursor c set last_notification_id = m.last_id, updated_at = now()
      from (select max(chosen.id) as last_id from chosen) m
      where m.last_id is not null)
    select to_jsonb(n), c.email::text, ch.slug::text, coalesce(o.display_name, o.username::text)
    from chosen c
    join public.notifications n on n.id = c.id
    left join public.channels ch on ch.id = c.channel_id
    left join public.users o on o.id = ch.owner_id
    where c.emailable
    order by c.id;
end
$$;

revoke execute on function private.claim_email_deliveries(text[], integer, boolean, integer) from public, anon, authenticated;
grant execute on function private.claim_email_deliveries(text[], integer, boolean, integer) to service_role;

-- One-click unsubscribe (email-unsubscribe, after it checked the signed token): turns email_enabled
-- off for the user, creating the preferences row if it is missing. Idempotent; false when no such user.
create function private.unsubscribe_email(target_user_id uuid)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.notification_preferences as p (user_id, email_enabled)
  select u.id, false from public.users u where u.id = target_user_id
  on conflict (user_id) do update set email_enabled = false
  where p.email_enabled;
  return exists (select 1 from public.users u where u.id = target_user_id);
end
$$;

revoke execute on function private.unsubscribe_email(uuid) from public, anon, authenticated;
grant execute on function private.unsubscribe_email(uuid) to service_role;

-- email-delivery joins the scheduled functions (every 5 seconds: an email is not a live signal).
create or replace function private.function_jobs()
returns table (name text, schedule text, function_name text)
language sql
immutable
set search_path = ''
as $$
  values ('viewer-counts', '5 seconds', 'viewer-counts'),
         ('push-delivery', '1 seconds', 'push-delivery'),
         ('email-delivery', '5 seconds', 'email-delivery')
$$;

select private.schedule_function_jobs();
