-- Channel slugs follow usernames: when provisioning renames a user, their channel's slug changes with
-- it. Serves API.md `channels.slug` (the channel's URL is its owner's username).

-- Compared as text: citext equality would hide a change of letter case.
create function private.sync_channel_slug()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  update public.channels c set slug = new.username::text
  where c.owner_id = new.id and c.slug::text is distinct from new.username::text;
  return null;
end
$$;

revoke execute on function private.sync_channel_slug() from public;

create trigger sync_channel_slug after update of username on public.users
  for each row when (old.username::text is distinct from new.username::text)
  execute function private.sync_channel_slug();
