-- Livestream search documents carry what the filters and facets need (category slug, the channel's
-- language and maturity), and a channel's language or maturity change re-queues its livestreams. Serves API.md `search`.

create or replace view private.search_livestream_documents with (security_invoker = true) as
select
  l.id,
  jsonb_build_object(
    'id', l.id,
    'channel_id', l.channel_id,
    'channel_slug', c.slug::text,
    'title', l.title,
    'category_id', cat.id,
    'category_name', cat.name,
    'started_at', to_char(l.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'ended_at', to_char(l.ended_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'is_live', l.ended_at is null,
    'viewer_count', l.viewer_count,
    'live_rank', case when l.ended_at is null then 1 else 0 end,
    'started_at_ts', floor(extract(epoch from l.started_at))::bigint,
    'category_slug', cat.slug::text,
    'language', c.language,
    'is_mature', c.is_mature
  ) as document
from public.livestreams l
join public.channels c on c.id = l.channel_id
left join public.categories cat on cat.id = l.category_id and cat.deleted_at is null;

revoke all on private.search_livestream_documents from public, anon, authenticated, service_role;

create or replace function private.search_enqueue_channel()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'DELETE' then
    perform private.search_enqueue('channels', array[old.id], 'delete');
    return old;
  end if;
  perform private.search_enqueue('channels', array[new.id], 'upsert');
  -- Livestream documents carry the channel's slug, language and maturity.
  if tg_op = 'UPDATE' and (new.slug, new.language, new.is_mature) is distinct from (old.slug, old.language, old.is_mature) then
    perform private.search_enqueue('livestreams',
      array(select l.id from public.livestreams l where l.channel_id = new.id), 'upsert');
  end if;
  return new;
end
$$;
