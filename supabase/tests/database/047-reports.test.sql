-- Reports: a signed-in user reports a message or a user (not themselves); one open report per
-- reporter and target; at most 20 per hour (report_rate_limited); the room's staff read them without
-- the reporter's identity and resolve them; the service role sees and resolves all.
begin;
select plan(49);

select tests.create_chat_world('rp');
select tests.create_user('rp_other_owner');
select tests.create_user('rp_troll', now() - interval '1 year');
select tests.create_user('rp_reporter', now() - interval '1 year');
create temporary table t (room uuid, mods text) on commit drop;
insert into t select tests.chatroom_of('rp_owner'), 'chatroom:' || tests.chatroom_of('rp_owner') || ':mods';
grant select on t to anon, authenticated, service_role;
create temporary table msg (name text primary key, id bigint) on commit drop;
grant select on msg to anon, authenticated, service_role;
insert into msg values
  ('troll', tests.add_message((select room from t), 'rp_troll', 'you are all idiots')),
  ('troll2', tests.add_message((select room from t), 'rp_troll', 'still here')),
  ('mine', tests.add_message((select room from t), 'rp_reporter', 'hello'));

-- making reports ---------------------------------------------------------------------------------
select is(tests.try_as(null, $$ insert into public.reports (message_id, reason) values ((select id from msg where name = 'troll'), 'harassment') $$), '42501',
  'anon cannot report');
select is(tests.api_code('rp_reporter', $$ select tests.run($r$ insert into public.reports (message_id, reason, details) values ((select id from msg where name = 'troll'), 'harassment', 'insults chat') $r$) $$),
  'ok', 'a viewer reports a message');
select is((select row(target_user_id, chatroom_id, channel_id, status, reporter_id)::text from public.reports where message_id = (select id from msg where name = 'troll')),
  row(tests.user_id('rp_troll'), (select room from t), (select channel_id from public.chatrooms where id = (select room from t)), 'open',
      tests.user_id('rp_reporter'))::text,
  'the report names the author, the room and the channel of the message, and the reporter (the caller)');
select is((select payload - 'id' - 'created_at' from tests.broadcasts((select mods from t)) where event = 'report.created'),
  jsonb_build_object('message_id', (select id from msg where name = 'troll'), 'target_user_id', tests.user_id('rp_troll'), 'chatroom_id', (select room from t),
    'channel_id', (select channel_id from public.chatrooms where id = (select room from t)), 'reason', 'harassment', 'details', 'insults chat',
    'status', 'open', 'resolution_note', null, 'resolved_by', null, 'resolved_at', null),
  'report.created reaches the mods topic without the reporter');
select is(tests.api_as('rp_reporter', $$ select tests.run($r$ insert into public.reports (message_id, reason) values ((select id from msg where name = 'troll'), 'spam') $r$) $$) - 'message',
  '{"code": "report_already_open", "details": null, "status": 409}', 'a second open report of the same message is refused (report_already_open, 409)');
select is(tests.api_code('rp_reporter', $$ select tests.run($r$ insert into public.reports (message_id, reason) values ((select id from msg where name = 'troll2'), 'spam') $r$) $$), 'ok',
  'another message of the same user can be reported');
select is(tests.api_code('rp_reporter', $$ select tests.run($r$ insert into public.reports (target_user_id, channel_id, reason, details) values (tests.user_id('rp_troll'),
    (select channel_id from public.chatrooms where id = (select room from t)), 'impersonation', repeat('d', 1000)) $r$) $$), 'ok',
  'a viewer reports a user in a channel, with 1,000 characters of details');
select is(tests.api_code('rp_reporter', $$ select tests.run($r$ insert into public.reports (target_user_id, channel_id, reason) values (tests.user_id('rp_troll'),
    (select channel_id from public.chatrooms where id = (select room from t)), 'spam') $r$) $$), 'report_already_open',
  'a second open report of the same user to the same channel is refused');
select is(tests.api_code('rp_reporter', $$ select tests.run($r$ insert into public.reports (target_user_id, reason) values (tests.user_id('rp_troll'), 'spam') $r$) $$), 'ok',
  'the same user can still be reported to the platform (no channel)');
select is(tests.api_code('rp_reporter', $$ select tests.run($r$ insert into public.reports (target_user_id, reason) values (tests.user_id('rp_troll'), 'hate') $r$) $$), 'report_already_open',
  'once: a second open report to the platform is refused');
delete from public.reports where reporter_id = tests.user_id('rp_reporter') and channel_id is null and message_id is null;
select is(tests.api_code('rp_sub', $$ select tests.run($r$ insert into public.reports (target_user_id, reason, details) values (tests.user_id('rp_troll'), 'spam', repeat('d', 1001)) $r$) $$),
  'invalid_argument', 'details of 1,001 characters are refused (invalid_argument, before anything is written)');
