-- Hosted Realtime takes a project-wide number of messages per second (100 on Free, 500 on Pro, 2,500
-- on Team, as a 60-second average) and drops every database broadcast beyond it, chat included,
-- until the average falls again. The go-live fan-out queued one `notification.created` per follower:
-- 100,000 followers put 100,000 events into realtime.messages within seconds, so one big streamer
-- going live silenced every room for about a minute. Now the fan-out's events come out of a token
-- bucket (per_second, burst), and the notifications beyond it are stored, pushed and emailed as
-- before but get no live event: clients read them at their next read of `notifications`
-- (docs/notifications.md). Notifications of one user's action (new follower, subscription, raid)
-- are not counted: one each.

create table private.fanout_event_budget (
  id boolean primary key default true constraint fanout_event_budget_one_row check (id),
  per_second double precision not null default 25 constraint fanout_event_budget_per_second_range check (per_second >= 0),
  burst double precision not null default 250 constraint fanout_event_budget_burst_range check (burst >= 0),
  tokens double precision not null default 250,
  refilled_at timestamptz not null default now()
);

comment on table private.fanout_event_budget is
  'How many notification.created events the go-live fan-out may send: `per_second` on average, `burst` at once (a token bucket). Set them below your plan''s Realtime messages per second, leaving room for chat.';

revoke all on private.fanout_event_budget from public, anon, authenticated, service_role;
alter table private.fanout_event_budget enable row level security;

insert into private.fanout_event_budget default values;

-- The events of a statement go to its new rows, at most `streamz.notification_events` of them when
-- the fan-out set it (lowest ids first); unset, empty or anything but digits, all of them (a garbled
-- value must not fail the insert: any SQL session can set the setting).
create or replace function private.send_notification_created()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  setting text := current_setting('streamz.notification_events', true);
  allowed bigint := case when setting ~ '^[0-9]{1,18}$' then setting::bigint end;
begin
  begin
    if allowed is null then
      insert into realtime.messages (id, payload, event, topic, private, extension)
      select gen_random_uuid(), to_jsonb(n), 'notification.created', 'user:' || n.user_id::text, true, 'broadcast'
      from new_rows n;
    elsif allowed > 0 then
      insert into realtime.messages (id, payload, event, topic, private, extension)
      select gen_random_uuid(), to_jsonb(n), 'notification.created', 'user:' || n.user_id::text, true, 'broadcast'
      from (select * from new_rows r order by r.id limit allowed) n;
    end if;
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
  return null;
end
$$;

-- Takes up to `wanted` events from the bucket and returns how many it got. A drain that finds the
-- bucket held by another (parallel drains on other jobs) gets none for this batch rather than wait.
create function private.take_fanout_events(wanted integer)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  budget private.fanout_event_budget;
  got integer;
begin
  select * into budget from private.fanout_event_budget b for update skip locked;
  if not found then
    return 0;
  end if;
  budget.tokens := least(budget.burst,
    budget.tokens + budget.per_second * greatest(0, extract(epoch from clock_timestamp() - budget.refilled_at)));
  got := least(wanted, floor(budget.tokens))::integer;
  update private.fanout_event_budget b set tokens = budget.tokens - got, refilled_at = clock_timestamp() where b.id;
  return got;
end
$$;

revoke execute on function private.take_fanout_events(integer) from public, anon, authenticated, service_role;

-- Restates the drain (create or replace needs the whole body): each batch takes its events from the
-- bucket first and sets how many the insert's trigger sends.
create or replace function private.drain_notification_outbox(batch_size integer default 5000, time_budget interval default '5 seconds')
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
  events integer;            -- taken from the bucket for this batch
begin
  loop
    select * into job from private.notification_outbox o order by o.id limit 1 for update skip locked;
    exit when not found;
    loop
      events := private.take_fanout_events(batch_size);
      perform set_config('streamz.notification_events', events::text, true);
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
      -- Events taken for followers the batch skipped (preferences, blocks) go back to the bucket.
      if events > created then
        update private.fanout_event_budget b set tokens = least(b.burst, b.tokens + events - created) where b.id;
      end if;
      perform set_config('streamz.notification_events', '', true);
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
