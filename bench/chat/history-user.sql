-- One user's messages everywhere, keyset on id.
\set before random(:min_id, :max_id)
\set u random(0, 19999)
BEGIN;
select set_config('role', 'authenticated', true), set_config('request.jwt.claims', :claims, true);
select * from public.messages
where user_id = ('00000000-0000-4000-8000-' || lpad(:u::text, 12, '0'))::uuid and id < :before
order by id desc limit 50;
END;
