-- A report about a moderator is read by the room's owner alone (20261201190955): the room's other moderators
-- no longer read it in `reports`, count it on the moderator's card or learn from resolve_report that it
-- exists (not_found, as for a report that does not exist); the reported moderator neither, as before. Nor
-- does anyone signed in who is not staff of the report's room (it answered not_staff): a report in another
-- room, a hidden one and an id that does not exist answer the same code, message and details. The service
-- role reads and resolves every report. Who is staff is read per room and at each read.
begin;
select plan(56);

select tests.create_chat_world('rm') as room \gset
select tests.create_user('rm_troll', now() - interval '1 year');
select tests.create_user('rm_helper', now() - interval '1 year');
select set_config('rm.room', :'room', true) \g /dev/null
-- Another room (rm_stranger's), where rm_mod moderates and rm_mod2 is a viewer.
insert into public.channel_roles (channel_id, user_id, role)
select r.channel_id, tests.user_id('rm_mod'), 'moderator' from public.chatrooms r where r.id = tests.chatroom_of('rm_stranger');
create temporary table msg (name text primary key, id bigint) on commit drop;
grant select on msg to anon, authenticated, service_role;
insert into msg values
  ('troll', tests.add_message(:'room', 'rm_troll', 'spam')),
  ('helper', tests.add_message(:'room', 'rm_helper', 'a helpful viewer')),
  ('mod', tests.add_message(:'room', 'rm_mod', 'a moderator rant')),
  ('mod2', tests.add_message(:'room', 'rm_mod2', 'another moderator rant')),
  ('owner_old', tests.add_message(:'room', 'rm_owner', 'a streamer rant')),
  ('mod2_elsewhere', tests.add_message(tests.chatroom_of('rm_stranger'), 'rm_mod2', 'a viewer elsewhere')),
  ('troll_elsewhere', tests.add_message(tests.chatroom_of('rm_stranger'), 'rm_troll', 'spam elsewhere')),
  ('gone', tests.add_message(:'room', 'rm_troll', 'more spam'));
select tests.authenticate_as('rm_sub');
insert into public.reports (message_id, reason) select id, 'harassment' from msg;
select tests.clear_authentication();
create temporary table rep on commit drop as
  select m.name, r.id, r.target_user_id from public.reports r join msg m on m.id = r.message_id;
grant select on rep to anon, authenticated, service_role;
-- A report about the owner resolved in the room before 20261201171801 moved open ones to the platform.
update public.reports set chatroom_id = :'room', status = 'dismissed', resolved_at = now()
where id = (select id from rep where name = 'owner_old');
-- A report of the room that no longer exists: an id below the latest that answers as no report.
delete from public.reports where id = (select id from rep where name = 'gone');

-- What `who` reads of the report `name` (rows), and what resolve_report answers them.
create function pg_temp.reads(who text, name text) returns text language sql as $$
  select tests.try_as(who, format('select id, status, reason from public.reports where id = %s', (select id from rep where rep.name = reads.name)))
$$;
create function pg_temp.resolve(who text, name text, status text default 'dismissed') returns jsonb language sql as $$
  select tests.api_as(who, format('select public.resolve_report(%s, %L)', coalesce((select id from rep where rep.name = resolve.name), -1), status))
$$;
create function pg_temp.card(who text, username text, room uuid default current_setting('rm.room')::uuid) returns jsonb language sql as $$
  select tests.api_as(who, format('select public.chat_user_card(%L::uuid, %L::uuid)', room, tests.user_id(username)))
$$;

-- reading the table -------------------------------------------------------------------------------
select is(pg_temp.reads('rm_owner', 'mod2'), 'rows:1', 'the owner reads a report about a moderator');
select is(pg_temp.reads('rm_mod', 'mod2'), 'rows:0', 'another moderator does not');
select is(pg_temp.reads('rm_mod2', 'mod'), 'rows:0', 'nor does the moderator it is not about, the other way round');
select is(pg_temp.reads('rm_mod2', 'mod2'), 'rows:0', 'nor the reported moderator (as before)');
select is(pg_temp.reads('rm_mod', 'owner_old'), 'rows:0', 'a moderator does not read an old report about the owner left in the room');
select is(pg_temp.reads('rm_owner', 'owner_old'), 'rows:0', 'nor does the owner (it is about them)');
select is(tests.try_as('rm_mod', format('select id from public.reports where chatroom_id = %L', :'room')), 'rows:2',
  'a moderator reads the room''s reports about viewers only (the troll, the helper)');
select is(tests.try_as('rm_owner', format('select id from public.reports where chatroom_id = %L', :'room')), 'rows:4',
  'the owner reads those and the two about moderators');
select is(tests.api_as('rm_mod', format('select count(*) from public.reports where chatroom_id = %L and target_user_id = %L', :'room', tests.user_id('rm_mod2'))) -> 'result',
  '0', 'a moderator counting the reports about another moderator gets 0, as if there were none');
select is(pg_temp.reads('rm_mod', 'mod2_elsewhere'), 'rows:1',
  'in a room where the other moderator is a viewer, a moderator there reads the report about them (staff is per room)');
select is(pg_temp.reads('rm_stranger', 'mod2_elsewhere'), 'rows:1', 'as does that room''s owner');
select is(pg_temp.reads('rm_stranger', 'mod2'), 'rows:0', 'the owner of another room reads nothing of this room');
select is(pg_temp.reads('rm_vip', 'mod2'), 'rows:0', 'a VIP does not read it');
select is(pg_temp.reads('rm_troll', 'mod2'), 'rows:0', 'a viewer does not read it');
select is(pg_temp.reads(null, 'mod2'), '42501', 'anon reads no report');
select is(tests.try_as('rm_sub', 'select id from public.reports'), 'rows:7', 'the reporter reads every report they filed, those about moderators too');
select is(tests.try_as('service_role', format('select reporter_id from public.reports where id in (%s, %s)',
    (select id from rep where name = 'mod'), (select id from rep where name = 'mod2'))), 'rows:2',
  'the service role reads them, with the reporter');

-- the card ----------------------------------------------------------------------------------------
select is(pg_temp.card('rm_mod', 'rm_mod2') -> 'result' -> 'open_reports', 'null',
  'on another moderator''s card a moderator gets no count of reports (null, as on their own)');
select is(pg_temp.card('rm_mod', 'rm_mod2') -> 'result' -> 'roles', '["moderator"]', 'the rest of the card is there');
select is(pg_temp.card('rm_mod2', 'rm_mod') -> 'result' -> 'open_reports', 'null', 'the same the other way round');
select is(pg_temp.card('rm_mod', 'rm_owner') -> 'result' -> 'open_reports', 'null', 'and on the owner''s card');
select is(pg_temp.card('rm_owner', 'rm_mod2') -> 'result' -> 'open_reports', '1', 'the owner counts the open report about a moderator');
select is(pg_temp.card('rm_owner', 'rm_owner') -> 'result' -> 'open_reports', 'null', 'but none on their own card');
select is(pg_temp.card('rm_mod', 'rm_troll') -> 'result' -> 'open_reports', '1', 'a moderator counts the reports about a viewer');
select is(pg_temp.card('rm_mod', 'rm_mod2', tests.chatroom_of('rm_stranger')) -> 'result' -> 'open_reports', '1',
  'and about the other moderator in a room where they are a viewer');
select is(pg_temp.card('rm_vip', 'rm_mod2') ->> 'code', 'not_staff', 'a VIP gets no card (not_staff)');

-- resolving ---------------------------------------------------------------------------------------
select is(pg_temp.resolve('rm_mod', 'mod2'), pg_temp.resolve('rm_mod', 'nonexistent'),
  'a moderator resolving a report about another moderator gets what a report that does not exist answers');
select is(pg_temp.resolve('rm_mod', 'mod2') - 'message', '{"code": "not_found", "details": null, "status": 404}',
  'not_found (404), not cannot_target_staff');
select is(pg_temp.resolve('rm_mod', 'mod2', 'bogus') ->> 'code', 'not_found', 'whatever the arguments');
select is(pg_temp.resolve('rm_mod2', 'mod') ->> 'code', 'not_found', 'the same the other way round');
select is(pg_temp.resolve('rm_mod2', 'mod2') ->> 'code', 'not_found', 'the reported moderator: not_found (as before)');
select is(pg_temp.resolve('rm_mod', 'owner_old') ->> 'code', 'not_found', 'a moderator and an old report about the owner: not_found');
select is(pg_temp.resolve('rm_vip', 'mod2') ->> 'code', 'not_found', 'a VIP: not_found, as for any report of the room (it answered not_staff)');
select is(pg_temp.resolve(null, 'mod2') ->> 'code', 'auth_required', 'anon: auth_required');

-- what not_found leaves out: nothing tells a report one may not resolve from no report -------------
select is(pg_temp.resolve('rm_mod2', 'gone'),
  '{"code": "not_found", "status": 404, "details": null, "message": "This report does not exist."}',
  'an id that does not exist (a deleted report, below the latest id): not_found, 404, no details');
select is(pg_temp.resolve('rm_mod2', 'troll_elsewhere'), pg_temp.resolve('rm_mod2', 'gone'),
  'a report in a room the moderator is not staff of (a viewer there) answers exactly the same: code, message, details, status');
select is(pg_temp.resolve('rm_mod2', 'mod'), pg_temp.resolve('rm_mod2', 'gone'),
  'as does a report of their own room they do not read (about a fellow moderator)');
select is(pg_temp.resolve('rm_mod2', 'nonexistent'), pg_temp.resolve('rm_mod2', 'gone'), 'and an id that never existed');
select is(array[pg_temp.resolve('rm_mod2', 'troll_elsewhere', null), pg_temp.resolve('rm_mod2', 'mod', null)],
  array[pg_temp.resolve('rm_mod2', 'gone', null), pg_temp.resolve('rm_mod2', 'gone', null)],
  'the same whatever the arguments (no status)');
select is(pg_temp.resolve('rm_vip', 'troll'), pg_temp.resolve('rm_vip', 'gone'),
  'someone staff of no room at all cannot tell a report of the room from no report either');
select is(pg_temp.resolve('rm_sub', 'troll'), pg_temp.resolve('rm_sub', 'gone'),
  'nor can the reporter, who reads the report but does not resolve it');
select is(pg_temp.resolve('rm_stranger', 'troll'), pg_temp.resolve('rm_stranger', 'gone'),
  'nor the owner of another room');
select is(tests.api_as('rm_mod', format('select public.resolve_report(%s, %L)', (select id from rep where name = 'troll_elsewhere'), 'bogus')) -> 'details',
  '{"argument": "status"}', 'a moderator of that other room reaches the report (invalid_argument on a bad status)');
select is(pg_temp.resolve('rm_owner', 'mod2', 'bogus') -> 'details', '{"argument": "status"}', 'the owner, with a bad status: invalid_argument');
select is(pg_temp.resolve('rm_owner', 'mod2', 'actioned') -> 'result' ->> 'status', 'actioned', 'the owner resolves it');
select is(pg_temp.resolve('rm_mod', 'mod2_elsewhere') -> 'result' ->> 'status', 'dismissed',
  'a moderator resolves the report about the other moderator where they are a viewer');
select tests.authenticate_as_service_role();
select is(tests.api(format('select public.resolve_report(%s, %L)', (select id from rep where name = 'mod'), 'dismissed')) -> 'result' ->> 'status', 'dismissed',
  'the service role resolves a report about a moderator');
select tests.clear_authentication();
select is((select count(*)::int from public.moderation_actions where action = 'report.resolved'
    and (details ->> 'report_id')::bigint in (select id from rep where name in ('mod', 'mod2'))), 0,
  'neither resolution is in the room''s log');

-- who is staff is read at each read -----------------------------------------------------------------
delete from public.channel_roles where user_id = tests.user_id('rm_mod2') and role = 'moderator'
  and channel_id = (select channel_id from public.chatrooms where id = :'room');
select is(pg_temp.reads('rm_mod', 'mod2'), 'rows:1', 'once demoted, a former moderator''s reports are read by the moderators');
insert into public.channel_roles (channel_id, user_id, role)
select channel_id, tests.user_id('rm_helper'), 'moderator' from public.chatrooms where id = :'room';
select is(pg_temp.reads('rm_mod', 'helper'), 'rows:0', 'once promoted, a new moderator''s reports are the owner''s');
select is(pg_temp.resolve('rm_mod', 'helper') ->> 'code', 'not_found', 'to resolve as well');
select is(pg_temp.reads('rm_owner', 'helper'), 'rows:1', 'the owner still reads them');

-- the rule in one helper, computed once per statement ----------------------------------------------
select ok((select prosecdef and proconfig @> array['search_path=""'] from pg_proc where oid = 'private.unread_report_targets(uuid)'::regprocedure),
  'the rule''s helper is security definer with an empty search_path');
select is(array[has_function_privilege('anon', 'private.unread_report_targets(uuid)', 'execute'),
    has_function_privilege('authenticated', 'private.unread_report_targets(uuid)', 'execute'),
    has_function_privilege('service_role', 'private.unread_report_targets(uuid)', 'execute')],
  array[false, true, false], 'only authenticated (the read policy) executes it');
set local enable_seqscan = off;
select tests.authenticate_as('rm_mod');
select matches(tests.plan_of(format('select id, status from public.reports where chatroom_id = %L order by id desc limit 50', :'room')),
  'reports_chatroom_id_id_idx', 'a room''s page of reports is still read through (chatroom_id, id desc)');
select ok((select p ~ '<> ALL \(\$\d+\)' and p !~ 'unread_report_targets'
    from tests.plan_of(format('select id from public.reports where chatroom_id = %L', :'room')) p),
  'each row is compared with the pairs computed once per statement (an InitPlan''s array), not by a call per row');
select tests.clear_authentication();
reset enable_seqscan;

select * from finish();
rollback;
