-- Notification sources: a channel going live queues one fan-out job (drained in batches after the
-- webhook commits); a new follower and a new or gifted subscription notify the owner. Serves API.md `notifications`.

-- One row per go-live still being fanned out. `cursor` is the last follower notified (followers are
-- walked in user_id order), so a drain that stops half way resumes where it stopped.
create table private.notification_outbox (
  id bigint generated always as identity primary key,
  kind text not null constraint notification_outbox_kind_known check (kind in ('channel_live')),
  channel_id uuid not null references public.channels (id) on delete cascade,
  actor_id uuid references public.users (id) on delete set null,
  payload jsonb not null,
  cursor uuid,
  created_at timestamptz not null default now()
);

create index notification_outbox_channel_id_idx on private.notification_outbox (channel_id);
create index notification_outbox_actor_id_idx on private.notification_outbox (actor_id);
-- The fan-out walks a channel's followers who want notifications, in user_id order.
create index follows_channel_id_user_id_notify_idx on public.follows (channel_id, user_id) where notifications;

revoke all on private.notification_outbox from public, anon, authenticated, service_role;
alter table private.notification_outbox enable row level security;

-- A user's preference, true when the user has no preferences row (the defaults are all on).
create function private.wants_notification(user_id uuid, kind text)
returns boolean language plpgsql stable security definer set search_path = '' as $$
declare
  wanted boolean;
begin
  select case kind
      when 'channel_live' then p.on_followed_live
      when 'new_follower' then p.on_new_follower
      when 'subscription' then p.on_subscription
      when 'gift_subscription' then p.on_subscription
      else true end
    into wanted
  from public.notification_preferences p where p.user_id = wants_notification.user_id;
  return coalesce(wanted, true);
end
$$;

revoke execute on function private.wants_notification(uuid, text) from public, anon, authenticated, service_role;

-- Go-live: a stream that opens queues one job, unless the channel had a stream that ended less than
-- 10 minutes before this one started (a restart notifies nobody twice). Constant work: the webhook's
-- transaction never touches the followers.
create function private.queue_channel_live()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  channel public.channels;
begin
  if exists (
    select 1 from public.livestreams l
    where l.channel_id = new.channel_id and l.id <> new.id
      and l.started_at <= new.started_at
      and l.started_at > new.started_at - interval '1 day'
      and l.ended_at > new.started_at - interval '10 minutes'
  ) then
    return null;
  end if;
  select * into channel from public.channels c where c.id = new.channel_id;
  insert into private.notification_outbox (kind, channel_id, actor_id, payload)
  values ('channel_live', new.channel_id, channel.owner_id, jsonb_build_object(
    'livestream_id', new.id,
    'channel_slug', channel.slug::text,
    'title', new.title,
    'category_id', new.category_id,
    'started_at', new.started_at));
  return null;
end
$$;

revoke execute on function private.queue_channel_live() from public, anon, authenticated, service_role;

create trigger queue_channel_live after insert on public.livestreams
  for each row when (new.ended_at is null)
  execute function private.queue_channel_live();

-- The drain: takes the oldest job no other drain holds (SKIP LOCKED), notifies its next
-- `batch_size` followers (follows.notifications on, on_followed_live on, no block either way between
-- follower and streamer) with one INSERT, moves the cursor, and repeats until the job is done (the row
-- goes) or `time_budget` is spent (the cursor stays for the next run). Returns notifications created.
create function private.drain_notification_outbox(batch_size integer default 5000, time_budget interval default '5 seconds')
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  job private.notification_outbox;
  deadline timestamptz := clock_timestamp() + time_budget;
  last_user uuid;
  created integer;
  total integer := 0;
begin
  loop
    select * into job from private.notification_outbox o order by o.id limit 1 for update skip locked;
    exit when not found;
    loop
      with batch as (
        select f.user_id from public.follows f
        where f.channel_id = job.channel_id and f.notifications
          and (job.cursor is null or f.user_id > job.cursor)
        order by f.user_id
        limit batch_size
      ), inserted as (
        insert into public.notifications (user_id, kind, channel_id, actor_id, payload)
        select b.user_id, job.kind, job.channel_id, job.actor_id, job.payload
        from batch b
        left join public.notification_preferences p on p.user_id = b.user_id
        where coalesce(p.on_followed_live, true)
          and not exists (select 1 from public.user_blocks x where x.blocker_id = b.user_id and x.blocked_id = job.actor_id)
          and not exists (select 1 from public.user_blocks x where x.blocker_id = job.actor_id and x.blocked_id = b.user_id)
        returning 1
      )
      select (select b.user_id from batch b order by b.user_id desc limit 1), (select count(*) from inserted)
        into last_user, created;
      total := total + created;
      if last_user is null then
        delete from private.notification_outbox o where o.id = job.id;
        exit;
      end if;
      job.cursor := last_user;
      update private.notification_outbox o set cursor = last_user where o.id = job.id;
      if clock_timestamp() >= deadline then
        return total;
      end if;
    end loop;
    exit when clock_timestamp() >= deadline;
  end loop;
  return total;
end
$$;

revoke execute on function private.drain_notification_outbox(integer, interval) from public, anon, authenticated, service_role;

-- New follower: the owner hears of it when on_new_follower is on, unless the owner blocks the
-- follower; a follower who unfollows and follows again notifies at most once a day.
create function private.notify_new_follower()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  owner_id uuid := (select c.owner_id from public.channels c where c.id = new.channel_id);
begin
  if not private.wants_notification(owner_id, 'new_follower')
     or exists (select 1 from public.user_blocks x where x.blocker_id = owner_id and x.blocked_id = new.user_id)
     or exists (
       select 1 from public.notifications n
       where n.actor_id = new.user_id and n.user_id = owner_id and n.kind = 'new_follower'
         and n.created_at > now() - interval '1 day') then
    return null;
  end if;
  insert into public.notifications (user_id, kind, channel_id, actor_id, payload)
  select owner_id, 'new_follower', new.channel_id, new.user_id,
    jsonb_build_object('username', u.username::text, 'display_name', u.display_name, 'avatar_url', u.avatar_url)
  from public.users u where u.id = new.user_id;
  return null;
end
$$;

revoke execute on function private.notify_new_follower() from public, anon, authenticated, service_role;

create trigger notify_new_follower after insert on public.follows
  for each row execute function private.notify_new_follower();

-- New or gifted subscription: the owner hears of it when on_subscription is on.
create function private.notify_subscription()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  owner_id uuid := (select c.owner_id from public.channels c where c.id = new.channel_id);
  kind text := case when new.is_gift then 'gift_subscription' else 'subscription' end;
begin
  if not private.wants_notification(owner_id, kind) then
    return null;
  end if;
  insert into public.notifications (user_id, kind, channel_id, actor_id, payload)
  select owner_id, kind, new.channel_id, coalesce(new.gifter_id, new.user_id),
    jsonb_build_object('subscriber_id', new.user_id, 'username', u.username::text, 'tier', new.tier,
      'cumulative_months', new.cumulative_months, 'is_gift', new.is_gift, 'gifter_id', new.gifter_id,
      'gifter_username', g.username::text)
  from public.users u left join public.users g on g.id = new.gifter_id
  where u.id = new.user_id;
  return null;
end
$$;

revoke execute on function private.notify_subscription() from public, anon, authenticated, service_role;

create trigger notify_subscription after insert on public.subscriptions
  for each row execute function private.notify_subscription();
