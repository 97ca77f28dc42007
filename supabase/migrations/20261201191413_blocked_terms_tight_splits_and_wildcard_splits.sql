-- The blocked-term matcher reads two more splits. Serves API.md `chat_blocked_term`; docs/chat.md
-- "Blocked terms".
--
-- Found by a disguise probe (tenth landing):
-- 1. One character split off a word by punctuation and no space (`f.uck`, `fuc.k`, `f_uck`, `f/uck`,
--    `f*uck`, `f🔥uck`) passed: the join across a lone character is not tried, so that `I got a SS
--    rank` is not `ass`. Now up to three characters of punctuation (anything but letters, digits,
--    spaces and apostrophes) between a lone character and a word of two or more are removed first,
--    so the two read as one word. A space still separates (`f uck`, `a SS`, `rap e funk` are read as
--    before), and so does an apostrophe (`l'ass…`, `let's hit`). The lone character must start its
--    word after a space (or the start) for a join to the right, and end it before one for a join to
--    the left: `e.g.`, `U.S.A` and `3.5` stay as they are.
-- 2. A `word*` term matched one word only: `re tard` and `re tarded` passed `retard*`. Now two
--    neighbouring words are also read joined, when the first (two or more characters) and at least
--    four letters of the second make the stem (an `rn` the form wrote for `m` counting one), and the
--    second goes on past it by nothing or s, es, ed: `re tard`, `re tarded`, `re tards`. Not fewer,
--    and no other ending (`re tarder`, `wet backing`): a probe of innocent lines found a short word and the start of the next spelling a
--    stem everywhere (`re tarde` in Argentine Spanish, `Re: Tardis`, `in celebration` for `incel*`,
--    `Mari con` for `maricon*`, `ni que`, `Rap ist`, `so dominant`). Never from a lone character or an
--    apostrophe. `*word` terms are not read across a split: a word's end and a short word after it
--    (`niche at` for `*cheat`, `what er` for `*hater`) are too common.

-- As in 20261201180802, with the two splits above.
create or replace function private.blocked_term_found(chatroom_id uuid, matcher private.chatroom_term_matchers, content_form text)
returns boolean language plpgsql security definer set search_path = '' as $$
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
  held_runs text[];          -- runs that hold a letter down, each run of a letter once
  held_words boolean[];      -- which words hold a letter down
  squeezed_words text[];     -- the words with each run of a letter once
  held_points integer[];     -- the words a held-down run may start holding at
  held boolean;
  squeezed text;
  point integer;
  last_start integer;
  hit text;
  starts text[];
  ends text[];
  piece text;
  i integer;
  n integer;
  ending text;               -- an inflection after a split stem
  stem_part integer;         -- the characters of a split stem in its second word
