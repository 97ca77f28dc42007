-- The messages read policy for signed-in users plans and runs for less: one call that reads the
-- caller's blocks (no nested auth.uid() sub-select, no sub-query to plan). Serves API.md `messages` (read).

-- The caller's blocked users, for read policies: computed once per statement as an InitPlan. The
-- caller is read into a variable first so the lookup always goes through user_blocks' primary key.
create function private.caller_blocked_user_ids()
returns uuid[] language plpgsql stable security definer set search_path = '' as $$
declare
  caller uuid := auth.uid();
begin
  return array(select b.blocked_id from public.user_blocks b where b.blocker_id = caller);
end
$$;

revoke execute on function private.caller_blocked_user_ids() from public, anon;
grant execute on function private.caller_blocked_user_ids() to authenticated, service_role;

-- `<> all (array)`: the planner has no sub-query to plan (the former `not in (select unnest(...))`
-- was a hashed SubPlan), which is most of what the policy cost a reader with few blocks. Each row is
-- compared with the whole set, so a reader at the 5,000-block cap pays more per row than with a hash
-- (bench:chat prints both). The cast makes `all (...)` take the array, not a sub-query's rows.
drop policy "signed-in users read messages except from users they block" on public.messages;
create policy "signed-in users read messages except from users they block" on public.messages
  for select to authenticated
  using (user_id <> all ((select private.caller_blocked_user_ids())::uuid[]));

drop function private.blocked_user_ids(uuid);
