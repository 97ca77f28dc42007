-- Display names nobody can use to impersonate: 1-25 characters, NFC, no control, format or bidi
-- characters, and not another user's username in the matching form. Serves API.md `users.display_name`.

-- Usernames by their matching form (`nova`, `NOVA`, `nоva` and `n0va` share one), so the
-- impersonation check is an index lookup.
create index users_username_matching_form_idx on public.users (private.matching_form(username::text));

-- Checked when a display name is set or changed, so profiles saved under the earlier rules stay
-- editable. Each refusal is a check violation (23514) naming its rule.
create function private.check_display_name()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  name_form text;
begin
  if new.display_name is null then
    return new;
  end if;
  if char_length(new.display_name) not between 1 and 25 then
    raise exception 'A display name has 1 to 25 characters.'
      using errcode = '23514', constraint = 'users_display_name_length', table = 'users', schema = 'public';
  end if;
  if new.display_name is not nfc normalized then
    raise exception 'A display name must be in Unicode normalization form C.'
      using errcode = '23514', constraint = 'users_display_name_nfc', table = 'users', schema = 'public';
  end if;
  -- Controls (line breaks included), and the invisible characters the matching form removes
  -- (zero-width characters, bidi controls, soft hyphen, fillers, variation selectors, tags).
  if new.display_name ~ '[\u0001-\u001f\u007f-\u009f]' or new.display_name ~ private.invisible_characters() then
    raise exception 'A display name cannot contain control, invisible or bidirectional characters.'
      using errcode = '23514', constraint = 'users_display_name_characters', table = 'users', schema = 'public';
  end if;
  name_form := private.matching_form(new.display_name);
  if name_form = '' then
    raise exception 'A display name needs a visible character.'
      using errcode = '23514', constraint = 'users_display_name_characters', table = 'users', schema = 'public';
  end if;
  if name_form <> private.matching_form(new.username::text) and exists (
    select 1 from public.users u
    where private.matching_form(u.username::text) = name_form and u.id <> new.id
  ) then
    raise exception 'This display name looks like another user''s username.'
      using errcode = '23514', constraint = 'users_display_name_impersonation', table = 'users', schema = 'public';
  end if;
  return new;
end
$$;

revoke execute on function private.check_display_name() from public;

create trigger check_display_name before insert or update of display_name on public.users
  for each row execute function private.check_display_name();

comment on column public.users.display_name is
  'How the user is shown (1-25 characters, NFC; no control, format, invisible or bidirectional characters; never another user''s username in the matching form). Null shows the username.';
