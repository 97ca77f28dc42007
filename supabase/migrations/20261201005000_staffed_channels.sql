-- The raids read policy's staffed channels from the one definition of staff (private.channel_staff,
-- 20261201000100) instead of a copy of the rule. Serves API.md `raids` (staff of either channel read).

create or replace function private.staffed_channel_ids(user_id uuid)
returns uuid[] language plpgsql stable security definer set search_path = '' as $$
begin
  return array(select s.channel_id from private.channel_staff s where s.user_id = staffed_channel_ids.user_id);
end
$$;