select is(tests.api_code('rp_sub', $$ select tests.run($r$ insert into public.reports (target_user_id, reason) values (tests.user_id('rp_troll'), 'rude') $r$) $$),
  '23514', 'an unknown reason is refused');
select is(tests.api_as('rp_reporter', $$ select tests.run($r$ insert into public.reports (message_id, reason) values ((select id from msg where name = 'mine'), 'spam') $r$) $$) - 'message',
  '{"code": "invalid_argument", "details": {"argument": "target_user_id"}, "status": 422}', 'nobody reports their own message');
select is(tests.api_code('rp_reporter', $$ select tests.run($r$ insert into public.reports (target_user_id, reason) values (tests.user_id('rp_reporter'), 'spam') $r$) $$), 'invalid_argument',
  'nobody reports themselves');
select is(tests.api_code('rp_sub', $$ select tests.run($r$ insert into public.reports (message_id, target_user_id, reason) values ((select id from msg where name = 'troll'), tests.user_id('rp_vip'), 'spam') $r$) $$),
  'invalid_argument', 'a message report cannot name someone else as its target');
select is(tests.api_code('rp_sub', $$ select tests.run($r$ insert into public.reports (message_id, reason) values (999999999, 'spam') $r$) $$), 'not_found',
  'reporting an unknown message gives not_found');
select is(tests.try_as('rp_sub', $$ insert into public.reports (reporter_id, target_user_id, reason) values (tests.user_id('rp_vip'), tests.user_id('rp_troll'), 'spam') $$),
  '42501', 'nobody reports in someone else''s name');
select is(tests.try_as('rp_sub', $$ insert into public.reports (target_user_id, reason, status) values (tests.user_id('rp_troll'), 'spam', 'actioned') $$),
  '42501', 'a reporter cannot set the status');

-- the hourly limit: 20 per reporter, the 21st refused; reports older than an hour do not count --
select tests.create_user('rp_flood_' || g) from generate_series(1, 21) g;
select tests.authenticate_as('rp_sub');
insert into public.reports (target_user_id, reason) select tests.user_id('rp_flood_' || g), 'spam' from generate_series(1, 19) g;
select tests.clear_authentication();
update public.reports set created_at = now() - interval '59 minutes' where reporter_id = tests.user_id('rp_sub');
select is(tests.api_code('rp_sub', $$ select tests.run($r$ insert into public.reports (target_user_id, reason) values (tests.user_id('rp_flood_20'), 'spam') $r$) $$), 'ok',
  'the 20th report in an hour is accepted');
select is(tests.api_as('rp_sub', $$ select tests.run($r$ insert into public.reports (target_user_id, reason) values (tests.user_id('rp_flood_21'), 'spam') $r$) $$) - 'message',
  '{"code": "report_rate_limited", "details": {"retry_after_seconds": 60}, "status": 429}',
  'the 21st is refused with report_rate_limited (429) and when to retry');
update public.reports set created_at = now() - interval '1 hour 1 second' where reporter_id = tests.user_id('rp_sub') and target_user_id = tests.user_id('rp_flood_1');
select is(tests.api_code('rp_sub', $$ select tests.run($r$ insert into public.reports (target_user_id, reason) values (tests.user_id('rp_flood_21'), 'spam') $r$) $$), 'ok',
  'a report older than an hour leaves room for one more');

-- who reads what ---------------------------------------------------------------------------------
select is(tests.try_as('rp_reporter', $$ select id, status, reason from public.reports $$), 'rows:3', 'the reporter reads their own reports');
select is(tests.try_as('rp_reporter', $$ select * from public.reports $$), '42501', 'nobody reads reporter_id (select * is refused; name the columns)');
select is(tests.try_as('rp_owner', $$ select reporter_id from public.reports $$), '42501', 'the owner cannot read who reported');
select is(tests.try_as('rp_owner', $$ select id, target_user_id, message_id, reason, details from public.reports where chatroom_id = (select room from t) $$), 'rows:3',
  'the owner reads the reports about the room (messages and users in the channel)');
select is(tests.try_as('rp_mod', $$ select id from public.reports $$), 'rows:3', 'a moderator reads the room''s reports');
select is(tests.try_as('rp_vip', $$ select id from public.reports $$), 'rows:0', 'a VIP reads no reports');
select is(tests.try_as('rp_troll', $$ select id from public.reports $$), 'rows:0', 'the reported user reads nothing');
select is(tests.try_as('rp_other_owner', $$ select id from public.reports $$), 'rows:0', 'another channel''s owner reads nothing');
select is(tests.try_as(null, $$ select id from public.reports $$), '42501', 'anon reads nothing');
select is(tests.try_as('service_role', $$ select reporter_id from public.reports where target_user_id = tests.user_id('rp_troll') $$), 'rows:3',
  'the service role reads everything, reporters included');
