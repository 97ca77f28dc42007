-- A live channel's title or category change also updates its current livestream, which sends
-- `livestream.updated` on `channel:<id>`. Serves API.md `livestreams`, topic `channel:<id>`.

create function private.sync_live_channel_edits()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  -- The livestreams trigger (20261127001400) sends livestream.updated for the changed row.
  update public.livestreams l set title = new.title, category_id = new.category_id
  where l.channel_id = new.id and l.ended_at is null
    and (l.title, l.category_id) is distinct from (new.title, new.category_id);
  return null;
end
$$;

revoke execute on function private.sync_live_channel_edits() from public, anon, authenticated, service_role;

create trigger sync_live_channel_edits after update of title, category_id on public.channels
  for each row
  when (new.is_live and (old.title, old.category_id) is distinct from (new.title, new.category_id))
  execute function private.sync_live_channel_edits();
