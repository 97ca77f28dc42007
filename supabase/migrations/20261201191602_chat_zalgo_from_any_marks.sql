-- Zalgo text is refused from marks of any script, and across invisible characters. Serves API.md
-- `send_message` (`message_invalid`, reason `combining_marks`); docs/chat.md "Sending: the rules".
--
-- Found by a disguise probe (tenth landing): the rule counted five marks in a row from the six generic
-- combining blocks only (private.stacked_marks()), so text drawn over the lines around it passed when
-- its marks came from other blocks (ten Cyrillic combining letters U+A66F-A69F or musical symbols
-- U+1D165-1D1AD on every letter, Hebrew accents), or when a zero-width space split a stack (four
-- marks, U+200B, four more). A message is now refused, besides, for
-- - five marks of the generic blocks with only invisible characters between them (private.invisible_characters()), or
-- - eight nonspacing or enclosing marks of any script in a row, invisible characters between them
--   not counting (private.mark_characters(), 20261201191315).
-- Eight, because languages written with marks of their own blocks put at most about five on a letter:
-- Hebrew with niqqud and cantillation (dagesh, shin dot, vowel, accent, meteg), Arabic with harakat
-- and Quranic marks, Tibetan and Indic stacks, Thai. Display names take the same rule in
-- 20261201202006; free text keeps the generic-block rule (its CHECKs hold that rule's text).

-- Whether `body` stacks marks as zalgo: invisible characters removed, five marks of the generic
-- blocks in a row (private.stacked_marks()), or eight marks of any block, each read as U+0300. Two
-- passes over brackets the matching form compiles too, instead of one expression that repeats them
-- (PostgreSQL copies a bracket for each repetition: a 10 KB expression to compile).
create function private.is_zalgo(body text)
returns boolean language plpgsql immutable parallel safe set search_path = '' as $$
declare
  marks text := regexp_replace(body, private.invisible_characters(), '', 'g');
begin
  return marks ~ private.stacked_marks()
    or regexp_replace(marks, private.mark_characters(), E'\u0300', 'g') ~ '\u0300{8}';
end
$$;

revoke execute on function private.is_zalgo(text) from public, anon, authenticated, service_role;

-- As in 20261201180803, refusing the runs above (a message in ASCII has no marks).
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
  if octet_length(body) > char_length(body) and private.is_zalgo(body) then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'combining_marks'),
      'Messages cannot stack five or more accents on a letter (eight of other marks).');
  end if;
  -- Text already in NFKC (every ASCII message, most others) is as long as it is.
  if body is not nfkc normalized and char_length(normalize(body, nfkc)) > private.chat_expanded_length_limit() then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'expanded_length'),
      'Messages are at most 1,000 characters once characters that stand for several (ﷺ, ㎏, ﬃ) are written out.');
  end if;
  content_form := private.matching_form(body);
  if content_form = '' then
    perform private.raise_error('message_invalid', jsonb_build_object('reason', 'no_visible_characters'),
      'Messages need at least one visible character.');
  end if;
  return (body, content_form)::private.chat_message_body;
end
$$;
