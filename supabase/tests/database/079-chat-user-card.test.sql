-- chat_user_card (20261201171806): the room's staff read a user's card — account, roles, follow, active
-- subscription, active ban with its moderator, timeouts and bans from the moderators' log, open reports,
-- message count and latest 20 messages, even when the caller blocks the user; the service role too (since
-- 20261201191037). Everyone else is refused (auth_required, not_staff), bad input is invalid_argument, unknown
-- rooms and users not found; every piece is bounded and read through an index.
begin;
select plan(44);

select tests.create_chat_world('uc') as room \gset
select tests.create_user('uc_troll', now() - interval '2 days');
select set_config('uc.room', :'room', true) \g /dev/null
insert into public.follows (user_id, channel_id, created_at)
select tests.user_id('uc_troll'), r.channel_id, now() - interval '1 hour' from public.chatrooms r where r.id = :'room';
select tests.add_message(:'room', 'uc_troll', 'troll ' || g, make_interval(secs => 100 - g)) from generate_series(1, 25) g;
select tests.add_message(tests.chatroom_of('uc_stranger'), 'uc_troll', 'elsewhere');
insert into public.reports (reporter_id, message_id, reason)
select tests.user_id(u), (select max(id) from public.messages where user_id = tests.user_id('uc_troll') and chatroom_id = :'room'), 'spam'
from unnest(array['uc_sub', 'uc_og', 'uc_vip']) u;
update public.reports set status = 'dismissed', resolved_at = now() where reporter_id = tests.user_id('uc_vip');
-- The moderator blocks the troll: their own history reads leave the troll out.
select tests.authenticate_as('uc_mod');
insert into public.user_blocks (blocked_id) values (tests.user_id('uc_troll'));
select tests.clear_authentication();

