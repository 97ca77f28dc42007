-- Hosted Supabase loads pg-safeupdate for the API's sessions, and it refuses an UPDATE or DELETE
-- without a WHERE clause in every statement a request runs, those inside triggers included. Changing
-- a global emote (channel_id null, by the service role through the Data API) emptied the emote-set
-- cache with a bare DELETE, so it failed on hosted with 21000 "DELETE requires a WHERE clause".
-- The cache is still emptied whole; the statement now says so. pgTAP 066 keeps every function an
-- API request can reach to this rule.
-- Restates private.drop_chatroom_emote_sets (create or replace needs the whole body).

create or replace function private.drop_chatroom_emote_sets()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  perform pg_advisory_xact_lock(private.emote_sets_lock_key());
  if exists (select 1 from changed_emotes e where e.channel_id is null) then
    delete from private.chatroom_emote_sets where true;
  else
    delete from private.chatroom_emote_sets s using public.chatrooms r
    where r.id = s.chatroom_id and r.channel_id in (select e.channel_id from changed_emotes e);
  end if;
  return null;
end
$function$

;
