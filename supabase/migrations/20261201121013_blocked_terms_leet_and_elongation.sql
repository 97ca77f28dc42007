-- Blocked terms written in leetspeak, with letters held down, with i and l swapped or joined by an
-- underscore are caught. Serves API.md `chat_blocked_term`. Found by probing: "b4dword", "sh!t",
-- "$hit", "fr33 money", "shiiit", "baaadword", "k1ll" and "bad_word" were all sent.
--
-- The term matcher compares words in a reading where:
--   - l and i are one letter (the matching form already reads 1 and | as l): "k1ll" is "kill";
--   - an underscore separates words, as a space does: "bad_word" is "bad word", so "badword";
--   - a term may be split once more than it has words ("bad word" in a room with no phrase, "kill
--     your self"), but no join crosses an apostrophe ("he'll" is not "hell").
-- Two more checks run only when a message needs them (ordinary chat pays two regex tests for them):
--   - leetspeak, one more reading of the message: in a word that mixes letters with
--     4 @ 8 3 6 9 7 ! 5 $ +, those stand for a a b e g g t i s s t ("b4d" is "bad", "$hit" is
--     "shit"). A word without a letter keeps its digits, so "I have 455 points" reads as typed;
--   - elongation: a word (or a join of words) that holds a letter down (three in a row) is compared
--     with every run of one letter counted once, on both sides ("shiiit" is "shit", "freeee money"
--     is "free money"). Whole terms and phrases only: `word*` and `*word` terms are not.
-- The moderators' log names the term the matcher found (it tested each term's pattern, so a
-- spelled-out or folded hit was logged with no term, and naming cost one test per term).

alter table private.chatroom_term_matchers add column elongated jsonb not null default '{}';
comment on column private.chatroom_term_matchers.elongated is
  'The exact terms'' keys with every run of one letter read as one (`freemoney` → `fremoney`), for messages that hold a letter down.';

-- As in 20261130002100, with the new keys: the terms' words joined, with `*` and `_` dropped and l
-- read as i. Each key maps to its term, so a hit can name the term it matched.
create or replace function private.rebuild_term_matcher(chatroom_id uuid)
returns private.chatroom_term_matchers language plpgsql volatile security definer set search_path = '' as $$
declare
  result private.chatroom_term_matchers;
begin
  with active as (
    select t.id, t.term, t.pattern, t.expires_at, f.words,
      case
        when not f.words <@ array(select w from unnest(f.words) w where w ~ '^\*?\w+\*?$') then 'pattern'
        when position('*' in f.joined) = 0 then 'exact'
        when cardinality(f.words) = 1 and f.joined ~ '^\w+\*$' then 'prefix'
        when cardinality(f.words) = 1 and f.joined ~ '^\*\w+$' then 'suffix'
        else 'pattern'
      end as kind,
      translate(f.joined, 'l*_', 'i') as term_key
    from public.chatroom_blocked_terms t,
      lateral (select string_to_array(private.matching_form(t.term), ' ') as words) w,
      lateral (select w.words, array_to_string(w.words, '') as joined) f
    where t.chatroom_id = rebuild_term_matcher.chatroom_id and (t.expires_at is null or t.expires_at > now())
  )
  insert into private.chatroom_term_matchers as m
    (chatroom_id, exact, max_words, prefixes, max_prefix, suffixes, max_suffix, pattern, next_expiry, elongated)
  select rebuild_term_matcher.chatroom_id,
    coalesce(jsonb_object_agg(a.term_key, a.term) filter (where a.kind = 'exact'), '{}'),
    coalesce(max(cardinality(a.words)) filter (where a.kind = 'exact'), 0),
    coalesce(jsonb_object_agg(a.term_key, a.term) filter (where a.kind = 'prefix'), '{}'),
    coalesce(max(char_length(a.term_key)) filter (where a.kind = 'prefix'), 0),
    coalesce(jsonb_object_agg(a.term_key, a.term) filter (where a.kind = 'suffix'), '{}'),
    coalesce(max(char_length(a.term_key)) filter (where a.kind = 'suffix'), 0),
    '(?:' || string_agg(a.pattern, '|' order by a.id) filter (where a.kind = 'pattern') || ')',
    min(a.expires_at),
    coalesce(jsonb_object_agg(regexp_replace(a.term_key, '(.)\1+', '\1', 'g'), a.term) filter (where a.kind = 'exact'), '{}')
  from active a
  on conflict on constraint chatroom_term_matchers_pkey do update set
    exact = excluded.exact, max_words = excluded.max_words, prefixes = excluded.prefixes,
    max_prefix = excluded.max_prefix, suffixes = excluded.suffixes, max_suffix = excluded.max_suffix,
    pattern = excluded.pattern, next_expiry = excluded.next_expiry, elongated = excluded.elongated
  returning * into result;
  return result;
