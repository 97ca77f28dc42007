-- Blocked terms matched on the matching form, compiled once per room into key sets, so a send costs
-- the same with 20 terms or 1,000. Serves API.md `chatroom_blocked_terms` (the term rules) and
-- send_message's `chat_blocked_term`.

-- A term's words must appear as whole words, in order, in the message's matching form; `*` at a
-- word's start or end stands for any run of word characters (`spoil*` blocks "spoiler"). Between a
-- phrase's words the form may hold spaces, punctuation or nothing (a zero-width space between them
-- is removed, not read as a space). The room's matcher below gives the same answers faster; this
-- expression serves terms it cannot key, and names the term that matched for the log.
create or replace function private.blocked_term_pattern(term text)
returns text language plpgsql immutable strict set search_path = '' as $$
declare
  word text;
  parts text[] := '{}';
begin
  foreach word in array string_to_array(private.matching_form(term), ' ') loop
    parts := parts || (
      case when left(word, 1) = '*' then '\w*' else '' end ||
      regexp_replace(btrim(word, '*'), '([^[:alnum:]_])', '\\\1', 'g') ||
      case when right(word, 1) = '*' then '\w*' else '' end);
  end loop;
  return '(?<!\w)' || array_to_string(parts, '\W*') || '(?!\w)';
end
$$;

-- A term must keep something to match once folded (a term of invisible characters would match
-- every message).
alter table public.chatroom_blocked_terms add constraint chatroom_blocked_terms_term_visible
  check (btrim(private.matching_form(term), ' *') <> '');

-- Recompute the stored patterns of existing terms with the new function.
update public.chatroom_blocked_terms set term = term;

comment on column public.chatroom_blocked_terms.term is
  'The blocked word or phrase (2-500 characters; `*` only at a word''s start or end). Matched as whole words on the matching form, so look-alike, accented, fullwidth and zero-width-split spellings are caught.';
comment on column public.chatroom_blocked_terms.pattern is
  'The term compiled to a regular expression over the matching form (generated).';

-- One room's active terms compiled for a send: the message's words (runs of word characters in its
-- matching form) are looked up in key sets instead of running one expression per term.
--   exact: a term of plain words, its words joined without spaces (`free money` → `freemoney`),
--          found among the joins of up to `max_words` consecutive message words;
--   prefixes / suffixes: `spoil*` → `spoil`, `*bait` → `bait`, found among the words' starts / ends;
--   pattern: any other term (inner punctuation, `*x*`, wildcards in a phrase) as one expression.
-- Rebuilt whenever the room's terms change or the soonest expiry passes (`next_expiry`).
create table private.chatroom_term_matchers (
  chatroom_id uuid primary key references public.chatrooms (id) on delete cascade,
  exact jsonb not null default '{}',
  max_words integer not null default 0,
  prefixes jsonb not null default '{}',
  max_prefix integer not null default 0,
  suffixes jsonb not null default '{}',
  max_suffix integer not null default 0,
  pattern text,
  next_expiry timestamptz
);

alter table private.chatroom_term_matchers enable row level security;

create function private.rebuild_term_matcher(chatroom_id uuid)
returns private.chatroom_term_matchers language plpgsql volatile security definer set search_path = '' as $$
declare
  result private.chatroom_term_matchers;
begin
  with active as (
    select t.id, t.pattern, t.expires_at, f.words,
      case
        when not f.words <@ array(select w from unnest(f.words) w where w ~ '^\*?\w+\*?$') then 'pattern'
        when position('*' in f.joined) = 0 then 'exact'
        when cardinality(f.words) = 1 and f.joined ~ '^\w+\*$' then 'prefix'
        when cardinality(f.words) = 1 and f.joined ~ '^\*\w+$' then 'suffix'
        else 'pattern'
      end as kind,
      replace(f.joined, '*', '') as term_key
    from public.chatroom_blocked_terms t,
      lateral (select string_to_array(private.matching_form(t.term), ' ') as words) w,
      lateral (select w.words, array_to_string(w.words, '') as joined) f
    where t.chatroom_id = rebuild_term_matcher.chatroom_id and (t.expires_at is null or t.expires_at > now())
  )
  insert into private.chatroom_term_matchers as m
    (chatroom_id, exact, max_words, prefixes, max_prefix, suffixes, max_suffix, pattern, next_expiry)
  select rebuild_term_matcher.chatroom_id,
    coalesce(jsonb_object_agg(a.term_key, true) filter (where a.kind = 'exact'), '{}'),
    coalesce(max(cardinality(a.words)) filter (where a.kind = 'exact'), 0),
    coalesce(jsonb_object_agg(a.term_key, true) filter (where a.kind = 'prefix'), '{}'),
    coalesce(max(char_length(a.term_key)) filter (where a.kind = 'prefix'), 0),
    coalesce(jsonb_object_agg(a.term_key, true) filter (where a.kind = 'suffix'), '{}'),
    coalesce(max(char_length(a.term_key)) filter (where a.kind = 'suffix'), 0),
    '(?:' || string_agg(a.pattern, '|' order by a.id) filter (where a.kind = 'pattern') || ')',
    min(a.expires_at)
  from active a
  on conflict on constraint chatroom_term_matchers_pkey do update set
    exact = excluded.exact, max_words = excluded.max_words, prefixes = excluded.prefixes,
    max_prefix = excluded.max_prefix, suffixes = excluded.suffixes, max_suffix = excluded.max_suffix,
    pattern = excluded.pattern, next_expiry = excluded.next_expiry
  returning * into result;
  return result;
