-- The blocked-term matcher's work is bounded by the message, not by the room's terms. Serves API.md
-- `chat_blocked_term` and the `chatroom_blocked_terms` limits; docs/chat.md "Blocked terms".
--
-- Found by a denial-of-service probe:
-- 1. Runs of words were built up to the room's longest phrase (250 one-letter words) from every word
--    of the message, each run a longer string, and each tested with a back-reference for a held
--    letter: 'aaa a4 ' + 490 × U+FDFA (four words each under NFKC) ran past the 8 s statement
--    timeout. Now a term has at most 10 words in its matching form (checked when one is inserted or
--    its text changes, 23514 `chatroom_blocked_terms_term_words`; longer ones already stored are
--    matched by their regular expression), a run stops growing once it is longer than the room's
--    longest key, and whether a word holds a letter down is decided once per word, with the joins
--    between words compared character by character (and only near such words).
-- 2. private.join_fitting_term was SQL over nested generate_series: re-planned at each call, its
--    estimated cost passed jit_above_cost, so each exact-term hit paid about 125 ms of LLVM
--    compilation with jit on (the Postgres default). It is PL/pgSQL now, with no query to plan.
-- 3. Terms with inner punctuation or inner wildcards were one alternation per room: 1,000 `abcd.efg`
--    terms took 620-730 ms to compile on a connection's first send, and 400 dotted 499-character
--    terms did not compile at all (2201B), so every send in the room failed. Their patterns now have a
--    budget of 1,000 characters per room (an insert or update past it is refused, 23514
--    `chatroom_blocked_terms_pattern_budget`; a room already past it is matched in pieces of about
--    that size), and record_blocked_attempt names the matched term from one match with a group per
--    term instead of compiling each term's pattern on its own (which also pushed the room's
--    expression out of the connection's 32-entry regular-expression cache).

-- The most words a blocked term's matching form may have, and the most characters the regular
-- expressions of a room's terms that need one may add up to.
create function private.blocked_term_max_words()
returns integer language sql immutable parallel safe set search_path = '' as $$
  select 10
$$;

create function private.blocked_term_pattern_budget()
returns integer language sql immutable parallel safe set search_path = '' as $$
  select 1000
$$;

comment on table public.chatroom_blocked_terms is
  'Words and phrases send_message refuses in a chatroom (chat_blocked_term; staff are not checked). Only the room''s staff read, insert and delete them; at most 1000 per room. A term has at most 10 words once folded (23514, chatroom_blocked_terms_term_words); the patterns of the terms matched by a regular expression (inner punctuation, `*word*`, a wildcard in a phrase) add up to at most 1,000 characters per room (23514, chatroom_blocked_terms_pattern_budget).';
comment on column public.chatroom_blocked_terms.term is
  'The blocked word or phrase (2-500 characters, at most 10 words once folded; `*` only at a word''s start or end). Matched as whole words on the matching form, so look-alike, accented, fullwidth and zero-width-split spellings are caught.';

-- The matcher keeps the length of its longest exact key (runs of words stop there) and its regular
-- expressions as pieces, each with one group per term, in the order of `pattern_terms`.
alter table private.chatroom_term_matchers
  add column max_key_bytes integer not null default 0,
  add column patterns text[] not null default '{}',
  add column pattern_terms jsonb not null default '[]';
alter table private.chatroom_term_matchers drop column pattern;

comment on column private.chatroom_term_matchers.max_key_bytes is
  'The length in bytes of the longest exact key: a run of words longer than it cannot be a key (bytes: octet_length is free, char_length reads the text).';
comment on column private.chatroom_term_matchers.patterns is
  'The patterns of the terms no key set holds, joined as `(p1)|(p2)|…` into pieces of about private.blocked_term_pattern_budget() characters (one piece unless the room was past the budget before it existed).';
comment on column private.chatroom_term_matchers.pattern_terms is
  'For each piece of `patterns`, the terms of its groups in order (the moderators'' log names the one that matched).';

