-- A blocked term spelled out one character at a time ("b a d w o r d", "b.a.d.w.o.r.d", "b_a_d") is caught:
-- each run of three or more one-character words is also read as the word it spells, for plain
-- terms, phrases (their words joined, as always) and `word*` / `*word` terms. Serves API.md
-- `chat_blocked_term`. Everything else is as in 20261201050000.
--
-- Three, not two: "I a..." or "x y" happen in ordinary chat, three single characters in a row
-- rarely do. Terms with inner punctuation (matched through `pattern`) are not read spelled out.
-- A message with no such run costs one more regular-expression test.
create or replace function private.blocked_term_found(chatroom_id uuid, matcher private.chatroom_term_matchers, content_form text)
returns boolean language plpgsql volatile security definer set search_path = '' as $$
declare
  words text[];
  spelled text[] := '{}';    -- the words that runs of single characters spell
  letters text := '';        -- the run being read
  word text;
  joined text;
  runs text[] := '{}';       -- runs of words, for exact terms
  starts text[] := '{}';
  ends text[] := '{}';
  i integer;
  n integer;
begin
  if matcher.chatroom_id is null or matcher.next_expiry <= now() then
    matcher := private.rebuild_term_matcher(chatroom_id);
  end if;
  if matcher.max_words = 0 and matcher.max_prefix = 0 and matcher.max_suffix = 0 and matcher.pattern is null then
    return false;
  end if;
  words := array_remove(regexp_split_to_array(content_form, '\W+'), '');
  -- Here an underscore separates too ("b_a_d"): everywhere else it is part of a word.
  -- A spelled-out m is `rn` in the matching form: it counts as one character here.
  if content_form ~ '(^|[^[:alnum:]])([[:alnum:]]|rn)[^[:alnum:]]+([[:alnum:]]|rn)[^[:alnum:]]+([[:alnum:]]|rn)([^[:alnum:]]|$)' then
    foreach word in array regexp_split_to_array(content_form, '[^[:alnum:]]+') || '{""}'::text[] loop -- '' ends a run
      if char_length(word) = 1 or word = 'rn' then
        letters := letters || word;
      else
        if char_length(replace(letters, 'rn', 'm')) >= 3 then
          spelled := spelled || letters;
        end if;
        letters := '';
      end if;
    end loop;
  end if;
  -- Exact terms: every run of up to max_words consecutive words, joined without spaces, and every
  -- spelled-out word.
  if matcher.max_words > 0 then
    for i in 1 .. cardinality(words) loop
      joined := '';
      for n in i .. least(cardinality(words), i + matcher.max_words - 1) loop
        joined := joined || words[n];
        runs := runs || joined;
      end loop;
    end loop;
    if matcher.exact ?| (runs || spelled) then
      return true;
    end if;
  end if;
  -- Prefix terms (`word*`) and suffix terms (`*word`): each word's starts and ends of 2 characters or more.
  if matcher.max_prefix > 0 or matcher.max_suffix > 0 then
    foreach word in array words || spelled loop
      for n in 2 .. least(char_length(word), greatest(matcher.max_prefix, matcher.max_suffix)) loop
        if n <= matcher.max_prefix then
          starts := starts || left(word, n);
        end if;
        if n <= matcher.max_suffix then
          ends := ends || right(word, n);
        end if;
      end loop;
    end loop;
    if matcher.prefixes ?| starts or matcher.suffixes ?| ends then
      return true;
    end if;
  end if;
  return coalesce(content_form ~ matcher.pattern, false);
end
$$;

revoke execute on function private.blocked_term_found(uuid, private.chatroom_term_matchers, text) from public;