end
$$;

-- The term a hit matched, for the moderators' log (private.record_blocked_attempt, later in the
-- same send): kept in a transaction-local setting, so finding a term costs nothing when none is.
create function private.note_blocked_term(keys jsonb, candidates text[])
returns boolean language plpgsql volatile set search_path = '' as $$
begin
  perform set_config('streamz.blocked_term',
    coalesce((select keys ->> c from unnest(candidates) c where jsonb_typeof(keys -> c) = 'string' limit 1), ''), true);
  return true;
end
$$;

-- As in 20261201112423, with the readings above. Each reading is checked the same way: the runs of
-- up to max_words + 1 consecutive words joined (a term split once more than it has words, "bad word",
-- is caught in every room, not only in rooms that also block a phrase), and the words' starts and
-- ends; a spelled-out run counts as one word.
create or replace function private.blocked_term_found(chatroom_id uuid, matcher private.chatroom_term_matchers, content_form text)
returns boolean language plpgsql volatile security definer set search_path = '' as $$
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
            spliced := spliced || array_to_string(singles, '');
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
$$;

-- As in 20261130002200, except the term is the one the matcher noted (see note_blocked_term); the
-- patterns are tested only for a hit through the room's combined pattern.
create or replace function private.record_blocked_attempt(chatroom_id uuid, sender_id uuid, body text, content_form text)
returns void language plpgsql volatile security definer set search_path = '' as $$
declare
  log_id bigint;
  term text;
begin
  delete from private.chat_blocked_attempts a
  where a.chatroom_id = record_blocked_attempt.chatroom_id and a.user_id = sender_id
    and a.created_at < now() - interval '2 minutes';
  select a.moderation_action_id into log_id from private.chat_blocked_attempts a
  where a.chatroom_id = record_blocked_attempt.chatroom_id and a.user_id = sender_id
    and a.created_at > now() - interval '30 seconds'
  order by a.created_at limit 1;
  if log_id is not null then
    update public.moderation_actions l
    set details = jsonb_set(l.details, '{count}', to_jsonb(coalesce((l.details ->> 'count')::integer, 1) + 1))
    where l.id = log_id;
  else
    term := nullif(current_setting('streamz.blocked_term', true), '');
    if term is null then
      select t.term into term from public.chatroom_blocked_terms t
      where t.chatroom_id = record_blocked_attempt.chatroom_id and (t.expires_at is null or t.expires_at > now())
        and content_form ~ t.pattern
      order by t.id limit 1;
    end if;
    log_id := private.log_moderation_action(chatroom_id, null, sender_id, 'message.blocked', null, null,
      jsonb_build_object('code', 'chat_blocked_term', 'content', body, 'term', term, 'count', 1));
    perform realtime.send(jsonb_build_object('user_id', sender_id, 'code', 'chat_blocked_term'),
      'message.blocked', 'chatroom:' || chatroom_id::text || ':mods', true);
  end if;
  insert into private.chat_blocked_attempts (chatroom_id, user_id, content_form, moderation_action_id)
  values (chatroom_id, sender_id, content_form, log_id);
end
$$;

revoke execute on function private.note_blocked_term(jsonb, text[]) from public, anon, authenticated;
revoke execute on function private.rebuild_term_matcher(uuid) from public;
revoke execute on function private.blocked_term_found(uuid, private.chatroom_term_matchers, text) from public;
revoke execute on function private.record_blocked_attempt(uuid, uuid, text, text) from public;

-- Every room's matcher again, with the new keys.
select private.rebuild_term_matcher(m.chatroom_id) from private.chatroom_term_matchers m;
