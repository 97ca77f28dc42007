-- A report about a moderator is read by the room's owner alone (and the platform's team, with the service
-- role). Serves API.md `reports`, `resolve_report` (`not_found`), `chat_user_card` (`open_reports`).
--
-- Since 20261201171801 only the owner resolves a report about a moderator and the reported moderator reads
-- none, but the room's other moderators still read it: in `reports` (RLS), as `open_reports` on the
-- moderator's card, and as `resolve_report`'s 403 `cannot_target_staff`, which told them it exists. Now the
-- staff of a room do not read the room's reports about themselves nor, for a moderator, about the room's
-- other staff (the owner, a fellow moderator), wherever a report is read:
-- - `reports`: the read policy leaves those rows out (they read as rows that do not exist);
-- - `resolve_report`: such staff get 404 `not_found`, as for a report that does not exist (it answered the
--   other moderators 403 `cannot_target_staff`, which no longer comes from resolve_report), and so does
--   every signed-in caller not staff of the report's room (it answered 403 `not_staff`, which no longer
--   comes from resolve_report either): same code, message, details and work as an id that does not exist;
-- - `chat_user_card`: `open_reports` is null on the card of someone whose reports the caller does not read,
--   as on one's own card (a count of 0 would be a claim; null is the same whether reports exist or not).
-- Whether the target is staff is read at each read, as at each resolve: a demoted moderator's reports are
-- the moderators' again, a promoted user's are the owner's. Reports about the owner that stayed in a room
-- (resolved before 20261201171801 moved the open ones) are no longer read by its moderators either.

-- Types -------------------------------------------------------------------------------------------

create type private.chatroom_user as (chatroom_id uuid, user_id uuid);
comment on type private.chatroom_user is 'A user in a chatroom: compared with `= any` against arrays of pairs.';

-- Helpers -----------------------------------------------------------------------------------------

-- The rule, in one place: the (room, reported user) pairs whose reports `user_id`, as staff of those rooms,
-- does not read. In every room they are staff of: themselves. In a room they moderate but do not own: every
-- staff member too (the owner, each moderator). For read policies: compared with `<> all` against one array
-- computed once per statement; the RPCs compare their one report or card with it.
create function private.unread_report_targets(user_id uuid)
returns private.chatroom_user[] language plpgsql stable security definer set search_path = '' as $$
begin
  return array(
    select distinct (r.id, s.user_id)::private.chatroom_user
    from private.channel_staff me
    join public.chatrooms r on r.channel_id = me.channel_id
    join private.channel_staff s on s.channel_id = me.channel_id
    where me.user_id = unread_report_targets.user_id
      and (s.user_id = unread_report_targets.user_id
           or not exists (select 1 from public.channels c
                          where c.id = me.channel_id and c.owner_id = unread_report_targets.user_id)));
end
$$;

revoke execute on function private.unread_report_targets(uuid) from public, anon, authenticated, service_role;
grant execute on function private.unread_report_targets(uuid) to authenticated;

-- Policies ----------------------------------------------------------------------------------------

-- 20261201171801's policy, by the name Postgres kept (identifiers stop at 63 bytes).
drop policy "reporters read theirs and room staff the room's, except those a" on public.reports;
create policy "reporters read theirs, staff the room's bar those above them" on public.reports
  for select to authenticated
  using (reporter_id = (select auth.uid())
    or (chatroom_id = any ((select private.staffed_chatroom_ids((select auth.uid())))::uuid[])
        and row(chatroom_id, target_user_id)::private.chatroom_user
            <> all ((select private.unread_report_targets((select auth.uid())))::private.chatroom_user[])));

-- RPC ---------------------------------------------------------------------------------------------