-- How the matcher holds a term, from the words of its matching form: `exact` (its words joined, a
-- key), `prefix` (`word*`), `suffix` (`*word`), or `pattern` (its regular expression: inner
-- punctuation, `*word*`, a wildcard in a phrase, or more words than a term may have now).
create function private.blocked_term_kind(words text[])
returns text language sql immutable parallel safe set search_path = '' as $$
  select case
    when not words <@ array(select w from unnest(words) w where w ~ '^\*?\w+\*?$') then 'pattern'
    when position('*' in array_to_string(words, '')) = 0 then
      case when cardinality(words) <= private.blocked_term_max_words() then 'exact' else 'pattern' end
    when cardinality(words) = 1 and words[1] ~ '^\w+\*$' then 'prefix'
    when cardinality(words) = 1 and words[1] ~ '^\*\w+$' then 'suffix'
    else 'pattern'
  end
$$;

-- As in 20261201121013, with the kinds above, the longest exact key and the patterns in pieces. A
-- piece takes the terms whose pattern starts within its budget, so a room within the budget has one.
create or replace function private.rebuild_term_matcher(chatroom_id uuid)
returns private.chatroom_term_matchers language plpgsql security definer set search_path = '' as $$
declare
  result private.chatroom_term_matchers;
begin
  with active as (
    select t.id, t.term, t.pattern, t.expires_at, w.words, private.blocked_term_kind(w.words) as kind,
      translate(array_to_string(w.words, ''), 'l*_', 'i') as term_key
    from public.chatroom_blocked_terms t,
      lateral (select string_to_array(private.matching_form(t.term), ' ') as words) w
    where t.chatroom_id = rebuild_term_matcher.chatroom_id and (t.expires_at is null or t.expires_at > now())
  ),
  placed as (
    select a.id, a.term, a.pattern,
      (sum(char_length(a.pattern) + 3) over (order by a.id) - char_length(a.pattern) - 3)
        / private.blocked_term_pattern_budget() as piece
    from active a
    where a.kind = 'pattern'
  ),
  pieces as (
    select p.piece, '(' || string_agg(p.pattern, ')|(' order by p.id) || ')' as pattern,
      jsonb_agg(p.term order by p.id) as terms
    from placed p
    group by p.piece
  )
  insert into private.chatroom_term_matchers as m
    (chatroom_id, exact, max_words, max_key_bytes, prefixes, max_prefix, suffixes, max_suffix,
     patterns, pattern_terms, next_expiry, elongated)
  select rebuild_term_matcher.chatroom_id,
    coalesce(jsonb_object_agg(a.term_key, a.term) filter (where a.kind = 'exact'), '{}'),
    coalesce(max(cardinality(a.words)) filter (where a.kind = 'exact'), 0),
    coalesce(max(octet_length(a.term_key)) filter (where a.kind = 'exact'), 0),
    coalesce(jsonb_object_agg(a.term_key, a.term) filter (where a.kind = 'prefix'), '{}'),
    coalesce(max(char_length(a.term_key)) filter (where a.kind = 'prefix'), 0),
    coalesce(jsonb_object_agg(a.term_key, a.term) filter (where a.kind = 'suffix'), '{}'),
    coalesce(max(char_length(a.term_key)) filter (where a.kind = 'suffix'), 0),
    coalesce((select array_agg(p.pattern order by p.piece) from pieces p), '{}'),
    coalesce((select jsonb_agg(p.terms order by p.piece) from pieces p), '[]'),
    min(a.expires_at),
    coalesce(jsonb_object_agg(regexp_replace(a.term_key, '(.)\1+', '\1', 'g'), a.term) filter (where a.kind = 'exact'), '{}')
  from active a
  on conflict on constraint chatroom_term_matchers_pkey do update set
    exact = excluded.exact, max_words = excluded.max_words, max_key_bytes = excluded.max_key_bytes,
    prefixes = excluded.prefixes, max_prefix = excluded.max_prefix, suffixes = excluded.suffixes,
    max_suffix = excluded.max_suffix, patterns = excluded.patterns, pattern_terms = excluded.pattern_terms,
    next_expiry = excluded.next_expiry, elongated = excluded.elongated
  returning * into result;
  return result;
end
$$;

-- After an insert or update, a room's patterns fit the budget and compile; `before` is their length
-- before the statement, so a room past the budget (terms stored before it existed) can still change
-- terms that do not add to it.
create function private.check_term_patterns(matcher private.chatroom_term_matchers, before integer)
returns void language plpgsql set search_path = '' as $$
declare
  total integer := (select coalesce(sum(char_length(p)), 0) from unnest(matcher.patterns) p);
  piece text;
