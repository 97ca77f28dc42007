-- Bulk history: :messages rows, 30% in the hot room (bench room 0), the rest over the other rooms (at most 1,000), from
-- 20,000 chatters. Triggers and FK checks are off for the load (session_replication_role) and the
-- history indexes are rebuilt afterwards, as one would for a bulk import. The newest is an hour old, so
-- the bench's sends start outside every rate window.
set session_replication_role = replica;
create temporary table load_rooms as
  select row_number() over (order by r.id) - 1 as n, r.id from public.chatrooms r
  where r.id <> (select room_id from bench.rooms where k = 0) limit 1000;
create temporary table index_defs as
  select indexname, indexdef from pg_indexes
  where schemaname = 'public' and tablename = 'messages' and indexname <> 'messages_pkey';
do $$
declare d record;
begin
  for d in select * from index_defs loop execute format('drop index public.%I', d.indexname); end loop;
end $$;
-- Rows go in g order (ids follow g), so each room's messages are spread over the whole id range as in
-- a live site; author (g / 10 * 7919 + g % 10) % 20000 gives every chatter messages in the hot room.
with rooms as (select array_agg(id order by n) as ids from load_rooms),
     hot as (select room_id as id from bench.rooms where k = 0)
insert into public.messages (chatroom_id, user_id, content, created_at, sender)
select case when g % 10 < 3 then hot.id else rooms.ids[1 + g % cardinality(rooms.ids)] end,
       ('00000000-0000-4000-8000-' || lpad((((g / 10)::bigint * 7919 + g % 10) % 20000)::text, 12, '0'))::uuid,
       'history message number ' || g,
       now() - interval '1 hour' - make_interval(secs => (:messages - g) / 100.0),
       '{"username": "chatter", "badges": []}'
from rooms, hot, generate_series(1, :messages) g;
do $$
declare d record;
begin
  for d in select * from index_defs loop execute d.indexdef; end loop;
end $$;
set session_replication_role = origin;
vacuum analyze public.messages;
