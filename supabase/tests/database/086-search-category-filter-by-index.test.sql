-- The search `category` filter finds its category by the unique slug index, not by reading the
-- whole categories table (20261201150429_search_category_filter_by_index.sql): citext against citext,
-- with citext's own operator. It answers as before: the category's term, `~c:none` for a slug no
-- (listed) category has.
begin;
select plan(7);

-- Enough categories that a sequential scan is the expensive plan it was (300,000 in production).
insert into public.categories (igdb_id, name, slug)
select 996000 + g, 'Filter Plan ' || g, 'filter-plan-' || g from generate_series(1, 2000) g;
analyze public.categories;

-- The comparison private.search_filter_terms makes, planned: the unique index on slug.
select matches(tests.plan_of($$
    select cat.id from public.categories cat
    where cat.slug operator(extensions.=) 'filter-plan-77'::text::extensions.citext and cat.deleted_at is null$$),
  '"Index Name": "categories_slug_key"', 'citext = citext is an index condition on categories_slug_key');
select doesnt_match(tests.plan_of($$
    select cat.id from public.categories cat where cat.slug = 'filter-plan-77'::text and cat.deleted_at is null$$),
  'categories_slug_key', '(the text comparison it replaced cannot use the index)');

-- The function itself: this transaction's scans of public.categories before and after one call.
create temporary table scans on commit drop as
  select seq_scan, idx_scan from pg_stat_xact_user_tables where relid = 'public.categories'::regclass;
select is(private.search_filter_terms(null, 'filter-plan-77', null),
  array['~c:' || (select id from public.categories where slug = 'filter-plan-77')],
  'category=filter-plan-77 is the category''s term');
select is((select s.seq_scan - b.seq_scan from pg_stat_xact_user_tables s, scans b where s.relid = 'public.categories'::regclass),
  0::bigint, 'the filter read no category by a sequential scan');
select cmp_ok((select s.idx_scan - b.idx_scan from pg_stat_xact_user_tables s, scans b where s.relid = 'public.categories'::regclass),
  '>=', 1::bigint, 'it read the category through an index');

-- Answers as before.
select is(private.search_filter_terms('en', 'no-such-category', true), array['~l:en', '~c:none', '~live'],
  'a slug no category has matches nothing');
update public.categories set deleted_at = now() where slug = 'filter-plan-78';
select is(private.search_filter_terms(null, 'filter-plan-78', null), array['~c:none'],
  'a removed category matches nothing');

select * from finish();
rollback;
