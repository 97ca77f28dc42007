-- Raids: a live channel's owner or moderator sends its viewers to another live channel (`raids`,
-- `start_raid`, `cancel_raid`, `channels.allow_raids`/`raids_followed_only`). Serves API.md `raids`, RPCs, topics.

alter table public.channels
  add column allow_raids boolean not null default true,
  add column raids_followed_only boolean not null default false;

comment on column public.channels.allow_raids is
  'Whether other channels may raid this one (start_raid answers 403 raids_disabled when false). The owner sets it.';
comment on column public.channels.raids_followed_only is
  'When true, only channels the owner follows may raid this one (403 raid_not_followed otherwise). The owner sets it.';

grant update (allow_raids, raids_followed_only) on public.channels to authenticated;

create table public.raids (
  id bigint generated always as identity primary key,
  source_channel_id uuid not null references public.channels (id) on delete cascade,
  target_channel_id uuid not null references public.channels (id) on delete cascade,
  started_by uuid references public.users (id) on delete set null,
  viewer_count integer not null default 0 constraint raids_viewer_count_positive check (viewer_count >= 0),
  created_at timestamptz not null default now(),
  canceled_at timestamptz,
  canceled_by uuid references public.users (id) on delete set null,
  constraint raids_not_self check (source_channel_id <> target_channel_id),
  constraint raids_canceled_after_start check (canceled_at is null or canceled_at >= created_at)
);

comment on table public.raids is
  'Raids: a live channel sends its viewers to another live channel. Started with `start_raid`, canceled within 90 s with `cancel_raid`; read by the staff (owner, moderators) of either channel.';
comment on column public.raids.id is 'Ordered: later raids have larger ids.';
comment on column public.raids.source_channel_id is 'The raiding channel (live when the raid started).';
comment on column public.raids.target_channel_id is 'The raided channel (live when the raid started).';
comment on column public.raids.started_by is 'The owner or moderator of the source channel who started it.';
comment on column public.raids.viewer_count is 'The source livestream''s viewer_count when the raid started (0 or more).';
comment on column public.raids.created_at is 'When it started; a source channel starts at most one raid per 10 minutes.';
comment on column public.raids.canceled_at is 'When it was canceled (at most 90 s after it started); null = not canceled.';
comment on column public.raids.canceled_by is 'Who canceled it.';

