-- The built-in search ranks up to 1,000 matches from the rows it found them in (no probe per match into
-- private.search_rank), and its index writes reuse their plans. Serves API.md `search`.

-- Copies of the ranking signals in the terms row, in no index: a followers or viewers change rewrites
-- the row as a heap-only (HOT) update, which writes no index entry (the GIN keeps its entries), so a
-- follow stays cheap. private.search_rank keeps the ranking index the walk over common words needs.
-- New pages keep 10% free so that such updates fit on their page.
alter table private.search_index
  add column popularity integer not null default 0,
  add column label text not null default '',
  set (fillfactor = 90);

update private.search_index i set popularity = r.popularity, label = r.label
from private.search_rank r
where r.collection = i.collection and r.document_id = i.document_id
  and (i.popularity, i.label) is distinct from (r.popularity, r.label);

-- As before (20261201004000), also writing the copies. Generic plans for the writes of a few rows: the
-- statement is planned once per session instead of at every write (planning it took about half of a
-- title change's added cost). A refresh of many documents (a backfill, a bulk statement) is planned
-- for its size: a generic plan made the 100k-channel backfill six times slower. (The SET clause
-- restores the setting when the function returns, set_config included.)
create or replace function private.search_index_refresh(collection text, ids uuid[])
returns void
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
declare
  c constant text collate "default" := search_index_refresh.collection;
  emptied text[];
begin
  if coalesce(cardinality(ids), 0) = 0 then
    return;
  end if;
  if cardinality(ids) > 100 then
    perform pg_catalog.set_config('plan_cache_mode', 'force_custom_plan', true);
  end if;
  -- One statement: every part sees the rows as they were before it, so `old` is the previous state.
  with fresh as (
    select * from private.search_index_source(c, ids)
  ), old as (
    select i.document_id, i.terms from private.search_index i
    where i.collection = c and i.document_id = any(ids)
  ), gone as (
    delete from private.search_index i
    where i.collection = c and i.document_id = any(ids)
      and not exists (select from fresh f where f.document_id = i.document_id)
  ), gone_rank as (
    delete from private.search_rank r
    where r.collection = c and r.document_id = any(ids)
      and not exists (select from fresh f where f.document_id = r.document_id)
  ), written as (
    insert into private.search_index as i (collection, document_id, terms, category_id, language, popularity, label)
    select c, f.document_id, f.terms, f.category_id, f.language, f.popularity, f.label from fresh f
    on conflict (collection, document_id) do update set
      terms = excluded.terms, category_id = excluded.category_id, language = excluded.language,
      popularity = excluded.popularity, label = excluded.label
    where (i.terms, i.category_id, i.language, i.popularity, i.label)
      is distinct from (excluded.terms, excluded.category_id, excluded.language, excluded.popularity, excluded.label)
  ), ranked as (
    insert into private.search_rank as r (collection, document_id, live, popularity, label)
    select c, f.document_id, f.live, f.popularity, f.label from fresh f
    on conflict (collection, document_id) do update set
      live = excluded.live, popularity = excluded.popularity, label = excluded.label
    where (r.live, r.popularity, r.label) is distinct from (excluded.live, excluded.popularity, excluded.label)
  ), delta as (
    -- Word counts move only by what changed (terms starting with `~` are filters, not words).
    select w.word, sum(w.d)::integer as d
    from (
      select unnest(f.terms) as word, 1 as d from fresh f
      union all
      select unnest(o.terms), -1 from old o
    ) w
    where w.word !~ '^~'
    group by w.word
    having sum(w.d) <> 0
  ), counted as (
    insert into private.search_vocabulary as v (collection, word, docs)
    select c, d.word, d.d from delta d order by d.word
    on conflict (collection, word) do update set docs = v.docs + excluded.docs
    returning v.word, v.docs
  )
  select array_agg(k.word) filter (where k.docs <= 0) into emptied from counted k;
  if emptied is not null then
    delete from private.search_vocabulary v where v.collection = c and v.word = any(emptied collate "C") and v.docs <= 0;
  end if;
end
$$;

-- A followers or viewers change: the rank row and the copy in the terms row (a HOT update).
create or replace function private.search_index_popularity_changed()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  c constant text collate "default" := tg_table_name::text;
  p constant integer := case tg_table_name when 'channels' then (to_jsonb(new) ->> 'followers_count')::integer
                                           else (to_jsonb(new) ->> 'viewer_count')::integer end;
begin
  update private.search_rank r set popularity = p where r.collection = c and r.document_id = new.id;
  update private.search_index i set popularity = p where i.collection = c and i.document_id = new.id;
  return null;
end
$$;

-- How many documents a collection holds, estimated from the statistics (the planner's own numbers:
-- the table's row count times the collection's share); the whole table's count when there are none.
create function private.search_collection_size(collection text)
returns real
language plpgsql
stable
set search_path = ''
as $$
begin
  return greatest(1, coalesce(
    (select t.reltuples * s.most_common_freqs[array_position(s.most_common_vals::text::text[], collection)]
     from pg_catalog.pg_class t, pg_catalog.pg_stats s
     where t.oid = 'private.search_index'::regclass
       and s.schemaname = 'private' and s.tablename = 'search_index' and s.attname = 'collection'),
    (select t.reltuples from pg_catalog.pg_class t where t.oid = 'private.search_index'::regclass)));
end
$$;

revoke execute on function private.search_collection_size(text) from public, anon, authenticated, service_role;

-- The filter terms held by more than half of the indexed rows (`~l:en`, `~off`), from the element
-- statistics ANALYZE keeps for search_index.terms: a search checks these on the rows its words found
-- rather than reading their posting lists (nearly every document) from the GIN index.
create function private.search_common_terms(terms text[])
returns text[]
language plpgsql
stable
set search_path = ''
as $$
begin
  return coalesce((
    select array_agg(e.term)
    from pg_catalog.pg_stats s,
      unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) as e(term, freq)
    where s.schemaname = 'private' and s.tablename = 'search_index' and s.attname = 'terms'
      and e.term = any(terms) and e.freq > 0.5), '{}');
