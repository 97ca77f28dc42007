-- What the chat rules and a chatter's identity need about a user in a room, kept in one row by
-- triggers on the tables it comes from. Serves API.md `send_message` (one row read per send, not ten tables).

-- One row per (room, user) with any fact: ownership, staff, roles, ban, follow, subscription, gifts,
-- chosen colour and badges. A user with no row in a room has none of them. Times are stored, not
-- judged: whether a ban, a follow's age or a subscription holds is decided when a message is sent.
create table private.chat_sender_facts (
  chatroom_id uuid not null references public.chatrooms (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  is_owner boolean not null default false,
  is_staff boolean not null default false,
  roles text[] not null default '{}',          -- moderator, vip, og, in display order
  banned_until timestamptz,                    -- 'infinity' for a permanent ban; null when none
  followed_at timestamptz,
  subscribed_months integer,
  subscription_ends_at timestamptz,
  gifts integer not null default 0,            -- subscriptions this user gifted in the room's channel
  color text,
  chosen_badges text[],
  primary key (chatroom_id, user_id)
);
create index chat_sender_facts_user_id_idx on private.chat_sender_facts (user_id);
alter table private.chat_sender_facts enable row level security;

-- Recomputes the facts of the given (room, user) pairs from their tables. Each row is locked before
-- its facts are read, so two transactions changing the same pair's facts apply one after the other
-- and the second reads what the first committed (no lost update). Pairs whose room or user is gone
-- (a cascading delete in progress) are skipped, and a pair left with no fact loses its row.
-- Planned once, by index: custom plans took 1.8 ms to plan per call (a follow cost 4x its insert),
-- and a plan made while the table was small would scan it per row in one bulk statement.
create function private.refresh_chat_sender_facts(chatroom_ids uuid[], user_ids uuid[])
returns void language plpgsql volatile security definer
set search_path = '' set plan_cache_mode = force_generic_plan set enable_seqscan = off as $$
begin
  insert into private.chat_sender_facts (chatroom_id, user_id)
  select distinct p.chatroom_id, p.user_id
  from unnest(chatroom_ids, user_ids) p (chatroom_id, user_id)
  where exists (select 1 from public.chatrooms r where r.id = p.chatroom_id)
    and exists (select 1 from public.users u where u.id = p.user_id)
  order by 1, 2
  on conflict do nothing;
  perform 1 from private.chat_sender_facts f
  where (f.chatroom_id, f.user_id) in (select * from unnest(chatroom_ids, user_ids))
  order by f.chatroom_id, f.user_id
  for update;
  update private.chat_sender_facts f set
    (is_owner, is_staff, roles, banned_until, followed_at, subscribed_months, subscription_ends_at, gifts,
     color, chosen_badges) = (
      select c.owner_id = f.user_id,
        exists (select 1 from private.channel_staff st where st.channel_id = c.id and st.user_id = f.user_id),
        array(select cr.role from public.channel_roles cr where cr.channel_id = c.id and cr.user_id = f.user_id
              order by array_position(array['moderator', 'vip', 'og'], cr.role)),
        (select max(coalesce(b.expires_at, 'infinity')) from public.chatroom_bans b
         where b.chatroom_id = r.id and b.user_id = f.user_id),
        (select fo.created_at from public.follows fo where fo.user_id = f.user_id and fo.channel_id = c.id),
        s.cumulative_months, s.current_period_end,
        (select count(*)::integer from public.subscriptions g where g.gifter_id = f.user_id and g.channel_id = c.id),
        i.color, i.badges
      from public.chatrooms r
      join public.channels c on c.id = r.channel_id
      left join public.subscriptions s on s.channel_id = c.id and s.user_id = f.user_id
      left join public.chat_identities i on i.chatroom_id = r.id and i.user_id = f.user_id
      where r.id = f.chatroom_id)
  where (f.chatroom_id, f.user_id) in (select * from unnest(chatroom_ids, user_ids));
  -- A pair left with no fact (an unfollow, a lifted ban) needs no row.
  delete from private.chat_sender_facts f
  where (f.chatroom_id, f.user_id) in (select * from unnest(chatroom_ids, user_ids))
    and not f.is_owner and not f.is_staff and f.roles = '{}' and f.banned_until is null and f.followed_at is null
    and f.subscribed_months is null and f.subscription_ends_at is null and f.gifts = 0 and f.color is null and f.chosen_badges is null;
end
$$;

-- Every (room, user) pair that has a fact, refreshed: fills the table for existing data, and is what
-- a bulk import with triggers off runs afterwards (the chat benchmark does).
create function private.rebuild_chat_sender_facts()
returns void language plpgsql volatile security definer set search_path = '' as $$
declare
  batch record;
begin
  delete from private.chat_sender_facts;
  -- In batches of 10,000 pairs, so a large site's follows are never held in one pair of arrays.
  for batch in
    select array_agg(p.chatroom_id) as chatroom_ids, array_agg(p.user_id) as user_ids
    from (
      select q.chatroom_id, q.user_id, (row_number() over () - 1) / 10000 as n
      from (
        select r.id as chatroom_id, x.user_id
        from (select fo.channel_id, fo.user_id from public.follows fo
              union select s.channel_id, s.user_id from public.subscriptions s
              union select s.channel_id, s.gifter_id from public.subscriptions s where s.gifter_id is not null
              union select cr.channel_id, cr.user_id from public.channel_roles cr
              union select c.id, c.owner_id from public.channels c) x
        join public.chatrooms r on r.channel_id = x.channel_id
        union select b.chatroom_id, b.user_id from public.chatroom_bans b
        union select i.chatroom_id, i.user_id from public.chat_identities i
      ) q
    ) p
    group by p.n
  loop
    perform private.refresh_chat_sender_facts(batch.chatroom_ids, batch.user_ids);
  end loop;
end
$$;

-- A change to follows, subscriptions (the subscriber's and the gifter's facts), channel_roles,
-- chatroom_bans or chat_identities refreshes the pairs of its old and new row.
create function private.chat_sender_facts_changed()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  chatroom_ids uuid[] := '{}';
  user_ids uuid[] := '{}';
  changed jsonb;
  chatroom_id uuid;
begin
  foreach changed in array array_remove(array[
    case when tg_op <> 'INSERT' then to_jsonb(old) end, case when tg_op <> 'DELETE' then to_jsonb(new) end], null)
  loop
    chatroom_id := coalesce((changed ->> 'chatroom_id')::uuid,
      (select r.id from public.chatrooms r where r.channel_id = (changed ->> 'channel_id')::uuid));
    chatroom_ids := chatroom_ids || chatroom_id || chatroom_id;
    user_ids := user_ids || (changed ->> 'user_id')::uuid || (changed ->> 'gifter_id')::uuid;
  end loop;
  perform private.refresh_chat_sender_facts(chatroom_ids, user_ids);
  return null;
end
$$;

-- Updates refresh only when a column the facts come from is set (a follow's notification bell is not one).
create trigger refresh_chat_sender_facts after insert or delete on public.follows
for each row execute function private.chat_sender_facts_changed();
create trigger refresh_chat_sender_facts_on_update after update of user_id, channel_id, created_at on public.follows
for each row execute function private.chat_sender_facts_changed();
create trigger refresh_chat_sender_facts after insert or delete on public.subscriptions
for each row execute function private.chat_sender_facts_changed();
create trigger refresh_chat_sender_facts_on_update
after update of channel_id, user_id, gifter_id, cumulative_months, current_period_end on public.subscriptions
for each row execute function private.chat_sender_facts_changed();
create trigger refresh_chat_sender_facts after insert or delete on public.channel_roles
for each row execute function private.chat_sender_facts_changed();
create trigger refresh_chat_sender_facts_on_update after update of channel_id, user_id, role on public.channel_roles
for each row execute function private.chat_sender_facts_changed();
create trigger refresh_chat_sender_facts after insert or delete on public.chatroom_bans
for each row execute function private.chat_sender_facts_changed();
create trigger refresh_chat_sender_facts_on_update after update of chatroom_id, user_id, expires_at on public.chatroom_bans
for each row execute function private.chat_sender_facts_changed();
create trigger refresh_chat_sender_facts after insert or delete on public.chat_identities
for each row execute function private.chat_sender_facts_changed();
create trigger refresh_chat_sender_facts_on_update after update of chatroom_id, user_id, color, badges on public.chat_identities
for each row execute function private.chat_sender_facts_changed();

-- The owner's facts: when a channel's chatroom is created (a new room holds no other fact, so its
-- owner's row is written directly: every sign-up creates one), and for both owners when it changes hands.
create function private.chat_owner_facts_changed()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  if tg_table_name = 'chatrooms' then
    insert into private.chat_sender_facts (chatroom_id, user_id, is_owner, is_staff)
    select new.id, c.owner_id, true,
      exists (select 1 from private.channel_staff st where st.channel_id = c.id and st.user_id = c.owner_id)
    from public.channels c where c.id = new.channel_id
    on conflict do nothing;
  else
    perform private.refresh_chat_sender_facts(array_fill(r.id, array[2]), array[old.owner_id, new.owner_id])
    from public.chatrooms r where r.channel_id = new.id;
  end if;
  return null;
end
$$;

create trigger refresh_owner_chat_sender_facts after insert on public.chatrooms
for each row execute function private.chat_owner_facts_changed();
create trigger refresh_owner_chat_sender_facts after update of owner_id on public.channels
for each row when (old.owner_id is distinct from new.owner_id) execute function private.chat_owner_facts_changed();

select private.rebuild_chat_sender_facts();

-- The sender's facts in the room, from their row (user_id null when the user does not exist).
create or replace function private.chat_sender(chatroom_id uuid, user_id uuid)
returns private.chat_sender language plpgsql stable security definer
set search_path = '' set plan_cache_mode = force_generic_plan as $$
declare
  result private.chat_sender;
begin
  select u.id, u.username::text, u.display_name, u.created_at,
    case when r.require_verified_email then
      exists (select 1 from private.accounts a where a.user_id = u.id and a.email_verified_at is not null) end,
    coalesce(f.is_owner, false), coalesce(f.roles, '{}'),
    coalesce(f.banned_until > now(), false),
    case when f.banned_until > now() and f.banned_until <> 'infinity' then f.banned_until end,
    case when r.followers_only_minutes is not null then f.followed_at end,
    case when f.subscription_ends_at > now() then f.subscribed_months end,
    case when f.subscription_ends_at > now() then
      (select sb.image_url from public.subscriber_badges sb
       where sb.channel_id = r.channel_id and sb.months <= f.subscribed_months order by sb.months desc limit 1) end,
    coalesce(f.gifts, 0), f.color, f.chosen_badges, coalesce(f.is_staff, false)
  into result
  from public.chatrooms r
  join public.users u on u.id = chat_sender.user_id
  left join private.chat_sender_facts f on f.chatroom_id = r.id and f.user_id = u.id
  where r.id = chat_sender.chatroom_id;
  return result;
end
$$;

revoke execute on function private.refresh_chat_sender_facts(uuid[], uuid[]) from public;
revoke execute on function private.rebuild_chat_sender_facts() from public;
revoke execute on function private.chat_sender_facts_changed() from public;
revoke execute on function private.chat_owner_facts_changed() from public;
