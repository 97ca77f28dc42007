-- Moderation's free text is checked before it is written and refused with 422 `invalid_argument`
-- (`details.argument`): ban reasons, report details, appeals and the resolvers' answers. Serves API.md
-- `ban_user`, `reports`, `unban_requests`, `resolve_report`, `resolve_unban_request` (`invalid_argument`).
--
-- `ban_user` with a control character in its reason answered a raw 23514 `chatroom_bans_reason_characters`
-- whose details printed the failing row (the ban's ids), where API.md promises `invalid_argument`; report
-- details and appeals did the same. The CHECKs of 20261201124303 stay as the last guard (direct writes by the
-- service role still meet them). One helper, private.check_free_text, applies their rules first:
-- - a BEFORE INSERT trigger per column (named `check_free_text_*`, so it fires before the tables' other
--   BEFORE triggers), on every way in (the RPCs and the Data API's inserts): chatroom_bans.reason
--   (`ban_user`'s `reason`), reports.details, unban_requests.text (not only spaces either);
-- - `resolve_unban_request` calls it on `resolution_text` (restated below), and `resolve_report` on `note`
--   (restated in the next migration, 20261201171801, which changes it anyway).
-- Too long, refused characters and (for an appeal) nothing visible all answer `invalid_argument`, so an
-- insert of 1,001 characters of report details no longer answers 23514 `reports_details_length` either.

-- Helpers -----------------------------------------------------------------------------------------

-- The characters free text refuses, as a regular expression: every control character on one line (U+2028
-- and U+2029 included), every one but tab, line feed and carriage return on several; bidi embedding, override
-- and isolate characters; five combining marks in a row (private.stacked_marks()). 20261201124303 wrote the
-- same text into the CHECKs `<table>_<column>_characters`; pgTAP 075 checks they still hold it.
create function private.free_text_refused(multiline boolean)
returns text language sql immutable parallel safe set search_path = '' as $fn$
  select case when multiline then '[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]'
              else '[\u0001-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]' end
    || '|' || private.stacked_marks()
$fn$;

revoke execute on function private.free_text_refused(boolean) from public, anon, authenticated, service_role;

-- Refuses free text a client passed as `argument` with invalid_argument: over `max_length` characters,
-- refused characters, or (when `visible`) nothing but spaces (null included). Otherwise null passes.
create function private.check_free_text(value text, argument text, max_length integer, multiline boolean, visible boolean)
returns void language plpgsql stable set search_path = '' as $$
begin
  if char_length(value) > max_length then
    perform private.raise_error('invalid_argument', jsonb_build_object('argument', argument),
      format('%s has at most %s characters.', argument, max_length));
  end if;
  if value ~ private.free_text_refused(multiline) then
    perform private.raise_error('invalid_argument', jsonb_build_object('argument', argument),
      format('%s cannot contain control characters%s, bidirectional embedding, override or isolate characters, or five combining marks in a row.',
        argument, case when multiline then ' other than tab and line breaks' else ' or line breaks' end));
  end if;
  -- Visible as chat counts it: no-break spaces, zero-width characters and fillers are not.
  if visible and btrim(private.matching_form(coalesce(value, ''))) = '' then
    perform private.raise_error('invalid_argument', jsonb_build_object('argument', argument),
      format('%s needs a visible character.', argument));
  end if;
end
$$;

revoke execute on function private.check_free_text(text, text, integer, boolean, boolean) from public, anon, authenticated, service_role;

-- The trigger: tg_argv = the column, the argument's name as clients send it, the maximum length,
-- 'multiline' or 'line', 'visible' or 'any'.
create function private.check_free_text_column()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform private.check_free_text(to_jsonb(new) ->> tg_argv[0], tg_argv[1], tg_argv[2]::integer,
    tg_argv[3] = 'multiline', tg_argv[4] = 'visible');
  return new;
end
$$;

revoke execute on function private.check_free_text_column() from public, anon, authenticated, service_role;

-- Triggers ----------------------------------------------------------------------------------------

create trigger check_free_text_reason before insert on public.chatroom_bans
  for each row execute function private.check_free_text_column('reason', 'reason', '500', 'line', 'any');
create trigger check_free_text_details before insert on public.reports
  for each row execute function private.check_free_text_column('details', 'details', '1000', 'multiline', 'any');
create trigger check_free_text_text before insert on public.unban_requests
  for each row execute function private.check_free_text_column('text', 'text', '500', 'multiline', 'visible');

-- RPC ---------------------------------------------------------------------------------------------

-- As in 20261201135212, with the answer checked as free text.
create or replace function private.resolve_unban_request(request_id bigint, approve boolean, resolution_text text)
returns public.unban_requests language plpgsql volatile security definer set search_path = '' as $$
declare
  actor uuid;
  found public.unban_requests;
begin
  if auth.uid() is null and not private.is_service_role() then
    perform private.raise_error('auth_required');
  end if;
  select * into found from public.unban_requests r where r.id = resolve_unban_request.request_id for update;
  if found.id is null then
    perform private.raise_error('not_found', null, 'This unban request does not exist.');
  end if;
  actor := private.require_resolver(found.chatroom_id);
  if approve is null then
    perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'approve'), 'Approve or deny the request.');
  end if;
  perform private.check_free_text(resolution_text, 'resolution_text', 500, true, false);
  if found.status <> 'pending' then
    perform private.raise_error('unban_request_closed');
  end if;
  update public.unban_requests r set status = case when approve then 'approved' else 'denied' end,
    resolution_text = nullif(btrim(resolve_unban_request.resolution_text), ''), resolved_by = actor, resolved_at = now()
  where r.id = found.id
  returning * into found;
  perform private.log_moderation_action(found.chatroom_id, actor, found.user_id, 'unban_request.resolved', null,
    found.resolution_text, jsonb_build_object('request_id', found.id, 'approved', approve, 'ban_id', found.ban_id));
  if approve then
    -- The user's ban in the room now, whichever: a ban that replaced the appealed one is lifted too.
    delete from public.chatroom_bans b where b.chatroom_id = found.chatroom_id and b.user_id = found.user_id;
  end if;
  return found;
end
$$;
