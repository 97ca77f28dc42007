-- Reports about a room's staff go above them (20261201171801): a report about the channel's owner goes to
-- the platform's team (no room); staff never read reports about themselves; only the owner resolves a report
-- about a moderator, only the service role one about the owner; and report.created of a report about a
-- moderator reaches the owner's user topic, not the mods topic. Since 20261201190955 the other moderators do
-- not read a report about a moderator either, and their resolve_report answers not_found (pgTAP 095), as
-- does anyone's not staff of the report's room (it answered not_staff).
begin;
select plan(30);

select is_empty($$ select r.id from public.reports r join public.channels c on c.id = r.channel_id
    where r.status = 'open' and r.chatroom_id is not null and r.target_user_id = c.owner_id $$,
  'no open report about a channel''s owner is left in its room');

select tests.create_chat_world('rs') as room \gset
select tests.create_user('rs_troll', now() - interval '1 year');
select set_config('rs.room', :'room', true) \g /dev/null
create temporary table msg (name text primary key, id bigint) on commit drop;
grant select on msg to anon, authenticated, service_role;
insert into msg values
  ('troll', tests.add_message(:'room', 'rs_troll', 'spam')),
  ('mod', tests.add_message(:'room', 'rs_mod', 'a moderator rant')),
  ('mod2', tests.add_message(:'room', 'rs_mod2', 'another moderator rant')),
  ('owner', tests.add_message(:'room', 'rs_owner', 'a streamer rant'));
select tests.authenticate_as('rs_sub');
insert into public.reports (message_id, reason) select id, 'harassment' from msg;
insert into public.reports (target_user_id, channel_id, reason) values (tests.user_id('rs_owner'), (select channel_id from public.chatrooms where id = :'room'), 'other');
select tests.clear_authentication();
create temporary table rep on commit drop as
  select m.name, r.id from public.reports r left join msg m on m.id = r.message_id where r.reporter_id = tests.user_id('rs_sub');
grant select on rep to anon, authenticated, service_role;
update rep set name = 'owner_user' where name is null;
create function pg_temp.resolve(who text, name text, status text default 'dismissed') returns text language sql as $$
  select tests.api_code(who, format('select public.resolve_report(%s, %L)', (select id from rep where rep.name = resolve.name), status))
$$;

-- where each report goes ---------------------------------------------------------------------------
select results_eq($$ select rep.name, r.chatroom_id is not null, r.channel_id is not null from rep join public.reports r on r.id = rep.id order by 1 $$,
  $$ values ('mod', true, true), ('mod2', true, true), ('owner', false, true), ('owner_user', false, true), ('troll', true, true) $$,
  'reports about the owner (their message, or them in their channel) have no room; the channel stays');
select results_eq($$ select (payload ->> 'id')::bigint from tests.broadcasts('chatroom:' || current_setting('rs.room') || ':mods')
    where event = 'report.created' order by 1 $$,
  $$ select id from rep where name = 'troll' $$, 'the mods topic hears only the report about a viewer');
select results_eq($$ select (payload ->> 'id')::bigint from tests.broadcasts('user:' || tests.user_id('rs_owner')) where event = 'report.created' order by 1 $$,
  $$ select id from rep where name in ('mod', 'mod2') order by 1 $$, 'the owner hears the reports about moderators on their own topic');
select is((select payload ? 'reporter_id' from tests.broadcasts('user:' || tests.user_id('rs_owner')) where event = 'report.created' limit 1), false,
  'without the reporter');
select is((select count(*)::int from tests.broadcasts() where event = 'report.created' and (payload ->> 'id')::bigint in (select id from rep where name like 'owner%')), 0,
  'nobody in the room hears the reports about the owner');

-- who reads them ----------------------------------------------------------------------------------
select is(tests.try_as('rs_mod', $$ select id from public.reports where target_user_id = tests.user_id('rs_mod') $$), 'rows:0',
  'a moderator does not read the report about them');
select is(tests.try_as('rs_mod', $$ select id from public.reports $$), 'rows:1', 'and of the room''s others the viewer''s, not the other moderator''s');
select is(tests.try_as('rs_mod2', $$ select id from public.reports where target_user_id = tests.user_id('rs_mod') $$), 'rows:0',
  'another moderator does not read a report about a moderator either: the owner alone does');
