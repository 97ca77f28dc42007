-- The unread count stays cheap at any number of notifications per user (checked here at 20,000): it reads only the partial
-- index of unread rows (never the user's whole history, never the table), and so does the unread list.
begin;
select plan(5);

select tests.create_user('nu_heavy');
select tests.create_user('nu_light');
-- Bulk rows for the plan check only: their events are not the point here.
alter table public.notifications disable trigger send_notification_created;
insert into public.notifications (user_id, kind, created_at, read_at)
select heavy.id, 'channel_live', now() - make_interval(secs => g),
  case when g > 300 then now() end
from generate_series(1, 20000) g, (select tests.user_id('nu_heavy') as id) heavy;
insert into public.notifications (user_id, kind) select tests.user_id('nu_light'), 'new_follower' from generate_series(1, 50);
alter table public.notifications enable trigger send_notification_created;
analyze public.notifications;

create or replace function pg_temp.plan_of(query text) returns text language plpgsql as $$
declare
  plan json;
begin
  execute 'explain (format json) ' || query into plan;
  return plan::text;
end
$$;
grant execute on function pg_temp.plan_of(text) to authenticated;

select tests.authenticate_as('nu_heavy');
select is((select count(*)::int from public.notifications), 20000, 'the user has 20,000 notifications');
select is((select count(*)::int from public.notifications where read_at is null), 300, 'of which 300 are unread');
select ok(pg_temp.plan_of($$ select count(*) from public.notifications where read_at is null $$)
    like '%"Index Name": "notifications_unread_idx"%',
  'the unread count (PostgREST: select count, read_at=is.null) reads the partial unread index');
select ok(pg_temp.plan_of($$ select count(*) from public.notifications where read_at is null $$) not like '%"Seq Scan"%',
  'and never scans the table');
select ok(pg_temp.plan_of($$ select * from public.notifications where read_at is null order by id desc limit 20 $$)
    like '%"Index Name": "notifications_unread_idx"%',
  'the newest unread page reads the same index, already in order');
select tests.clear_authentication();

select * from finish();
rollback;
