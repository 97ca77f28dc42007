-- Community core: categories, channels, channel roles, follows, subscriptions and livestreams, with
-- the role helpers every later policy uses. Serves API.md tables of the same names.

create table public.categories (
  id uuid primary key default gen_random_uuid(),
  igdb_id bigint not null unique,
  name text not null constraint categories_name_length check (char_length(name) between 1 and 255),
  slug extensions.citext not null unique
    constraint categories_slug_format check (slug operator(extensions.~) '^[a-z0-9]+(-[a-z0-9]+)*$'),
  summary text,
  cover_url text constraint categories_cover_url_https check (cover_url ~ '^https://'),
  genres text[] not null default '{}',
  first_release_date date,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.channels (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null unique references public.users (id) on delete cascade,
  slug extensions.citext not null unique
    constraint channels_slug_format check (slug operator(extensions.~) '^[A-Za-z0-9_]{3,25}$'),
  title text not null default '' constraint channels_title_length check (char_length(title) <= 140),
  description text not null default '' constraint channels_description_length check (char_length(description) <= 1000),
  category_id uuid references public.categories (id) on delete set null,
  language text not null default 'en' constraint channels_language_format check (language ~ '^[a-z]{2}$'),
  is_mature boolean not null default false,
  is_live boolean not null default false,
  followers_count integer not null default 0 constraint channels_followers_count_positive check (followers_count >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.channel_roles (
  channel_id uuid not null references public.channels (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  role text not null constraint channel_roles_role_known check (role in ('moderator', 'vip', 'og')),
  granted_by uuid references public.users (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (channel_id, user_id, role)
);

create table public.follows (
  user_id uuid not null references public.users (id) on delete cascade,
  channel_id uuid not null references public.channels (id) on delete cascade,
  notifications boolean not null default true,
  created_at timestamptz not null default now(),
  primary key (user_id, channel_id)
);

create table public.subscriptions (
  id uuid primary key default gen_random_uuid(),
  channel_id uuid not null references public.channels (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  tier smallint not null default 1 constraint subscriptions_tier_range check (tier between 1 and 3),
  cumulative_months integer not null default 1 constraint subscriptions_months_positive check (cumulative_months >= 1),
  started_at timestamptz not null default now(),
  current_period_end timestamptz not null,
  is_gift boolean not null default false,
  gifter_id uuid references public.users (id) on delete set null,
  constraint subscriptions_one_per_channel unique (channel_id, user_id),
  constraint subscriptions_gift_has_gifter check (not is_gift or gifter_id is not null),
  constraint subscriptions_period_after_start check (current_period_end > started_at)
);

create table public.livestreams (
  id uuid primary key default gen_random_uuid(),
  channel_id uuid not null references public.channels (id) on delete cascade,
  livepeer_stream_id text,
  playback_id text,
  title text not null default '' constraint livestreams_title_length check (char_length(title) <= 140),
  category_id uuid references public.categories (id) on delete set null,
  started_at timestamptz not null default now(),
  ended_at timestamptz,
  viewer_count integer not null default 0 constraint livestreams_viewer_count_positive check (viewer_count >= 0),
  constraint livestreams_ends_after_start check (ended_at is null or ended_at >= started_at)
);

-- Indexes: every foreign key, every policy column, every documented query.
create index channels_category_id_idx on public.channels (category_id);
create index channel_roles_user_id_idx on public.channel_roles (user_id);
create index channel_roles_granted_by_idx on public.channel_roles (granted_by);
create index follows_channel_id_created_at_idx on public.follows (channel_id, created_at desc);
create index subscriptions_user_id_idx on public.subscriptions (user_id);
create index subscriptions_gifter_id_idx on public.subscriptions (gifter_id);
create index livestreams_channel_id_started_at_idx on public.livestreams (channel_id, started_at desc);
create index livestreams_category_id_idx on public.livestreams (category_id);
create unique index livestreams_one_live_per_channel on public.livestreams (channel_id) where ended_at is null;

-- Grants: exactly what each role needs (new projects grant nothing by default).
grant select on public.categories to anon, authenticated;
grant select, insert, update, delete on public.categories to service_role;

grant select on public.channels to anon, authenticated;
grant update (title, description, category_id, language, is_mature) on public.channels to authenticated;
grant select, insert, update, delete on public.channels to service_role;

grant select on public.channel_roles to anon, authenticated;
grant insert (channel_id, user_id, role), delete on public.channel_roles to authenticated;
grant select, insert, update, delete on public.channel_roles to service_role;

grant select, delete on public.follows to authenticated;
grant insert (user_id, channel_id, notifications), update (notifications) on public.follows to authenticated;
grant select, insert, update, delete on public.follows to service_role;

grant select on public.subscriptions to authenticated;
grant select, insert, update, delete on public.subscriptions to service_role;

grant select on public.livestreams to anon, authenticated;
grant select, insert, update, delete on public.livestreams to service_role;

alter table public.categories enable row level security;
alter table public.channels enable row level security;
alter table public.channel_roles enable row level security;
alter table public.follows enable row level security;
alter table public.subscriptions enable row level security;
alter table public.livestreams enable row level security;

-- Role helpers for policies and RPCs. PL/pgSQL (plans cached per session), security definer so a
-- policy can look at tables the caller cannot read, search_path '' with qualified names.
create function private.is_channel_owner(channel_id uuid, user_id uuid)
returns boolean language plpgsql stable security definer set search_path = '' as $$
begin
  return exists (select 1 from public.channels c where c.id = channel_id and c.owner_id = user_id);
end
$$;

-- The channel a user owns (every user owns exactly one). Policies call it once per statement:
-- `channel_id = (select private.owned_channel_id((select auth.uid())))`.
create function private.owned_channel_id(user_id uuid)
returns uuid language plpgsql stable security definer set search_path = '' as $$
begin
  return (select c.id from public.channels c where c.owner_id = owned_channel_id.user_id);
end
$$;

create function private.has_channel_role(channel_id uuid, user_id uuid, role text)
returns boolean language plpgsql stable security definer set search_path = '' as $$
begin
  return exists (
    select 1 from public.channel_roles r
    where r.channel_id = has_channel_role.channel_id and r.user_id = has_channel_role.user_id
      and r.role = has_channel_role.role);
end
$$;

-- Staff = the owner or a moderator of the channel.
create function private.is_channel_staff(channel_id uuid, user_id uuid)
returns boolean language plpgsql stable security definer set search_path = '' as $$
begin
  return private.is_channel_owner(channel_id, user_id)
      or private.has_channel_role(channel_id, user_id, 'moderator');
end
$$;

create function private.is_subscriber(channel_id uuid, user_id uuid)
returns boolean language plpgsql stable security definer set search_path = '' as $$
begin
  return exists (
    select 1 from public.subscriptions s
    where s.channel_id = is_subscriber.channel_id and s.user_id = is_subscriber.user_id
      and s.current_period_end > now());
end
$$;

revoke execute on function private.is_channel_owner(uuid, uuid) from public;
revoke execute on function private.owned_channel_id(uuid) from public;
revoke execute on function private.has_channel_role(uuid, uuid, text) from public;
revoke execute on function private.is_channel_staff(uuid, uuid) from public;
revoke execute on function private.is_subscriber(uuid, uuid) from public;
grant execute on function private.is_channel_owner(uuid, uuid) to anon, authenticated, service_role;
grant execute on function private.owned_channel_id(uuid) to anon, authenticated, service_role;
grant execute on function private.has_channel_role(uuid, uuid, text) to anon, authenticated, service_role;
grant execute on function private.is_channel_staff(uuid, uuid) to anon, authenticated, service_role;
grant execute on function private.is_subscriber(uuid, uuid) to anon, authenticated, service_role;

-- Policies.
create policy "anyone can read categories" on public.categories
  for select to anon, authenticated using (true);

create policy "anyone can read channels" on public.channels
  for select to anon, authenticated using (true);
create policy "owners can update their channel" on public.channels
  for update to authenticated
  using (owner_id = (select auth.uid()))
  with check (owner_id = (select auth.uid()));

create policy "anyone can read channel roles" on public.channel_roles
  for select to anon, authenticated using (true);
create policy "owners can grant roles to others" on public.channel_roles
  for insert to authenticated
  with check (
    user_id <> (select auth.uid())
    and (select private.is_channel_owner(channel_id, (select auth.uid())))
  );
create policy "owners can revoke roles" on public.channel_roles
  for delete to authenticated
  using ((select private.is_channel_owner(channel_id, (select auth.uid()))));

create policy "users read their follows and owners their followers" on public.follows
  for select to authenticated
  using (user_id = (select auth.uid()) or channel_id = (select private.owned_channel_id((select auth.uid()))));
create policy "users can follow channels they do not own" on public.follows
  for insert to authenticated
  with check (user_id = (select auth.uid())
    and channel_id is distinct from (select private.owned_channel_id((select auth.uid()))));
create policy "users can change their follow notifications" on public.follows
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "users can unfollow" on public.follows
  for delete to authenticated using (user_id = (select auth.uid()));

create policy "subscribers and channel owners read subscriptions" on public.subscriptions
  for select to authenticated
  using (user_id = (select auth.uid()) or channel_id = (select private.owned_channel_id((select auth.uid()))));

create policy "anyone can read livestreams" on public.livestreams
  for select to anon, authenticated using (true);

-- Moderator and VIP are exclusive (Twitch's rule): granting one while the other is held fails.
create function private.check_exclusive_channel_roles()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  -- Serialize grants for one user in one channel so two racing grants cannot both pass the check.
  perform pg_advisory_xact_lock(hashtextextended(new.channel_id::text || new.user_id::text, 0));
  if new.role in ('moderator', 'vip') and exists (
    select 1 from public.channel_roles r
    where r.channel_id = new.channel_id and r.user_id = new.user_id
      and r.role = case new.role when 'moderator' then 'vip' else 'moderator' end
      -- on update, the row being changed is not a conflict with itself
      and (tg_op = 'INSERT' or (r.channel_id, r.user_id, r.role) <> (old.channel_id, old.user_id, old.role))
  ) then
    raise exception 'a user cannot be both moderator and vip of a channel'
      using errcode = '23514', constraint = 'channel_roles_moderator_vip_exclusive';
  end if;
  if new.user_id = (select c.owner_id from public.channels c where c.id = new.channel_id) then
    raise exception 'the owner cannot hold a role in their own channel'
      using errcode = '23514', constraint = 'channel_roles_not_owner';
  end if;
  new.granted_by := coalesce(new.granted_by, auth.uid());
  return new;
end
$$;

create trigger check_exclusive_roles before insert or update on public.channel_roles
  for each row execute function private.check_exclusive_channel_roles();

-- Every user owns exactly one channel, created with them; its slug is their username.
create function private.create_channel_for_user()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  insert into public.channels (owner_id, slug) values (new.id, new.username::text);
  return new;
end
$$;

create trigger create_channel after insert on public.users
  for each row execute function private.create_channel_for_user();
