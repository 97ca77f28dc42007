-- Test-only (applied by scripts/test.ts to the throwaway test database, never a migration): keeps a
-- copy of every broadcast the database writes to realtime.messages, as it was written, so the
-- contract suite can validate each payload against supabase/contract/contract.json after the run.
-- Events named `test_probe.*` are not the database's: tests/realtime.test.ts sends them itself to
-- probe the Realtime stand-in, so they are left out.
create schema if not exists streamz_test_capture;
revoke all on schema streamz_test_capture from public;

create table if not exists streamz_test_capture.broadcasts (
  seq bigint generated always as identity primary key,
  topic text not null,
  event text,
  payload jsonb,
  private boolean
);

create or replace function streamz_test_capture.keep_broadcast() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into streamz_test_capture.broadcasts (topic, event, payload, private)
  values (new.topic, new.event, new.payload, new.private);
  return null;
end
$$;
revoke execute on function streamz_test_capture.keep_broadcast() from public;

create or replace trigger streamz_test_capture after insert on realtime.messages
  for each row when (new.extension = 'broadcast' and new.event not like 'test\_probe.%')
  execute function streamz_test_capture.keep_broadcast();
