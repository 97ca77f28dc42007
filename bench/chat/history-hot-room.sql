-- The hot room's history page (30% of all messages): here a backward primary-key scan is as good.
\set before random(:min_id, :max_id)
BEGIN;
select set_config('role', 'authenticated', true), set_config('request.jwt.claims', :claims, true);
select * from public.messages where chatroom_id = :hot_room and id < :before order by id desc limit 50;
END;
