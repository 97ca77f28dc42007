-- Display names refuse zalgo by the rule messages follow since 20261201191602: eight nonspacing or
-- enclosing marks of any script in a row, besides five of the generic combining blocks. Serves API.md
-- `users.display_name`.
--
-- A display name shows beside every message its owner sends, and it still took the older rule (five
-- marks of the generic blocks only), so ten Cyrillic combining letters or musical-symbol marks on each
-- letter drew over the chat around it from the name. The rule has one definition
-- (private.is_zalgo); invisible characters are refused in names anyway. Names already stored
-- stay until their owner next sets one (the check runs when display_name is written).

-- As in 20261201171008, with private.is_zalgo for the marks.
create or replace function private.check_display_name()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  name_form text;
  skeleton text;
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
  -- Controls (line breaks included), the invisible characters the matching form removes (zero-width
  -- characters, bidi controls, soft hyphen, fillers, variation selectors, tags), and marks stacked as
  -- zalgo by the rule messages follow (private.is_zalgo).
  if new.display_name ~ '[\u0001-\u001f\u007f-\u009f\u2028\u2029]' or new.display_name ~ private.invisible_characters()
     or private.is_zalgo(new.display_name) then
    raise exception 'A display name cannot contain control, invisible or bidirectional characters.'
      using errcode = '23514', constraint = 'users_display_name_characters', table = 'users', schema = 'public';
  end if;
  name_form := private.matching_form(new.display_name);
  if name_form = '' then
    raise exception 'A display name needs a visible character.'
      using errcode = '23514', constraint = 'users_display_name_characters', table = 'users', schema = 'public';
  end if;
  -- One's own username in any case is always fine; anything else that reads as another user's
  -- username is not, even when it also reads as one's own (a user `nova_m0d` showing `nova_mod`).
  skeleton := private.name_skeleton(new.display_name);
  if skeleton <> '' and lower(new.display_name) <> lower(new.username::text) and exists (
    select 1 from public.users u
    where private.name_skeleton(u.username::text) = skeleton and u.id <> new.id
  ) then
    raise exception 'This display name looks like another user''s username.'
      using errcode = '23514', constraint = 'users_display_name_impersonation', table = 'users', schema = 'public';
  end if;
  return new;
end
$$;
