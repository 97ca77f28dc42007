-- In-app notifications: one row per user and event, read/marked read/deleted by that user only, sent
-- live as `notification.created` on `user:<id>`. Serves API.md `notifications`, `mark_all_notifications_read`.

create table public.notifications (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.users (id) on delete cascade,
  kind text not null constraint notifications_kind_known
    check (kind in ('channel_live', 'new_follower', 'subscription', 'gift_subscription', 'raid_incoming')),
  -- Not foreign keys: a go-live batch inserts thousands of rows naming the same channel and actor,
  -- and a key check per row was a third of the fan-out's cost. The triggers at the end of this file
  -- give the same effect: a deleted channel's notifications go, a deleted actor becomes null.
  channel_id uuid,
  actor_id uuid,
  payload jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  read_at timestamptz
);

comment on table public.notifications is
  'In-app notifications of the signed-in user (go-live, new follower, subscription, incoming raid). Each user reads, marks read (read_at only) and deletes only their own; new rows arrive live as `notification.created` on `user:<id>`. Read notifications older than 90 days are pruned.';
comment on column public.notifications.id is 'Ordered: newer notifications have larger ids (page with `.lt(''id'', before)`).';
comment on column public.notifications.user_id is 'The user notified.';
comment on column public.notifications.kind is 'channel_live, new_follower, subscription, gift_subscription or raid_incoming.';
comment on column public.notifications.channel_id is 'The channel the notification is about (the live channel, the followed or subscribed channel, the raided channel).';
comment on column public.notifications.actor_id is 'Who caused it: the streamer, the new follower, the subscriber or gifter, the raiding channel''s owner.';
comment on column public.notifications.payload is 'What a client shows without another read, per kind (docs/notifications.md).';
comment on column public.notifications.created_at is 'When it was created.';
comment on column public.notifications.read_at is 'When the user marked it read; null = unread. The only column a user may change.';

-- The list (newest first), the unread list and count (partial: only unread rows are in it, so the
-- count costs the number of unread rows, not the user's history), pruning, and the foreign keys.
create index notifications_user_id_id_idx on public.notifications (user_id, id desc);
create index notifications_unread_idx on public.notifications (user_id, id desc) where read_at is null;
create index notifications_read_created_at_idx on public.notifications (created_at) where read_at is not null;
create index notifications_channel_id_idx on public.notifications (channel_id);
create index notifications_actor_id_idx on public.notifications (actor_id, user_id, kind);

grant select, delete on public.notifications to authenticated;
grant update (read_at) on public.notifications to authenticated;
grant select, insert, update, delete on public.notifications to service_role;

alter table public.notifications enable row level security;

create policy "users read their own notifications" on public.notifications
  for select to authenticated using (user_id = (select auth.uid()));
create policy "users mark their own notifications read" on public.notifications
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "users delete their own notifications" on public.notifications
  for delete to authenticated using (user_id = (select auth.uid()));

-- Every new row goes to its user's topic. One statement-level trigger and one INSERT into
-- realtime.messages per statement (what realtime.send does row by row), so a fan-out batch of
-- thousands sends its events in one pass. As with realtime.send, a failure to queue the events (e.g.
-- no partition yet for today) is a WARNING and loses the events, never the notifications.
create function private.send_notification_created()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  begin
    insert into realtime.messages (id, payload, event, topic, private, extension)
    select gen_random_uuid(), to_jsonb(n), 'notification.created', 'user:' || n.user_id::text, true, 'broadcast'
    from new_rows n;
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
  return null;
end
$$;

revoke execute on function private.send_notification_created() from public, anon, authenticated, service_role;

create trigger send_notification_created after insert on public.notifications
  referencing new table as new_rows
  for each statement execute function private.send_notification_created();

-- Client RPC: marks every unread notification of the caller read; returns how many.
create function public.mark_all_notifications_read()
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  marked integer;
begin
  if (select auth.uid()) is null then
    perform private.raise_error('auth_required');
  end if;
  update public.notifications n set read_at = now()
  where n.user_id = (select auth.uid()) and n.read_at is null;
  get diagnostics marked = row_count;
  return marked;
end
$$;

comment on function public.mark_all_notifications_read() is
  'Marks every unread notification of the caller read; returns how many it marked.';

revoke execute on function public.mark_all_notifications_read() from public, anon;
grant execute on function public.mark_all_notifications_read() to authenticated, service_role;

-- Pruning (scheduled, see 20261130003200): read notifications older than `max_age`, at most
-- `batch_size` per call so one run never holds long locks. Returns the rows deleted.
create function private.prune_read_notifications(max_age interval default '90 days', batch_size integer default 10000)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  pruned integer;
begin
  delete from public.notifications n
  where n.id in (
    select o.id from public.notifications o
    where o.read_at is not null and o.created_at < now() - max_age
    order by o.created_at
    limit batch_size);
  get diagnostics pruned = row_count;
  return pruned;
end
$$;

revoke execute on function private.prune_read_notifications(interval, integer) from public, anon, authenticated, service_role;

-- What foreign keys would do for channel_id (on delete cascade) and actor_id (on delete set null).
create function private.forget_deleted_channel_notifications()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  delete from public.notifications n where n.channel_id = old.id;
  return null;
end
$$;

create function private.forget_deleted_actor_notifications()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  update public.notifications n set actor_id = null where n.actor_id = old.id;
  return null;
end
$$;

revoke execute on function private.forget_deleted_channel_notifications() from public, anon, authenticated, service_role;
revoke execute on function private.forget_deleted_actor_notifications() from public, anon, authenticated, service_role;

create trigger forget_deleted_channel_notifications after delete on public.channels
  for each row execute function private.forget_deleted_channel_notifications();
create trigger forget_deleted_actor_notifications after delete on public.users
  for each row execute function private.forget_deleted_actor_notifications();
