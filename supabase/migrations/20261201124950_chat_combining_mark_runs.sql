-- Chat text that draws outside its line is refused. Found by probing:
--   - a message stacking diacritics ("zalgo" text, drawn over the lines above and below) is refused
--     with `message_invalid`, reason `combining_marks`, when its NFC form holds a run of
--     private.stacked_marks() (20261201124303: five or more combining marks from the generic blocks);
--   - display names refuse the same runs (users_display_name_characters), as they appear beside every
--     message the user sends;
--   - both refuse U+2028 and U+2029 (line and paragraph separators) with the other line breaks: a
--     message could show as two lines and fake a second sender's line.

-- As in 20261130002200, with the combining-mark rule.
create or replace function private.chat_message_body(content text)
returns private.chat_message_body language plpgsql stable set search_path = '' as $$
declare
  body text;
  content_form text;
begin
  body := normalize(btrim(content, E' \t\r\n'), nfc);
  if body is null or char_length(body) not between 1 and 500 then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'length'),
      'Messages are 1 to 500 characters.');
  end if;
  -- U+2028 and U+2029 (line and paragraph separators) break a line as LF does.
  if body ~ '[\u0001-\u001f\u007f-\u009f\u2028\u2029]' then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'control_characters'),
      'Messages cannot contain control characters or line breaks.');
  end if;
  if body ~ '[\u202a-\u202e\u2066-\u2069]' then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'bidi_controls'),
      'Messages cannot contain bidirectional embedding, override or isolate characters.');
  end if;
  if body ~ private.stacked_marks() then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'combining_marks'),
      'Messages cannot stack five or more accents on a letter.');
  end if;
  content_form := private.matching_form(body);
  if content_form = '' then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'no_visible_characters'),
      'Messages need at least one visible character.');
  end if;
  return (body, content_form)::private.chat_message_body;
end
$$;

-- As in 20261130002300, with the same combining-mark rule.
create or replace function private.check_display_name()
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
