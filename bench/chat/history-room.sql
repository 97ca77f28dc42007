-- A typical room's history page (newest first, keyset on id) as a signed-in client through RLS.
\set before random(:min_id, :max_id)
BEGIN;
select set_config('role', 'authenticated', true), set_config('request.jwt.claims', :claims, true);
select * from public.messages where chatroom_id = :room and id < :before order by id desc limit 50;
END;
