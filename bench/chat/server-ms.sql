-- pg_temp.server_ms(query): the server-side time of one statement in ms (planning + execution from
-- EXPLAIN ANALYZE, no client round trip), callable by a signed-in client. Included by the history
-- scripts (\ir).
create function pg_temp.server_ms(query text) returns double precision language plpgsql as $$
declare
  plan json;
begin
  execute 'explain (analyze, timing off, format json) ' || query into plan;
  return (plan -> 0 ->> 'Planning Time')::double precision + (plan -> 0 ->> 'Execution Time')::double precision;
end
$$;
grant execute on function pg_temp.server_ms(text) to authenticated;
