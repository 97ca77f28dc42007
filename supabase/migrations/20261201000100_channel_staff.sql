-- Staff (a channel's owner and its moderators) decided in one place, the view private.channel_staff:
-- the staff helpers policies call, the staff RPCs and the topic checks read it (send_message through
-- private.chat_sender, 20261201000200).

create view private.channel_staff as
  select c.id as channel_id, c.owner_id as user_id from public.channels c
  union all
  select r.channel_id, r.user_id from public.channel_roles r where r.role = 'moderator';
comment on view private.channel_staff is
  'Who is staff of which channel: its owner and its moderators. The one definition of staff.';

create or replace function private.is_channel_staff(channel_id uuid, user_id uuid)
returns boolean language plpgsql stable security definer set search_path = '' as $$
begin
  return exists (select 1 from private.channel_staff s
                 where s.channel_id = is_channel_staff.channel_id and s.user_id = is_channel_staff.user_id);
end
$$;

create or replace function private.is_chatroom_staff(chatroom_id uuid, user_id uuid)
returns boolean language plpgsql stable security definer set search_path = '' as $$
begin
  return exists (select 1 from public.chatrooms r join private.channel_staff s on s.channel_id = r.channel_id
                 where r.id = is_chatroom_staff.chatroom_id and s.user_id = is_chatroom_staff.user_id);
end
$$;

-- For read policies: compared with `= any` against one array computed once per statement.
create or replace function private.staffed_chatroom_ids(user_id uuid)
returns uuid[] language plpgsql stable security definer set search_path = '' as $$
begin
  return array(select r.id from private.channel_staff s join public.chatrooms r on r.channel_id = s.channel_id
               where s.user_id = staffed_chatroom_ids.user_id);
end
$$;
