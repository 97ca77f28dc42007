-- Chatrooms and what staff configure in them: settings (chat modes), rules, blocked terms, emotes and
-- each chatter's identity (color, chosen badges). Serves API.md tables `chatrooms`, `chatroom_rules`,
-- `chatroom_blocked_terms`, `emotes`, `chat_identities` and the `settings.updated` event.

-- Tables ------------------------------------------------------------------------------------------

create table public.chatrooms (
  id uuid primary key default gen_random_uuid(),
  channel_id uuid not null unique references public.channels (id) on delete cascade,
  -- Settings (Twitch's ranges): 0 = slow mode off.
  slow_mode_seconds integer not null default 0
    constraint chatrooms_slow_mode_range check (slow_mode_seconds = 0 or slow_mode_seconds between 3 and 120),
  -- null = followers-only off; 0 = any follower.
  followers_only_minutes integer
    constraint chatrooms_followers_only_range check (followers_only_minutes between 0 and 129600),
  subscribers_only boolean not null default false,
  emotes_only boolean not null default false,
  -- null = no account age requirement.
  min_account_age_minutes integer
    constraint chatrooms_min_account_age_range check (min_account_age_minutes between 0 and 259200),
  require_verified_email boolean not null default false,
  -- The pinned message (foreign key added with `messages`); null pinned_until = until unpinned.
  pinned_message_id bigint,
  pinned_until timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint chatrooms_pin_needs_message check (pinned_message_id is not null or pinned_until is null)
);

create table public.chatroom_rules (
  id uuid primary key default gen_random_uuid(),
  chatroom_id uuid not null references public.chatrooms (id) on delete cascade,
  position integer not null default 0 constraint chatroom_rules_position_positive check (position >= 0),
  body text not null constraint chatroom_rules_body_length check (char_length(body) between 1 and 500),
  created_at timestamptz not null default now()
);

-- A blocked term compiles to one case-insensitive regular expression (`pattern`): its words must
-- appear as whole words, in order, separated by whitespace; `*` at a word's start or end stands for
-- any run of word characters (so `spoil*` blocks "spoiler" and "spoil", `*bait` blocks "ragebait").
create function private.blocked_term_pattern(term text)
returns text language plpgsql immutable strict set search_path = '' as $$
declare
  word text;
  literal text;
  parts text[] := '{}';
begin
  foreach word in array regexp_split_to_array(btrim(term), '\s+') loop
    literal := regexp_replace(btrim(word, '*'), '([^[:alnum:]_])', '\\\1', 'g');
    parts := parts || (
      case when left(word, 1) = '*' then '\w*' else '' end || literal ||
      case when right(word, 1) = '*' then '\w*' else '' end);
  end loop;
  return '(?<!\w)' || array_to_string(parts, '\s+') || '(?!\w)';
end
$$;

create table public.chatroom_blocked_terms (
  id uuid primary key default gen_random_uuid(),
  chatroom_id uuid not null references public.chatrooms (id) on delete cascade,
  term text not null
    constraint chatroom_blocked_terms_term_length check (char_length(term) between 2 and 500)
    -- words separated by single spaces; `*` only as a word's first or last character
    constraint chatroom_blocked_terms_term_format check (term ~ '^\*?[^\s*]+\*?( \*?[^\s*]+\*?)*$'),
  pattern text not null generated always as (private.blocked_term_pattern(term)) stored,
  created_by uuid default auth.uid() references public.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz
);

create table public.emotes (
  id uuid primary key default gen_random_uuid(),
  channel_id uuid references public.channels (id) on delete cascade,  -- null = global
  code text not null constraint emotes_code_format check (code ~ '^[A-Za-z0-9_]{2,25}$'),
  image_url text not null constraint emotes_image_url_https
    check (image_url ~ '^https://[^\s]+$' and char_length(image_url) <= 2048),
  subscribers_only boolean not null default false,
  created_at timestamptz not null default now(),
  constraint emotes_code_unique_per_channel unique nulls not distinct (channel_id, code),
  constraint emotes_global_not_subscribers_only check (channel_id is not null or not subscribers_only)
);

create table public.chat_identities (
  chatroom_id uuid not null references public.chatrooms (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  color text constraint chat_identities_color_format check (color ~ '^#[0-9A-Fa-f]{6}$'),
  -- null = show every badge held; otherwise the badge types to show, in order.
  badges text[],
  updated_at timestamptz not null default now(),
  primary key (chatroom_id, user_id)
);

-- Indexes: every foreign key and policy column (chatrooms.channel_id and emotes' (channel_id, code)
-- are covered by their unique constraints; chat_identities.chatroom_id by its primary key).
create index chatroom_rules_chatroom_id_position_idx on public.chatroom_rules (chatroom_id, position);
create index chatroom_blocked_terms_chatroom_id_idx on public.chatroom_blocked_terms (chatroom_id);
create index chatroom_blocked_terms_created_by_idx on public.chatroom_blocked_terms (created_by);
create index chat_identities_user_id_idx on public.chat_identities (user_id);

-- Grants ------------------------------------------------------------------------------------------

grant select on public.chatrooms to anon, authenticated;
grant update (slow_mode_seconds, followers_only_minutes, subscribers_only, emotes_only,
  min_account_age_minutes, require_verified_email) on public.chatrooms to authenticated;
grant select, insert, update, delete on public.chatrooms to service_role;

grant select on public.chatroom_rules to anon, authenticated;
grant insert (chatroom_id, position, body), delete on public.chatroom_rules to authenticated;
grant select, insert, update, delete on public.chatroom_rules to service_role;

grant select, insert (chatroom_id, term, expires_at), delete on public.chatroom_blocked_terms to authenticated;
grant select, insert (chatroom_id, term, created_by, expires_at), update, delete on public.chatroom_blocked_terms to service_role;

grant select on public.emotes to anon, authenticated;
grant insert (channel_id, code, image_url, subscribers_only), delete on public.emotes to authenticated;
grant select, insert, update, delete on public.emotes to service_role;

grant select on public.chat_identities to anon, authenticated;
grant insert (chatroom_id, user_id, color, badges), update (color, badges) on public.chat_identities to authenticated;
grant select, insert, update, delete on public.chat_identities to service_role;

alter table public.chatrooms enable row level security;
alter table public.chatroom_rules enable row level security;
alter table public.chatroom_blocked_terms enable row level security;
alter table public.emotes enable row level security;
alter table public.chat_identities enable row level security;

-- Helpers (policies and RPCs) ---------------------------------------------------------------------

-- Staff of the channel a chatroom belongs to: its owner or one of its moderators.
create function private.is_chatroom_staff(chatroom_id uuid, user_id uuid)
returns boolean language plpgsql stable security definer set search_path = '' as $$
begin
  if user_id is null then
    return false;
  end if;
  return exists (
    select 1 from public.chatrooms r join public.channels c on c.id = r.channel_id
    where r.id = is_chatroom_staff.chatroom_id and c.owner_id = is_chatroom_staff.user_id
  ) or exists (
    select 1 from public.chatrooms r
    join public.channel_roles cr on cr.channel_id = r.channel_id
    where r.id = is_chatroom_staff.chatroom_id and cr.user_id = is_chatroom_staff.user_id
      and cr.role = 'moderator');
end
$$;

-- Every chatroom a user is staff of, for read policies: compared with `= any` against one array
-- computed once per statement instead of a staff check per row.
create function private.staffed_chatroom_ids(user_id uuid)
returns uuid[] language plpgsql stable security definer set search_path = '' as $$
begin
  return array(
    select r.id from public.chatrooms r join public.channels c on c.id = r.channel_id
    where c.owner_id = staffed_chatroom_ids.user_id
    union
    select r.id from public.chatrooms r join public.channel_roles cr on cr.channel_id = r.channel_id
    where cr.user_id = staffed_chatroom_ids.user_id and cr.role = 'moderator');
end
$$;

-- The badges a user holds in a chatroom, in display order, as
-- [{type, text, count?, image_url?}]: broadcaster, moderator, vip, og, subscriber (count = months,
-- image_url = the channel's badge for the longest tenure reached), sub_gifter (count = gifts).
create function private.held_chat_badges(chatroom_id uuid, user_id uuid)
returns jsonb language plpgsql stable security definer set search_path = '' as $$
declare
  room_channel uuid;
  room_owner uuid;
  result jsonb := '[]';
  sub_months integer;
  gifts integer;
  badge_image text;
begin
  select r.channel_id, c.owner_id into room_channel, room_owner
  from public.chatrooms r join public.channels c on c.id = r.channel_id
  where r.id = held_chat_badges.chatroom_id;
  if room_channel is null or user_id is null then
    return result;
  end if;
  if room_owner = user_id then
    result := result || jsonb_build_object('type', 'broadcaster', 'text', 'Broadcaster');
  end if;
  result := result || coalesce((
    select jsonb_agg(jsonb_build_object('type', cr.role, 'text',
             case cr.role when 'moderator' then 'Moderator' when 'vip' then 'VIP' else 'OG' end)
           order by array_position(array['moderator', 'vip', 'og'], cr.role))
    from public.channel_roles cr
    where cr.channel_id = room_channel and cr.user_id = held_chat_badges.user_id), '[]');
  select s.cumulative_months into sub_months from public.subscriptions s
  where s.channel_id = room_channel and s.user_id = held_chat_badges.user_id and s.current_period_end > now();
  if sub_months is not null then
    select b.image_url into badge_image from public.subscriber_badges b
    where b.channel_id = room_channel and b.months <= sub_months
    order by b.months desc limit 1;
    result := result || jsonb_strip_nulls(jsonb_build_object('type', 'subscriber', 'text', 'Subscriber',
      'count', sub_months, 'image_url', badge_image));
  end if;
  select count(*) into gifts from public.subscriptions s
  where s.channel_id = room_channel and s.gifter_id = held_chat_badges.user_id;
  if gifts > 0 then
    result := result || jsonb_build_object('type', 'sub_gifter', 'text', 'Sub Gifter', 'count', gifts);
  end if;
  return result;
end
$$;

-- What a chatter shows in a room: the held badges, filtered and ordered by their chosen list.
create function private.chat_identity(chatroom_id uuid, user_id uuid)
returns jsonb language plpgsql stable security definer set search_path = '' as $$
declare
  person public.users;
  chosen public.chat_identities;
  held jsonb;
  shown jsonb;
begin
  select * into person from public.users u where u.id = chat_identity.user_id;
  if person.id is null then
    return null;
  end if;
  select * into chosen from public.chat_identities i
  where i.chatroom_id = chat_identity.chatroom_id and i.user_id = chat_identity.user_id;
  held := private.held_chat_badges(chatroom_id, user_id);
  if chosen.badges is null then
    shown := held;
  else
    select coalesce(jsonb_agg(b.badge order by array_position(chosen.badges, b.badge ->> 'type')), '[]')
    into shown
    from jsonb_array_elements(held) b (badge)
    where (b.badge ->> 'type') = any (chosen.badges);
  end if;
  return jsonb_build_object('user_id', person.id, 'username', person.username::text,
    'display_name', person.display_name, 'color', chosen.color, 'badges', shown);
end
$$;

revoke execute on function private.blocked_term_pattern(text) from public;
revoke execute on function private.is_chatroom_staff(uuid, uuid) from public;
revoke execute on function private.held_chat_badges(uuid, uuid) from public;
revoke execute on function private.chat_identity(uuid, uuid) from public;
grant execute on function private.blocked_term_pattern(text) to anon, authenticated, service_role;
grant execute on function private.is_chatroom_staff(uuid, uuid) to anon, authenticated, service_role;
revoke execute on function private.staffed_chatroom_ids(uuid) from public;
grant execute on function private.staffed_chatroom_ids(uuid) to authenticated, service_role;
grant execute on function private.chat_identity(uuid, uuid) to anon, authenticated, service_role;

-- Policies ----------------------------------------------------------------------------------------

create policy "anyone can read chatrooms" on public.chatrooms
  for select to anon, authenticated using (true);
create policy "staff can update chatroom settings" on public.chatrooms
  for update to authenticated
  using ((select private.is_chatroom_staff(id, (select auth.uid()))))
  with check ((select private.is_chatroom_staff(id, (select auth.uid()))));

create policy "anyone can read chatroom rules" on public.chatroom_rules
  for select to anon, authenticated using (true);
create policy "staff can add chatroom rules" on public.chatroom_rules
  for insert to authenticated
  with check ((select private.is_chatroom_staff(chatroom_id, (select auth.uid()))));
create policy "staff can remove chatroom rules" on public.chatroom_rules
  for delete to authenticated
  using ((select private.is_chatroom_staff(chatroom_id, (select auth.uid()))));

create policy "staff can read blocked terms" on public.chatroom_blocked_terms
  for select to authenticated
  using (chatroom_id = any ((select private.staffed_chatroom_ids((select auth.uid())))::uuid[]));
create policy "staff can add blocked terms" on public.chatroom_blocked_terms
  for insert to authenticated
  with check ((select private.is_chatroom_staff(chatroom_id, (select auth.uid())))
    and created_by = (select auth.uid()));
create policy "staff can remove blocked terms" on public.chatroom_blocked_terms
  for delete to authenticated
  using ((select private.is_chatroom_staff(chatroom_id, (select auth.uid()))));

create policy "anyone can read emotes" on public.emotes
  for select to anon, authenticated using (true);
create policy "owners can add emotes to their channel" on public.emotes
  for insert to authenticated
  with check (channel_id = (select private.owned_channel_id((select auth.uid()))));
create policy "owners can remove their channel's emotes" on public.emotes
  for delete to authenticated
  using (channel_id = (select private.owned_channel_id((select auth.uid()))));

create policy "anyone can read chat identities" on public.chat_identities
  for select to anon, authenticated using (true);
create policy "users can create their own chat identity" on public.chat_identities
  for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy "users can update their own chat identity" on public.chat_identities
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- Triggers ----------------------------------------------------------------------------------------

-- Every channel has exactly one chatroom, created with it.
create function private.create_chatroom_for_channel()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  insert into public.chatrooms (channel_id) values (new.id) on conflict (channel_id) do nothing;
  return null;
end
$$;

revoke execute on function private.create_chatroom_for_channel() from public;

create trigger create_chatroom after insert on public.channels
  for each row execute function private.create_chatroom_for_channel();

insert into public.chatrooms (channel_id) select c.id from public.channels c on conflict (channel_id) do nothing;

create trigger limit_chatroom_rules after insert on public.chatroom_rules
  for each row execute function private.enforce_row_limit('chatroom_id', '20', 'chatroom_rules_at_most_20');

create trigger set_chatroom_updated_at before update on public.chatrooms
  for each row execute function private.set_updated_at();

-- Badges can only be chosen among those held (checked when the choice is made; badges lost later
-- simply stop showing).
create function private.check_chosen_badges()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  if new.badges is not null and exists (
    select 1 from unnest(new.badges) b (badge_type)
    where b.badge_type is null or not (
      jsonb_path_query_array(private.held_chat_badges(new.chatroom_id, new.user_id), '$[*].type')
        ? b.badge_type)
  ) then
    raise exception 'a chat identity can only show badges its user holds'
      using errcode = '23514', constraint = 'chat_identities_badges_held', table = 'chat_identities', schema = 'public';
  end if;
  new.updated_at := now();
  return new;
end
$$;

revoke execute on function private.check_chosen_badges() from public;

create trigger check_chosen_badges before insert or update on public.chat_identities
  for each row execute function private.check_chosen_badges();

-- Events ------------------------------------------------------------------------------------------

-- `settings.updated` on `chatroom:<id>` with the settings, when any of them changes.
create function private.broadcast_chatroom_settings()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.send(jsonb_build_object(
    'chatroom_id', new.id,
    'slow_mode_seconds', new.slow_mode_seconds,
    'followers_only_minutes', new.followers_only_minutes,
    'subscribers_only', new.subscribers_only,
    'emotes_only', new.emotes_only,
    'min_account_age_minutes', new.min_account_age_minutes,
    'require_verified_email', new.require_verified_email), 'settings.updated', 'chatroom:' || new.id::text, true);
  return null;
end
$$;

revoke execute on function private.broadcast_chatroom_settings() from public;

create trigger broadcast_chatroom_settings after update on public.chatrooms
  for each row when (
    (old.slow_mode_seconds, old.followers_only_minutes, old.subscribers_only, old.emotes_only,
     old.min_account_age_minutes, old.require_verified_email)
    is distinct from
    (new.slow_mode_seconds, new.followers_only_minutes, new.subscribers_only, new.emotes_only,
     new.min_account_age_minutes, new.require_verified_email))
  execute function private.broadcast_chatroom_settings();
