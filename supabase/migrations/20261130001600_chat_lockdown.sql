-- Lockdown (Twitch's Shield Mode): staff switch a room to its stricter preset in one call and back.
-- Serves API.md `chatroom_lockdowns`, RPC `set_chat_lockdown`, `lockdown.started` / `lockdown.ended`.

-- Tables ------------------------------------------------------------------------------------------

-- One row per chatroom: the preset (same ranges as the chatroom settings) and the lockdown state.
create table public.chatroom_lockdowns (
  chatroom_id uuid primary key references public.chatrooms (id) on delete cascade,
  slow_mode_seconds integer not null default 0
    constraint chatroom_lockdowns_slow_mode_range check (slow_mode_seconds = 0 or slow_mode_seconds between 3 and 120),
  followers_only_minutes integer default 10
    constraint chatroom_lockdowns_followers_only_range check (followers_only_minutes between 0 and 129600),
  subscribers_only boolean not null default false,
  emotes_only boolean not null default false,
  min_account_age_minutes integer default 1440
    constraint chatroom_lockdowns_min_account_age_range check (min_account_age_minutes between 0 and 259200),
  require_verified_email boolean not null default true,
  is_active boolean not null default false,
  saved_settings jsonb,
  started_at timestamptz,
  started_by uuid references public.users (id) on delete set null,
  updated_at timestamptz not null default now(),
  constraint chatroom_lockdowns_saved_while_active check (is_active = (saved_settings is not null))
);

comment on table public.chatroom_lockdowns is
  'Each chatroom''s lockdown preset and state, read and edited by its staff. set_chat_lockdown(chatroom_id, true) saves the room''s settings and applies, setting by setting, the stricter of the room''s and the preset''s; false restores what was saved.';
comment on column public.chatroom_lockdowns.chatroom_id is 'The chatroom.';
comment on column public.chatroom_lockdowns.slow_mode_seconds is 'Preset: slow mode (0 = leave as is, else 3-120).';
comment on column public.chatroom_lockdowns.followers_only_minutes is 'Preset: followers-only minutes (null = leave as is; default 10).';
comment on column public.chatroom_lockdowns.subscribers_only is 'Preset: subscribers only.';
comment on column public.chatroom_lockdowns.emotes_only is 'Preset: emotes only.';
comment on column public.chatroom_lockdowns.min_account_age_minutes is 'Preset: minimum account age in minutes (null = leave as is; default 1440, one day).';
comment on column public.chatroom_lockdowns.require_verified_email is 'Preset: require a verified email (default true).';
comment on column public.chatroom_lockdowns.is_active is 'Whether the room is locked down now.';
comment on column public.chatroom_lockdowns.saved_settings is 'The room''s settings before the lockdown, restored when it ends.';
comment on column public.chatroom_lockdowns.started_at is 'When the current (or last) lockdown started.';
comment on column public.chatroom_lockdowns.started_by is 'Who started it.';
comment on column public.chatroom_lockdowns.updated_at is 'Last change.';

create index chatroom_lockdowns_started_by_idx on public.chatroom_lockdowns (started_by);

insert into public.chatroom_lockdowns (chatroom_id) select r.id from public.chatrooms r on conflict do nothing;

-- Grants ------------------------------------------------------------------------------------------

grant select on public.chatroom_lockdowns to authenticated;
grant update (slow_mode_seconds, followers_only_minutes, subscribers_only, emotes_only, min_account_age_minutes,
  require_verified_email) on public.chatroom_lockdowns to authenticated;
grant select, insert, update, delete on public.chatroom_lockdowns to service_role;

alter table public.chatroom_lockdowns enable row level security;

-- Policies ----------------------------------------------------------------------------------------

create policy "staff read their rooms' lockdown" on public.chatroom_lockdowns
  for select to authenticated
  using (chatroom_id = any ((select private.staffed_chatroom_ids((select auth.uid())))::uuid[]));
create policy "staff can edit their room's lockdown preset" on public.chatroom_lockdowns
  for update to authenticated
  using ((select private.is_chatroom_staff(chatroom_id, (select auth.uid()))))
  with check ((select private.is_chatroom_staff(chatroom_id, (select auth.uid()))));

-- Triggers ----------------------------------------------------------------------------------------

-- Every chatroom gets its lockdown row (with the default preset) when it is created.
create function private.create_chatroom_lockdown()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  insert into public.chatroom_lockdowns (chatroom_id) values (new.id) on conflict do nothing;
  return null;
end
$$;

revoke execute on function private.create_chatroom_lockdown() from public;

create trigger create_chatroom_lockdown after insert on public.chatrooms
  for each row execute function private.create_chatroom_lockdown();

create trigger set_chatroom_lockdown_updated_at before update on public.chatroom_lockdowns
  for each row execute function private.set_updated_at();

-- RPC ---------------------------------------------------------------------------------------------

-- Staff switch lockdown on (save the settings, apply the stricter of each setting and the preset) or
-- off (restore the saved settings). Switching to the current state changes and sends nothing.
-- The settings change sends settings.updated and is logged like any other.
create function private.set_chat_lockdown(chatroom_id uuid, enabled boolean)
returns public.chatroom_lockdowns language plpgsql volatile security definer set search_path = '' as $$
declare
  actor uuid;
  room public.chatrooms;
  lockdown public.chatroom_lockdowns;
  saved jsonb;
begin
  actor := private.require_chatroom_staff(chatroom_id);
  if enabled is null then
    perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'enabled'), 'Say true or false.');
  end if;
  select * into room from public.chatrooms r where r.id = set_chat_lockdown.chatroom_id for update;
  insert into public.chatroom_lockdowns (chatroom_id) values (room.id) on conflict do nothing;
  select * into lockdown from public.chatroom_lockdowns l where l.chatroom_id = room.id for update;
  if lockdown.is_active = enabled then
    return lockdown;
  end if;
  if enabled then
    update public.chatrooms r set
      slow_mode_seconds = greatest(room.slow_mode_seconds, lockdown.slow_mode_seconds),
      followers_only_minutes = case when room.followers_only_minutes is null then lockdown.followers_only_minutes
        when lockdown.followers_only_minutes is null then room.followers_only_minutes
        else greatest(room.followers_only_minutes, lockdown.followers_only_minutes) end,
      subscribers_only = room.subscribers_only or lockdown.subscribers_only,
      emotes_only = room.emotes_only or lockdown.emotes_only,
      min_account_age_minutes = case when room.min_account_age_minutes is null then lockdown.min_account_age_minutes
        when lockdown.min_account_age_minutes is null then room.min_account_age_minutes
        else greatest(room.min_account_age_minutes, lockdown.min_account_age_minutes) end,
      require_verified_email = room.require_verified_email or lockdown.require_verified_email
    where r.id = room.id;
    update public.chatroom_lockdowns l set is_active = true, saved_settings = private.chat_settings(room),
      started_at = now(), started_by = actor
    where l.chatroom_id = room.id
    returning * into lockdown;
  else
    saved := lockdown.saved_settings;
    update public.chatrooms r set
      slow_mode_seconds = (saved ->> 'slow_mode_seconds')::integer,
      followers_only_minutes = (saved ->> 'followers_only_minutes')::integer,
      subscribers_only = (saved ->> 'subscribers_only')::boolean,
      emotes_only = (saved ->> 'emotes_only')::boolean,
      min_account_age_minutes = (saved ->> 'min_account_age_minutes')::integer,
      require_verified_email = (saved ->> 'require_verified_email')::boolean
    where r.id = room.id;
    update public.chatroom_lockdowns l set is_active = false, saved_settings = null
    where l.chatroom_id = room.id
    returning * into lockdown;
  end if;
  perform private.log_moderation_action(room.id, actor, null,
    case when enabled then 'lockdown.started' else 'lockdown.ended' end, null, null,
    case when enabled then jsonb_build_object('saved_settings', lockdown.saved_settings) else saved end);
  perform realtime.send(jsonb_build_object('chatroom_id', room.id, 'at', now()),
    case when enabled then 'lockdown.started' else 'lockdown.ended' end, 'chatroom:' || room.id::text, true);
  return lockdown;
end
$$;

revoke execute on function private.set_chat_lockdown(uuid, boolean) from public;
grant execute on function private.set_chat_lockdown(uuid, boolean) to anon, authenticated, service_role;

create function public.set_chat_lockdown(chatroom_id uuid, enabled boolean)
returns public.chatroom_lockdowns language plpgsql volatile security invoker set search_path = '' as $$
begin
  return private.set_chat_lockdown(chatroom_id, enabled);
end
$$;

revoke execute on function public.set_chat_lockdown(uuid, boolean) from public;
grant execute on function public.set_chat_lockdown(uuid, boolean) to anon, authenticated, service_role;
