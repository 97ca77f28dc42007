-- start_raid, cancel_raid and mark_all_notifications_read answer anon with `auth_required` (401), as
-- every other RPC does (API.md), instead of PostgREST's "permission denied" (42501). Each already
-- checks the caller first (private.raid_source; mark_all_notifications_read's own test), so anon
-- reaches nothing else. Found by probing: a client testing `error.code === 'auth_required'` missed
-- these three.
grant execute on function public.start_raid(uuid, uuid) to anon;
grant execute on function public.cancel_raid(uuid) to anon;
grant execute on function public.mark_all_notifications_read() to anon;
grant execute on function private.start_raid(uuid, uuid) to anon;
grant execute on function private.cancel_raid(uuid) to anon;
