-- Everything the chat rules and a chatter's identity need about one user in one room, read in one
-- query; the badges and the identity are built from it. Serves API.md `send_message` (one read per
-- send) and `chat_identity` (same answer as before).

create type private.chat_sender as (
  user_id uuid,
  username text,
  display_name text,
  account_created_at timestamptz,
  email_verified boolean,
  is_owner boolean,
  roles text[],                 -- moderator, vip, og held in the room's channel
  banned boolean,
  ban_expires_at timestamptz,   -- null with banned = permanent
  followed_at timestamptz,
  subscribed_months integer,    -- null: no active subscription
  subscriber_badge_url text,
  gifts integer,
  color text,
  chosen_badges text[]
);

-- The sender's facts in the room (user_id null when the user does not exist).
-- Planned once (plan_cache_mode): PL/pgSQL otherwise keeps re-planning this query on every call,
-- since its custom plans look cheaper than the generic one, and planning costs more than running it.
create function private.chat_sender(chatroom_id uuid, user_id uuid)
returns private.chat_sender language plpgsql stable security definer
set search_path = '' set plan_cache_mode = force_generic_plan as $$
declare
  result private.chat_sender;
begin
  select u.id, u.username::text, u.display_name, u.created_at,
    exists (select 1 from private.accounts a where a.user_id = u.id and a.email_verified_at is not null),
    c.owner_id = u.id,
    array(select cr.role from public.channel_roles cr where cr.channel_id = c.id and cr.user_id = u.id
          order by array_position(array['moderator', 'vip', 'og'], cr.role)),
    b.id is not null, b.expires_at,
    (select f.created_at from public.follows f where f.user_id = u.id and f.channel_id = c.id),
    s.cumulative_months,
    (select sb.image_url from public.subscriber_badges sb
     where sb.channel_id = c.id and sb.months <= s.cumulative_months order by sb.months desc limit 1),
    (select count(*)::integer from public.subscriptions g where g.gifter_id = u.id and g.channel_id = c.id),
    i.color, i.badges
  into result
  from public.chatrooms r
  join public.channels c on c.id = r.channel_id
  join public.users u on u.id = chat_sender.user_id
  left join public.chatroom_bans b on b.chatroom_id = r.id and b.user_id = u.id
    and (b.expires_at is null or b.expires_at > now())
  left join public.subscriptions s on s.channel_id = c.id and s.user_id = u.id and s.current_period_end > now()
  left join public.chat_identities i on i.chatroom_id = r.id and i.user_id = u.id
  where r.id = chat_sender.chatroom_id;
  return result;
end
$$;

-- The badges a sender holds, in display order:
-- [{type: broadcaster|moderator|vip|og|subscriber|sub_gifter, text, count?, image_url?}].
create function private.chat_badges(sender private.chat_sender)
returns jsonb language plpgsql immutable set search_path = '' as $$
declare
  result jsonb := '[]';
  held_role text;
begin
  if sender.is_owner then
    result := result || jsonb_build_object('type', 'broadcaster', 'text', 'Broadcaster');
  end if;
  foreach held_role in array coalesce(sender.roles, '{}') loop
    result := result || jsonb_build_object('type', held_role, 'text',
      case held_role when 'moderator' then 'Moderator' when 'vip' then 'VIP' else 'OG' end);
  end loop;
  if sender.subscribed_months is not null then
    result := result || jsonb_strip_nulls(jsonb_build_object('type', 'subscriber', 'text', 'Subscriber',
      'count', sender.subscribed_months, 'image_url', sender.subscriber_badge_url));
  end if;
  if sender.gifts > 0 then
    result := result || jsonb_build_object('type', 'sub_gifter', 'text', 'Sub Gifter', 'count', sender.gifts);
  end if;
  return result;
end
$$;

-- What a chatter shows: {user_id, username, display_name, color, badges}, the held badges filtered
-- and ordered by the chosen list (null: all of them).
create function private.chat_identity_from(sender private.chat_sender)
returns jsonb language plpgsql immutable set search_path = '' as $$
declare
  held jsonb := private.chat_badges(sender);
  shown jsonb := held;
begin
  if sender.user_id is null then
    return null;
  end if;
  if sender.chosen_badges is not null then
    select coalesce(jsonb_agg(b.badge order by array_position(sender.chosen_badges, b.badge ->> 'type')), '[]')
    into shown
    from jsonb_array_elements(held) b (badge)
    where (b.badge ->> 'type') = any (sender.chosen_badges);
  end if;
  return jsonb_build_object('user_id', sender.user_id, 'username', sender.username,
    'display_name', sender.display_name, 'color', sender.color, 'badges', shown);
end
$$;

-- The earlier entry points, now reading the facts once.
create or replace function private.held_chat_badges(chatroom_id uuid, user_id uuid)
returns jsonb language plpgsql stable security definer set search_path = '' as $$
begin
  return coalesce(private.chat_badges(private.chat_sender(chatroom_id, user_id)), '[]');
end
$$;

create or replace function private.chat_identity(chatroom_id uuid, user_id uuid)
returns jsonb language plpgsql stable security definer set search_path = '' as $$
begin
  return private.chat_identity_from(private.chat_sender(chatroom_id, user_id));
end
$$;

revoke execute on function private.chat_sender(uuid, uuid) from public;
revoke execute on function private.chat_badges(private.chat_sender) from public;
revoke execute on function private.chat_identity_from(private.chat_sender) from public;
