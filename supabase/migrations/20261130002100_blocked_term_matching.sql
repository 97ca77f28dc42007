-- Blocked terms matched on the matching form, compiled once per room: each term's pattern is built
-- from its matching form, and a room's active terms are one cached expression. Serves API.md
-- `chatroom_blocked_terms` (the term rules, ≤1,000 per room) and send_message's `chat_blocked_term`.

-- A term's words must appear as whole words, in order, in the message's matching form; `*` at a
-- word's start or end stands for any run of word characters (`spoil*` blocks "spoiler"). Between a
-- phrase's words the form may hold one separator or none, since a zero-width space between them is
-- removed, not read as a space.
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
  return '(?<!\w)' || array_to_string(parts, ' ?') || '(?!\w)';
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

-- One room's active terms as one expression, rebuilt whenever its terms change or the soonest
-- expiry passes (send_message checks `next_expiry`). PostgreSQL keeps compiled expressions per
-- session, so a room's terms are compiled once, not once per term per send.
create table private.chatroom_term_matchers (
  chatroom_id uuid primary key references public.chatrooms (id) on delete cascade,
  pattern text,              -- null: no active term
  next_expiry timestamptz    -- when an active term expires next (then the matcher is rebuilt)
);

alter table private.chatroom_term_matchers enable row level security;

create function private.rebuild_term_matcher(chatroom_id uuid)
returns private.chatroom_term_matchers language plpgsql volatile security definer set search_path = '' as $$
declare
  result private.chatroom_term_matchers;
begin
  insert into private.chatroom_term_matchers as m (chatroom_id, pattern, next_expiry)
  select rebuild_term_matcher.chatroom_id,
         '(?:' || string_agg(t.pattern, '|' order by t.id) || ')',
         min(t.expires_at)
  from public.chatroom_blocked_terms t
  where t.chatroom_id = rebuild_term_matcher.chatroom_id and (t.expires_at is null or t.expires_at > now())
  on conflict on constraint chatroom_term_matchers_pkey
    do update set pattern = excluded.pattern, next_expiry = excluded.next_expiry
  returning * into result;
  return result;
end
$$;

-- The room's matcher, rebuilt first when a term has expired since it was built.
create function private.term_matcher(chatroom_id uuid)
returns text language plpgsql volatile security definer set search_path = '' as $$
declare
  matcher private.chatroom_term_matchers;
begin
  select * into matcher from private.chatroom_term_matchers m where m.chatroom_id = term_matcher.chatroom_id;
  if matcher.chatroom_id is null or matcher.next_expiry <= now() then
    matcher := private.rebuild_term_matcher(chatroom_id);
  end if;
  return matcher.pattern;
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
revoke execute on function private.term_matcher(uuid) from public;
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
