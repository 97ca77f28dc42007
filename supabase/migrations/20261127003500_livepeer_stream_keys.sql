-- Stream keys: a channel's current Livepeer stream (the one whose key the owner is shown) and the
-- streams it replaced, kept so late webhooks still close their livestreams. Serves edge function `stream-key`.

-- null: the channel's current stream. Set when `stream-key/reset` rotates the key; a replaced stream's
-- stream.started is ignored, its stream.idle and recording.ready still apply.
alter table private.livepeer_streams add column replaced_at timestamptz;

-- Rows written by hand before this migration: a channel keeps its newest stream as the current one.
update private.livepeer_streams s set replaced_at = now()
where exists (
  select 1 from private.livepeer_streams newer
  where newer.channel_id = s.channel_id
    and (newer.created_at, newer.livepeer_stream_id) > (s.created_at, s.livepeer_stream_id)
);

-- At most one current stream per channel: two first calls of stream-key cannot both map a stream.
create unique index livepeer_streams_current_channel_idx on private.livepeer_streams (channel_id)
  where replaced_at is null;

-- Grants are unchanged: only the functions (postgres) touch private.livepeer_streams.
revoke all on private.livepeer_streams from public, anon, authenticated, service_role;