select is(tests.try_as('rs_owner', $$ select id from public.reports $$), 'rows:3', 'the owner reads the reports about moderators and viewers');
select is(tests.try_as('rs_owner', $$ select id from public.reports where target_user_id = tests.user_id('rs_owner') $$), 'rows:0',
  'but none about themselves');
select is(tests.try_as('rs_sub', $$ select id, status from public.reports $$), 'rows:5', 'the reporter reads all their reports, the owner''s too');
select is(tests.try_as('service_role', $$ select id from public.reports where chatroom_id is null and target_user_id = tests.user_id('rs_owner') $$), 'rows:2',
  'the service role reads the reports about the owner');

-- who resolves them -------------------------------------------------------------------------------
select is(tests.api_as('rs_mod', format('select public.resolve_report(%s, %L)', (select id from rep where name = 'mod'), 'dismissed')) - 'message',
  '{"code": "not_found", "details": null, "status": 404}',
  'a moderator cannot dismiss a report about themselves, nor tell it from one that does not exist (not_found, 404)');
select is(pg_temp.resolve('rs_mod', 'mod', 'bogus'), 'not_found', 'whatever the arguments');
select is(pg_temp.resolve('rs_mod2', 'mod'), 'not_found', 'nor can another moderator, who does not read it (not_found)');
select is(pg_temp.resolve('rs_vip', 'mod'), 'not_found', 'a VIP cannot resolve it (not_found, as anyone not staff of the room)');
select is(pg_temp.resolve(null, 'mod'), 'auth_required', 'anon cannot (auth_required)');
select is(pg_temp.resolve('rs_owner', 'mod', 'actioned'), 'ok', 'the owner resolves the report about a moderator');
select is((select count(*)::int from public.moderation_actions where action = 'report.resolved' and (details ->> 'report_id')::bigint = (select id from rep where name = 'mod')),
  0, 'and it is not in the room''s log, which every moderator reads, the reported one too');
select is(pg_temp.resolve('rs_mod', 'troll'), 'ok', 'a moderator resolves a report about a viewer as before');
select is(pg_temp.resolve('rs_owner', 'owner'), 'not_found', 'the owner cannot resolve a report about themselves: it is not the room''s (not_found)');
select is(pg_temp.resolve('rs_mod', 'owner_user'), 'not_found', 'nor can a moderator (not_found)');

-- whether the target is staff is decided when the report is resolved
delete from public.channel_roles where user_id = tests.user_id('rs_mod2') and role = 'moderator';
select is(pg_temp.resolve('rs_mod', 'mod2'), 'ok', 'once demoted, a former moderator''s report is any moderator''s to resolve');

-- a report about the owner filed in the room before 20261201171801: the service role's
update public.reports set chatroom_id = :'room' where id = (select id from rep where name = 'owner');
select is(pg_temp.resolve('rs_owner', 'owner'), 'not_found', 'an older report about the owner in the room: not the owner''s (not_found, as for any report about oneself)');
select is(pg_temp.resolve('rs_mod', 'owner'), 'not_found', 'nor a moderator''s, who does not read it either (not_found)');
select is(tests.try_as('rs_owner', $$ select id from public.reports where target_user_id = tests.user_id('rs_owner') $$), 'rows:0',
  'and the owner does not read it');
select tests.authenticate_as_service_role();
select is(tests.api(format('select public.resolve_report(%s, %L)', (select id from rep where name = 'owner'), 'dismissed')) -> 'result' ->> 'status', 'dismissed',
  'the service role resolves it');
select is(tests.api(format('select public.resolve_report(%s, %L)', (select id from rep where name = 'owner_user'), 'actioned')) -> 'result' ->> 'status', 'actioned',
  'and the report about the owner that no room handles');
select tests.clear_authentication();
select is((select count(*)::int from tests.broadcasts('user:' || tests.user_id('rs_sub')) where event = 'report.resolved'), 5,
  'the reporter heard every outcome');

select * from finish();
rollback;
