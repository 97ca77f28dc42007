-- The platform shim behaves like Supabase where our migrations depend on it.
begin;
select plan(9);

-- auth.uid() and friends read the JSON claims PostgREST sets.
select set_config('request.jwt.claims', '{"sub":"6f1c1f9e-2a44-4d4b-9d36-2f1a3d1a0b11","role":"authenticated","email":"a@example.test"}', true);
select is(auth.uid(), '6f1c1f9e-2a44-4d4b-9d36-2f1a3d1a0b11'::uuid, 'auth.uid() reads sub from request.jwt.claims');
select is(auth.role(), 'authenticated', 'auth.role() reads role from request.jwt.claims');
select is(auth.jwt() ->> 'email', 'a@example.test', 'auth.jwt() returns the whole claims document');
select set_config('request.jwt.claims', '', true);
select is(auth.uid(), null, 'auth.uid() is null once the claims are cleared (GUCs read back as empty strings)');

-- A table without an explicit GRANT is not reachable by the API roles (the 2026 default).
create table public.shim_probe (id int primary key);
alter table public.shim_probe enable row level security;
create policy "anyone can read probes" on public.shim_probe for select to authenticated using (true);
select tests.authenticate_as_anon();
select throws_ok('select * from public.shim_probe', '42501', null, 'a missing GRANT fails with insufficient_privilege');
select tests.clear_authentication();

-- realtime.send from a trigger: lost with a warning unless the trigger function is security definer.
create function public.shim_broadcast_invoker() returns trigger language plpgsql as $$
begin
  perform realtime.send(jsonb_build_object('id', new.id), 'probe.invoker', 'shim:probe', true);
  return new;
end $$;
create function public.shim_broadcast_definer() returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.send(jsonb_build_object('id', new.id), 'probe.definer', 'shim:probe', true);
  return new;
end $$;
create trigger a_invoker after insert on public.shim_probe for each row execute function public.shim_broadcast_invoker();
create trigger b_definer after insert on public.shim_probe for each row execute function public.shim_broadcast_definer();
grant insert on public.shim_probe to authenticated;
create policy "anyone can insert probes" on public.shim_probe for insert to authenticated with check (true);
select tests.create_user('shim_user');
select tests.authenticate_as('shim_user');
insert into public.shim_probe values (1);
select tests.clear_authentication();

select is((select count(*) from realtime.messages where event = 'probe.invoker')::int, 0,
  'a broadcast from a security invoker trigger run by authenticated is lost');
select is((select count(*) from realtime.messages where event = 'probe.definer')::int, 1,
  'a broadcast from a security definer trigger owned by postgres reaches realtime.messages');
select is((select payload ->> 'id' from realtime.messages where event = 'probe.definer'), '1',
  'realtime.send keeps a payload that already has an id');
select is((select private from realtime.messages where event = 'probe.definer'), true,
  'realtime.send defaults to a private message');

select * from finish();
rollback;
