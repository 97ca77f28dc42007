-- Moderation's free text answers 422 invalid_argument with details.argument, before anything is written
-- (20261201171758): ban reasons (ban_user and direct inserts), report details, appeals, and the notes of
-- resolve_report and resolve_unban_request. Never the raw 23514 whose details printed the failing row.
-- The gate still answers first (auth_required, not_staff), and the helper's rules are the CHECKs' rules.
begin;
select plan(32);

select tests.create_chat_world('ft') as room \gset
select tests.create_user('ft_troll', now() - interval '1 year');
select set_config('ft.room', :'room', true) \g /dev/null
select tests.add_message(:'room', 'ft_troll', 'you are all idiots') as troll_msg \gset
select set_config('ft.troll_msg', :'troll_msg', true) \g /dev/null

-- The answer of `statement` as `who`, without its message (the message is checked apart).
create function pg_temp.answer(who text, statement text) returns jsonb language sql as $$
  select tests.api_as(who, statement) - 'message'
$$;
create function pg_temp.ban(reason text) returns text language sql as $$
  select format('select public.ban_user(%L::uuid, %L::uuid, %L, 600)', current_setting('ft.room'), tests.user_id('ft_troll'), reason)
$$;

-- ban_user: the reason ----------------------------------------------------------------------------
select is(pg_temp.answer('ft_mod', pg_temp.ban(E'spam\u0007')),
  '{"code": "invalid_argument", "details": {"argument": "reason"}, "status": 422}',
  'a reason with a control character answers invalid_argument naming the reason (not 23514)');
select unalike(tests.api_as('ft_mod', pg_temp.ban(E'spam\u0007')) ->> 'message', '%' || tests.user_id('ft_troll') || '%',
  'and the message names no row or id');
select is(pg_temp.answer('ft_mod', pg_temp.ban(E'evil\u202eexe')) -> 'details', '{"argument": "reason"}', 'a reason with a right-to-left override too');
select is(pg_temp.answer('ft_mod', pg_temp.ban(E'two\nlines')) -> 'details', '{"argument": "reason"}', 'a reason is one line');
select is(pg_temp.answer('ft_mod', pg_temp.ban(E'z\u0300\u0301\u0302\u0303\u0304algo')) -> 'details', '{"argument": "reason"}',
  'a reason refuses five combining marks in a row');
select is((select count(*)::int from public.chatroom_bans where user_id = tests.user_id('ft_troll')), 0, 'no refused reason left a ban');
select is(pg_temp.answer('ft_mod', pg_temp.ban(repeat('r', 501))) -> 'details', '{"argument": "reason"}', 'a reason of 501 characters is refused');
select is(tests.api_code('ft_mod', pg_temp.ban(E'z\u0300\u0301\u0302\u0303algo ' || repeat('r', 490))), 'ok',
  'a reason of 500 characters with four combining marks in a row is accepted');
select is(tests.api_code('ft_mod', pg_temp.ban('Spam links, 2nd warning — تحذير')), 'ok', 'an ordinary reason in any script is accepted');
select is(tests.api_code(null, pg_temp.ban(E'spam\u0007')), 'auth_required', 'anon still gets auth_required first');
select is(tests.api_code('ft_vip', pg_temp.ban(E'spam\u0007')), 'not_staff', 'a VIP still gets not_staff first');
select is(pg_temp.answer('ft_owner', format($$ select tests.run($r$ insert into public.chatroom_bans (chatroom_id, user_id, reason) values (%L, %L, %L) $r$) $$,
    :'room', tests.user_id('ft_sub'), E'spam\u001b[31m')),
  '{"code": "invalid_argument", "details": {"argument": "reason"}, "status": 422}', 'a ban inserted through the Data API gets the same answer');

-- reports: details --------------------------------------------------------------------------------
create function pg_temp.report(details text) returns text language sql as $$
  select format($f$ select tests.run($r$ insert into public.reports (message_id, reason, details) values (%s, 'harassment', %L) $r$) $f$,
    current_setting('ft.troll_msg'), details)
$$;
select is(pg_temp.answer('ft_sub', pg_temp.report(E'insults\u001bchat')),
  '{"code": "invalid_argument", "details": {"argument": "details"}, "status": 422}', 'report details with ESC answer invalid_argument');
select is(pg_temp.answer('ft_sub', pg_temp.report(E'see \u2066this')) -> 'details', '{"argument": "details"}', 'report details with a bidi isolate too');
select is(tests.api_code('ft_sub', pg_temp.report(E'he said:\n"you are all idiots"\tthen left')), 'ok', 'report details keep line breaks and tabs');
select is((select count(*)::int from public.reports where target_user_id = tests.user_id('ft_troll')), 1, 'only the accepted report was filed');

