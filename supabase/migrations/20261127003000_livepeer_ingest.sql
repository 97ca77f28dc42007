-- Livepeer ingest: which Livepeer stream belongs to which channel, the webhook events already applied
-- (dedupe on the event id), and a livestream's recording. Serves API.md edge function `livepeer-webhook`.

-- Written by whoever creates the channel's Livepeer stream; read by livepeer-webhook (as postgres).
create table private.livepeer_streams (
  livepeer_stream_id text primary key
    constraint livepeer_streams_id_length check (char_length(livepeer_stream_id) between 1 and 128),
  channel_id uuid not null references public.channels (id) on delete cascade,
  -- The latest stream.idle applied: a stream.started that happened before it (a late retry) is ignored.
  last_idle_at timestamptz,
  created_at timestamptz not null default now()
);

-- One row per Livepeer event id applied, written in the same transaction as its effect.
create table private.livepeer_events (
  id text primary key constraint livepeer_events_id_length check (char_length(id) between 1 and 200),
  event text not null,
  received_at timestamptz not null default now()
);

alter table public.livestreams
  add column recording_url text
    constraint livestreams_recording_url_https check (recording_url ~ '^https://' and char_length(recording_url) <= 2048),
  add column recording_mp4_url text
    constraint livestreams_recording_mp4_url_https check (recording_mp4_url ~ '^https://' and char_length(recording_mp4_url) <= 2048),
  add column recording_asset_id text
    constraint livestreams_recording_asset_id_length check (char_length(recording_asset_id) <= 128);

create index livepeer_streams_channel_id_idx on private.livepeer_streams (channel_id);
create index livepeer_events_received_at_idx on private.livepeer_events (received_at);
create index livestreams_livepeer_stream_id_started_at_idx on public.livestreams (livepeer_stream_id, started_at desc);

-- Only the functions (postgres) touch these; the API roles get nothing.
revoke all on private.livepeer_streams from public, anon, authenticated, service_role;
revoke all on private.livepeer_events from public, anon, authenticated, service_role;

alter table private.livepeer_streams enable row level security;
alter table private.livepeer_events enable row level security;