-- The card as `who` (tests.api_as's answer).
create function pg_temp.card(who text, username text) returns jsonb language sql as $$
  select tests.api_as(who, format('select public.chat_user_card(%L::uuid, %L::uuid)', current_setting('uc.room'), tests.user_id(username)))
$$;
create temporary table c (name text primary key, card jsonb) on commit drop;
insert into c values ('troll', pg_temp.card('uc_mod', 'uc_troll') -> 'result');

-- the card ----------------------------------------------------------------------------------------
select is(tests.try_as('uc_mod', format($$ select id from public.messages where chatroom_id = %L and user_id = %L $$, :'room', tests.user_id('uc_troll'))),
  'rows:0', 'the moderator''s own history reads leave out the troll they block');
select is((select card - 'messages' - 'created_at' - 'followed_at' from c where name = 'troll'),
  jsonb_build_object('user_id', tests.user_id('uc_troll'), 'username', 'uc_troll', 'display_name', null, 'avatar_url', null,
    'roles', '[]'::jsonb, 'subscription', null, 'ban', null, 'timeouts', 0, 'bans', 0, 'open_reports', 2, 'message_count', 25),
  'the card of a fresh account: no role, no subscription, no ban, two open reports, 25 messages in the room');
select is((select (card ->> 'created_at')::timestamptz from c where name = 'troll'), (select created_at from public.users where username = 'uc_troll'),
  'with the account''s age');
select is((select (card ->> 'followed_at')::timestamptz from c where name = 'troll'),
  (select f.created_at from public.follows f join public.chatrooms r on r.channel_id = f.channel_id where r.id = :'room' and f.user_id = tests.user_id('uc_troll')),
  'and when they followed');
select is((select jsonb_array_length(card -> 'messages') from c where name = 'troll'), 20, 'the latest 20 messages, though the moderator blocks the user');
select is((select array_agg(m ->> 'content' order by o) from c, jsonb_array_elements(card -> 'messages') with ordinality e (m, o) where name = 'troll'),
  (select array_agg('troll ' || g order by g desc) from generate_series(6, 25) g), 'newest first, from this room only');
select is((select array(select jsonb_object_keys(card -> 'messages' -> 0) order by 1) from c where name = 'troll'),
  array['chatroom_id', 'content', 'created_at', 'deleted_at', 'deleted_by', 'emotes', 'id', 'reply_to_id', 'sender', 'user_id'],
  'each a messages row');
select is(pg_temp.card('uc_owner', 'uc_troll') -> 'result' -> 'messages', (select card -> 'messages' from c where name = 'troll'),
  'the owner reads the same card');

select is(pg_temp.card('uc_mod', 'uc_sub') -> 'result' -> 'subscription',
  (select jsonb_build_object('tier', 1, 'cumulative_months', 7, 'started_at', s.started_at, 'current_period_end', s.current_period_end, 'is_gift', false)
   from public.subscriptions s where s.user_id = tests.user_id('uc_sub')),
  'a subscriber''s card shows the subscription: tier, months, since, until, gift');
update public.subscriptions set started_at = now() - interval '8 months', current_period_end = now() - interval '1 second' where user_id = tests.user_id('uc_sub');
select is(pg_temp.card('uc_mod', 'uc_sub') -> 'result' -> 'subscription', 'null', 'a lapsed subscription is not shown');
select is(pg_temp.card('uc_mod', 'uc_owner') -> 'result' -> 'roles', '["owner"]', 'the owner''s card says owner');
select is(pg_temp.card('uc_mod', 'uc_mod2') -> 'result' -> 'roles', '["moderator"]', 'a moderator''s card says moderator');
select is(pg_temp.card('uc_mod', 'uc_og') -> 'result' -> 'roles', '["og"]', 'an OG''s card says og');
select is(pg_temp.card('uc_mod', 'uc_mod') -> 'result' -> 'open_reports', 'null', 'on their own card, a moderator reads no count of reports about them');
select is(pg_temp.card('uc_mod', 'uc_stranger') -> 'result' ->> 'message_count', '0', 'a user who never chatted here has no messages');

-- bans and timeouts -------------------------------------------------------------------------------
select tests.api_as('uc_mod', format('select public.ban_user(%L::uuid, %L::uuid, %L, %s)', :'room', tests.user_id('uc_troll'), 'spam', d))
from (values (60), (600)) v (d);
select tests.api_as('uc_mod2', format('select public.ban_user(%L::uuid, %L::uuid, %L)', :'room', tests.user_id('uc_troll'), 'ban evasion'));
update c set card = pg_temp.card('uc_mod', 'uc_troll') -> 'result' where name = 'troll';
select is((select (card -> 'ban') - 'id' - 'created_at' from c where name = 'troll'),
  jsonb_build_object('reason', 'ban evasion', 'expires_at', null,
    'banned_by', jsonb_build_object('id', tests.user_id('uc_mod2'), 'username', 'uc_mod2', 'display_name', null)),
  'the active ban, with the moderator who made it (staff see who banned)');
select is((select (card ->> 'timeouts', card ->> 'bans')::text from c where name = 'troll'), '(2,1)', 'two timeouts and one ban in the log');
select is((select jsonb_array_length(card -> 'messages') from c where name = 'troll'), 20, 'still 20 messages (removed ones included)');
select is(pg_temp.card('uc_mod', 'uc_banned') -> 'result' -> 'ban' ->> 'reason', 'spam', 'the banned user''s card shows their ban');
update public.chatroom_bans set created_at = now() - interval '10 minutes', expires_at = now() - interval '1 second'
where user_id = tests.user_id('uc_banned') and chatroom_id = :'room';
select is(pg_temp.card('uc_mod', 'uc_banned') -> 'result' -> 'ban', 'null', 'an expired timeout is not an active ban');

-- who may read it ---------------------------------------------------------------------------------
select is(pg_temp.card(null, 'uc_troll') - 'message', '{"code": "auth_required", "details": null, "status": 401}', 'anon: auth_required');
select is(pg_temp.card('uc_vip', 'uc_troll') - 'message', '{"code": "not_staff", "details": null, "status": 403}', 'a VIP: not_staff');
select is(pg_temp.card('uc_sub', 'uc_troll') ->> 'code', 'not_staff', 'a subscriber: not_staff');
select is(pg_temp.card('uc_troll', 'uc_troll') ->> 'code', 'not_staff', 'the user themselves: not_staff');
select is(pg_temp.card('uc_banned', 'uc_troll') ->> 'code', 'not_staff', 'a banned user: not_staff');
select is(pg_temp.card('uc_stranger', 'uc_troll') ->> 'code', 'not_staff', 'the owner of another channel: not_staff');
select tests.authenticate_as_service_role();
select is(tests.api(format('select public.chat_user_card(%L::uuid, %L::uuid)', :'room', tests.user_id('uc_troll'))) -> 'result' ->> 'username', 'uc_troll',
  'the service role reads it (20261201191037, pgTAP 096)');
select tests.clear_authentication();

-- bad input ---------------------------------------------------------------------------------------
select is(tests.api_as('uc_mod', format('select public.chat_user_card(null, %L::uuid)', tests.user_id('uc_troll'))) - 'message',
  '{"code": "invalid_argument", "details": {"argument": "chatroom_id"}, "status": 422}', 'no chatroom: invalid_argument');
select is(tests.api_as('uc_mod', format('select public.chat_user_card(%L::uuid, null)', :'room')) -> 'details', '{"argument": "user_id"}',
  'no user: invalid_argument');
select is(tests.api_code(null, 'select public.chat_user_card(null, null)'), 'auth_required', 'anon learns nothing, even from bad input');
select is(tests.api_code('uc_mod', format('select public.chat_user_card(gen_random_uuid(), %L::uuid)', tests.user_id('uc_troll'))), 'chatroom_not_found',
  'an unknown room: chatroom_not_found');
select is(tests.api_as('uc_mod', format('select public.chat_user_card(%L::uuid, gen_random_uuid())', :'room')) - 'message',
  '{"code": "not_found", "details": null, "status": 404}', 'an unknown user: not_found');
select is(tests.api_code('uc_vip', format('select public.chat_user_card(%L::uuid, gen_random_uuid())', :'room')), 'not_staff',
  'a VIP cannot probe which users exist');

-- bounds: counts stop at their cap ------------------------------------------------------------------
insert into public.moderation_actions (chatroom_id, actor_id, target_user_id, action)
select :'room', tests.user_id('uc_mod'), tests.user_id('uc_og'), 'user.timed_out' from generate_series(1, 1001);
select tests.add_message(:'room', 'uc_og', 'og ' || g) from generate_series(1, 10001) g;
select is(pg_temp.card('uc_mod', 'uc_og') -> 'result' ->> 'timeouts', '1000', 'timeouts stop at 1,000');
select is(pg_temp.card('uc_mod', 'uc_og') -> 'result' ->> 'message_count', '10000', 'message_count stops at 10,000');
select is(jsonb_array_length(pg_temp.card('uc_mod', 'uc_og') -> 'result' -> 'messages'), 20, 'and 20 messages are listed');

-- each piece is read through an index ---------------------------------------------------------------
select ok((select proconfig @> array['enable_seqscan=off'] from pg_proc where oid = 'private.chat_user_card(uuid,uuid)'::regprocedure),
  'the card plans by index, however small the tables');
set local enable_seqscan = off;
select matches(tests.plan_of(format($$ select count(*) from (select 1 from public.moderation_actions a where a.chatroom_id = %L
    and a.target_user_id = %L and a.action = 'user.timed_out' limit 1000) x $$, :'room', tests.user_id('uc_og'))),
  -- The test's small log makes the target's own index cost about the same; either keeps it off a scan.
  'moderation_actions_sanctions_idx|moderation_actions_target_user_id_idx',
  'timeouts and bans: through the log''s index of sanctions (or the target''s), not a scan');
select matches(tests.plan_of(format($$ select count(*) from (select 1 from public.reports r where r.chatroom_id = %L
    and r.target_user_id = %L and r.status = 'open' limit 1000) x $$, :'room', tests.user_id('uc_troll'))),
  -- As above: on the test's few reports the target's own index may cost the same.
  'reports_open_target_idx|reports_target_user_id_idx|reports_chatroom_id_id_idx',
  'open reports: through the index of open reports (or another), not a scan');
select matches(tests.plan_of(format($$ select count(*) from (select 1 from public.messages m where m.chatroom_id = %L
    and m.user_id = %L limit 10000) x $$, :'room', tests.user_id('uc_og'))),
  -- Here every message of the user is in this room, so (user_id, id desc) ties with it.
  'messages_chatroom_id_user_id_id_idx|messages_user_id_id_idx', 'messages: an index ((chatroom_id, user_id, id desc) at any size)');
select matches(tests.plan_of(format($$ select f.created_at from public.follows f where f.user_id = %L and f.channel_id = %L $$,
    tests.user_id('uc_troll'), (select channel_id from public.chatrooms where id = :'room'))),
  -- On the test's small tables either index of the pair may win (statistics move); neither is a scan.
  'follows_pkey|follows_channel_id_created_at_idx', 'the follow: an index (its primary key at any size)');
select matches(tests.plan_of(format($$ select s.tier from public.subscriptions s where s.channel_id = %L and s.user_id = %L $$,
    (select channel_id from public.chatrooms where id = :'room'), tests.user_id('uc_sub'))),
  'subscriptions_one_per_channel|subscriptions_user_id_idx', 'the subscription: an index ((channel_id, user_id) at any size)');
select matches(tests.plan_of(format($$ select cr.role from public.channel_roles cr where cr.channel_id = %L and cr.user_id = %L $$,
    (select channel_id from public.chatrooms where id = :'room'), tests.user_id('uc_og'))),
  'channel_roles_pkey|channel_roles_user_id_idx', 'the roles: an index (the primary key at any size)');
select matches(tests.plan_of(format($$ select b.id from public.chatroom_bans b where b.chatroom_id = %L and b.user_id = %L $$,
    :'room', tests.user_id('uc_troll'))),
  'chatroom_bans_one_per_user|chatroom_bans_user_id_idx', 'the ban: an index ((chatroom_id, user_id) at any size)');
reset enable_seqscan;

select * from finish();
rollback;
