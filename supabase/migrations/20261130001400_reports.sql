-- Reports: a signed-in user reports a message or a user; the room's staff read them without the
-- reporter's identity and resolve them. Serves API.md `reports`, RPC `resolve_report`, `report.created`.

-- Tables ------------------------------------------------------------------------------------------

create table public.reports (
  id bigint generated always as identity primary key,
  reporter_id uuid not null default auth.uid() references public.users (id) on delete cascade,
  target_user_id uuid not null references public.users (id) on delete cascade,
  message_id bigint references public.messages (id) on delete set null,
  channel_id uuid references public.channels (id) on delete cascade,
  -- The room whose staff handle the report: the reported message's, else the given channel's.
  chatroom_id uuid references public.chatrooms (id) on delete cascade,
  reason text not null constraint reports_reason_known check (reason in
    ('spam', 'harassment', 'hate', 'sexual', 'violence', 'self_harm', 'impersonation', 'other')),
  details text not null default '' constraint reports_details_length check (char_length(details) <= 1000),
  status text not null default 'open' constraint reports_status_known check (status in ('open', 'dismissed', 'actioned')),
  resolution_note text constraint reports_resolution_note_length check (char_length(resolution_note) <= 1000),
  resolved_by uuid references public.users (id) on delete set null,
  resolved_at timestamptz,
  created_at timestamptz not null default now(),
  constraint reports_resolved_when_closed check ((status = 'open') = (resolved_at is null))
);

comment on table public.reports is
  'Reports of a message or a user. The reporter reads their own; the staff of the room where the reported message was sent (or of the reported channel) read them without the reporter''s identity and resolve them with resolve_report; at most 20 per reporter per hour, one open per reporter and target.';
comment on column public.reports.id is 'Increasing id.';
comment on column public.reports.reporter_id is 'Who reported (the caller). Readable by the service role only: staff never learn who reported.';
comment on column public.reports.target_user_id is 'The reported user (for a message report, its author: may be omitted).';
comment on column public.reports.message_id is 'The reported message, if a message is reported.';
comment on column public.reports.channel_id is 'The channel the report is about (set from the message for a message report).';
comment on column public.reports.chatroom_id is 'The chatroom whose staff handle the report (set by the database).';
comment on column public.reports.reason is 'spam, harassment, hate, sexual, violence, self_harm, impersonation or other.';
comment on column public.reports.details is 'What the reporter adds, 0 to 1,000 characters.';
comment on column public.reports.status is 'open, then dismissed or actioned by resolve_report.';
comment on column public.reports.resolution_note is 'The resolver''s note (up to 1,000 characters).';
comment on column public.reports.resolved_by is 'Who resolved it (null for the service).';
comment on column public.reports.resolved_at is 'When it was resolved; null while open.';
comment on column public.reports.created_at is 'When it was made.';

-- One open report per reporter and message, or per reporter and user when no message is named.
create unique index reports_one_open_per_message on public.reports (reporter_id, message_id)
  where status = 'open' and message_id is not null;
create unique index reports_one_open_per_user on public.reports (reporter_id, target_user_id)
  where status = 'open' and message_id is null;
-- The hourly limit and the reporter's own list; the staff read (newest first per room); foreign keys.
create index reports_reporter_id_created_at_idx on public.reports (reporter_id, created_at desc);
create index reports_chatroom_id_id_idx on public.reports (chatroom_id, id desc);
create index reports_target_user_id_idx on public.reports (target_user_id);
create index reports_message_id_idx on public.reports (message_id);
create index reports_channel_id_idx on public.reports (channel_id);
create index reports_resolved_by_idx on public.reports (resolved_by);

-- Grants ------------------------------------------------------------------------------------------

-- Every column but reporter_id is readable (RLS picks the rows): no client, staff included, can read
-- who reported. The reporter names only what they report.
grant select (id, target_user_id, message_id, channel_id, chatroom_id, reason, details, status, resolution_note,
  resolved_by, resolved_at, created_at) on public.reports to authenticated;
grant insert (target_user_id, message_id, channel_id, reason, details) on public.reports to authenticated;
grant select, insert, update, delete on public.reports to service_role;

alter table public.reports enable row level security;

insert into private.error_codes (code, http_status, message) values
  ('report_rate_limited', 429, 'You can send at most 20 reports per hour.'),
  ('report_already_open', 409, 'You already have an open report about this.'),
  ('report_closed', 409, 'This report is already resolved.');

-- Helpers -----------------------------------------------------------------------------------------

-- The caller is the service role (the secret key), not a signed-in user.
create function private.is_service_role()
returns boolean language plpgsql stable set search_path = '' as $$
begin
  return coalesce(auth.jwt() ->> 'role', '') = 'service_role';
end
$$;

revoke execute on function private.is_service_role() from public;
grant execute on function private.is_service_role() to anon, authenticated, service_role;

-- The gate of the resolve RPCs (reports, unban requests): the service role may resolve anything; a
-- signed-in user only what belongs to a room they are staff of (401 auth_required, 403 not_staff).
-- Returns the caller's id (null for the service role).
create function private.require_resolver(chatroom_id uuid)
returns uuid language plpgsql stable security definer set search_path = '' as $$
declare
  actor uuid := auth.uid();
begin
  if actor is null then
    if not private.is_service_role() then
      perform private.raise_error('auth_required');
    end if;
  elsif chatroom_id is null or not private.is_chatroom_staff(chatroom_id, actor) then
    perform private.raise_error('not_staff');
  end if;
  return actor;
end
$$;

revoke execute on function private.require_resolver(uuid) from public;

-- Policies ----------------------------------------------------------------------------------------

create policy "reporters and room staff read reports" on public.reports
  for select to authenticated
  using (reporter_id = (select auth.uid())
    or chatroom_id = any ((select private.staffed_chatroom_ids((select auth.uid())))::uuid[]));
