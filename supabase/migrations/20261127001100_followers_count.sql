-- Follows: `channels.followers_count` kept exact by the database, and `follows.user_id` defaulting to
-- the caller. Serves API.md `follows` (insert/delete own) and `channels.followers_count`.

-- supabase.from('follows').insert({ channel_id }) follows as the signed-in user.
alter table public.follows alter column user_id set default auth.uid();

-- One relative update per follow or unfollow, in the same transaction. The UPDATE takes the channel
-- row's lock and, under READ COMMITTED, re-reads the latest committed count before adding to it, so
-- concurrent follows and unfollows never lose an increment. A duplicate follow fails on the primary
-- key before it counts; unfollowing twice deletes nothing the second time, so nothing is counted.
create function private.count_followers()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'UPDATE' and old.channel_id = new.channel_id then
    return null;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    update public.channels c set followers_count = c.followers_count + 1 where c.id = new.channel_id;
  end if;
  if tg_op in ('DELETE', 'UPDATE') then
    update public.channels c set followers_count = c.followers_count - 1 where c.id = old.channel_id;
  end if;
  return null;
end
$$;

revoke execute on function private.count_followers() from public;

create trigger count_followers after insert or delete or update of channel_id on public.follows
  for each row execute function private.count_followers();

-- Start from the truth for follows that existed before this migration.
update public.channels c set followers_count = (select count(*) from public.follows f where f.channel_id = c.id)
where c.followers_count <> (select count(*) from public.follows f where f.channel_id = c.id);