begin
  if matcher.chatroom_id is null or matcher.next_expiry <= now() then
    matcher := private.rebuild_term_matcher(chatroom_id);
  end if;
  if matcher.max_words = 0 and matcher.max_prefix = 0 and matcher.max_suffix = 0 and cardinality(matcher.patterns) = 0 then
    return false;
  end if;
  -- "!" stands for i only before a letter ("sh!t"): after one it is punctuation ("shit!").
  if content_form ~ '[[:alpha:]][4@836975$+]|[4@836975$+!][[:alpha:]]' then
    readings := readings || array_to_string(array(
      select case when t ~ '[[:alpha:]]' then translate(regexp_replace(t, '!+$', ''), '4@83697!5$+', 'aabeggtisst') else t end
      from unnest(string_to_array(content_form, ' ')) t), ' ');
  end if;
  foreach reading in array readings loop
    -- Tested before l becomes i ("still" holds no letter down).
    elongated := matcher.max_words > 0 and reading ~ '([[:alpha:]])\1\1';
    reading := translate(reading, 'l', 'i');
    if strpos(reading, '-') > 0 then
      reading := regexp_replace(reading, '([[:alpha:]])-(?=[[:alpha:]])', '\1', 'g');
    end if;
    -- A lone character split off a word by up to three characters of punctuation and no space
    -- (f.uck, fuc.k, f_uck) joins it: the punctuation goes. Not across a space (a SS) or an
    -- apostrophe (let's hit), and only at a word's edge (e.g., U.S.A and 3.5 stay).
    if reading ~ '[[:alnum:]][^[:alnum:][:space:]''’‘‛′`]{1,3}[[:alnum:]]' then
      reading := regexp_replace(reading,
        '((?:^|\s)[^[:alnum:][:space:]''’‘‛′`]*)([[:alnum:]])[^[:alnum:][:space:]''’‘‛′`]{1,3}(?=[[:alnum:]]{2})'
        '|(?<=[[:alnum:]]{2})[^[:alnum:][:space:]''’‘‛′`]{1,3}([[:alnum:]])(?=[^[:alnum:]]*(?:\s|$))',
        '\1\2\3', 'g');
    end if;
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
          joined := joined || words[n];
          exit when octet_length(joined) > matcher.max_key_bytes or words[n] in ('''', '’');
          runs := runs || joined;
        end loop;
      end loop;
      -- Read held down, only the runs that hold a letter down: "sooo as if" is not "ass". They are
      -- looked for only from the words before a held-down word, or a join that may make one.
      if elongated then
        held_runs := '{}';
        select array_agg(u.w ~ '(.)\1\1'), array_agg(regexp_replace(u.w, '(.)\1+', '\1', 'g')),
               coalesce(array_agg(u.k) filter (where u.w ~ '(.)\1\1' or right(words[u.k - 1], 1) = left(u.w, 1)), '{}')
        into held_words, squeezed_words, held_points
        from unnest(words) with ordinality u (w, k);
        last_start := 0;
        foreach point in array held_points loop
          for i in greatest(last_start + 1, point - matcher.max_words) .. point loop
            joined := '';
            held := false;
            squeezed := '';
            for n in i .. least(cardinality(words), i + matcher.max_words) loop
              exit when words[n] in ('''', '’');
              -- Held down: a word holds a letter, or a join makes three of one in a row.
              held := held or held_words[n] or (right(joined, 1) = left(words[n], 1)
                and (right(joined, 2) = left(words[n], 1) || left(words[n], 1) or substr(words[n], 2, 1) = left(words[n], 1)));
              squeezed := squeezed || case when right(squeezed, 1) = left(squeezed_words[n], 1)
                then substr(squeezed_words[n], 2) else squeezed_words[n] end;
              joined := joined || words[n];
              exit when octet_length(squeezed) > matcher.max_key_bytes;
              if held then
                held_runs := held_runs || squeezed;
              end if;
            end loop;
          end loop;
          last_start := point;
        end loop;
      end if;
      if matcher.exact ?| runs then
        hit := private.join_fitting_term(matcher.exact, words, matcher.max_words, false);
        if hit is not null then
          return private.note_blocked_term(matcher.exact, array[hit]);
        end if;
      end if;
      if elongated and matcher.elongated ?| held_runs then
        hit := private.join_fitting_term(matcher.elongated, words, matcher.max_words, true);
        if hit is not null then
          return private.note_blocked_term(matcher.elongated, array[hit]);
        end if;
      end if;
    end if;
    if matcher.max_prefix > 0 or matcher.max_suffix > 0 then
      starts := '{}';
      ends := '{}';
      for i in 1 .. cardinality(words) loop
        word := words[i];
        for n in 2 .. least(char_length(word), greatest(matcher.max_prefix, matcher.max_suffix)) loop
          if n <= matcher.max_prefix then
            starts := starts || left(word, n);
          end if;
          if n <= matcher.max_suffix then
            ends := ends || right(word, n);
          end if;
        end loop;
        -- Split once: this word (two or more characters) and the next, when the next supplies four
        -- or more letters of the stem (an `rn` counts one: the form writes `m` so) and nothing after
        -- them but s, es or ed (re tard, re tarded, re tards; not re tarde, re: tardy, re tarder,
        -- in cell, Mari con, Rap ist, so dom, wet backing).
        if i < cardinality(words) and char_length(word) between 2 and matcher.max_prefix - 4 then
          foreach ending in array array['', 's', 'es', 'ed'] loop
            stem_part := char_length(words[i + 1]) - char_length(ending);
            if stem_part >= 4 and char_length(replace(left(words[i + 1], stem_part), 'rn', 'm')) >= 4
               and char_length(word) + stem_part <= matcher.max_prefix
               and right(words[i + 1], char_length(ending)) = ending then
              starts := starts || (word || left(words[i + 1], stem_part));
            end if;
          end loop;
        end if;
      end loop;
      if matcher.prefixes ?| starts then
        return private.note_blocked_term(matcher.prefixes, starts);
      end if;
      if matcher.suffixes ?| ends then
        return private.note_blocked_term(matcher.suffixes, ends);
      end if;
    end if;
  end loop;
  foreach piece in array matcher.patterns loop
    if content_form ~ piece then
      -- Named by record_blocked_attempt when it writes the log row (private.blocked_pattern_term).
      perform set_config('streamz.blocked_term', '', true);
      return true;
    end if;
  end loop;
  return false;
end
$$;