create policy "users can report for themselves" on public.reports
  for insert to authenticated
  with check (reporter_id = (select auth.uid()));

-- Triggers ----------------------------------------------------------------------------------------

-- What a new report is about (the message's author, room and channel), then the rules: not oneself,
-- at most 20 per reporter per hour, one open per reporter and target. A reporter's reports are
-- checked one at a time (advisory lock), so racing inserts cannot pass the limit together.
create function private.prepare_report()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  reported public.messages;
  in_last_hour integer;
  oldest_at timestamptz;
begin
  new.reporter_id := coalesce(auth.uid(), new.reporter_id);
  new.status := 'open';
  new.resolution_note := null;
  new.resolved_by := null;
  new.resolved_at := null;
  new.created_at := now();
  if new.message_id is not null then
    select * into reported from public.messages m where m.id = new.message_id;
    if reported.id is null then
      perform private.raise_error('not_found', null, 'This message does not exist.');
    end if;
    if new.target_user_id is distinct from reported.user_id and new.target_user_id is not null then
      perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'target_user_id'),
        'A message report is about the message''s author.');
    end if;
    new.target_user_id := reported.user_id;
    new.chatroom_id := reported.chatroom_id;
    new.channel_id := (select r.channel_id from public.chatrooms r where r.id = reported.chatroom_id);
  else
    new.chatroom_id := (select r.id from public.chatrooms r where r.channel_id = new.channel_id);
  end if;
  if new.target_user_id = new.reporter_id then
    perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'target_user_id'),
      'You cannot report yourself.');
  end if;

  perform pg_advisory_xact_lock(hashtextextended('reports:' || new.reporter_id::text, 0));
  select count(*), min(r.created_at) into in_last_hour, oldest_at from public.reports r
  where r.reporter_id = new.reporter_id and r.created_at > now() - interval '1 hour';
  if in_last_hour >= 20 then
    perform private.raise_error('report_rate_limited', jsonb_build_object('retry_after_seconds',
      greatest(1, ceil(3600 - extract(epoch from now() - oldest_at)))::integer));
  end if;
  if exists (
    select 1 from public.reports r
    where r.reporter_id = new.reporter_id and r.status = 'open'
      and case when new.message_id is not null then r.message_id = new.message_id
               else r.message_id is null and r.target_user_id = new.target_user_id end
  ) then
    perform private.raise_error('report_already_open');
  end if;
  return new;
end
$$;

revoke execute on function private.prepare_report() from public;

create trigger prepare_report before insert on public.reports
  for each row execute function private.prepare_report();

-- RPC ---------------------------------------------------------------------------------------------

-- A report as staff may see it: every column but reporter_id.
create function private.report_for_staff(report public.reports)
returns jsonb language plpgsql immutable set search_path = '' as $$
begin
  return to_jsonb(report) - 'reporter_id';
end
$$;

revoke execute on function private.report_for_staff(public.reports) from public;

-- Staff of the report's room (or the service role, for any report) close an open report as dismissed
-- or actioned, with an optional note; logged as report.resolved, and the reporter hears the outcome.
create function private.resolve_report(report_id bigint, status text, note text)
returns jsonb language plpgsql volatile security definer set search_path = '' as $$
declare
  actor uuid;
  found public.reports;
begin
  if auth.uid() is null and not private.is_service_role() then
    perform private.raise_error('auth_required');
  end if;
  select * into found from public.reports r where r.id = resolve_report.report_id for update;
  if found.id is null then
    perform private.raise_error('not_found', null, 'This report does not exist.');
  end if;
  actor := private.require_resolver(found.chatroom_id);
  if status is null or status not in ('dismissed', 'actioned') then
    perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'status'),
      'A report is resolved as dismissed or actioned.');
  end if;
  if char_length(note) > 1000 then
    perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'note'),
      'A resolution note has at most 1000 characters.');
  end if;
  if found.status <> 'open' then
    perform private.raise_error('report_closed');
  end if;
  update public.reports r set status = resolve_report.status, resolution_note = nullif(btrim(note), ''),
    resolved_by = actor, resolved_at = now()
  where r.id = found.id
  returning * into found;
  if found.chatroom_id is not null then
    perform private.log_moderation_action(found.chatroom_id, actor, found.target_user_id, 'report.resolved',
      found.message_id, found.resolution_note,
      jsonb_build_object('report_id', found.id, 'status', found.status, 'report_reason', found.reason));
  end if;
  perform realtime.send(jsonb_build_object('report_id', found.id, 'status', found.status, 'reason', found.reason),
    'report.resolved', 'user:' || found.reporter_id::text, true);
  return private.report_for_staff(found);
end
$$;

revoke execute on function private.resolve_report(bigint, text, text) from public;
grant execute on function private.resolve_report(bigint, text, text) to anon, authenticated, service_role;

create function public.resolve_report(report_id bigint, status text, note text default null)
returns jsonb language plpgsql volatile security invoker set search_path = '' as $$
begin
  return private.resolve_report(report_id, status, note);
end
$$;

revoke execute on function public.resolve_report(bigint, text, text) from public;
grant execute on function public.resolve_report(bigint, text, text) to anon, authenticated, service_role;

-- Events ------------------------------------------------------------------------------------------

-- `report.created` on the room's mods topic, without the reporter.
create function private.broadcast_report_created()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  if new.chatroom_id is not null then
    perform realtime.send(private.report_for_staff(new), 'report.created',
      'chatroom:' || new.chatroom_id::text || ':mods', true);
  end if;
  return null;
end
$$;

revoke execute on function private.broadcast_report_created() from public;

create trigger broadcast_report_created after insert on public.reports
  for each row execute function private.broadcast_report_created();