end
$$;

-- Whether a message's matching form holds one of the room's active blocked terms.
-- Planned once (plan_cache_mode): PL/pgSQL otherwise keeps re-planning this query on every call,
-- since its custom plans look cheaper than the generic one, and planning costs more than running it.
create function private.has_blocked_term(chatroom_id uuid, content_form text)
returns boolean language plpgsql volatile security definer
set search_path = '' set plan_cache_mode = force_generic_plan as $$
declare
  matcher private.chatroom_term_matchers;
  words text[];
begin
  select * into matcher from private.chatroom_term_matchers m where m.chatroom_id = has_blocked_term.chatroom_id;
  if matcher.chatroom_id is null or matcher.next_expiry <= now() then
    matcher := private.rebuild_term_matcher(chatroom_id);
  end if;
  if matcher.max_words = 0 and matcher.max_prefix = 0 and matcher.max_suffix = 0 and matcher.pattern is null then
    return false;
  end if;
  words := array_remove(regexp_split_to_array(content_form, '\W+'), '');
  return (matcher.max_words > 0 and matcher.exact ?| array(
            select array_to_string(words[i:i + n - 1], '')
            from generate_series(1, cardinality(words)) i, generate_series(1, matcher.max_words) n
            where i + n - 1 <= cardinality(words)))
      or (matcher.max_prefix > 0 and matcher.prefixes ?| array(
            select left(w, n) from unnest(words) w, generate_series(2, least(char_length(w), matcher.max_prefix)) n))
      or (matcher.max_suffix > 0 and matcher.suffixes ?| array(
            select right(w, n) from unnest(words) w, generate_series(2, least(char_length(w), matcher.max_suffix)) n))
      or coalesce(content_form ~ matcher.pattern, false);
end
$$;

-- After each statement on the terms, the touched rooms' matchers (a room deleted with its terms has
-- none to rebuild).
create function private.rebuild_term_matchers()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  rooms uuid[] := '{}';
  room uuid;
begin
  -- Each transition table exists only for its events, so each is read in its own statement.
  if tg_op <> 'DELETE' then
    rooms := rooms || array(select n.chatroom_id from new_terms n);
  end if;
  if tg_op <> 'INSERT' then
    rooms := rooms || array(select o.chatroom_id from old_terms o);
  end if;
  for room in select distinct x from unnest(rooms) x loop
    if exists (select 1 from public.chatrooms r where r.id = room) then
      perform private.rebuild_term_matcher(room);
    end if;
  end loop;
  return null;
end
$$;

revoke execute on function private.rebuild_term_matcher(uuid) from public;
revoke execute on function private.has_blocked_term(uuid, text) from public;
revoke execute on function private.rebuild_term_matchers() from public;

-- Transition tables need one trigger per event.
create trigger rebuild_term_matchers_on_insert after insert on public.chatroom_blocked_terms
  referencing new table as new_terms for each statement execute function private.rebuild_term_matchers();
create trigger rebuild_term_matchers_on_update after update on public.chatroom_blocked_terms
  referencing new table as new_terms old table as old_terms
  for each statement execute function private.rebuild_term_matchers();
create trigger rebuild_term_matchers_on_delete after delete on public.chatroom_blocked_terms
  referencing old table as old_terms for each statement execute function private.rebuild_term_matchers();

-- Rooms that already have terms get their matcher now.
select private.rebuild_term_matcher(r.id) from public.chatrooms r
where exists (select 1 from public.chatroom_blocked_terms t where t.chatroom_id = r.id);