-- As in 20261201171801, with every report a signed-in caller may not resolve answered 404 not_found, as one
-- that does not exist, whatever the arguments: a report in a room they are not staff of (it answered 403
-- not_staff, which told anyone that the id exists), one with no room (about the owner, or a user report no
-- channel handles: the service role's), and one they do not read (private.unread_report_targets): the
-- reported moderator, and now every staff member below the owner for a report about staff (their
-- cannot_target_staff told them it exists). What is left for a signed-in resolver of a report about staff is
-- the owner resolving one about a moderator.
-- The same work whatever the id names: the caller's rooms and unread pairs are looked up first, for every
-- call, and one probe of the primary key takes the row only if the caller may resolve it, so the lock (and
-- whatever follows it) is taken for such a report alone. A report in another room, a hidden one and an id
-- that does not exist cost the same and answer the same code, message and details.
create or replace function private.resolve_report(report_id bigint, status text, note text)
returns jsonb language plpgsql volatile security definer set search_path = '' as $$
declare
  actor uuid := auth.uid();
  staffed uuid[];
  unread private.chatroom_user[];
  found public.reports;
  about_staff boolean;
begin
  if actor is null then
    if not private.is_service_role() then
      perform private.raise_error('auth_required');
    end if;
    -- The service role: any report.
    select * into found from public.reports r where r.id = resolve_report.report_id for update;
  else
    -- Looked up whether or not the id exists (read once, as the read policy of `reports` does).
    staffed := private.staffed_chatroom_ids(actor);
    unread := private.unread_report_targets(actor);
    select * into found from public.reports r
    where r.id = resolve_report.report_id
      and r.chatroom_id = any (staffed)
      and row(r.chatroom_id, r.target_user_id)::private.chatroom_user <> all (unread)
    for update;
  end if;
  -- Staff who may not resolve a report, and anyone else signed in, cannot tell it from one that does not exist.
  if found.id is null then
    perform private.raise_error('not_found', null, 'This report does not exist.');
  end if;
  about_staff := found.chatroom_id is not null and private.is_chatroom_staff(found.chatroom_id, found.target_user_id);
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

-- As in 20261201171806, with open_reports null on the card of anyone whose reports the caller does not read
-- (themselves, and for a moderator the room's owner and other moderators).
create or replace function private.chat_user_card(chatroom_id uuid, user_id uuid)
returns jsonb language plpgsql stable security definer set search_path = '' set enable_seqscan = off as $$
declare
  actor uuid := auth.uid();
  person public.users;
  channel uuid;
begin
  if actor is null then
    perform private.raise_error('auth_required');
  end if;
  if chatroom_id is null or user_id is null then
    perform private.raise_error('invalid_argument',
      jsonb_build_object('argument', case when chatroom_id is null then 'chatroom_id' else 'user_id' end),
      'A user card names a chatroom and a user.');
  end if;
  perform private.require_chatroom_staff(chatroom_id);
  select * into person from public.users u where u.id = chat_user_card.user_id;
  if person.id is null then
    perform private.raise_error('not_found', null, 'This user does not exist.');
  end if;
  select r.channel_id into channel from public.chatrooms r where r.id = chat_user_card.chatroom_id;

  return jsonb_build_object(
    'user_id', person.id, 'username', person.username::text, 'display_name', person.display_name,
    'avatar_url', person.avatar_url, 'created_at', person.created_at,
    'roles', private.chat_card_roles(channel, person.id),
    'followed_at', (select f.created_at from public.follows f where f.user_id = person.id and f.channel_id = channel),
    'subscription', (select jsonb_build_object('tier', s.tier, 'cumulative_months', s.cumulative_months,
        'started_at', s.started_at, 'current_period_end', s.current_period_end, 'is_gift', s.is_gift)
      from public.subscriptions s where s.channel_id = channel and s.user_id = person.id and s.current_period_end > now()),
    'ban', private.chat_card_ban(chatroom_id, person.id),
    'timeouts', (select count(*) from (select 1 from public.moderation_actions a where a.chatroom_id = chat_user_card.chatroom_id
      and a.target_user_id = person.id and a.action = 'user.timed_out' limit 1000) x),
    'bans', (select count(*) from (select 1 from public.moderation_actions a where a.chatroom_id = chat_user_card.chatroom_id
      and a.target_user_id = person.id and a.action = 'user.banned' limit 1000) x),
    -- Null where the caller does not read the reports about the user (private.unread_report_targets).
    'open_reports', case when row(chat_user_card.chatroom_id, person.id)::private.chatroom_user
                              <> all (private.unread_report_targets(actor))
      then (select count(*) from (select 1 from public.reports r
        where r.chatroom_id = chat_user_card.chatroom_id and r.target_user_id = person.id and r.status = 'open' limit 1000) x) end,
    'message_count', (select count(*) from (select 1 from public.messages m where m.chatroom_id = chat_user_card.chatroom_id
      and m.user_id = person.id limit 10000) x),
    -- The latest 20, removed ones included (content null), whatever the caller blocks.
    'messages', (select coalesce(jsonb_agg(to_jsonb(m) order by m.id desc), '[]') from (select * from public.messages m
      where m.chatroom_id = chat_user_card.chatroom_id and m.user_id = person.id order by m.id desc limit 20) m));
end
$$;

-- Comments ----------------------------------------------------------------------------------------

comment on function public.resolve_report(bigint, text, text) is
  'Staff of the report''s room (the service role: any report) close an open report as dismissed or actioned, with a note of at most 1000 characters. A report about a moderator is the owner''s to resolve, one about the owner the service role''s. Any other signed-in caller gets not_found, exactly as for a report that does not exist: one not staff of the report''s room, and staff who do not read the report (about themselves, or for a moderator about the owner or another moderator). Returns the report without reporter_id.';
comment on table public.reports is
  'Reports of a message or a user. The reporter reads their own; the staff of the room where the reported message was sent (or of the reported channel) read them without the reporter''s identity, except those about themselves, and a report about a moderator only the owner reads; staff resolve them with resolve_report (one about a moderator: the owner only). A report about the channel''s owner goes to the platform''s team (chatroom_id null). At most 20 per reporter per hour, one open per reporter and target.';
comment on function public.chat_user_card(uuid, uuid) is
  'The room''s staff read a user''s card: {user_id, username, display_name, avatar_url, created_at, roles, followed_at, subscription {tier, cumulative_months, started_at, current_period_end, is_gift} or null, ban {id, reason, created_at, expires_at, banned_by {id, username, display_name}} or null, timeouts, bans, open_reports (null where the caller does not read reports about the user: their own card, and for a moderator the owner''s and other moderators''), message_count, messages (the latest 20 rows, whatever the caller blocks)}. Counts stop at 1000 (message_count at 10000).';
