-- The built-in search answers queries of many rare words and of words over 253 characters (once folded)
-- instead of a 500 (22003 underflow, levenshtein's 255-character limit). Serves API.md `search`.
--
-- Found by probing: `q=12345 23456 34567 45678 56789 67890 78901 89012` (8 words in one document each,
-- 100k channels) answered 500. search_match estimates a query's matches (`expected`) as the collection
-- size times each word's share of it, in `real`: 100,000 x (1/100,000)^8 is 1e-35, whose square (the
-- rule that picks ranking the GIN matches over walking the ranking) is below what `real` holds, and
-- Postgres raises `value out of range: underflow` rather than round to 0. Typo variants of the words
-- (`12346 23457 ...`) did the same, and at 10 words (the most a query keeps) the product itself was
-- within a step of it.
-- And a word that NFKC folding makes longer than 255 characters (`q=no` + 98 x `㌖`, each one
-- `キロメートル`) reached levenshtein_less_equal in the typo lookup, which refuses such strings.

-- As before (20261201020000): the same alternatives, kinds and order for every word of up to 253
-- characters. Changed: a longer word has no typo alternatives (budget 0: no levenshtein call), and a
-- word that is not the last is compared with a candidate cut to its length plus the budget (a longer
-- candidate is left out by the length test anyway), so no call is given more than 255 characters
-- whatever the vocabulary holds (a category name of 255 characters can fold into a longer word).
select extensions.similarity('', '');

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
  -- No typos for a word over 253 characters (levenshtein_less_equal refuses strings over 255, and the
  -- last word is compared with completions' beginnings 2 characters longer than itself).
  budget constant integer := case when len > 253 then 0
    when len >= 7 or (is_last and len >= 6) then 2 when len >= 4 then 1 else 0 end;
  head constant text collate "C" := left(token, 2);
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
  -- Candidates: words sharing trigrams (the collection's trigram index) or the first two characters.
  return query
    select k.word, 2, k.docs from (
      select s.word::text as word, s.docs,
        case when is_last then least(
            extensions.levenshtein_less_equal(token, left(s.word, len - 2), budget),
            extensions.levenshtein_less_equal(token, left(s.word, len - 1), budget),
            extensions.levenshtein_less_equal(token, left(s.word, len), budget),
            extensions.levenshtein_less_equal(token, left(s.word, len + 1), budget),
            extensions.levenshtein_less_equal(token, left(s.word, len + 2), budget))
          else extensions.levenshtein_less_equal(token, left(s.word, len + budget), budget) end as distance
      from (
        (select t.word, t.docs from (
           select v.word, v.docs from private.search_vocabulary v
           where c = 'channels' and v.collection = 'channels' and token operator(extensions.<%) v.word
           union all
           select v.word, v.docs from private.search_vocabulary v
           where c = 'livestreams' and v.collection = 'livestreams' and token operator(extensions.<%) v.word
           union all
           select v.word, v.docs from private.search_vocabulary v
           where c = 'categories' and v.collection = 'categories' and token operator(extensions.<%) v.word) t
         limit 500)
        union
        (select v.word, v.docs from private.search_vocabulary v
         where v.collection = c and v.word >= head and v.word < head || chr(1114111)
         order by v.word limit 2000)
      ) s
      where s.word <> token collate "C" and (is_last or abs(char_length(s.word) - len) <= budget)
    ) k
    where k.distance <= budget
    order by k.distance, k.docs desc, k.word
    limit 10;
end
$$;

-- As before (20261201040000): the same matches, counts, facets and order. Changed: `expected` and
-- `total` are double precision, the product stops once `expected` is under one match (the rule
-- below then ranks the GIN matches whatever the other words' shares, as before: for a page of one or
-- more, expected² < 1 <= 2 x wanted x total), so no step can underflow or overflow, whatever the
-- number of words or the collection's size (at least 1: search_collection_size). The bound of the
-- words as typed is squared in double precision too.
create or replace function private.search_match(
  collection text, query text, filter_terms text[], exclude_terms text[], page_size integer, page_offset integer,
  facets boolean
)
returns jsonb
language plpgsql
stable
set search_path = ''
set enable_seqscan = off
set max_parallel_workers_per_gather = 0
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
declare
  cap constant integer := 1000;
  c constant text collate "default" := search_match.collection;
  wanted constant integer := greatest(least(page_size + page_offset, cap), 0);
  toks text[];
  typed text[];
  kept integer;
  typo_pass integer;
  i integer;
  plain text[];
  typo_words text[];
  all_words text[];
  ok boolean;
  most_docs integer;
  typo_docs integer;
  word_docs bigint;
  exact_docs integer;
  typed_bound integer;
  word_lists text[];
  word_counts bigint[];
  common text[];
  indexed text[];
  checks text[];
  k1 text[];
  k2 text[];
  more_checks text[];
  lists integer;
  l1 text[];
  l2 text[];
  l3 text[];
  l4 text[];
  expected double precision;
  rank_all boolean;
  ranked boolean;
  typed_only boolean;
  bound bigint;
  total double precision;
  found integer;
  ids jsonb;
  more jsonb;
  facet_counts jsonb := '{}';
  empty constant jsonb := jsonb_build_object('found', 0, 'page', '[]'::jsonb, 'facets', '{}'::jsonb);
  -- The `live` filter, as the range of search_rank.live a walk reads.
  live_from constant boolean := '~live' = any(filter_terms);
  live_to constant boolean := not '~off' = any(filter_terms);
  -- Exclusions: `~mature` from the row's flag (an array test per match cost more), any other term from
  -- the terms.
  skip_mature constant boolean := '~mature' = any(exclude_terms);
  other_excluded constant text[] := array_remove(exclude_terms, '~mature');
begin
  select array_agg(t.w order by t.pos) into toks from (
    select lower(s.w) as w, min(s.pos) as pos
    from unnest(private.search_split(query)) with ordinality as s(w, pos)
    group by lower(s.w) order by min(s.pos) limit 10) t;
  if toks is null then
    return empty;
  end if;
  for kept in reverse cardinality(toks)..1 loop
    typed := toks[1:kept];
    for typo_pass in 0..1 loop
      word_lists := '{}';
      word_counts := '{}';
      all_words := '{}';
      ok := true;
      bound := null;
      typed_bound := null;
      for i in 1..kept loop
        -- Without typos: the word itself and (last word) its completions. With: those, plus typos.
        select array_agg(a.word), max(a.docs), sum(a.docs), coalesce(sum(a.docs) filter (where a.kind = 0), 0)
        into plain, most_docs, word_docs, exact_docs
        from private.search_alternatives(c, toks[i], i = kept, false) a;
        -- At most this many documents hold every word as typed.
        typed_bound := least(typed_bound, exact_docs);
        typo_words := null;
        if typo_pass = 1 then
          select array_agg(a.word), max(a.docs), coalesce(word_docs, 0) + coalesce(sum(a.docs), 0)
          into typo_words, typo_docs, word_docs
          from private.search_alternatives(c, toks[i], i = kept, true) a;
          most_docs := greatest(most_docs, typo_docs);
        end if;
        -- At most this many documents match (the rarest word's alternatives, all of them).
        bound := least(bound, word_docs);
        all_words := all_words || coalesce(plain, '{}') || coalesce(typo_words, '{}');
        if coalesce(cardinality(plain), 0) + coalesce(cardinality(typo_words), 0) = 0 then
          ok := false;
          exit;
        end if;
        word_lists := word_lists || (coalesce(plain, '{}') || coalesce(typo_words, '{}'))::text;
        word_counts := word_counts || word_docs;
      end loop;
      continue when not ok;
      -- Every word's only alternative is itself as typed: every match holds every word as typed (the
      -- first tier), so no match's terms are tested for it (0.2 µs a match).
      typed_only := typo_pass = 0
        and not exists (select from generate_subscripts(word_lists, 1) k where word_lists[k]::text[] <> array[typed[k]]);
      total := coalesce(total, private.search_collection_size(c));
      if common is null then
        common := case when cardinality(filter_terms) > 0 then private.search_common_terms(filter_terms) else '{}' end;
      end if;
      -- The lists a match must hold a word of. In the GIN index condition: the filter terms that are not
      -- common, then the words from the rarest; a word held by more than half of the documents (`day`
      -- in every title) and a filter term held by more than half of the rows (`~l:en`) are checked on
      -- the rows the others found instead (reading their posting lists, nearly every document, cost
      -- more than the check). The rarest word always stays in the index condition.
      indexed := array(select array[t]::text from unnest(filter_terms) t where t <> all(common));
      checks := array(select array[t]::text from unnest(common) t);
      for i in select k from generate_subscripts(word_counts, 1) k order by word_counts[k], k loop
        if word_counts[i] * 2 > total and word_counts[i] > bound then
          checks := checks || word_lists[i];
        else
          indexed := indexed || word_lists[i];
        end if;
      end loop;
      checks := checks || indexed[5:];
      k1 := checks[1]::text[];
      k2 := checks[2]::text[];
      more_checks := checks[3:];
      lists := least(cardinality(indexed), 4);
      l1 := indexed[1]::text[];
      l2 := indexed[2]::text[];
      l3 := indexed[3]::text[];
      l4 := indexed[4]::text[];
      -- Few matches (`expected`) among many documents: found in the GIN index and ranked from their rows
      -- (about 3 µs a match); walking the ranking visits about wanted * total / expected rows (about
      -- 6 µs each) before the page is full, so the walk is kept for when that costs less. `expected`
      -- is at most `bound` and, for several words, what independent words would give (their shares of
      -- the documents multiplied).
      -- In double precision, and no further once under one match (ranked from the rows whatever the
      -- other words give): in `real`, eight rare words at 100k documents underflowed (22003).
      expected := total;
      for i in 1..kept loop
        exit when expected < 1;
        expected := expected * least(1, word_counts[i] / total);
      end loop;
      expected := least(bound, expected);
      rank_all := expected * expected < 2 * wanted::double precision * total;
      -- A single word one of whose alternatives (typos included) alone is held by 2,000 documents, with
      -- no filter or facet to count and too many expected to rank from their rows: more than 1,000
      -- matches, known from the vocabulary (only mature ones excluded), so the matches are not counted
      -- but walked in ranking order.
      if kept = 1 and cardinality(filter_terms) = 0 and not facets and most_docs >= 2 * cap and not rank_all then
        found := cap + 1;
        ranked := false;
      else
        -- One statement for the first 1,001 matches (`m`): their count, their facets, and the page,
        -- ranked from the matched rows (`a`): when that is all of them, or, for few expected matches
        -- (`rank_all`), over every match (one GIN scan for the count and the page). Every word as
        -- typed first; past 1,000 matches found with typos, no such tier (as the walk below).
        with source as not materialized (
          select i.document_id, i.terms, i.category_id, i.language, i.popularity, i.label, i.live, i.mature
          from private.search_index i where c = 'channels' and i.collection = 'channels'
          union all
          select i.document_id, i.terms, i.category_id, i.language, i.popularity, i.label, i.live, i.mature
          from private.search_index i where c = 'livestreams' and i.collection = 'livestreams'
          union all
          select i.document_id, i.terms, i.category_id, i.language, i.popularity, i.label, i.live, i.mature
          from private.search_index i where c = 'categories' and i.collection = 'categories'
        ), a as materialized (
          select s.* from (
            select s.* from source s where lists = 1 and s.terms && l1
            union all
            select s.* from source s where lists = 2 and s.terms && l1 and s.terms && l2
            union all
            select s.* from source s where lists = 3 and s.terms && l1 and s.terms && l2 and s.terms && l3
            union all
            select s.* from source s where lists = 4 and s.terms && l1 and s.terms && l2 and s.terms && l3 and s.terms && l4
          ) s
          where not (skip_mature and s.mature) and (cardinality(other_excluded) = 0 or not s.terms && other_excluded)
            and (k1 is null or s.terms && k1) and (k2 is null or s.terms && k2)
            and (cardinality(more_checks) = 0 or not exists (select from unnest(more_checks) k where not s.terms && k::text[]))
          limit case when rank_all then null else cap + 1 end
        ), m as materialized (select a.category_id, a.language from a limit cap + 1)
        select (select count(*)::integer from m),
          (select coalesce(jsonb_agg(jsonb_build_object('id', p.document_id,
                    'words', to_jsonb(array(select t from unnest(p.terms) t where t = any(all_words))))
                    order by p.tier desc, p.live desc, p.popularity desc, p.label, p.document_id), '[]'::jsonb)
           from (select a.document_id, a.terms, a.popularity, a.label, a.live,
                   case when typed_only then true when typo_pass = 1 and (select count(*) from m) > cap then false
                        else a.terms @> typed end as tier
                 from a where rank_all or (select count(*) from m) <= cap
                 order by tier desc, live desc, a.popularity desc, a.label, a.document_id limit wanted) p),
          case when facets then jsonb_build_object(
            'category', coalesce((select jsonb_agg(jsonb_build_object('value', f.category_id, 'count', f.n) order by f.n desc, f.category_id)
              from (select m.category_id, count(*) as n from m where m.category_id is not null
                    group by m.category_id order by count(*) desc, m.category_id limit 10) f), '[]'::jsonb),
            'language', coalesce((select jsonb_agg(jsonb_build_object('value', f.language, 'count', f.n) order by f.n desc, f.language)
              from (select m.language, count(*) as n from m where m.language is not null
                    group by m.language order by count(*) desc, m.language limit 10) f), '[]'::jsonb))
            else '{}'::jsonb end
        into found, ids, facet_counts;
        ranked := rank_all;
      end if;
      if found > 0 then
        if found > cap and not ranked then
          -- More than 1,000: walk the ranking. Without typos, tier 1 (every word as typed), then tier 2
          -- (the rest); with typos, one tier. Tier 1 is empty when a word as typed is in no document,
          -- and found in the GIN index and ranked from its rows when few documents may hold it (by the
          -- rule above; the walk would visit most rows for a rare or absent tier).
          if typo_pass = 1 then
            ids := private.search_walk(c, l1, l2, l3, l4, checks, exclude_terms, all_words, typed, null, wanted, live_from, live_to);
          elsif typed_bound = 0 then
            ids := '[]';
          elsif typed_bound::double precision * typed_bound < 2 * wanted::double precision * total then
            ids := private.search_ranked_typed(c, typed || array(select t from unnest(filter_terms) t where t <> all(common)),
                                               l1, l2, l3, l4, checks, exclude_terms, all_words, wanted);
          else
            ids := private.search_walk(c, l1, l2, l3, l4, checks, exclude_terms, all_words, typed, true, wanted, live_from, live_to);
          end if;
          if typo_pass = 0 and jsonb_array_length(ids) < wanted then
            more := private.search_walk(c, l1, l2, l3, l4, checks, exclude_terms, all_words, typed,
                                        false, wanted - jsonb_array_length(ids), live_from, live_to);
            ids := ids || more;
          end if;
        end if;
        return jsonb_build_object(
          'found', least(found, cap),
          'page', coalesce((select jsonb_agg(e order by n) from jsonb_array_elements(ids) with ordinality as t(e, n)
                            where n > page_offset), '[]'::jsonb),
          'facets', facet_counts);
      end if;
      -- A second pass only when some word is long enough for a typo.
      exit when not exists (select from unnest(typed) t where char_length(t) >= 4);
    end loop;
  end loop;
  return empty;
end
$$;
