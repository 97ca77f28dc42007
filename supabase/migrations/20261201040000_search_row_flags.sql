-- The built-in search ranks and filters the matches it found in the GIN index from two flags kept in
-- their terms row (live, mature) instead of testing the terms array for them. Serves API.md `search`.

-- Copies of `~live` and `~mature` in the terms, in no index. Ranking the matches of a query from their
-- rows tested each row's terms array three times (not `~mature`, `~live`, every word as typed): each
-- test unpacks the array, 0.2-0.5 µs a match (6,536 matches of `cosmic` at 100k channels: 2.8 ms to
-- find them, 2.0 ms more to leave out the mature ones, 3.0 ms more to rank live first). The flags
-- change only with the terms (a go-live, a maturity change), which rewrite the row already.
alter table private.search_index
  add column live boolean not null default false,
  add column mature boolean not null default false;

comment on column private.search_index.live is
  'Copy of `~live` in terms (a live channel or livestream): ranks matches without unpacking terms.';
comment on column private.search_index.mature is
  'Copy of `~mature` in terms: leaves out mature matches without unpacking terms.';

-- Only the rows holding either term change (a constant default rewrites nothing).
update private.search_index i set live = '~live' = any(i.terms), mature = '~mature' = any(i.terms)
where i.terms && '{~live,~mature}';

-- The flags are set from the terms whenever a row is written with terms (the index refresh's insert or
-- update); a popularity change (the follow path) does not set terms and skips this.
create function private.search_index_flags()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.live := '~live' = any(new.terms);
  new.mature := '~mature' = any(new.terms);
  return new;
end
$$;

revoke execute on function private.search_index_flags() from public, anon, authenticated, service_role;

-- As before (20261201020000): the same matches and order. The mature ones are left out by the flag
-- (other excluded terms, none today, by the terms) and live ones ranked first by the flag.
create or replace function private.search_ranked_typed(
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
  skip_mature constant boolean := '~mature' = any(exclude_terms);
  other_excluded constant text[] := array_remove(exclude_terms, '~mature');
begin
  return (
    with source as (
      select i.document_id, i.terms, i.popularity, i.label, i.live, i.mature
      from private.search_index i where c = 'channels' and i.collection = 'channels'
      union all
      select i.document_id, i.terms, i.popularity, i.label, i.live, i.mature
      from private.search_index i where c = 'livestreams' and i.collection = 'livestreams'
      union all
      select i.document_id, i.terms, i.popularity, i.label, i.live, i.mature
      from private.search_index i where c = 'categories' and i.collection = 'categories'
    )
    select coalesce(jsonb_agg(jsonb_build_object('id', p.document_id,
             'words', to_jsonb(array(select t from unnest(p.terms) t where t = any(words))))), '[]'::jsonb)
    from (
      select s.document_id, s.terms from source s
      where s.terms @> must
        and s.terms && l1 and (l2 is null or s.terms && l2) and (l3 is null or s.terms && l3)
        and (l4 is null or s.terms && l4)
        and not (skip_mature and s.mature) and (cardinality(other_excluded) = 0 or not s.terms && other_excluded)
        and (k1 is null or s.terms && k1) and (k2 is null or s.terms && k2)
        and (cardinality(more_checks) = 0 or not exists (select from unnest(more_checks) k where not s.terms && k::text[]))
      order by s.live desc, s.popularity desc, s.label, s.document_id
      limit n) p);
end
$$;

-- As before (20261201020000): the same matches, counts, facets and order. Changed: the mature matches
-- are left out by the flag and live ones ranked first by the flag (not by testing the terms array of
-- every match), a query whose words stand only for themselves as typed does not test each match for
-- them (all hold them), and the first 1,001 matches (`m`) keep only what their count and facets read.
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
  typed_only boolean;
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

create trigger search_index_flags before insert or update of terms on private.search_index
for each row execute function private.search_index_flags();
