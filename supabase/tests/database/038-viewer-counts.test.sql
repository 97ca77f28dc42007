-- Viewer counts: private.record_viewer_counts writes each live stream's count (0 when Livepeer does
-- not name it) and its peak, at most every 15 s per stream, so livestream.updated follows the same
-- pace; only the service role may call it; the viewer-counts function is scheduled with pg_cron +
-- pg_net where both exist and is a clean no-op otherwise.
begin;
select plan(16);

select tests.create_user('vc_a');
select tests.create_user('vc_b');
-- Only this test's streams are live (the seed's live streams would get their 0 written too).
update public.livestreams set ended_at = now() where ended_at is null;
create temporary table t (a uuid, b uuid, a_channel uuid) on commit drop;
insert into public.livestreams (channel_id, playback_id, title)
select id, 'pb-' || slug, 'live' from public.channels where slug in ('vc_a', 'vc_b');
insert into t select (select l.id from public.livestreams l join public.channels c on c.id = l.channel_id where c.slug = 'vc_a'),
  (select l.id from public.livestreams l join public.channels c on c.id = l.channel_id where c.slug = 'vc_b'),
  (select id from public.channels where slug = 'vc_a');
grant select on t to anon, authenticated, service_role;

select is(private.record_viewer_counts('{"pb-vc_a": 120, "pb-unknown": 5}'), 1, 'one live stream named in the answer is written');
select is((select row(viewer_count, peak_viewer_count, viewer_count_updated_at is not null)::text from public.livestreams where id = (select a from t)),
  '(120,120,t)', 'its count and peak are set');
select is((select row(viewer_count, viewer_count_updated_at is null)::text from public.livestreams where id = (select b from t)),
  '(0,t)', 'a stream nobody watches keeps 0 and is not written');
select is((select count(*)::int from tests.broadcasts('channel:' || (select a_channel from t)) where event = 'livestream.updated'
    and (payload ->> 'viewer_count')::int = 120 and (payload ->> 'peak_viewer_count')::int = 120), 1, 'livestream.updated carries the count and the peak');
select is(private.record_viewer_counts('{"pb-vc_a": 80}'), 0, 'a change within 15 s is not written');
update public.livestreams set viewer_count_updated_at = now() - interval '14 seconds' where id = (select a from t);
select is(private.record_viewer_counts('{"pb-vc_a": 80}'), 0, 'nor at 14 s');
update public.livestreams set viewer_count_updated_at = now() - interval '15 seconds' where id = (select a from t);
select is(private.record_viewer_counts('{"pb-vc_a": 80}'), 1, 'at 15 s it is');
select is((select row(viewer_count, peak_viewer_count)::text from public.livestreams where id = (select a from t)), '(80,120)', 'the peak keeps the highest count');
update public.livestreams set viewer_count_updated_at = now() - interval '1 minute' where id = (select a from t);
select is(private.record_viewer_counts('{"pb-vc_a": 80}'), 0, 'an unchanged count is not rewritten');
select is(private.record_viewer_counts('{"pb-vc_a": -4, "pb-vc_b": 1e12}'), 2, 'out-of-range counts are clamped');
select is((select array_agg(viewer_count order by id = (select a from t) desc) from public.livestreams where id in ((select a from t), (select b from t))),
  array[0, 2147483647], 'to 0 and the integer maximum');
update public.livestreams set ended_at = now(), viewer_count_updated_at = null where id = (select b from t);
select is(private.record_viewer_counts('{"pb-vc_b": 3}'), 0, 'an ended stream is never written');
select throws_ok($$ select private.record_viewer_counts('[1]') $$, '22023', null, 'counts must be an object');
select is(tests.try_as('vc_a', $$ select private.record_viewer_counts('{}') $$), '42501', 'a signed-in user cannot write counts');
select is(tests.try_as(null, $$ select private.record_viewer_counts('{}') $$), '42501', 'nor can anon');
select is(private.schedule_function_jobs(), (select count(*) = 2 from pg_extension where extname in ('pg_cron', 'pg_net')),
  'the function jobs are scheduled only where pg_cron and pg_net exist (false, scheduling nothing, otherwise)');

select * from finish();
rollback;
