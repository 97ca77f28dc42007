-- Baseline: the same message inserted straight into public.messages (as postgres: no RLS, no rule
-- checks; the table's own FK checks and message.created trigger still run).
select nextval('bench.pick') as seq \gset
\set n :seq % 20000
\set round :seq / 20000
BEGIN;
insert into public.messages (chatroom_id, user_id, content, sender)
values ((select room_id from bench.rooms where k = :n % 50), ('00000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid,
  bench.emote_text(:round), '{"username": "chatter", "display_name": null, "color": null, "badges": []}');
END;
