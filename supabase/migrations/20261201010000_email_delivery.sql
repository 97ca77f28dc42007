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

-- Claims the next `batch_size` notifications (none when another run holds the cursor) and returns one
-- row per notification of a kind in `kinds` whose user has a verified email address and email_enabled
-- on (no preferences row = on, the column's default), with the channel's slug and name for the email.
-- `deliver` false (email not configured) moves the cursor and returns nothing: emails are not queued
-- while they are off.
create function private.claim_email_deliveries(kinds text[], batch_size integer default 500, deliver boolean default true)
returns table (notification jsonb, email text, channel_slug text, channel_name text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  cursor_row private.email_delivery_cursor;
  last_id bigint;
begin
  select * into cursor_row from private.email_delivery_cursor c for update skip locked;
  if not found then
    return;
  end if;
  select max(n.id) into last_id from (
    select n.id from public.notifications n where n.id > cursor_row.last_notification_id order by n.id limit batch_size) n;
  if last_id is null then
    return;
  end if;
  update private.email_delivery_cursor c set last_notification_id = last_id, updated_at = now();
  if not deliver then
    return;
  end if;
  return query
    select to_jsonb(n), a.email::text, c.slug::text, coalesce(o.display_name, o.username::text)
    from public.notifications n
    join private.accounts a on a.user_id = n.user_id
    left join public.notification_preferences p on p.user_id = n.user_id
    left join public.channels c on c.id = n.channel_id
    left join public.users o on o.id = c.owner_id
    where n.id > cursor_row.last_notification_id and n.id <= last_id
      and n.kind = any(kinds)
      and a.email is not null and a.email_verified_at is not null
      and coalesce(p.email_enabled, true)
    order by n.id;
end
$$;

revoke execute on function private.claim_email_deliveries(text[], integer, boolean) from public, anon, authenticated;
grant execute on function private.claim_email_deliveries(text[], integer, boolean) to service_role;

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
