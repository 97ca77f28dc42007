-- Terms whose matching form changes with 20261201191315 (Latin letters with a hook or stroke, narrow
-- spaces, `|` and apostrophes joining single characters) get their stored pattern and their rooms'
-- matchers from the new form, as 20261201125647 did for marks. Serves API.md `chatroom_blocked_terms`.
--
-- Rewriting a row recomputes its generated pattern, and the statement's trigger rebuilds the matchers
-- of the rooms it touches. Only terms the new form reads differently are rewritten, one room at a
-- time: a room already past the pattern budget whose pattern would grow (`a|b|c` is now a phrase)
-- keeps its old patterns rather than stop the migration, and says so.
do $$
declare
  room uuid;
begin
  for room in
    select distinct t.chatroom_id from public.chatroom_blocked_terms t
    where t.term ~ '[^\u0001-\u007f]|[|''`]' and t.pattern is distinct from private.blocked_term_pattern(t.term)
  loop
    begin
      update public.chatroom_blocked_terms t set term = t.term
      where t.chatroom_id = room
        and t.term ~ '[^\u0001-\u007f]|[|''`]' and t.pattern is distinct from private.blocked_term_pattern(t.term);
    exception when check_violation then
      raise notice 'chatroom %: its blocked terms keep their previous patterns (%)', room, sqlerrm;
    end;
  end loop;
end
$$;
