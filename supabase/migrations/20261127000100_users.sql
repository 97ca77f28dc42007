-- Users: public profiles, the account's private email record, and notification preferences, all
-- created by one provisioning function. Serves API.md tables `users` and `notification_preferences`.

create table public.users (
  id uuid primary key,  -- the Ory identity id
  username extensions.citext not null unique
    constraint users_username_format check (username operator(extensions.~) '^[A-Za-z0-9_]{3,25}$'),
  display_name text constraint users_display_name_length check (char_length(display_name) between 1 and 50),
  avatar_url text constraint users_avatar_url_https check (avatar_url ~ '^https://[^\s]+$' and char_length(avatar_url) <= 2048),
  bio text constraint users_bio_length check (char_length(bio) <= 300),
  created_at timestamptz not null default now()
);

-- Never exposed: chat account requirements read the verification state from here.
create table private.accounts (
  user_id uuid primary key references public.users (id) on delete cascade,
  email extensions.citext,
  email_verified_at timestamptz,
  updated_at timestamptz not null default now()
);

create table public.notification_preferences (
  user_id uuid primary key references public.users (id) on delete cascade,
  email_enabled boolean not null default true,
  push_enabled boolean not null default true,
  on_followed_live boolean not null default true,
  on_new_follower boolean not null default true,
  on_subscription boolean not null default true
);

grant select on public.users to anon, authenticated;
grant update (display_name, avatar_url, bio) on public.users to authenticated;
grant select, insert, update, delete on public.users to service_role;
grant select, update (email_enabled, push_enabled, on_followed_live, on_new_follower, on_subscription)
  on public.notification_preferences to authenticated;
grant select, insert, update, delete on public.notification_preferences to service_role;

alter table public.users enable row level security;
alter table public.notification_preferences enable row level security;
alter table private.accounts enable row level security;

create policy "anyone can read profiles" on public.users
  for select to anon, authenticated using (true);
create policy "users can update their own profile" on public.users
  for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

create policy "users can read their own preferences" on public.notification_preferences
  for select to authenticated using (user_id = (select auth.uid()));
create policy "users can update their own preferences" on public.notification_preferences
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- The one way a user comes to exist (ory-hooks and session call it): creates or refreshes the
-- profile, the private account record and everything a new user owns. Idempotent.
create function private.provision_user(
  user_id uuid,
  username text,
  email text default null,
  email_verified boolean default false
) returns public.users
language plpgsql
security definer
set search_path = ''
as $$
declare
  result public.users;
begin
  if user_id is null or user_id = '00000000-0000-0000-0000-000000000000' then
    raise exception 'a real identity id is required' using errcode = '22023';
  end if;
  insert into public.users as u (id, username)
  values (user_id, username)
  on conflict (id) do update set username = excluded.username
    where u.username is distinct from excluded.username
  returning * into result;
  if result.id is null then
    select * into result from public.users u where u.id = user_id;
  end if;

  insert into private.accounts as a (user_id, email, email_verified_at)
  values (user_id, email, case when email_verified then now() end)
  on conflict on constraint accounts_pkey do update set
    email = excluded.email,
    email_verified_at = case
      when not email_verified then null
      when a.email is not distinct from excluded.email then coalesce(a.email_verified_at, now())
      else now() end,
    updated_at = now()
  where a.email is distinct from excluded.email
     or (a.email_verified_at is not null) is distinct from email_verified;

  insert into public.notification_preferences (user_id) values (user_id)
  on conflict do nothing;
  return result;
end
$$;

revoke execute on function private.provision_user(uuid, text, text, boolean) from public;
grant execute on function private.provision_user(uuid, text, text, boolean) to service_role;
