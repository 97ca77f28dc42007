-- Hosted Supabase loads pg-safeupdate for API sessions: an UPDATE or DELETE without a WHERE clause
-- fails there (21000), inside triggers and functions too, while the local stack has no such module.
-- So every function a request can reach (a trigger, or one the API roles may execute) names its
-- rows; `where true` says "all of them" (20261201144521).
begin;
select plan(2);

create function pg_temp.unfiltered_writes() returns table (fn text, statement text) language sql as $$
  select p.oid::regprocedure::text, btrim(regexp_replace(w, '\s+', ' ', 'g'))
  from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace
  join pg_language l on l.oid = p.prolang and l.lanname in ('sql', 'plpgsql'),
    regexp_split_to_table(p.prosrc, ';') s,
    substring(s from '(?i)(\m(delete\s+from|update)\s.*)$') w
  where n.nspname in ('public', 'private')
    and (p.prorettype = 'trigger'::regtype
         or has_function_privilege('anon', p.oid, 'execute')
         or has_function_privilege('authenticated', p.oid, 'execute')
         or has_function_privilege('service_role', p.oid, 'execute'))
    and w ~* '^(delete\s+from\s|update\s+[[:alnum:]_."]+(\s+(as\s+)?[[:alnum:]_]+)?\s+set\M)'
    and w !~* '\mwhere\M'
$$;

select is_empty('select * from pg_temp.unfiltered_writes()',
  'no function an API request can reach runs an UPDATE or DELETE without WHERE');

-- The finder finds one: a trigger function with a bare DELETE.
create function private.tmp_bare_delete() returns trigger language plpgsql set search_path = '' as $$
begin
  delete from private.chatroom_emote_sets;
  return null;
end
$$;
select ok('private.tmp_bare_delete()' in (select fn from pg_temp.unfiltered_writes()),
  'a bare DELETE in a trigger function is found');

select * from finish();
rollback;
