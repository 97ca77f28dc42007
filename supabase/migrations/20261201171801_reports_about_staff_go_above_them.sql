-- Reports about a room's staff go above them: the owner resolves those about a moderator, the platform's team
-- those about the owner. Serves API.md `reports`, `resolve_report` (`cannot_target_staff`), `report.created`.
--
-- A moderator could dismiss a report about themselves, and an owner one about themselves; the reported
-- moderator also read the report and heard `report.created` on the mods topic. Twitch routes reports about
-- staff away from them, and the other rules here already do: a moderator cannot ban, delete or clear the
-- owner or another moderator (`cannot_target_staff`). Now:
-- - a report about the channel's owner has no room (`chatroom_id` null, `channel_id` kept): like a report
--   about a user to no channel, the platform's team reads and resolves it with the service role. Open ones
--   already filed to rooms move there now;
-- - staff do not read reports about themselves;
-- - `resolve_report` of a report about a moderator is the owner's (or the service role's), one about the owner
--   (filed before this) the service role's: anyone else gets 403 `cannot_target_staff`. Whether the target
--   is staff is decided when the report is resolved;
-- - `report.created` of a report about a moderator goes to the owner's `user:<owner_id>` topic instead of the
--   mods topic, which the reported moderator hears.
-- Other moderators still read a report about a moderator (they cannot resolve it). `resolve_report` also checks
-- its note as the other moderation text (20261201171758).

-- Open reports about a room's owner go to the platform.
update public.reports r set chatroom_id = null
from public.channels c
where r.status = 'open' and r.chatroom_id is not null and c.id = r.channel_id and c.owner_id = r.target_user_id;

-- Helpers -----------------------------------------------------------------------------------------

-- A new report about the channel's owner goes to the platform's team instead of the room (runs after
-- prepare_report, which sets the room and channel: triggers fire in name order).
create function private.route_report_about_owner()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  if new.chatroom_id is not null and private.is_channel_owner(new.channel_id, new.target_user_id) then
    new.chatroom_id := null;
  end if;
  return new;
end
$$;

revoke execute on function private.route_report_about_owner() from public, anon, authenticated, service_role;

-- Policies ----------------------------------------------------------------------------------------

drop policy "reporters and room staff read reports" on public.reports;
create policy "reporters read theirs and room staff the room's, except those about themselves" on public.reports
  for select to authenticated
  using (reporter_id = (select auth.uid())
    or (chatroom_id = any ((select private.staffed_chatroom_ids((select auth.uid())))::uuid[])
        and target_user_id <> (select auth.uid())));

-- Triggers ----------------------------------------------------------------------------------------

create trigger route_report_about_owner before insert on public.reports
  for each row execute function private.route_report_about_owner();

-- RPC ---------------------------------------------------------------------------------------------

-- As in 20261130001400, with a report about staff resolved above them, and the note checked as free text
-- (private.check_free_text, 20261201171758).
create or replace function private.resolve_report(report_id bigint, status text, note text)
returns jsonb language plpgsql volatile security definer set search_path = '' as $$
declare
  actor uuid;
  found public.reports;
  about_staff boolean;
begin
  if auth.uid() is null and not private.is_service_role() then
    perform private.raise_error('auth_required');
  end if;
  select * into found from public.reports r where r.id = resolve_report.report_id for update;
  if found.id is null then
    perform private.raise_error('not_found', null, 'This report does not exist.');
  end if;
  actor := private.require_resolver(found.chatroom_id);
  about_staff := found.chatroom_id is not null and private.is_chatroom_staff(found.chatroom_id, found.target_user_id);
  -- The reported moderator cannot tell a report about them from one that does not exist.
  if actor is not null and about_staff and found.target_user_id = actor then
    perform private.raise_error('not_found', null, 'This report does not exist.');
  end if;
  -- About staff (the owner included): only the owner, about someone else, or the service role.
  if actor is not null and about_staff and not private.is_channel_owner(found.channel_id, actor) then
    perform private.raise_error('cannot_target_staff', null,
      'A report about a moderator is resolved by the channel owner, and one about the owner by the platform''s team.');
  end if;
  if status is null or status not in ('dismissed', 'actioned') then
    perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'status'),
      'A report is resolved as dismissed or actioned.');
  end if;
  perform private.check_free_text(note, 'note', 1000, true, false);
  if found.status <> 'open' then
    perform private.raise_error('report_closed');
  end if;
  update public.reports r set status = resolve_report.status, resolution_note = nullif(btrim(note), ''),
    resolved_by = actor, resolved_at = now()
  where r.id = found.id
  returning * into found;
  -- Not in the room's log when it was about staff: every moderator reads that log, the reported one too.
  if found.chatroom_id is not null and not about_staff then
    perform private.log_moderation_action(found.chatroom_id, actor, found.target_user_id, 'report.resolved',
      found.message_id, found.resolution_note,
      jsonb_build_object('report_id', found.id, 'status', found.status, 'report_reason', found.reason));
  end if;
  perform realtime.send(jsonb_build_object('report_id', found.id, 'status', found.status, 'reason', found.reason),
    'report.resolved', 'user:' || found.reporter_id::text, true);
  return private.report_for_staff(found);
end
$$;

comment on function public.resolve_report(bigint, text, text) is
  'Staff of the report''s room (the service role: any report) close an open report as dismissed or actioned, with a note of at most 1000 characters. A report about a moderator is the owner''s to resolve, one about the owner the service role''s (403 cannot_target_staff). Returns the report without reporter_id.';
comment on table public.reports is
  'Reports of a message or a user. The reporter reads their own; the staff of the room where the reported message was sent (or of the reported channel) read them without the reporter''s identity, except those about themselves, and resolve them with resolve_report (one about a moderator: the owner only). A report about the channel''s owner goes to the platform''s team (chatroom_id null). At most 20 per reporter per hour, one open per reporter and target.';
comment on column public.reports.chatroom_id is
  'The chatroom whose staff handle the report (set by the database); null for a report the platform''s team handles: about a user with no channel, or about the channel''s owner.';

-- Events ------------------------------------------------------------------------------------------

-- As in 20261130001400: `report.created` without the reporter, on the room's mods topic, or on the owner's
-- user topic when the report is about a moderator (who hears the mods topic).
create or replace function private.broadcast_report_created()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  if new.chatroom_id is null then
    return null;
  end if;
  if private.is_chatroom_staff(new.chatroom_id, new.target_user_id) then
    perform realtime.send(private.report_for_staff(new), 'report.created',
      'user:' || (select c.owner_id from public.channels c where c.id = new.channel_id)::text, true);
  else
    perform realtime.send(private.report_for_staff(new), 'report.created',
      'chatroom:' || new.chatroom_id::text || ':mods', true);
  end if;
  return null;
end
$$;
