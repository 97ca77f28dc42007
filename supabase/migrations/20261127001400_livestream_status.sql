-- Livestreams drive `channels.is_live` and send `livestream.started/updated/ended` (the livestream
-- row) on `channel:<channel_id>`. Serves API.md `livestreams`, `channels.is_live`, topic `channel:<id>`.

-- Events first, then the channel's live flag recomputed from the table (a row with ended_at null),
-- which in turn sends `channel.updated` when the flag flips.
create function private.sync_livestream_status()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  event text;
  stream public.livestreams := case when tg_op = 'DELETE' then old else new end;
  affected uuid;
begin
  if tg_op = 'INSERT' then
    event := case when new.ended_at is null then 'livestream.started' end;
  elsif tg_op = 'DELETE' then
    event := case when old.ended_at is null then 'livestream.ended' end;
  elsif old is not distinct from new then
    return null;
  elsif old.ended_at is null and new.ended_at is not null then
    event := 'livestream.ended';
  elsif new.ended_at is null then
    event := case when old.ended_at is null then 'livestream.updated' else 'livestream.started' end;
  end if;

  if event is not null then
    perform realtime.send(to_jsonb(stream), event, 'channel:' || stream.channel_id::text, true);
  end if;

  foreach affected in array array[stream.channel_id, case when tg_op = 'UPDATE' then old.channel_id end] loop
    continue when affected is null;
    update public.channels c
    set is_live = exists (select 1 from public.livestreams l where l.channel_id = affected and l.ended_at is null)
    where c.id = affected
      and c.is_live is distinct from exists (
        select 1 from public.livestreams l where l.channel_id = affected and l.ended_at is null);
  end loop;
  return null;
end
$$;

revoke execute on function private.sync_livestream_status() from public;

create trigger sync_livestream_status after insert or update or delete on public.livestreams
  for each row execute function private.sync_livestream_status();
