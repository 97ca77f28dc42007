-- Unban requests: a user under an active ban asks the room's staff to lift it; approving lifts the
-- ban in the same transaction. Serves API.md `unban_requests`, RPC `resolve_unban_request`, events.

-- Tables ------------------------------------------------------------------------------------------

create table public.unban_requests (
  id bigint generated always as identity primary key,
  chatroom_id uuid not null references public.chatrooms (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.users (id) on delete cascade,
  -- The ban it appeals (no foreign key: approving deletes the ban, the request stays).
  ban_id uuid not null,
  text text not null constraint unban_requests_text_length check (char_length(text) between 1 and 500),
  status text not null default 'pending' constraint unban_requests_status_known check (status in ('pending', 'approved', 'denied')),
  resolution_text text constraint unban_requests_resolution_text_length check (char_length(resolution_text) <= 500),
  resolved_by uuid references public.users (id) on delete set null,
  created_at timestamptz not null default now(),
  resolved_at timestamptz,
  constraint unban_requests_resolved_when_closed check ((status = 'pending') = (resolved_at is null))
);

comment on table public.unban_requests is
  'Appeals of a chat ban: only the user under an active ban in that room creates one; one pending per ban, none within 7 days of a denial. The user and the room''s staff read them; staff resolve them with resolve_unban_request.';
comment on column public.unban_requests.id is 'Increasing id.';
comment on column public.unban_requests.chatroom_id is 'The chatroom of the ban.';
comment on column public.unban_requests.user_id is 'The banned user (the caller).';
comment on column public.unban_requests.ban_id is 'The ban appealed (set by the database from the active ban).';
comment on column public.unban_requests.text is 'The appeal, 1 to 500 characters.';
comment on column public.unban_requests.status is 'pending, then approved (the ban is lifted) or denied.';
comment on column public.unban_requests.resolution_text is 'The staff''s answer, up to 500 characters.';
comment on column public.unban_requests.resolved_by is 'Who resolved it (null for the service).';
comment on column public.unban_requests.created_at is 'When it was made.';
comment on column public.unban_requests.resolved_at is 'When it was resolved; null while pending.';

create unique index unban_requests_one_pending_per_ban on public.unban_requests (ban_id) where status = 'pending';
-- The staff read (newest first per room); the user's own and the cool-down lookup; foreign keys.
create index unban_requests_chatroom_id_id_idx on public.unban_requests (chatroom_id, id desc);
create index unban_requests_user_id_chatroom_id_idx on public.unban_requests (user_id, chatroom_id, resolved_at desc);
create index unban_requests_resolved_by_idx on public.unban_requests (resolved_by);

-- Grants ------------------------------------------------------------------------------------------

grant select, insert (chatroom_id, text) on public.unban_requests to authenticated;
grant select, insert, update, delete on public.unban_requests to service_role;

alter table public.unban_requests enable row level security;

insert into private.error_codes (code, http_status, message) values
  ('not_banned', 409, 'You are not banned in this chatroom.'),
  ('unban_request_pending', 409, 'Your unban request is still waiting for an answer.'),
  ('unban_request_cooldown', 429, 'Your last unban request was denied less than 7 days ago.'),
  ('unban_request_closed', 409, 'This unban request is already resolved.');

-- Policies ----------------------------------------------------------------------------------------

create policy "users and room staff read unban requests" on public.unban_requests
  for select to authenticated
  using (user_id = (select auth.uid())
    or chatroom_id = any ((select private.staffed_chatroom_ids((select auth.uid())))::uuid[]));
create policy "banned users can ask for an unban" on public.unban_requests
  for insert to authenticated
  with check (user_id = (select auth.uid()));

-- Triggers ----------------------------------------------------------------------------------------

-- A request appeals the user's active ban in the room: none (not_banned), one already pending for
-- it (unban_request_pending), or a denial in the last 7 days (unban_request_cooldown, with
-- retry_after_seconds) refuse it. One user's requests in a room are checked one at a time.
create function private.prepare_unban_request()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  ban public.chatroom_bans;
  denied_at timestamptz;
begin
  new.user_id := coalesce(auth.uid(), new.user_id);
  new.status := 'pending';
  new.resolution_text := null;
  new.resolved_by := null;
  new.resolved_at := null;
  new.created_at := now();
  perform pg_advisory_xact_lock(hashtextextended('unban_requests:' || new.chatroom_id::text || ':' || new.user_id::text, 0));
  ban := private.active_chat_ban(new.chatroom_id, new.user_id);
  if ban.id is null then
    perform private.raise_error('not_banned');
  end if;
  new.ban_id := ban.id;
  if exists (select 1 from public.unban_requests r where r.ban_id = ban.id and r.status = 'pending') then
    perform private.raise_error('unban_request_pending');
  end if;
  select max(r.resolved_at) into denied_at from public.unban_requests r
  where r.user_id = new.user_id and r.chatroom_id = new.chatroom_id and r.status = 'denied';
  if denied_at > now() - interval '7 days' then
    perform private.raise_error('unban_request_cooldown', jsonb_build_object('retry_after_seconds',
      greatest(1, ceil(extract(epoch from denied_at + interval '7 days' - now())))::integer));
  end if;
  return new;
end
$$;

revoke execute on function private.prepare_unban_request() from public;

create trigger prepare_unban_request before insert on public.unban_requests
  for each row execute function private.prepare_unban_request();

-- RPC ---------------------------------------------------------------------------------------------

-- Staff of the room (or the service role) approve or deny a pending request; approving deletes the
-- ban in the same transaction (user.unbanned follows from the ban's own trigger).
create function private.resolve_unban_request(request_id bigint, approve boolean, resolution_text text)
returns public.unban_requests language plpgsql volatile security definer set search_path = '' as $$
declare
  actor uuid;
  found public.unban_requests;
begin
  if auth.uid() is null and not private.is_service_role() then
    perform private.raise_error('auth_required');
  end if;
  select * into found from public.unban_requests r where r.id = resolve_unban_request.request_id for update;
  if found.id is null then
    perform private.raise_error('not_found', null, 'This unban request does not exist.');
  end if;
  actor := private.require_resolver(found.chatroom_id);
  if approve is null then
    perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'approve'), 'Approve or deny the request.');
  end if;
  if char_length(resolution_text) > 500 then
    perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'resolution_text'),
      'A resolution text has at most 500 characters.');
  end if;
  if found.status <> 'pending' then
    perform private.raise_error('unban_request_closed');
  end if;
  update public.unban_requests r set status = case when approve then 'approved' else 'denied' end,
    resolution_text = nullif(btrim(resolve_unban_request.resolution_text), ''), resolved_by = actor, resolved_at = now()
  where r.id = found.id
  returning * into found;
  perform private.log_moderation_action(found.chatroom_id, actor, found.user_id, 'unban_request.resolved', null,
    found.resolution_text, jsonb_build_object('request_id', found.id, 'approved', approve, 'ban_id', found.ban_id));
  if approve then
    delete from public.chatroom_bans b where b.id = found.ban_id;
  end if;
  perform realtime.send(jsonb_build_object('id', found.id, 'chatroom_id', found.chatroom_id, 'status', found.status,
    'resolution_text', found.resolution_text, 'resolved_at', found.resolved_at),
    'unban_request.resolved', 'user:' || found.user_id::text, true);
  return found;
end
$$;

revoke execute on function private.resolve_unban_request(bigint, boolean, text) from public;
grant execute on function private.resolve_unban_request(bigint, boolean, text) to anon, authenticated, service_role;

create function public.resolve_unban_request(request_id bigint, approve boolean, resolution_text text default null)
returns public.unban_requests language plpgsql volatile security invoker set search_path = '' as $$
begin
  return private.resolve_unban_request(request_id, approve, resolution_text);
end
$$;

revoke execute on function public.resolve_unban_request(bigint, boolean, text) from public;
grant execute on function public.resolve_unban_request(bigint, boolean, text) to anon, authenticated, service_role;

-- Events ------------------------------------------------------------------------------------------

-- `unban_request.created` on the room's mods topic.
create function private.broadcast_unban_request_created()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.send(to_jsonb(new), 'unban_request.created', 'chatroom:' || new.chatroom_id::text || ':mods', true);
  return null;
end
$$;

revoke execute on function private.broadcast_unban_request_created() from public;

create trigger broadcast_unban_request_created after insert on public.unban_requests
  for each row execute function private.broadcast_unban_request_created();
