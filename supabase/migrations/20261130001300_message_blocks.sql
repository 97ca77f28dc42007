-- Blocks hide messages: a signed-in reader never gets the messages of users they block (anon reads
-- are unchanged). Serves API.md `messages` (read) and `user_blocks`.

-- The users someone blocks, for read policies: one array computed once per statement (through
-- user_blocks' primary key), which the policy turns into a hashed set (`not in (select unnest(...))`
-- plans as a hashed SubPlan), so each row costs one hash probe, not a scan of up to 5,000 blocks.
create function private.blocked_user_ids(user_id uuid)
returns uuid[] language plpgsql stable security definer set search_path = '' as $$
begin
  return array(select b.blocked_id from public.user_blocks b where b.blocker_id = blocked_user_ids.user_id);
end
$$;

revoke execute on function private.blocked_user_ids(uuid) from public;
grant execute on function private.blocked_user_ids(uuid) to authenticated, service_role;

drop policy "anyone can read messages" on public.messages;

create policy "anon can read messages" on public.messages
  for select to anon using (true);
create policy "signed-in users read messages except from users they block" on public.messages
  for select to authenticated
  using (user_id not in (select unnest((select private.blocked_user_ids((select auth.uid()))))));
