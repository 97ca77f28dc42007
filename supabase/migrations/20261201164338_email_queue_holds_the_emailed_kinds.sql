-- The email queue holds only notifications email-delivery will send: the kinds its EMAIL_KINDS names,
-- and none while email is off. Serves API.md `email-delivery`.
--
-- Until now every notification of a user with a verified address was queued (20261201151857), so a new
-- follower or a raid woke email-delivery (a function invocation every 5 s while any was queued) only
-- for its claim to drop the row, and with email off (no SMTP_HOST) every notification did. The kinds
-- are the function's setting: each claim now reports them here, and the queueing trigger reads them.
-- Until the first claim reports (kinds null), every kind is queued, as before.

create table private.email_delivery_settings (
  singleton boolean primary key default true check (singleton),
  kinds text[],
  reported_at timestamptz not null default now()
);

comment on table private.email_delivery_settings is
  'What email-delivery last reported (one row): the notification kinds it emails (its EMAIL_KINDS; empty while email is off; null until its first run: every kind is queued) and when.';

revoke all on private.email_delivery_settings from public, anon, authenticated, service_role;
alter table private.email_delivery_settings enable row level security;

insert into private.email_delivery_settings default values;

-- Same as in 20261201151857, and queues for email only the kinds email-delivery reported.
create or replace function private.queue_deliveries()
returns trigger language plpgsql security definer
set search_path = '' set enable_hashjoin = off set enable_mergejoin = off
as $$
declare
  -- Null until a claim has reported (or without the row): then every kind is queued.
  emailed_kinds text[] := (select s.kinds from private.email_delivery_settings s);
begin
  insert into private.push_queue (notification_id)
  select n.id from new_rows n
  where n.user_id in (select t.user_id from private.push_targets t);
  if emailed_kinds is null or cardinality(emailed_kinds) > 0 then
    insert into private.email_queue (notification_id)
    select n.id from new_rows n
    where (emailed_kinds is null or n.kind = any(emailed_kinds))
      and n.user_id in (select t.user_id from private.email_targets t);
  end if;
  return null;
end
$$;

revoke execute on function private.queue_deliveries() from public, anon, authenticated, service_role;

-- Records the kinds a claim was given (none when `deliver` is false): written only when they changed,
-- or every 5 minutes so that private.function_job_due sees email-delivery is still there.
create function private.report_email_kinds(kinds text[], deliver boolean)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  reported text[] := case when deliver
    then array(select distinct k from unnest(kinds) k where k is not null order by k) else '{}' end;
begin
  update private.email_delivery_settings s set kinds = reported, reported_at = now()
  where s.kinds is distinct from reported or s.reported_at < now() - interval '5 minutes';
end
$$;

revoke execute on function private.report_email_kinds(text[], boolean) from public, anon, authenticated, service_role;

-- Same as in 20261201151857, and reports its kinds first.
create or replace function private.claim_email_deliveries(
  kinds text[], batch_size integer default 200, deliver boolean default true, scan_limit integer default 10000)
returns table (notification jsonb, email text, channel_slug text, channel_name text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  queued record;
  taken bigint[] := '{}';
  emailed bigint[] := '{}';
begin
  perform private.report_email_kinds(kinds, deliver);
  if not deliver then
    delete from private.email_queue q where q.notification_id = any(array(
      select t.notification_id from private.email_queue t
      order by t.notification_id limit scan_limit
      for update skip locked));
    return;
  end if;
  for queued in
    select q.notification_id, (n.kind = any(kinds) and e.email is not null) is true as emailable
    from private.email_queue q
    left join public.notifications n on n.id = q.notification_id
    left join private.email_targets e on e.user_id = n.user_id
    order by q.notification_id limit scan_limit
    for update of q skip locked
  loop
    if queued.emailable then
      exit when cardinality(emailed) = batch_size;
      emailed := emailed || queued.notification_id;
    end if;
    taken := taken || queued.notification_id;
  end loop;
  delete from private.email_queue q where q.notification_id = any(taken);
  return query
    select to_jsonb(n), e.email::text, ch.slug::text, coalesce(o.display_name, o.username::text)
    from public.notifications n
    join private.email_targets e on e.user_id = n.user_id
    left join public.channels ch on ch.id = n.channel_id
    left join public.users o on o.id = ch.owner_id
    where n.id = any(emailed)
    order by n.id;
end
$$;

revoke execute on function private.claim_email_deliveries(text[], integer, boolean, integer) from public, anon, authenticated;
grant execute on function private.claim_email_deliveries(text[], integer, boolean, integer) to service_role;

-- Same as in 20261201155211, and email-delivery is also due when it has not reported for 10 minutes:
-- with email off nothing is queued, and this is how a new SMTP_HOST or EMAIL_KINDS reaches the queue.
create or replace function private.function_job_due(function_name text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select case function_name
    when 'push-delivery' then exists (select 1 from private.push_queue)
    when 'email-delivery' then exists (select 1 from private.email_queue)
      or not exists (select 1 from private.email_delivery_settings s where s.reported_at > now() - interval '10 minutes')
    when 'viewer-counts' then exists (select 1 from public.livestreams l where l.ended_at is null)
    else true
  end
$$;

revoke execute on function private.function_job_due(text) from public, anon, authenticated, service_role;
