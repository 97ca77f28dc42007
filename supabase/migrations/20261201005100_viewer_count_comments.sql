-- The viewer-count columns' comments state their lower bound (0), as the check on every commented
-- bound requires. Serves API.md `livestreams` and `raids`.

comment on column public.livestreams.viewer_count is
  'Concurrent viewers (Livepeer Studio''s realtime viewership), 0 or more, refreshed at most every 15 s while live; each change sends livestream.updated.';
comment on column public.livestreams.peak_viewer_count is
  'The highest viewer_count this stream reached (0 or more).';
comment on column public.raids.viewer_count is
  'The source livestream''s viewer_count when the raid started (0 or more).';
