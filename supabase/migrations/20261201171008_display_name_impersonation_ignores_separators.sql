-- A display name may not be another user's username with spaces, underscores or punctuation added,
-- moved or left out. Serves API.md `users.display_name`.
--
-- The impersonation check (20261130002300, restated in 20261201124950) compared whole matching forms,
-- so `pmod mod`, `pmod_mod.` and `p.mod-mod` passed next to the username `pmod_mod`, and chat showed a
-- troll's messages under a moderator's name. Names are now compared by their skeleton: the matching
-- form without spaces and punctuation.

-- The matching form without spaces and punctuation (ASCII, Latin-1's, General Punctuation's and CJK's):
-- what is left of a name once separators are gone. Letters of other scripts stay, so `小明123` is not
-- read as the username `123`.
create function private.name_skeleton(name text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select regexp_replace(private.matching_form(name),
    '[\u0020-\u002f\u003a-\u0040\u005b-\u0060\u007b-\u007e\u00a1-\u00bf\u00d7\u00f7\u2010-\u205e\u3000-\u303f]+', '', 'g')
$$;

-- As for private.matching_form: an index expression runs as the role writing the row (the service
-- role creating a user, a user whose row update is not HOT).
revoke execute on function private.name_skeleton(text) from public;
grant execute on function private.name_skeleton(text) to anon, authenticated, service_role;

create index users_username_skeleton_idx on public.users (private.name_skeleton(username::text));

-- Same as in 20261201124950, comparing skeletons.
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
  -- Controls (line breaks included), and the invisible characters the matching form removes
  -- (zero-width characters, bidi controls, soft hyphen, fillers, variation selectors, tags).
  if new.display_name ~ '[\u0001-\u001f\u007f-\u009f\u2028\u2029]' or new.display_name ~ private.invisible_characters()
     or new.display_name ~ private.stacked_marks() then
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
