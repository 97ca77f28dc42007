-- The built-in search splits words about 5 times faster (every indexed write and every highlight
-- splits texts), reads a page's documents once and highlights without a query per field. Serves API.md `search`.

-- As before (20261130004000): a text's alphanumeric runs in order, each followed by its parts where its
-- case changes (`speedrunSol` -> speedrunSol, speedrun, Sol when `whole`; speedrun, Sol otherwise).
-- Now a loop over simple expressions (PL/pgSQL evaluates them without the executor) instead of one
-- query with lateral subqueries: about 20 µs per title instead of 100.
create or replace function private.search_split(t text, whole boolean default false)
returns text[]
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  result text[] := '{}';
  run text;
  marked text;
begin
  foreach run in array regexp_split_to_array(coalesce(t, ''), '[^[:alnum:]]+') loop
    continue when run = '';
    -- A space before each case change: `ABCd` -> `AB Cd`, `speedrunSol` -> `speedrun Sol`.
    marked := regexp_replace(regexp_replace(run,
      '([[:upper:]])([[:upper:]][[:lower:]])', '\1 \2', 'g'),
      '([[:lower:][:digit:]])([[:upper:]])', '\1 \2', 'g');
    if marked = run then
      result := result || run;
    else
      if whole then
        result := result || run;
      end if;
      result := result || string_to_array(marked, ' ');
    end if;
  end loop;
  return result;
end
$$;

-- As before (20261130004100): which of a hit's fields matched and with which of their words (as
-- written), [{field, matched_tokens}] in the order of `fields`, each word once (its first spelling).
-- Now a loop over simple expressions, splitting only a field whose lowercase text holds a matched word.
create or replace function private.search_highlights(document jsonb, fields text[], words jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  result jsonb := '[]';
  field text;
  body text;
  word text;
  seen text[];
  tokens jsonb;
  wanted constant text[] := array(select jsonb_array_elements_text(words));
  lowered text;
  holds boolean;
begin
  foreach field in array fields loop
    body := document ->> field;
    continue when body is null;
    lowered := lower(body);
    holds := false;
    foreach word in array wanted loop
      holds := strpos(lowered, word) > 0;
      exit when holds;
    end loop;
    continue when not holds;
    seen := '{}';
    tokens := '[]';
    foreach word in array private.search_split(body, true) loop
      if words ? lower(word) and not lower(word) = any(seen) then
        seen := seen || lower(word);
        tokens := tokens || to_jsonb(word);
      end if;
    end loop;
    if jsonb_array_length(tokens) > 0 then
      result := result || jsonb_build_array(jsonb_build_object('field', field, 'matched_tokens', tokens));
    end if;
  end loop;
  return result;
end
$$;

-- As before (20261130004100), with the page's documents read once (a set-returning function joined
-- to the page was read again for every hit).
create or replace function private.search_collection(
  collection text, query text, page_size integer, page_offset integer,
  language text, category text, live boolean, include_mature boolean, facets text[]
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  fields constant text[] := case collection
    when 'channels' then array['slug', 'username', 'display_name', 'title']
    when 'categories' then array['name', 'slug']
    else array['title', 'channel_slug', 'category_name'] end;
  filtered constant boolean := collection <> 'categories';
  m jsonb := private.search_match(collection, query,
    case when filtered then private.search_filter_terms(language, category, live) else '{}'::text[] end,
    case when filtered and not coalesce(include_mature, false) then '{~mature}'::text[] else '{}'::text[] end,
    page_size, page_offset, filtered and cardinality(facets) > 0);
  docs jsonb;
  hits jsonb;
begin
  select coalesce(jsonb_object_agg(d.id::text, d.document), '{}'::jsonb) into docs
  from private.search_documents(collection, array(select (e ->> 'id')::uuid from jsonb_array_elements(m -> 'page') e)) d;
  select coalesce(jsonb_agg(docs -> (p.e ->> 'id') || jsonb_build_object('highlights',
      private.search_highlights(docs -> (p.e ->> 'id'), fields, p.e -> 'words')) order by p.n), '[]'::jsonb)
  into hits
  from jsonb_array_elements(m -> 'page') with ordinality as p(e, n)
  where docs ? (p.e ->> 'id');
  return jsonb_build_object('found', m -> 'found', 'hits', hits)
    || case when cardinality(facets) > 0
         then jsonb_build_object('facet_counts', private.search_facet_counts(m -> 'facets', facets)) else '{}'::jsonb end;
end
$$;
