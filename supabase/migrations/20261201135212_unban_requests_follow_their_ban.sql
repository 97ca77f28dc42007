-- Unban requests follow the ban they appeal. Found by probing:
--   - approving an appeal whose ban had been replaced (a timeout escalated to a permanent ban) answered
--     "approved" and lifted nothing: approval now lifts the user's ban in the room, whichever it is;
--   - an appeal stayed pending after its ban was lifted (unban_user, or deleting the ban), so a
--     moderator could deny it later and start the 7-day cooldown against the user's next ban: lifting
--     a ban now closes the user's pending appeals in that room as approved ("The ban was lifted."),
--     with `unban_request.resolved` to the user. A ban replaced by a newer one keeps its appeal
--     pending: approving it lifts the newer ban.

-- As in 20261130001500, with the approval lifting the current ban; the event is sent by the trigger
-- below.
create or replace function private.resolve_unban_request(request_id bigint, approve boolean, resolution_text text)
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
    -- The user's ban in the room now, whichever: a ban that replaced the appealed one is lifted too.
    delete from public.chatroom_bans b where b.chatroom_id = found.chatroom_id and b.user_id = found.user_id;
  end if;
  return found;
end
$$;

-- `unban_request.resolved` to the user follows the row, however it is resolved (resolve_unban_request,
-- or a lifted ban below), as `unban_request.created` does.
create function private.broadcast_unban_request_resolved()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.send(jsonb_build_object('id', new.id, 'chatroom_id', new.chatroom_id, 'status', new.status,
    'resolution_text', new.resolution_text, 'resolved_at', new.resolved_at),
    'unban_request.resolved', 'user:' || new.user_id::text, true);
  return null;
end
$$;

revoke execute on function private.broadcast_unban_request_resolved() from public, anon, authenticated;

create trigger broadcast_unban_request_resolved after update of status on public.unban_requests
  for each row when (old.status = 'pending' and new.status <> 'pending')
  execute function private.broadcast_unban_request_resolved();

-- A lifted ban (not one a newer ban replaces: that runs one trigger level deeper) closes the user's
-- pending appeals in the room.
create function private.close_appeals_of_lifted_ban()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  if pg_trigger_depth() > 1 then
    return null;
  end if;
  update public.unban_requests r set status = 'approved', resolution_text = 'The ban was lifted.',
    resolved_by = auth.uid(), resolved_at = now()
  where r.chatroom_id = old.chatroom_id and r.user_id = old.user_id and r.status = 'pending';
  return null;
end
$$;

revoke execute on function private.close_appeals_of_lifted_ban() from public, anon, authenticated;

create trigger close_appeals_of_lifted_ban after delete on public.chatroom_bans
  for each row execute function private.close_appeals_of_lifted_ban();
