-- The built-in search's typo lookup measures each candidate with a fixed expression instead of a
-- subquery per candidate, and its fixed lookups reuse their plans. Serves API.md `search`.

-- As before (20261130004100): the same alternatives, kinds and order. Changed:
--   * the word being typed is measured against the candidate's beginnings of length len - 2 .. len + 2
--     written out (five levenshtein_less_equal calls) instead of a generate_series subquery run for
--     every candidate. The result is the same: a beginning whose length differs from the word's by more
--     than the budget is more than the budget away, so the wider range never lowers a distance that
--     passes (`len - 2` is at least 2: there are no typos under 4 characters);
--   * the word itself and its completions are static statements planned once per session.
create or replace function private.search_alternatives(collection text, token text, is_last boolean, typos boolean)
returns table (word text, kind integer, docs integer)
language plpgsql
stable
set search_path = ''
set pg_trgm.word_similarity_threshold = 0.3
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
declare
  c constant text collate "default" := search_alternatives.collection;
  len constant integer := char_length(token);
  budget constant integer := case when len >= 7 or (is_last and len >= 6) then 2 when len >= 4 then 1 else 0 end;
begin
  if not typos then
    return query
      select v.word::text, 0, v.docs from private.search_vocabulary v where v.collection = c and v.word = token collate "C";
    if is_last then
      -- Completions: the primary key's range [token, token || U+10FFFF) in "C" order.
      return query
        select s.word::text, 1, s.docs from (
          select v.word, v.docs from private.search_vocabulary v
          where v.collection = c and v.word > token collate "C" and v.word < (token || chr(1114111)) collate "C"
          order by v.word limit 2000) s
        order by s.docs desc, char_length(s.word), s.word
        limit 10;
    end if;
    return;
  end if;
  if budget = 0 then
    return;
  end if;
  -- Dynamic, so the plan is made for this collection's partial trigram index and this word.
  return query execute format($q$
    select k.word, 2, k.docs from (
      select s.word::text as word, s.docs,
        case when %3$L then least(
            extensions.levenshtein_less_equal(%2$L, left(s.word, %5$s - 2), %4$s),
            extensions.levenshtein_less_equal(%2$L, left(s.word, %5$s - 1), %4$s),
            extensions.levenshtein_less_equal(%2$L, left(s.word, %5$s), %4$s),
            extensions.levenshtein_less_equal(%2$L, left(s.word, %5$s + 1), %4$s),
            extensions.levenshtein_less_equal(%2$L, left(s.word, %5$s + 2), %4$s))
          else extensions.levenshtein_less_equal(%2$L, s.word, %4$s) end as distance
      from (
        (select v.word, v.docs from private.search_vocabulary v
         where v.collection = %1$L and %2$L operator(extensions.<%%) v.word limit 500)
        union
        (select v.word, v.docs from private.search_vocabulary v
         where v.collection = %1$L and v.word >= left(%2$L, 2) and v.word < left(%2$L, 2) || chr(1114111)
         order by v.word limit 2000)
      ) s
      where s.word <> %2$L and (%3$L or abs(char_length(s.word) - %5$s) <= %4$s)
    ) k
    where k.distance <= %4$s
    order by k.distance, k.docs desc, k.word
    limit 10$q$, c, token, is_last, budget, len);
end
$$;

-- A page's documents by id (20261130004100), planned once per session.
alter function private.search_documents(text, uuid[]) set plan_cache_mode = force_generic_plan;