-- The cooldown and cancel look-ups (a source's latest raid), the staff read of either side, the keys.
create index raids_source_channel_id_created_at_idx on public.raids (source_channel_id, created_at desc);
create index raids_target_channel_id_created_at_idx on public.raids (target_channel_id, created_at desc);
create index raids_started_by_idx on public.raids (started_by);
create index raids_canceled_by_idx on public.raids (canceled_by);

grant select on public.raids to authenticated;
grant select, insert, update, delete on public.raids to service_role;

alter table public.raids enable row level security;

insert into private.error_codes (code, http_status, message) values
  ('channel_not_found', 404, 'No such channel.'),
  ('raid_source_not_live', 409, 'Your channel must be live to start a raid.'),
  ('raid_target_not_live', 409, 'The channel you raid must be live.'),
  ('raid_same_channel', 422, 'A channel cannot raid itself.'),
  ('raids_disabled', 403, 'This channel does not accept raids.'),
  ('raid_not_followed', 403, 'This channel only accepts raids from channels it follows.'),
  ('raid_cooldown', 429, 'A channel can start one raid every 10 minutes.'),
  ('raid_not_found', 404, 'There is no raid to cancel.'),
  ('raid_cancel_expired', 409, 'A raid can only be canceled within 90 seconds.');

-- The channels a user is staff of (owns or moderates): read policies compare against it once per statement.
create function private.staffed_channel_ids(user_id uuid)
returns uuid[] language plpgsql stable security definer set search_path = '' as $$
begin
  return array(select s.channel_id from private.channel_staff s where s.user_id = staffed_channel_ids.user_id);
end
$$;

revoke execute on function private.staffed_channel_ids(uuid) from public, anon;
grant execute on function private.staffed_channel_ids(uuid) to authenticated, service_role;

create policy "staff of either channel read its raids" on public.raids
  for select to authenticated
  using (source_channel_id = any ((select private.staffed_channel_ids((select auth.uid())))::uuid[])
    or target_channel_id = any ((select private.staffed_channel_ids((select auth.uid())))::uuid[]));

-- The source channel a caller raids from: the one named, or the caller's own. Raises channel_not_found
-- / not_staff; serializes raids of that source (two staff racing cannot both pass the cooldown).
create function private.raid_source(source_channel_id uuid)
returns public.channels language plpgsql volatile security definer set search_path = '' as $$
declare
  caller uuid := (select auth.uid());
  source public.channels;
begin
  if caller is null then
    perform private.raise_error('auth_required');
  end if;
  select * into source from public.channels c
  where c.id = coalesce(raid_source.source_channel_id, private.owned_channel_id(caller));
  if not found then
    perform private.raise_error('channel_not_found');
  end if;
  if not private.is_channel_staff(source.id, caller) then
    perform private.raise_error('not_staff');
  end if;
  perform pg_advisory_xact_lock(hashtextextended('raid:' || source.id::text, 0));
  return source;
end
$$;

-- Whether the target accepts a raid from the source: raises raids_disabled (allow_raids off, or a
-- block between the two owners, which is not disclosed as such) or raid_not_followed.
create function private.check_raid_accepted(source public.channels, target public.channels)
returns void language plpgsql stable security definer set search_path = '' as $$
begin
  if not target.allow_raids or exists (
      select 1 from public.user_blocks b
      where (b.blocker_id = target.owner_id and b.blocked_id = source.owner_id)
         or (b.blocker_id = source.owner_id and b.blocked_id = target.owner_id)) then
    perform private.raise_error('raids_disabled');
  end if;
  if target.raids_followed_only and not exists (
      select 1 from public.follows f where f.user_id = target.owner_id and f.channel_id = source.id) then
    perform private.raise_error('raid_not_followed');
  end if;
end
$$;

create function private.start_raid(target_channel_id uuid, source_channel_id uuid)
returns public.raids language plpgsql volatile security definer set search_path = '' as $$
declare
  source public.channels := private.raid_source(source_channel_id);
  target public.channels;
  viewers integer;
  last_raid timestamptz;
  raid public.raids;
begin
  select l.viewer_count into viewers from public.livestreams l where l.channel_id = source.id and l.ended_at is null;
  if not found then
    perform private.raise_error('raid_source_not_live');
  end if;
  select * into target from public.channels c where c.id = start_raid.target_channel_id;
  if not found then
    perform private.raise_error('channel_not_found');
  end if;
  if target.id = source.id then
    perform private.raise_error('raid_same_channel');
  end if;
  if not exists (select 1 from public.livestreams l where l.channel_id = target.id and l.ended_at is null) then
    perform private.raise_error('raid_target_not_live');
  end if;
  perform private.check_raid_accepted(source, target);
  select max(r.created_at) into last_raid from public.raids r
  where r.source_channel_id = source.id and r.created_at > now() - interval '10 minutes';
  if last_raid is not null then
    perform private.raise_error('raid_cooldown', jsonb_build_object(
      'retry_after_seconds', ceil(extract(epoch from last_raid + interval '10 minutes' - now()))::integer));
  end if;
  insert into public.raids (source_channel_id, target_channel_id, started_by, viewer_count)
  values (source.id, target.id, (select auth.uid()), viewers)
  returning * into raid;
  return raid;
end
$$;

create function private.cancel_raid(source_channel_id uuid)
returns public.raids language plpgsql volatile security definer set search_path = '' as $$
declare
  source public.channels := private.raid_source(source_channel_id);
  raid public.raids;
begin
  -- The source's latest raid; a canceled one leaves nothing to cancel.
  select * into raid from public.raids r
  where r.source_channel_id = source.id
  order by r.created_at desc limit 1;
  if not found or raid.canceled_at is not null then
    perform private.raise_error('raid_not_found');
  end if;
  if raid.created_at < now() - interval '90 seconds' then
    perform private.raise_error('raid_cancel_expired');
  end if;
  update public.raids r set canceled_at = now(), canceled_by = (select auth.uid())
  where r.id = raid.id
  returning * into raid;
  return raid;
end
$$;

revoke execute on function private.raid_source(uuid) from public, anon, authenticated, service_role;
revoke execute on function private.check_raid_accepted(public.channels, public.channels) from public, anon, authenticated, service_role;
revoke execute on function private.start_raid(uuid, uuid) from public, anon;
revoke execute on function private.cancel_raid(uuid) from public, anon;
grant execute on function private.start_raid(uuid, uuid) to authenticated, service_role;
grant execute on function private.cancel_raid(uuid) to authenticated, service_role;

-- Client RPCs (security invoker wrappers of the private definers).
create function public.start_raid(target_channel_id uuid, source_channel_id uuid default null)
returns public.raids language plpgsql volatile security invoker set search_path = '' as $$
begin
  return private.start_raid(target_channel_id, source_channel_id);
end
$$;

create function public.cancel_raid(source_channel_id uuid default null)
returns public.raids language plpgsql volatile security invoker set search_path = '' as $$
begin
  return private.cancel_raid(source_channel_id);
end
$$;

comment on function public.start_raid(uuid, uuid) is
  'Raids a live channel from a live channel the caller owns or moderates (source_channel_id, default the caller''s own). Returns the raids row; error codes in docs/API.md.';
comment on function public.cancel_raid(uuid) is
  'Cancels the source channel''s raid (default the caller''s own channel) within 90 s of its start. Returns the raids row.';

revoke execute on function public.start_raid(uuid, uuid) from public, anon;
revoke execute on function public.cancel_raid(uuid) from public, anon;
grant execute on function public.start_raid(uuid, uuid) to authenticated, service_role;
grant execute on function public.cancel_raid(uuid) to authenticated, service_role;

-- Events: a new raid sends raid.started on the source's channel topic, raid.incoming on the target's
-- chatroom and a raid_incoming notification to the target's owner; a cancel sends raid.canceled on both.
create function private.announce_raid()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  source public.channels := (select c from public.channels c where c.id = new.source_channel_id);
  target public.channels := (select c from public.channels c where c.id = new.target_channel_id);
  target_room uuid := (select r.id from public.chatrooms r where r.channel_id = new.target_channel_id);
  raider_name text := (select coalesce(u.display_name, u.username::text) from public.users u where u.id = source.owner_id);
  raider jsonb := jsonb_build_object('raider_channel_id', source.id, 'raider_slug', source.slug::text,
    'raider_display_name', raider_name, 'viewer_count', new.viewer_count);
begin
  if tg_op = 'INSERT' then
    perform realtime.send(jsonb_build_object('id', new.id, 'source_channel_id', source.id, 'target_channel_id', target.id,
        'target_slug', target.slug::text, 'viewer_count', new.viewer_count, 'created_at', new.created_at),
      'raid.started', 'channel:' || source.id::text, true);
    perform realtime.send(jsonb_build_object('id', new.id, 'created_at', new.created_at) || raider,
      'raid.incoming', 'chatroom:' || target_room::text, true);
    insert into public.notifications (user_id, kind, channel_id, actor_id, payload)
    values (target.owner_id, 'raid_incoming', target.id, source.owner_id, jsonb_build_object('raid_id', new.id) || raider);
  elsif old.canceled_at is null and new.canceled_at is not null then
    perform realtime.send(jsonb_build_object('id', new.id, 'source_channel_id', source.id, 'target_channel_id', target.id,
        'canceled_at', new.canceled_at),
      'raid.canceled', topic, true)
    from unnest(array['channel:' || source.id::text, 'chatroom:' || target_room::text]) topic;
  end if;
  return null;
end
$$;

revoke execute on function private.announce_raid() from public, anon, authenticated, service_role;

create trigger announce_raid after insert or update of canceled_at on public.raids
  for each row execute function private.announce_raid();