end
$$;

revoke execute on function private.search_common_terms(text[]) from public, anon, authenticated, service_role;

-- As before (20261201004000), with these changes:
--   * up to 1,000 matches are ranked from their own rows (`~live` in terms, popularity, label), not
--     joined to private.search_rank (one probe per match: 5 ms for 750 matches at 100k channels);
--   * when few matches are expected, the page is ranked from the matched rows in the counting
--     statement (one GIN scan, no rank join), several words' expected matches being their shares of
--     the documents multiplied (independence);
--   * no parallel workers: starting them costs more (tens of ms on a busy machine) than any of these
--     LIMITed statements, and the planner chose them for the walk over a common word at 100k channels;
--   * a word held by more than half of the documents, and a filter term held by more than half of the
--     rows (`~l:en`), is checked on the rows, not read from the GIN;
--   * `total`, in the rule that picks between walking the ranking and ranking the GIN matches, is this
--     collection's number of documents (from the statistics of search_index.collection), not all three's.
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
as $$
#variable_conflict use_column
declare
  cap constant integer := 1000;
  c constant text collate "default" := search_match.collection;
  wanted constant integer := greatest(least(page_size + page_offset, cap), 0);
  toks text[];
  kept integer;
  typo_pass integer;
  i integer;
  plain text[];
  typo_words text[];
  conds text;
  all_words text[];
  ok boolean;
  most_docs integer;
  typo_docs integer;
  word_docs bigint;
  word_lists text[];
  common text[];
  word_counts bigint[];
  expected real;
  rank_all boolean;
  ranked boolean;
  bound bigint;
  total real;
  base text;
  found integer;
  ids jsonb;
  more jsonb;
  facet_counts jsonb := '{}';
  empty constant jsonb := jsonb_build_object('found', 0, 'page', '[]'::jsonb, 'facets', '{}'::jsonb);
  walk text;
  rank_sql text;
  page_sql constant text := 'select coalesce(jsonb_agg(jsonb_build_object(''id'', p.document_id, ''words'', '
    'to_jsonb(array(select t from unnest(p.terms) t where t = any(%L::text[]))))), ''[]''::jsonb) '
    'from (select i.document_id, i.terms %s) p';
