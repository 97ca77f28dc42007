-- Stream schedules: `schedule_segments` (one-off or weekly, owner-managed, readable by all, at most 50
-- upcoming per channel) and `followed_schedule`, the next 7 days of the caller's followed channels. Serves API.md `schedule_segments`, `followed_schedule`.

create table public.schedule_segments (
  id uuid primary key default gen_random_uuid(),
  channel_id uuid not null references public.channels (id) on delete cascade,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  title text not null default '' constraint schedule_segments_title_length check (char_length(title) <= 140),
  category_id uuid references public.categories (id) on delete set null,
  recurrence text not null default 'none' constraint schedule_segments_recurrence_known check (recurrence in ('none', 'weekly')),
  canceled boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint schedule_segments_ends_after_start check (ends_at > starts_at),
  constraint schedule_segments_at_most_24_hours check (ends_at <= starts_at + interval '24 hours')
);

comment on table public.schedule_segments is
  'A channel''s planned streams: one-off or weekly segments. Anyone reads them; the channel owner inserts, updates and deletes them; at most 50 upcoming (not canceled, weekly or not yet ended) per channel.';
comment on column public.schedule_segments.id is 'The segment.';
comment on column public.schedule_segments.channel_id is 'The channel that plans to stream.';
comment on column public.schedule_segments.starts_at is 'Start of the (first) occurrence.';
comment on column public.schedule_segments.ends_at is 'End of the (first) occurrence: after starts_at, at most 24 hours later.';
comment on column public.schedule_segments.title is 'What the stream will be, at most 140 characters.';
comment on column public.schedule_segments.category_id is 'The planned category, if any.';
comment on column public.schedule_segments.recurrence is '`none` (once) or `weekly` (the same time every 7 days, from starts_at on, until deleted or canceled).';
comment on column public.schedule_segments.canceled is 'True hides the segment (every occurrence) from followed_schedule without deleting it.';
comment on column public.schedule_segments.created_at is 'When it was created.';
comment on column public.schedule_segments.updated_at is 'When it last changed.';

-- A channel's segments in time order (the channel page, followed_schedule, the 50-upcoming count).
create index schedule_segments_channel_id_starts_at_idx on public.schedule_segments (channel_id, starts_at);
create index schedule_segments_category_id_idx on public.schedule_segments (category_id);

grant select on public.schedule_segments to anon, authenticated;
grant insert (channel_id, starts_at, ends_at, title, category_id, recurrence, canceled),
  update (starts_at, ends_at, title, category_id, recurrence, canceled),
  delete on public.schedule_segments to authenticated;
grant select, insert, update, delete on public.schedule_segments to service_role;

alter table public.schedule_segments enable row level security;

create policy "anyone can read schedule segments" on public.schedule_segments
  for select to anon, authenticated using (true);
create policy "owners add segments to their schedule" on public.schedule_segments
  for insert to authenticated
  with check (channel_id = (select private.owned_channel_id((select auth.uid()))));
create policy "owners change their schedule" on public.schedule_segments
  for update to authenticated
  using (channel_id = (select private.owned_channel_id((select auth.uid()))))
  with check (channel_id = (select private.owned_channel_id((select auth.uid()))));
create policy "owners delete from their schedule" on public.schedule_segments
  for delete to authenticated
  using (channel_id = (select private.owned_channel_id((select auth.uid()))));

-- At most 50 upcoming segments per channel (not canceled, and weekly or not yet ended): the
-- row-limit pattern of private.enforce_row_limit (advisory lock per channel, count after the write,
-- 23514 naming a constraint), counting only upcoming rows.
create function private.enforce_upcoming_schedule_limit()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform pg_advisory_xact_lock(hashtextextended('public.schedule_segments:' || new.channel_id::text, 0));
  if (select count(*) from public.schedule_segments s
      where s.channel_id = new.channel_id and not s.canceled
        and (s.recurrence = 'weekly' or s.ends_at > now())) > 50 then
    raise exception 'schedule_segments allows at most 50 upcoming segments per channel'
      using errcode = '23514', constraint = 'schedule_segments_max_50_upcoming_per_channel',
        table = 'schedule_segments', schema = 'public';
  end if;
  return null;
end
$$;

revoke execute on function private.enforce_upcoming_schedule_limit() from public, anon, authenticated, service_role;

create trigger enforce_upcoming_schedule_limit after insert or update of canceled, recurrence, ends_at on public.schedule_segments
  for each row when (not new.canceled and (new.recurrence = 'weekly' or new.ends_at > now()))
  execute function private.enforce_upcoming_schedule_limit();

create trigger set_updated_at before update on public.schedule_segments
  for each row execute function private.set_updated_at();

-- The next 7 days of the caller's followed channels: one row per occurrence that has not ended and
-- starts within 7 days (a weekly segment yields its current or next occurrence and the one after,
-- when that starts within the window). Security invoker: the caller's own follows (RLS), read
-- through the follows primary key, then each channel's segments through
-- schedule_segments_channel_id_starts_at_idx.
create view public.followed_schedule with (security_invoker = true) as
select s.id as segment_id, s.channel_id, c.slug::text as channel_slug, o.starts_at, o.ends_at, s.title,
  s.category_id, s.recurrence
from public.follows f
join public.schedule_segments s on s.channel_id = f.channel_id and not s.canceled
join public.channels c on c.id = s.channel_id
cross join lateral (
  select s.starts_at + k * interval '7 days' as starts_at, s.ends_at + k * interval '7 days' as ends_at
  from generate_series(
    case when s.recurrence = 'weekly' then greatest(0, ceil(extract(epoch from now() - s.ends_at) / 604800))::integer else 0 end,
    case when s.recurrence = 'weekly' then greatest(0, ceil(extract(epoch from now() - s.ends_at) / 604800))::integer + 1 else 0 end) k
) o
where f.user_id = (select auth.uid())
  and (s.recurrence = 'weekly' or s.ends_at > now())
  and s.starts_at < now() + interval '7 days'
  and o.ends_at > now() and o.starts_at < now() + interval '7 days';

comment on view public.followed_schedule is
  'The signed-in user''s followed channels'' scheduled streams in the next 7 days, one row per occurrence (weekly segments expanded). Order by starts_at.';
comment on column public.followed_schedule.segment_id is 'The schedule_segments row.';
comment on column public.followed_schedule.channel_id is 'The followed channel.';
comment on column public.followed_schedule.channel_slug is 'Its slug.';
comment on column public.followed_schedule.starts_at is 'Start of this occurrence.';
comment on column public.followed_schedule.ends_at is 'End of this occurrence.';
comment on column public.followed_schedule.title is 'The segment''s title.';
comment on column public.followed_schedule.category_id is 'The segment''s category.';
comment on column public.followed_schedule.recurrence is '`none` or `weekly`.';

grant select on public.followed_schedule to authenticated, service_role;