-- unban_requests: the appeal ----------------------------------------------------------------------
create function pg_temp.appeal(body text) returns text language sql as $$
  select format($f$ select tests.run($r$ insert into public.unban_requests (chatroom_id, text) values (%L, %L) $r$) $f$, current_setting('ft.room'), body)
$$;
select is(pg_temp.answer('ft_banned', pg_temp.appeal(E'please\u202d')),
  '{"code": "invalid_argument", "details": {"argument": "text"}, "status": 422}', 'an appeal with an override answers invalid_argument');
select is(pg_temp.answer('ft_banned', pg_temp.appeal(E' \n\t ')) -> 'details', '{"argument": "text"}', 'an appeal of spaces and line breaks');
select is(pg_temp.answer('ft_banned', pg_temp.appeal(E'\u00a0\u200b\u3164\u2800')) -> 'details', '{"argument": "text"}',
  'an appeal of no-break spaces, zero-width characters and fillers (nothing visible, as chat counts it)');
select is(pg_temp.answer('ft_banned', format($f$ select tests.run($r$ insert into public.unban_requests (chatroom_id) values (%L) $r$) $f$, :'room')) -> 'details',
  '{"argument": "text"}', 'an appeal without text');
select is(pg_temp.answer('ft_banned', pg_temp.appeal(repeat('s', 501))) -> 'details', '{"argument": "text"}', 'an appeal of 501 characters');
select is(tests.api_code('ft_banned', pg_temp.appeal(E'I am sorry.\nIt will not happen again.')), 'ok', 'an appeal with line breaks is accepted');

-- the resolvers' notes ----------------------------------------------------------------------------
select is(pg_temp.answer('ft_mod', format('select public.resolve_report(%s, %L, %L)',
    (select id from public.reports where target_user_id = tests.user_id('ft_troll')), 'actioned', E'timed out\u0007')),
  '{"code": "invalid_argument", "details": {"argument": "note"}, "status": 422}', 'a resolve_report note with BEL answers invalid_argument');
select is(pg_temp.answer('ft_mod', format('select public.resolve_report(%s, %L, %L)',
    (select id from public.reports where target_user_id = tests.user_id('ft_troll')), 'actioned', repeat('n', 1001))) -> 'details',
  '{"argument": "note"}', 'a note of 1,001 characters');
select is(tests.api_code('ft_mod', format('select public.resolve_report(%s, %L, %L)',
    (select id from public.reports where target_user_id = tests.user_id('ft_troll')), 'actioned', E'timed out\nfor 10 minutes')), 'ok',
  'a note with a line break is accepted');
select is(pg_temp.answer('ft_owner', format('select public.resolve_unban_request(%s, false, %L)',
    (select id from public.unban_requests where user_id = tests.user_id('ft_banned')), E'no\u0001')),
  '{"code": "invalid_argument", "details": {"argument": "resolution_text"}, "status": 422}',
  'a resolve_unban_request answer with a control character answers invalid_argument');
select is(pg_temp.answer('ft_owner', format('select public.resolve_unban_request(%s, false, %L)',
    (select id from public.unban_requests where user_id = tests.user_id('ft_banned')), repeat('a', 501))) -> 'details',
  '{"argument": "resolution_text"}', 'an answer of 501 characters');
select is((select status from public.unban_requests where user_id = tests.user_id('ft_banned')), 'pending', 'the refused answers left the request pending');
select is(tests.api_code('ft_owner', format('select public.resolve_unban_request(%s, false, %L)',
    (select id from public.unban_requests where user_id = tests.user_id('ft_banned')), repeat('a', 500))), 'ok', 'an answer of 500 characters is accepted');

-- one rule: the helper's characters are those the CHECKs of 20261201124303 hold ---------------------
select is_empty($$ select conname::text from pg_constraint
    where connamespace = 'public'::regnamespace and conname like '%\_characters' and contype = 'c'
      and position(private.free_text_refused(conname::text in ('channels_description_characters', 'channel_panels_body_characters',
            'users_bio_characters', 'reports_details_characters', 'reports_resolution_note_characters', 'unban_requests_text_characters',
            'unban_requests_resolution_text_characters')) in pg_get_constraintdef(oid)) = 0 $$,
  'every free-text CHECK holds the characters private.free_text_refused names (one line or several)');
select is((select count(*)::int from pg_constraint where connamespace = 'public'::regnamespace and conname like '%\_characters' and contype = 'c'), 12,
  'the twelve free-text CHECKs are all compared');
select ok((select bool_and(tgname like 'check\_free\_text\_%' and (select min(t2.tgname) from pg_trigger t2
      where t2.tgrelid = t.tgrelid and not t2.tgisinternal and t2.tgtype & 2 = 2 and t2.tgtype & 4 = 4) = t.tgname)
    from pg_trigger t where t.tgfoid = 'private.check_free_text_column()'::regprocedure),
  'each text check is the first BEFORE INSERT trigger of its table');

select * from finish();
rollback;
