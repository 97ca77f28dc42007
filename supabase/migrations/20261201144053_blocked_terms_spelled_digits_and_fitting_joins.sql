-- Two refinements of how the blocked-term matcher reads a message's words.
--
-- 1. Spelled-out digits.
-- A spelled-out word may hide letters behind the digits that stand for them: "b 4 d w o r d",
-- "g 3 t r e k 7". A run of four or more single characters with at least twice as many letters as
-- stand-in digits reads each of 4 8 3 6 9 7 5 as its letter, as the leetspeak reading does inside a
-- word. Shorter runs and runs heavier in digits read as typed, because that is how people write
-- numbers with units: "need a 5 s delay" is not "ass", "top 5 e x" is not "sex", "g 4 y" and
-- "4 5 5" stay as they are (a first version that read three-character runs refused those; found by
-- probing before it landed).
--
-- 2. Joins that fit their term.
-- Words joined to find a term fit the term they matched (found by a false-positive probe: 51 of
-- 733 innocent lines were refused by how the matcher reads text, 0 of 526 ordinary ones):
-- - A join may span one more word than its term has, as docs/chat.md says. The span was the room's
--   longest phrase plus one for every term, so a room with a two-word phrase matched single words
--   split three ways ("ra p e").
-- - A join across a lone letter (a one-character word not part of a spelled-out run) must not be
--   longer than its term: "a SS rank" is not "ass", "c um amigo" (Portuguese "com") not "cum",
--   "rap e funk" not "rape", "pra ti t odo" not "tit". "a s s" and "k y s" are spelled-out runs and
--   still refused; a phrase with a one-letter word ("i hate you") still matches at its own length.
-- - A hyphen between two letters joins them: "who re-queued" is not "whore"; "bad-word" is still
--   "badword".
-- The joins are checked again only when a key matched (private.join_fitting_term), so a message
-- that matches nothing pays nothing more.
-- Restates private.blocked_term_found (create or replace needs the whole body) for both.

-- After a key matched: the first join of `words` (up to max_words + 1 of them, none across an
-- apostrophe) that is a key of `keys` and fits its term: at most one word more than the term has, and
-- no more words than the term when a lone letter (a one-character word) is among them. `held` reads
-- the joins that hold a letter down, each run of one letter once, as the elongated keys are.
create function private.join_fitting_term(keys jsonb, words text[], max_words integer, held boolean)
returns text
language sql
immutable
set search_path = ''
as $$
  select j.key
  from generate_subscripts(words, 1) i
  cross join lateral generate_series(i, least(cardinality(words), i + max_words)) n
  cross join lateral (
    select string_agg(words[k], '' order by k) as run,
           n - i + 1 as span,
           bool_or(char_length(words[k]) = 1) as lone,
           bool_or(words[k] in ('''', '’')) as apostrophe
    from generate_series(i, n) k) r
  cross join lateral (
    select case when held then regexp_replace(r.run, '(.)\1+', '\1', 'g') else r.run end as key) j
  cross join lateral (
    select cardinality(regexp_split_to_array(btrim(keys ->> j.key, ' _'), '[\s_]+')) as words) t
  where not r.apostrophe
    and (not held or r.run ~ '(.)\1\1')
    and keys ? j.key
    and r.span <= t.words + 1
    and (not r.lone or r.span <= t.words)
  order by i, n
  limit 1
$$;

revoke execute on function private.join_fitting_term(jsonb, text[], integer, boolean) from public, anon, authenticated, service_role;

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
  hit text;
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
    if strpos(reading, '-') > 0 then
      reading := regexp_replace(reading, '([[:alpha:]])-(?=[[:alpha:]])', '\1', 'g');
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
          exit when words[n] in ('''', '’');
          joined := joined || words[n];
          runs := runs || joined;
        end loop;
      end loop;
      if matcher.exact ?| runs then
        hit := private.join_fitting_term(matcher.exact, words, matcher.max_words, false);
        if hit is not null then
          return private.note_blocked_term(matcher.exact, array[hit]);
        end if;
      end if;
      -- Only runs that hold a letter down: "sooo as if" is not "ass".
      if elongated then
        runs := array(select regexp_replace(r, '(.)\1+', '\1', 'g') from unnest(runs) r where r ~ '(.)\1\1');
        if matcher.elongated ?| runs then
          hit := private.join_fitting_term(matcher.elongated, words, matcher.max_words, true);
          if hit is not null then
            return private.note_blocked_term(matcher.elongated, array[hit]);
          end if;
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
