-- send_message as PostgREST runs it: one transaction, role and JWT claims set locally, then the RPC.
-- Send s comes from chatter s % :chatters into bench room chatter % :rooms (run.ts sets both).
select nextval('bench.pick') as seq \gset
\set n :seq % :chatters
\set round :seq / :chatters
\set k :n % :rooms
BEGIN;
select set_config('role', 'authenticated', true),
       set_config('request.jwt.claims', '{"role":"authenticated","sub":"00000000-0000-4000-8000-' || lpad(:n::text, 12, '0') || '"}', true);
select public.send_message((select room_id from bench.rooms where k = :k), bench.emote_text(:round));
END;