begin
  select array_agg(t.w order by t.pos) into toks from (
    select lower(s.w) as w, min(s.pos) as pos
    from unnest(private.search_split(query)) with ordinality as s(w, pos)
    group by lower(s.w) order by min(s.pos) limit 10) t;
  if toks is null then
    return empty;
  end if;
  for kept in reverse cardinality(toks)..1 loop
    for typo_pass in 0..1 loop
      word_lists := '{}';
      word_counts := '{}';
      all_words := '{}';
      ok := true;
      bound := null;
      for i in 1..kept loop
        -- Without typos: the word itself and (last word) its completions. With: those, plus typos.
        select array_agg(a.word), max(a.docs), sum(a.docs) into plain, most_docs, word_docs
        from private.search_alternatives(c, toks[i], i = kept, false) a;
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
      -- Each word's alternatives must be held. A word held by more than half of the documents (`day` in
      -- every title) is checked on the rows the other words found rather than in the GIN index (`is
      -- true` keeps it out of the index condition): reading its posting list, nearly every document, cost
      -- more than the check. The rarest word always stays in the index condition.
      total := coalesce(total, private.search_collection_size(c));
      conds := '';
      for i in 1..kept loop
        conds := conds || format(case when word_counts[i] * 2 > total and word_counts[i] > bound
                                   then ' and (i.terms && %L::text[]) is true' else ' and i.terms && %L::text[]' end,
                                 word_lists[i]);
      end loop;
      if common is null then
        common := case when cardinality(filter_terms) > 0 then private.search_common_terms(filter_terms) else '{}' end;
      end if;
      conds := case when cardinality(filter_terms) > cardinality(common)
                 then format(' and i.terms @> %L::text[]', array(select t from unnest(filter_terms) t where t <> all(common))) else '' end
        || case when cardinality(common) > 0 then format(' and (i.terms @> %L::text[]) is true', common) else '' end
        || case when cardinality(exclude_terms) > 0 then format(' and not i.terms && %L::text[]', exclude_terms) else '' end
        || conds;
      base := format(' from private.search_index i where i.collection = %L', c) || conds;
      -- The same matches in ranking order. Few matches (`expected`) among many documents: found in the
      -- GIN index and ranked from their rows (about 3 µs a match, `offset 0` keeps the planner from
      -- walking the ranking); walking the ranking visits about wanted * total / expected rows (about
      -- 6 µs each) before the page is full, so the walk is kept for when that costs less. `expected`
      -- is at most `bound` and, for several words, what independent words would give (their shares of
      -- the documents multiplied): `cosmic dragon` at 1M channels, each word in 65,000 documents, both
      -- in 4,216, took 45 ms through the walk's statement (the planner, expecting 15 matches, served
      -- it from the GIN with a search_rank probe per match) and 14 ms ranked from the matches' rows;
      -- `marathon` at 100k (10,000 documents) takes 5 ms walked and 30 ms ranked from its rows.
      expected := total;
      for i in 1..kept loop
        expected := expected * least(1, word_counts[i] / total);
      end loop;
      expected := least(bound, expected);
      rank_all := expected * expected < 2 * wanted::real * total;
      if rank_all then
        walk := format(' from (select i.document_id, i.terms, i.terms @> ''{~live}'' as live, i.popularity, i.label%s offset 0) i'
          ' where true', base);
        rank_sql := ' order by i.live desc, i.popularity desc, i.label, i.document_id limit %s';
      else
        walk := format(' from private.search_rank r join private.search_index i on i.collection = r.collection'
          ' and i.document_id = r.document_id where r.collection = %L', c) || conds;
        rank_sql := ' order by r.live desc, r.popularity desc, r.label, r.document_id limit %s';
      end if;
      -- A single word one of whose alternatives (typos included) alone is held by 2,000 documents, with
      -- no filter or facet to count: more than 1,000 matches, known from the vocabulary (only mature
      -- ones excluded), so the matches are not counted but walked in ranking order.
      if kept = 1 and cardinality(filter_terms) = 0 and not facets and most_docs >= 2 * cap then
        found := cap + 1;
        ranked := false;
      else
      -- One statement for the first 1,001 matches (`m`): their count, their facets, and the page, ranked
      -- from the matched rows (`a`): when that is all of them, or, for few expected matches
      -- (`rank_all`), over every match (one GIN scan for the count and the page). Every word as typed
      -- first; past 1,000 matches found with typos, no such tier (as the walk below).
      execute format($f$
        with a as materialized (
          select i.document_id, i.terms, i.category_id, i.language, i.popularity, i.label %1$s %8$s),
        m as materialized (select * from a limit %2$s)
        select (select count(*)::integer from m),
          (select coalesce(jsonb_agg(jsonb_build_object('id', p.document_id,
                    'words', to_jsonb(array(select t from unnest(p.terms) t where t = any(%3$L::text[]))))
                    order by p.tier desc, p.live desc, p.popularity desc, p.label, p.document_id), '[]'::jsonb)
           from (select a.document_id, a.terms, a.popularity, a.label, a.terms @> '{~live}' as live,
                   case when %10$L and (select count(*) from m) > %7$s then false else a.terms @> %4$L::text[] end as tier
                 from a where %9$L or (select count(*) from m) <= %7$s
                 order by tier desc, live desc, a.popularity desc, a.label, a.document_id limit %5$s) p),
          case when %6$L then jsonb_build_object(
            'category', coalesce((select jsonb_agg(jsonb_build_object('value', f.category_id, 'count', f.n) order by f.n desc, f.category_id)
              from (select m.category_id, count(*) as n from m where m.category_id is not null
                    group by m.category_id order by count(*) desc, m.category_id limit 10) f), '[]'::jsonb),
            'language', coalesce((select jsonb_agg(jsonb_build_object('value', f.language, 'count', f.n) order by f.n desc, f.language)
              from (select m.language, count(*) as n from m where m.language is not null
                    group by m.language order by count(*) desc, m.language limit 10) f), '[]'::jsonb))
            else '{}'::jsonb end
      $f$, base, cap + 1, all_words, toks[1:kept], wanted, facets, cap,
        case when rank_all then '' else format('limit %s', cap + 1) end, rank_all, typo_pass = 1)
      into found, ids, facet_counts;
        ranked := rank_all;
      end if;
      if found > 0 then
        if found > cap and ranked then
          null;  -- the page is ranked over every match above
        elsif found > cap and typo_pass = 0 then
          -- More than 1,000: walk the ranking. Tier 1: every word as typed; tier 2: the rest.
          execute format(page_sql, all_words, walk || format(' and i.terms @> %L::text[]', toks[1:kept])
            || format(rank_sql, wanted)) into ids;
          if jsonb_array_length(ids) < wanted then
            execute format(page_sql, all_words, walk || format(' and not i.terms @> %L::text[]', toks[1:kept])
              || format(rank_sql, wanted - jsonb_array_length(ids))) into more;
            ids := ids || more;
          end if;
        elsif found > cap then
          execute format(page_sql, all_words, walk || format(rank_sql, wanted)) into ids;
        end if;
        return jsonb_build_object(
          'found', least(found, cap),
          'page', coalesce((select jsonb_agg(e order by n) from jsonb_array_elements(ids) with ordinality as t(e, n)
                            where n > page_offset), '[]'::jsonb),
          'facets', facet_counts);
      end if;
      -- A second pass only when some word is long enough for a typo.
      exit when not exists (select from unnest(toks[1:kept]) t where char_length(t) >= 4);
    end loop;
  end loop;
  return empty;
end
$$;
