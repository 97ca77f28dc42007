-- The search `category` filter finds its category through the unique slug index. Serves API.md
-- "Search functions" (`category`) and docs/search.md.
--
-- private.search_filter_terms compared `cat.slug = category`: a citext column against a text
-- parameter resolves to text = text (citext casts to text implicitly), which the citext index cannot
-- serve, so every filtered search read the whole categories table (300,000 categories: a 360 ms
-- sequential scan per search; found by probing). The comparison is now citext's own operator on a
-- citext value (schema-qualified: search_path is empty here). Slugs are lowercase by their CHECK, so
-- the answer is the same.
create or replace function private.search_filter_terms(language text, category text, live boolean)
returns text[]
language plpgsql
stable
set search_path = ''
as $$
declare
  terms text[] := '{}';
begin
  if language is not null then
    if language !~ '^[a-z]{2}$' then
      perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'language'),
        'language must be a two-letter lowercase language code.');
    end if;
    terms := terms || ('~l:' || language);
  end if;
  if category is not null then
    if char_length(category) > 255 or category !~ '^[a-z0-9]+(-[a-z0-9]+)*$' then
      perform private.raise_error('invalid_argument', jsonb_build_object('argument', 'category'),
        'category must be a category slug.');
    end if;
    terms := terms || coalesce((select '~c:' || cat.id from public.categories cat
                                where cat.slug operator(extensions.=) category::extensions.citext
                                  and cat.deleted_at is null), '~c:none');
  end if;
  if live is not null then
    terms := terms || case when live then '~live' else '~off' end;
  end if;
  return terms;
end
$$;

revoke execute on function private.search_filter_terms(text, text, boolean) from public, anon, authenticated, service_role;
