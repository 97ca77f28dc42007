-- One open report per reporter, user and destination: a report about a user goes to the channel it
-- names (its room's staff) or, without a channel, to the platform's team (the service role), and an
-- open report to one no longer keeps the reporter from reporting the same user to the other (it
-- answered 409 `report_already_open`). Found by probing. Message reports are unchanged.
drop index public.reports_one_open_per_user;
create unique index reports_one_open_per_user on public.reports (reporter_id, target_user_id, channel_id) nulls not distinct
  where status = 'open' and message_id is null;

-- As in 20261130001400, with the destination in the open-report check.
create or replace function private.prepare_report()
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
               else r.message_id is null and r.target_user_id = new.target_user_id
                    and r.channel_id is not distinct from new.channel_id end
  ) then
    perform private.raise_error('report_already_open');
  end if;
  return new;
end
$$;