select is(tests.try_as('rp_mod', $$ update public.reports set status = 'dismissed' $$), '42501', 'staff change reports only through resolve_report');
select is(tests.try_as('rp_reporter', $$ delete from public.reports $$), '42501', 'a reporter cannot withdraw or erase a report');

-- resolve_report ---------------------------------------------------------------------------------
create temporary table r on commit drop as
  select id, message_id from public.reports where target_user_id = tests.user_id('rp_troll') and reporter_id = tests.user_id('rp_reporter');
grant select on r to anon, authenticated, service_role;
select is(tests.api_code(null, $$ select public.resolve_report((select id from r where message_id = (select id from msg where name = 'troll')), 'actioned') $$),
  'auth_required', 'anon cannot resolve');
select is(tests.api_code('rp_vip', $$ select public.resolve_report((select id from r where message_id = (select id from msg where name = 'troll')), 'actioned') $$),
  'not_found', 'a VIP cannot resolve, nor tell the report from one that does not exist (not_found since 20261201190955)');
select is(tests.api_code('rp_troll', $$ select public.resolve_report((select id from r where message_id = (select id from msg where name = 'troll')), 'dismissed') $$),
  'not_found', 'the reported user cannot resolve (not_found)');
select is(tests.api_code('rp_other_owner', $$ select public.resolve_report((select id from r where message_id = (select id from msg where name = 'troll')), 'dismissed') $$),
  'not_found', 'another channel''s owner cannot resolve (not_found)');
select is(tests.api_code('rp_mod', $$ select public.resolve_report(999999999, 'dismissed') $$), 'not_found', 'an unknown report gives not_found');
select is(tests.api_as('rp_mod', $$ select public.resolve_report((select id from r where message_id = (select id from msg where name = 'troll')), 'open') $$) - 'message',
  '{"code": "invalid_argument", "details": {"argument": "status"}, "status": 422}', 'a report is resolved as dismissed or actioned only');
select is(tests.api_code('rp_mod', $$ select public.resolve_report((select id from r where message_id = (select id from msg where name = 'troll')), 'actioned', repeat('n', 1001)) $$),
  'invalid_argument', 'a note of 1,001 characters is refused');
select is((tests.api_as('rp_mod', $$ select public.resolve_report((select id from r where message_id = (select id from msg where name = 'troll')), 'actioned', 'timed out') $$)
    -> 'result') - 'id' - 'created_at' - 'resolved_at' - 'details' - 'channel_id' - 'target_user_id',
  jsonb_build_object('message_id', (select id from msg where name = 'troll'), 'chatroom_id', (select room from t), 'reason', 'harassment',
    'status', 'actioned', 'resolution_note', 'timed out', 'resolved_by', tests.user_id('rp_mod')),
  'a moderator resolves a report as actioned with a note, and gets it back without the reporter');
select is((select row(action, actor_id, target_user_id, reason, details ->> 'status')::text from public.moderation_actions
    where action = 'report.resolved' and chatroom_id = (select room from t)),
  row('report.resolved', tests.user_id('rp_mod'), tests.user_id('rp_troll'), 'timed out', 'actioned')::text, 'the resolution is logged');
select is((select payload ->> 'status' from tests.broadcasts('user:' || tests.user_id('rp_reporter')) where event = 'report.resolved'), 'actioned',
  'the reporter hears the outcome on their user topic');
select is(tests.api_as('rp_owner', $$ select public.resolve_report((select id from r where message_id = (select id from msg where name = 'troll')), 'dismissed') $$) - 'message',
  '{"code": "report_closed", "details": null, "status": 409}', 'a resolved report cannot be resolved again (report_closed, 409)');
select is(tests.api_code('rp_reporter', $$ select tests.run($r$ insert into public.reports (message_id, reason) values ((select id from msg where name = 'troll'), 'hate') $r$) $$), 'ok',
  'once resolved, the same message can be reported again');
select is(tests.api_code('rp_owner', $$ select public.resolve_report((select id from r where message_id = (select id from msg where name = 'troll2')), 'dismissed') $$), 'ok',
  'the owner dismisses a report');

-- the service role resolves any report, even one no room handles
select is(tests.api_code('rp_og', $$ select tests.run($r$ insert into public.reports (target_user_id, reason) values (tests.user_id('rp_other_owner'), 'other') $r$) $$), 'ok',
  'a user report without a channel reaches only the service');
select tests.authenticate_as_service_role();
select is(tests.api($$ select public.resolve_report((select id from public.reports where target_user_id = tests.user_id('rp_other_owner')), 'dismissed', 'checked') $$) -> 'result' ->> 'status',
  'dismissed', 'the service role resolves any report');
select is(tests.api($$ select public.resolve_report((select id from public.reports where status = 'open' and chatroom_id = (select room from t) limit 1), 'actioned') $$) -> 'result' ->> 'resolved_by',
  null, 'a resolution by the service has no resolver');
select tests.clear_authentication();

select * from finish();
rollback;
