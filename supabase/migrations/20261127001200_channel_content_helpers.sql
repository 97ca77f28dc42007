-- Helpers for owner-managed channel content (panels, links, badges): a race-safe per-parent row
-- limit, and updated_at upkeep. Serves API.md's "≤N per channel" rules.

-- After-insert trigger capping the rows that share a parent key:
--   execute function private.enforce_row_limit('<key column>', '<max rows>', '<constraint name>')
-- It runs after RLS and the table's own constraints (so an unauthorized or invalid row fails with
-- those errors first). A transaction-scoped advisory lock per (table, parent) serializes writers for
-- one parent, and the count runs after the lock with a fresh READ COMMITTED snapshot that includes
-- the row just written, so two racing inserts can never both take the last slot. Over the limit it
-- fails with check_violation (23514) naming the given constraint.
create function private.enforce_row_limit()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  key_column constant text := tg_argv[0];
  max_rows constant integer := tg_argv[1]::integer;
  total integer;
begin
  perform pg_advisory_xact_lock(hashtextextended(
    format('%s.%s:%s', tg_table_schema, tg_table_name, to_jsonb(new) ->> key_column), 0));
  execute format('select count(*) from %I.%I t where t.%I = ($1).%I',
    tg_table_schema, tg_table_name, key_column, key_column)
    into total using new;
  if total > max_rows then
    raise exception '% allows at most % rows per %', tg_table_name, max_rows, key_column
      using errcode = '23514', constraint = tg_argv[2], table = tg_table_name, schema = tg_table_schema;
  end if;
  return null;
end
$$;

revoke execute on function private.enforce_row_limit() from public;

create function private.set_updated_at()
returns trigger language plpgsql set search_path = '' as $$
begin
  new.updated_at := now();
  return new;
end
$$;

revoke execute on function private.set_updated_at() from public;