begin
  if total <= before then
    return;
  end if;
  if total > private.blocked_term_pattern_budget() then
    raise exception 'The terms of a chatroom matched by a regular expression (inner punctuation, *word*, a wildcard in a phrase) may add up to % characters of pattern; these would take %.',
      private.blocked_term_pattern_budget(), total
      using errcode = '23514', constraint = 'chatroom_blocked_terms_pattern_budget',
        table = 'chatroom_blocked_terms', schema = 'public';
  end if;
  foreach piece in array matcher.patterns loop
    begin
      perform '' ~ piece;
    exception when invalid_regular_expression then
      raise exception 'These blocked terms make a regular expression PostgreSQL cannot compile: remove some terms with inner punctuation or wildcards.'
        using errcode = '23514', constraint = 'chatroom_blocked_terms_pattern_budget',
          table = 'chatroom_blocked_terms', schema = 'public';
    end;
  end loop;
end
$$;

-- As in 20261130002100, checking what an insert or update wrote: each new or changed term's words
-- (terms stored before the limit keep theirs until their text changes), then each room's patterns.
create or replace function private.rebuild_term_matchers()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  rooms uuid[] := '{}';
  room uuid;
  before integer;
  matcher private.chatroom_term_matchers;
  long_term text;
begin
  -- Each transition table exists only for its events, so each is read in its own statement.
  if tg_op = 'INSERT' then
    select n.term into long_term from new_terms n
    where cardinality(string_to_array(private.matching_form(n.term), ' ')) > private.blocked_term_max_words()
    limit 1;
  elsif tg_op = 'UPDATE' then
    select n.term into long_term from new_terms n
    where cardinality(string_to_array(private.matching_form(n.term), ' ')) > private.blocked_term_max_words()
      and not exists (select 1 from old_terms o where o.id = n.id and o.term = n.term)
    limit 1;
  end if;
  if long_term is not null then
    raise exception 'A blocked term has at most % words once folded: "%" has %.', private.blocked_term_max_words(),
      left(long_term, 60), cardinality(string_to_array(private.matching_form(long_term), ' '))
      using errcode = '23514', constraint = 'chatroom_blocked_terms_term_words',
        table = 'chatroom_blocked_terms', schema = 'public';
  end if;
  if tg_op <> 'DELETE' then
    rooms := rooms || array(select n.chatroom_id from new_terms n);
  end if;
  if tg_op <> 'INSERT' then
    rooms := rooms || array(select o.chatroom_id from old_terms o);
  end if;
  for room in select distinct x from unnest(rooms) x loop
    if exists (select 1 from public.chatrooms r where r.id = room) then
      before := (select coalesce(sum(char_length(p)), 0)
                 from private.chatroom_term_matchers m, unnest(m.patterns) p where m.chatroom_id = room);
      matcher := private.rebuild_term_matcher(room);
      if tg_op <> 'DELETE' then
        perform private.check_term_patterns(matcher, before);
      end if;
    end if;
  end loop;
  return null;
end
$$;

-- After a key matched: the first join of `words` (up to max_words + 1 of them, none across an
-- apostrophe) that is a key of `keys` and fits its term: at most one word more than the term has,
-- and no more words than the term when a lone letter (a one-character word) is among them. `held`
-- reads the joins that hold a letter down, each run of one letter once, as the elongated keys are.
-- As in 20261201144053, in PL/pgSQL: its loops need no plan, and its queries over the keys and the
-- words are planned once a session, far below jit_above_cost. The joins are built as
-- private.blocked_term_found builds them, and stop once longer than the longest key.
create or replace function private.join_fitting_term(keys jsonb, words text[], max_words integer, held boolean)
returns text language plpgsql immutable set search_path = '' as $$
declare
  longest integer := (select max(octet_length(k)) from jsonb_object_keys(keys) k);
  held_words boolean[];
  squeezed_words text[];
  run text;
  squeezed text;
  key text;
  first_letter text;
  lone boolean;
  held_down boolean;
  span integer;
  term_words integer;
  i integer;
  n integer;
