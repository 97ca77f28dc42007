-- Web Push: the browser subscriptions a user registers (`push_subscriptions`, own rows only) and the
-- queue the `push-delivery` function drains (a cursor over notifications). Serves API.md `push_subscriptions`, `push-delivery`.

create table public.push_subscriptions (
  id bigint generated always as identity primary key,
  user_id uuid not null default auth.uid() references public.users (id) on delete cascade,
  endpoint text not null
    -- https (the push services), or a loopback URL for local development and tests.
    constraint push_subscriptions_endpoint_url check (
      char_length(endpoint) <= 2048
      and endpoint ~ '^(https://[^/?#@\s]+|http://(127\.0\.0\.1|localhost)(:[0-9]+)?)/[^\s]*$'),
  p256dh text not null constraint push_subscriptions_p256dh_format check (p256dh ~ '^[A-Za-z0-9_-]{87}$'),
  auth text not null constraint push_subscriptions_auth_format check (auth ~ '^[A-Za-z0-9_-]{22}$'),
  created_at timestamptz not null default now(),
  constraint push_subscriptions_one_per_endpoint unique (user_id, endpoint)
);

comment on table public.push_subscriptions is
  'The signed-in user''s Web Push subscriptions (PushSubscription.toJSON() of each browser). Each user inserts, reads and deletes only their own; at most 10. A subscription the push service answers 404 or 410 for is deleted.';
comment on column public.push_subscriptions.id is 'The subscription.';
comment on column public.push_subscriptions.user_id is 'Its user (defaults to the caller).';
comment on column public.push_subscriptions.endpoint is 'The push service URL of the browser (https; ≤2048 characters).';
comment on column public.push_subscriptions.p256dh is 'keys.p256dh: the browser''s P-256 public key, base64url (87 characters).';
comment on column public.push_subscriptions.auth is 'keys.auth: the browser''s 16-byte auth secret, base64url (22 characters).';
comment on column public.push_subscriptions.created_at is 'When it was registered.';

grant select, delete on public.push_subscriptions to authenticated;
grant insert (user_id, endpoint, p256dh, auth) on public.push_subscriptions to authenticated;
grant select, insert, update, delete on public.push_subscriptions to service_role;

alter table public.push_subscriptions enable row level security;

create policy "users read their push subscriptions" on public.push_subscriptions
  for select to authenticated using (user_id = (select auth.uid()));
create policy "users register their push subscriptions" on public.push_subscriptions
  for insert to authenticated with check (user_id = (select auth.uid()));
create policy "users delete their push subscriptions" on public.push_subscriptions
  for delete to authenticated using (user_id = (select auth.uid()));

create trigger enforce_row_limit after insert on public.push_subscriptions
  for each row execute function private.enforce_row_limit('user_id', '10', 'push_subscriptions_max_10_per_user');

-- The delivery queue: the last notification handed to push-delivery. Notifications are delivered in
-- id order after the cursor, so the go-live fan-out writes nothing more per follower. Claiming moves
-- the cursor first (at most once: a push lost in a crash is not sent again).
create table private.push_delivery_cursor (
  id boolean primary key default true constraint push_delivery_cursor_one_row check (id),
  last_notification_id bigint not null default 0,
  updated_at timestamptz not null default now()
);

revoke all on private.push_delivery_cursor from public, anon, authenticated, service_role;
alter table private.push_delivery_cursor enable row level security;

-- Start after every notification that exists now: older ones are not pushed.
insert into private.push_delivery_cursor (last_notification_id)
select coalesce(max(id), 0) from public.notifications;

-- Claims the next `batch_size` notifications (none when another run holds the cursor) and returns one
-- row per (notification, subscription) of their users with push_enabled (no preferences row = on).
-- `deliver` false (push not configured) moves the cursor and returns nothing: pushes are not queued
-- while they are off.
create function private.claim_push_deliveries(batch_size integer default 1000, deliver boolean default true)
returns table (notification jsonb, subscription_id bigint, endpoint text, p256dh text, auth text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  cursor_row private.push_delivery_cursor;
  last_id bigint;
begin
  select * into cursor_row from private.push_delivery_cursor c for update skip locked;
  if not found then
    return;
  end if;
  select max(n.id) into last_id from (
    select n.id from public.notifications n where n.id > cursor_row.last_notification_id order by n.id limit batch_size) n;
  if last_id is null then
    return;
  end if;
  update private.push_delivery_cursor c set last_notification_id = last_id, updated_at = now();
  if not deliver then
    return;
  end if;
  return query
    select to_jsonb(n), s.id, s.endpoint, s.p256dh, s.auth
    from public.notifications n
    join public.push_subscriptions s on s.user_id = n.user_id
    left join public.notification_preferences p on p.user_id = n.user_id
    where n.id > cursor_row.last_notification_id and n.id <= last_id
      and coalesce(p.push_enabled, true)
    order by n.id, s.id;
end
$$;

revoke execute on function private.claim_push_deliveries(integer, boolean) from public, anon, authenticated;
grant execute on function private.claim_push_deliveries(integer, boolean) to service_role;

-- push-delivery joins the scheduled functions (every second, like the go-live fan-out).
create or replace function private.function_jobs()
returns table (name text, schedule text, function_name text)
language sql
immutable
set search_path = ''
as $$
  values ('viewer-counts', '5 seconds', 'viewer-counts'),
         ('push-delivery', '1 seconds', 'push-delivery')
$$;

select private.schedule_function_jobs();
