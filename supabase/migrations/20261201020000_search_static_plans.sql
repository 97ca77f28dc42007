-- The built-in search's per-query statements become static SQL whose plans are made once per session
-- (they were built and planned at every call, 0.4-0.9 ms each). Serves API.md `search`.

-- Load pg_trgm's library in this session so its settings may be attached to functions below.
select extensions.similarity('', '');

-- The GIN and trigram indexes are partial, one per collection (`where collection = 'channels'`), so a
-- plan made for any collection (`collection = $1`) could not use them. The statements below read the
-- index through one UNION ALL branch per collection, each naming its collection as a constant (so its
-- partial index applies) and gated by `$1 = '<collection>'` (a one-time filter: the other branches
-- never run). A generic plan then serves every collection, and the indexes stay as they are.

-- As before (20261201011100): the same alternatives, kinds and order. The typo lookup is now a static
-- statement too (the collection's partial trigram index through its branch).
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
          else extensions.levenshtein_less_equal(token, s.word, budget) end as distance
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

-- The next `n` documents in ranking order (live first, then popularity) holding a word of each list
-- (`checks`: lists given as array literals) and none of `exclude_terms`, with their matched words; when
-- `tier` is given, only those that hold every word as typed (true) or do not (false); only documents
-- whose `live` is between `live_from` and `live_to` (a `live` filter starts the walk at its end of the
-- ranking: `live=false` walked every live document first, 52 ms at 100k channels). The walk's
-- statement: each ranked document's terms row is read by its primary key in a subquery that cannot be
-- flattened (`offset 0`), so its plan walks the ranking index whatever the lists hold (a plan made
-- knowing nothing of them could otherwise read every row and sort).
create function private.search_walk(
  collection text, l1 text[], l2 text[], l3 text[], l4 text[], checks text[], exclude_terms text[],
  words text[], typed text[], tier boolean, n integer, live_from boolean, live_to boolean
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
  -- The first two lists checked on the rows as arrays, the rest parsed per row.
  k1 constant text[] := checks[1]::text[];
  k2 constant text[] := checks[2]::text[];
  more_checks constant text[] := checks[3:];
begin
  return (
    select coalesce(jsonb_agg(jsonb_build_object('id', p.document_id,
             'words', to_jsonb(array(select t from unnest(p.terms) t where t = any(words))))), '[]'::jsonb)
    from (
      select r.document_id, x.terms
      from private.search_rank r
      cross join lateral (
        select i.terms from private.search_index i
        where i.collection = r.collection and i.document_id = r.document_id offset 0) x
      where r.collection = search_walk.collection and r.live between live_from and live_to
        and x.terms && l1 and (l2 is null or x.terms && l2) and (l3 is null or x.terms && l3)
        and (l4 is null or x.terms && l4)
        and not x.terms && exclude_terms
        and (k1 is null or x.terms && k1) and (k2 is null or x.terms && k2)
        and (cardinality(more_checks) = 0 or not exists (select from unnest(more_checks) k where not x.terms && k::text[]))
        and (tier is null or (x.terms @> typed) = tier)
      order by r.live desc, r.popularity desc, r.label, r.document_id
      limit n) p);
end
$$;

revoke execute on function private.search_walk(text, text[], text[], text[], text[], text[], text[], text[], text[], boolean, integer, boolean, boolean)
  from public, anon, authenticated, service_role;

-- The first `n` documents in ranking order that hold every term of `must` (the words as typed and the
-- filter terms that are not common: one GIN key) and a word of each list, found in the GIN index and
-- ranked from their rows: the first tier of a walk when few documents hold every word as typed (a walk
-- would visit many rows for them).
create function private.search_ranked_typed(
  collection text, must text[], l1 text[], l2 text[], l3 text[], l4 text[], checks text[], exclude_terms text[],
  words text[], n integer
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
  c constant text collate "default" := search_ranked_typed.collection;
  k1 constant text[] := checks[1]::text[];
  k2 constant text[] := checks[2]::text[];
  more_checks constant text[] := checks[3:];
begin
  return (
    with source as (
      select i.document_id, i.terms, i.popularity, i.label
      from private.search_index i where c = 'channels' and i.collection = 'channels'
      union all
      select i.document_id, i.terms, i.popularity, i.label
      from private.search_index i where c = 'livestreams' and i.collection = 'livestreams'
      union all
      select i.document_id, i.terms, i.popularity, i.label
      from private.search_index i where c = 'categories' and i.collection = 'categories'
    )
    select coalesce(jsonb_agg(jsonb_build_object('id', p.document_id,
             'words', to_jsonb(array(select t from unnest(p.terms) t where t = any(words))))), '[]'::jsonb)
    from (
      select s.document_id, s.terms from source s
      where s.terms @> must
        and s.terms && l1 and (l2 is null or s.terms && l2) and (l3 is null or s.terms && l3)
        and (l4 is null or s.terms && l4)
        and not s.terms && exclude_terms
        and (k1 is null or s.terms && k1) and (k2 is null or s.terms && k2)
        and (cardinality(more_checks) = 0 or not exists (select from unnest(more_checks) k where not s.terms && k::text[]))
      order by s.terms @> '{~live}' desc, s.popularity desc, s.label, s.document_id
      limit n) p);
end
$$;

revoke execute on function private.search_ranked_typed(text, text[], text[], text[], text[], text[], text[], text[], text[], integer)
  from public, anon, authenticated, service_role;

-- As before (20261201011000): the same matches, counts, facets and order. Changed:
--   * the counting statement and the walk are static, planned once per session (generic plans);
--   * the conditions are lists of words (or filter terms) of which a match must hold at least one:
--     up to four in the GIN index condition (filters that are not common, then the words from the
--     rarest; one UNION ALL branch per number of lists, so no list is repeated: a repeated list is
--     checked again for every match, which made a 66,000-match word 4 times slower), the rest (more
--     lists, common words, common filter terms) checked on the rows, as before;
--   * the walk reads each ranked document's terms row by its primary key in a subquery that cannot be
--     flattened, so its plan walks the ranking whatever the lists hold (a generic plan, knowing nothing
--     of them, might otherwise scan every row and sort);
--   * past 1,000 matches, the first tier (every word as typed) is skipped when a word as typed is in no
--     document, and found in the GIN index when few documents hold them all (search_ranked_typed);
--   * a `live` filter starts the walk at its end of the ranking (`live=false` walked every live one);
--   * a single common word expected to be ranked from its rows (`rank_all`: at 1M documents, 2,000 to
--     4,472 matches) is counted and ranked in the one statement instead of skipping the count.
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
  expected real;
  rank_all boolean;
  ranked boolean;
  bound bigint;
  total real;
  found integer;
  ids jsonb;
  more jsonb;
  facet_counts jsonb := '{}';
  empty constant jsonb := jsonb_build_object('found', 0, 'page', '[]'::jsonb, 'facets', '{}'::jsonb);
  -- The `live` filter, as the range of search_rank.live a walk reads.
  live_from constant boolean := '~live' = any(filter_terms);
  live_to constant boolean := not '~off' = any(filter_terms);
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
      expected := total;
      for i in 1..kept loop
        expected := expected * least(1, word_counts[i] / total);
      end loop;
      expected := least(bound, expected);
      rank_all := expected * expected < 2 * wanted::real * total;
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
          select i.document_id, i.terms, i.category_id, i.language, i.popularity, i.label
          from private.search_index i where c = 'channels' and i.collection = 'channels'
          union all
          select i.document_id, i.terms, i.category_id, i.language, i.popularity, i.label
          from private.search_index i where c = 'livestreams' and i.collection = 'livestreams'
          union all
          select i.document_id, i.terms, i.category_id, i.language, i.popularity, i.label
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
          where not s.terms && exclude_terms
            and (k1 is null or s.terms && k1) and (k2 is null or s.terms && k2)
            and (cardinality(more_checks) = 0 or not exists (select from unnest(more_checks) k where not s.terms && k::text[]))
          limit case when rank_all then null else cap + 1 end
        ), m as materialized (select * from a limit cap + 1)
        select (select count(*)::integer from m),
          (select coalesce(jsonb_agg(jsonb_build_object('id', p.document_id,
                    'words', to_jsonb(array(select t from unnest(p.terms) t where t = any(all_words))))
                    order by p.tier desc, p.live desc, p.popularity desc, p.label, p.document_id), '[]'::jsonb)
           from (select a.document_id, a.terms, a.popularity, a.label, a.terms @> '{~live}' as live,
                   case when typo_pass = 1 and (select count(*) from m) > cap then false else a.terms @> typed end as tier
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
          elsif typed_bound::real * typed_bound < 2 * wanted::real * total then
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

-- A page's documents (20261130004000, planned once per session since 20261201011100) by nested loops:
-- the generic plan hashed every category (and, for livestreams, every channel it joined) to fetch ten
-- documents. 0.44 -> 0.24 ms for a page of ten channels (interleaved, 500 pages).
alter function private.search_documents(text, uuid[]) set enable_hashjoin = off;
alter function private.search_documents(text, uuid[]) set enable_mergejoin = off;