begin
  if longest is null then
    return null;
  end if;
  if held then
    held_words := array(select w ~ '(.)\1\1' from unnest(words) w);
    squeezed_words := array(select regexp_replace(w, '(.)\1+', '\1', 'g') from unnest(words) w);
  end if;
  for i in 1 .. coalesce(cardinality(words), 0) loop
    run := '';
    squeezed := '';
    lone := false;
    held_down := false;
    for n in i .. least(cardinality(words), i + max_words) loop
      exit when words[n] in ('''', '’');
      lone := lone or char_length(words[n]) = 1;
      if held then
        first_letter := left(words[n], 1);
        held_down := held_down or held_words[n] or (right(run, 1) = first_letter
          and (right(run, 2) = first_letter || first_letter or substr(words[n], 2, 1) = first_letter));
        squeezed := squeezed || case when right(squeezed, 1) = left(squeezed_words[n], 1)
          then substr(squeezed_words[n], 2) else squeezed_words[n] end;
        key := squeezed;
      end if;
      run := run || words[n];
      if not held then
        key := run;
      end if;
      exit when octet_length(key) > longest;
      if (not held or held_down) and keys ? key then
        span := n - i + 1;
        term_words := cardinality(regexp_split_to_array(btrim(keys ->> key, ' _'), '[\s_]+'));
        if span <= term_words + 1 and (not lone or span <= term_words) then
          return key;
        end if;
      end if;
    end loop;
  end loop;
  return null;
end
$$;

-- As in 20261201144053, with the runs bounded: a run stops growing once it is longer than the
-- room's longest key (or, read held down, once it is that long with each run of a letter counted
-- once), and a run holds a letter down when one of its words does (one test per word) or a join
-- between two of them makes three of a letter in a row (compared character by character).
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

-- The term whose pattern matches `content_form` in the room, from one match of the piece that
-- matched (a group per term; the term of the leftmost match); null when none does.
create function private.blocked_pattern_term(chatroom_id uuid, content_form text)
returns text language plpgsql stable security definer set search_path = '' as $$
declare
  matcher private.chatroom_term_matchers;
  groups text[];
  k integer;
begin
  select m.* into matcher from private.chatroom_term_matchers m where m.chatroom_id = blocked_pattern_term.chatroom_id;
  for k in 1 .. coalesce(cardinality(matcher.patterns), 0) loop
    if content_form ~ matcher.patterns[k] then
      groups := regexp_match(content_form, matcher.patterns[k]);
      return matcher.pattern_terms -> (k - 1) ->> (
        (select min(g.i) from unnest(groups) with ordinality g (v, i) where g.v is not null) - 1)::integer;
    end if;
  end loop;
  return null;
end
$$;

-- As in 20261201121013, naming a pattern term from the room's matcher.
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
    term := coalesce(nullif(current_setting('streamz.blocked_term', true), ''),
      private.blocked_pattern_term(chatroom_id, content_form));
    log_id := private.log_moderation_action(chatroom_id, null, sender_id, 'message.blocked', null, null,
      jsonb_build_object('code', 'chat_blocked_term', 'content', body, 'term', term, 'count', 1));
    perform realtime.send(jsonb_build_object('user_id', sender_id, 'code', 'chat_blocked_term'),
      'message.blocked', 'chatroom:' || chatroom_id::text || ':mods', true);
  end if;
  insert into private.chat_blocked_attempts (chatroom_id, user_id, content_form, moderation_action_id)
  values (chatroom_id, sender_id, content_form, log_id);
end
$$;

revoke execute on function private.blocked_term_max_words() from public, anon, authenticated, service_role;
revoke execute on function private.blocked_term_pattern_budget() from public, anon, authenticated, service_role;
revoke execute on function private.blocked_term_kind(text[]) from public, anon, authenticated, service_role;
revoke execute on function private.check_term_patterns(private.chatroom_term_matchers, integer) from public, anon, authenticated, service_role;
revoke execute on function private.blocked_pattern_term(uuid, text) from public, anon, authenticated, service_role;

-- Every room's matcher again, with its longest key and its patterns in pieces.
select private.rebuild_term_matcher(m.chatroom_id) from private.chatroom_term_matchers m;
