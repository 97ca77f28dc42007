-- `channel.updated` on `channel:<channel_id>` whenever what viewers see of a channel changes (owner
-- edits, going live or offline, a new slug), plus `channels.updated_at`. Serves API.md topic `channel:<id>`.

create function private.broadcast_channel_updated()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.send(to_jsonb(new), 'channel.updated', 'channel:' || new.id::text, true);
  return null;
end
$$;

revoke execute on function private.broadcast_channel_updated() from public;

-- Follower counts change constantly and are not part of the event: only what viewers see counts.
create trigger set_updated_at before update on public.channels
  for each row when (
    (old.slug::text, old.title, old.description, old.category_id, old.language, old.is_mature, old.is_live)
    is distinct from
    (new.slug::text, new.title, new.description, new.category_id, new.language, new.is_mature, new.is_live))
  execute function private.set_updated_at();

create trigger broadcast_channel_updated after update on public.channels
  for each row when (
    (old.slug::text, old.title, old.description, old.category_id, old.language, old.is_mature, old.is_live)
    is distinct from
    (new.slug::text, new.title, new.description, new.category_id, new.language, new.is_mature, new.is_live))
  execute function private.broadcast_channel_updated();
