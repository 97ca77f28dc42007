-- A spelled-out word may hide letters behind the digits that stand for them: "b 4 d w o r d",
-- "g 3 t r e k 7". A run of four or more single characters with at least twice as many letters as
-- stand-in digits reads each of 4 8 3 6 9 7 5 as its letter, as the leetspeak reading does inside a
-- word. Shorter runs and runs heavier in digits read as typed, because that is how people write
-- numbers with units: "need a 5 s delay" is not "ass", "top 5 e x" is not "sex", "g 4 y" and
-- "4 5 5" stay as they are (a first version that read three-character runs refused those; found by
-- probing before it landed).
-- Restates private.blocked_term_found (create or replace needs the whole body); only the joining of
-- a spelled-out run changed.

create or replace function private.blocked_term_found(chatroom_id uuid, matcher private.chatroom_term_matchers, content_form text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  readings text[] := array[content_form];
  reading text;
  elongated boolean;
  words text[];
  spliced text[];            -- the words, each spelled-out run as one word
  singles text[];            -- the run of single characters being read
  word text;
  joined text;
  runs text[];               -- runs of words, for exact terms
  starts text[];
  ends text[];
  i integer;
  n integer;
begin
  if matcher.chatroom_id is null or matcher.next_expiry <= now() then
    matcher := private.rebuild_term_matcher(chatroom_id);
  end if;
  if matcher.max_words = 0 and matcher.max_prefix = 0 and matcher.max_suffix = 0 and matcher.pattern is null then
    return false;
  end if;
  -- "!" stands for i only before a letter ("sh!t"): after one it is punctuation ("shit!").
  if content_form ~ '[[:alpha:]][4@836975$+]|[4@836975$+!][[:alpha:]]' then
    readings := readings || array_to_string(array(
      select case when t ~ '[[:alpha:]]' then translate(regexp_replace(t, '!+$', ''), '4@83697!5$+', 'aabeggtisst') else t end
      from unnest(string_to_array(content_form, ' ')) t), ' ');
  end if;
  foreach reading in array readings loop
    -- Tested before l becomes i ("still" holds no letter down). A back-reference costs about 4 µs,
    -- so only rooms with exact terms pay it.
    elongated := matcher.max_words > 0 and reading ~ '([[:alpha:]])\1\1';
    reading := translate(reading, 'l', 'i');
    -- An apostrophe (' or ’) stays as a word of its own that no join crosses: "he'll" is not "hell".
    words := array_remove(regexp_split_to_array(reading, '[^[:alnum:]''’]+|(?=[''’])|(?<=[''’])'), '');
    -- Each run of three or more single characters becomes the one word it spells, in place, so it
    -- also joins the typed words around it ("f r e e money"). A spelled-out m is `rn` in the matching
    -- form: it counts as one character. An apostrophe ends a run.
    if reading ~ '(^|[^[:alnum:]])([[:alnum:]]|rn)[^[:alnum:]]+([[:alnum:]]|rn)[^[:alnum:]]+([[:alnum:]]|rn)([^[:alnum:]]|$)' then
      spliced := '{}';
      singles := '{}';
      foreach word in array words || null::text loop -- null ends the last run
        if (char_length(word) = 1 and word not in ('''', '’')) or word = 'rn' then
          singles := singles || word;
        else
          if cardinality(singles) >= 3 then
            joined := array_to_string(singles, '');
            if cardinality(singles) >= 4 and joined ~ '[4836975]'
               and char_length(regexp_replace(joined, '[^[:alpha:]]', '', 'g'))
                 >= 2 * char_length(regexp_replace(joined, '[^4836975]', '', 'g')) then
              joined := translate(joined, '4836975', 'abeggts');
            end if;
            spliced := spliced || joined;
          else
            spliced := spliced || singles;
          end if;
          singles := '{}';
          if word is not null then
            spliced := spliced || word;
          end if;
        end if;
      end loop;
      words := spliced;
    end if;
    if matcher.max_words > 0 then
      runs := '{}';
      for i in 1 .. cardinality(words) loop
        joined := '';
        for n in i .. least(cardinality(words), i + matcher.max_words) loop
          exit when words[n] in ('''', '’');
          joined := joined || words[n];
          runs := runs || joined;
        end loop;
      end loop;
      if matcher.exact ?| runs then
        return private.note_blocked_term(matcher.exact, runs);
      end if;
      -- Only runs that hold a letter down: "sooo as if" is not "ass".
      if elongated then
        runs := array(select regexp_replace(r, '(.)\1+', '\1', 'g') from unnest(runs) r where r ~ '(.)\1\1');
        if matcher.elongated ?| runs then
          return private.note_blocked_term(matcher.elongated, runs);
        end if;
      end if;
    end if;
    if matcher.max_prefix > 0 or matcher.max_suffix > 0 then
      starts := '{}';
      ends := '{}';
      foreach word in array words loop
        for n in 2 .. least(char_length(word), greatest(matcher.max_prefix, matcher.max_suffix)) loop
          if n <= matcher.max_prefix then
            starts := starts || left(word, n);
          end if;
          if n <= matcher.max_suffix then
            ends := ends || right(word, n);
          end if;
        end loop;
      end loop;
      if matcher.prefixes ?| starts then
        return private.note_blocked_term(matcher.prefixes, starts);
      end if;
      if matcher.suffixes ?| ends then
        return private.note_blocked_term(matcher.suffixes, ends);
      end if;
    end if;
  end loop;
  if content_form ~ matcher.pattern then
    -- Named by record_blocked_attempt's own pattern test.
    perform set_config('streamz.blocked_term', '', true);
    return true;
  end if;
  return false;
end
$function$

;
