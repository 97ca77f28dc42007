-- chat_user_card for the service role (20261201191037): the platform's tooling (the secret key) reads any
-- user's card in any room, open reports about staff counted; anon and users who are not the room's staff are
-- refused as before, and bad input is refused the same way for every caller.
begin;
select plan(19);

select tests.create_chat_world('sc') as room \gset
select tests.create_user('sc_troll', now() - interval '2 days');
select set_config('sc.room', :'room', true) \g /dev/null
select tests.add_message(:'room', 'sc_troll', 'troll ' || g) from generate_series(1, 3) g;
select tests.add_message(:'room', 'sc_mod', 'a moderator rant');
select tests.authenticate_as('sc_sub');
insert into public.reports (message_id, reason)
select max(id), 'spam' from public.messages where chatroom_id = :'room' group by user_id;
select tests.clear_authentication();
select tests.api_as('sc_mod2', format('select public.ban_user(%L::uuid, %L::uuid, %L, 600)', :'room', tests.user_id('sc_troll'), 'spam'));

-- The card as the service role (tests.api's answer).
create function pg_temp.service_card(room uuid, user_id uuid) returns jsonb language plpgsql as $$
declare
  answer jsonb;
begin
  perform tests.authenticate_as_service_role();
  answer := tests.api(format('select public.chat_user_card(%L::uuid, %L::uuid)', room, user_id));
  perform tests.clear_authentication();
  return answer;
end
$$;
create function pg_temp.card(who text, username text) returns jsonb language sql as $$
  select tests.api_as(who, format('select public.chat_user_card(%L::uuid, %L::uuid)', current_setting('sc.room'), tests.user_id(username)))
$$;

-- the service role reads it ---------------------------------------------------------------------------
select ok(pg_temp.service_card(:'room', tests.user_id('sc_troll')) ? 'ok', 'the service role reads a user''s card');
select is(pg_temp.service_card(:'room', tests.user_id('sc_troll')) -> 'result', pg_temp.card('sc_owner', 'sc_troll') -> 'result',
  'the same card the owner reads');
select is(pg_temp.service_card(:'room', tests.user_id('sc_troll')) -> 'result' -> 'ban' -> 'banned_by' ->> 'username', 'sc_mod2',
  'with the moderator who banned (the service role reads banned_by anyway)');
select is((pg_temp.service_card(:'room', tests.user_id('sc_troll')) -> 'result' ->> 'message_count')::int, 3, 'and the user''s messages');
select is(pg_temp.service_card(:'room', tests.user_id('sc_mod')) -> 'result' -> 'open_reports', '1',
  'it counts the open report about a moderator (it reads every report)');
select is(pg_temp.service_card(:'room', tests.user_id('sc_owner')) -> 'result' -> 'roles', '["owner"]', 'the owner''s card too');
select is(pg_temp.service_card(:'room', tests.user_id('sc_owner')) -> 'result' -> 'open_reports', '0',
  'where reports about the owner, which go to the platform, are not counted as the room''s');
select is(pg_temp.service_card(tests.chatroom_of('sc_stranger'), tests.user_id('sc_troll')) -> 'result' ->> 'message_count', '0',
  'any room: a room the user never chatted in');

-- bad input, as for staff -------------------------------------------------------------------------
select is(pg_temp.service_card(null, tests.user_id('sc_troll')) - 'message',
  '{"code": "invalid_argument", "details": {"argument": "chatroom_id"}, "status": 422}', 'no chatroom: invalid_argument');
select is(pg_temp.service_card(:'room', null) -> 'details', '{"argument": "user_id"}', 'no user: invalid_argument');
select is(pg_temp.service_card(gen_random_uuid(), tests.user_id('sc_troll')) - 'message',
  '{"code": "chatroom_not_found", "details": null, "status": 404}', 'an unknown room: chatroom_not_found');
select is(pg_temp.service_card(:'room', gen_random_uuid()) - 'message', '{"code": "not_found", "details": null, "status": 404}',
  'an unknown user: not_found');

-- everyone else as before ---------------------------------------------------------------------------
select is(pg_temp.card(null, 'sc_troll') - 'message', '{"code": "auth_required", "details": null, "status": 401}', 'anon: auth_required');
select is(tests.api_code(null, format('select public.chat_user_card(gen_random_uuid(), %L::uuid)', tests.user_id('sc_troll'))), 'auth_required',
  'anon cannot probe which rooms exist');
select is(pg_temp.card('sc_vip', 'sc_troll') ->> 'code', 'not_staff', 'a VIP: not_staff');
select is(pg_temp.card('sc_troll', 'sc_troll') ->> 'code', 'not_staff', 'the user themselves: not_staff');
select is(pg_temp.card('sc_stranger', 'sc_troll') ->> 'code', 'not_staff', 'the owner of another channel: not_staff');
select is(tests.api_as('sc_stranger', format('select public.chat_user_card(%L::uuid, %L::uuid)', tests.chatroom_of('sc_stranger'), tests.user_id('sc_troll'))) -> 'result' ->> 'username',
  'sc_troll', 'who reads it in their own room');
-- A signed-in user whose token claims another role is still a user: only the service role's key passes.
select tests.authenticate_as('sc_sub');
select set_config('request.jwt.claims', (current_setting('request.jwt.claims')::jsonb || '{"role": "service_role"}')::text, true) \g /dev/null
select is(tests.api(format('select public.chat_user_card(%L::uuid, %L::uuid)', :'room', tests.user_id('sc_troll'))) ->> 'code', 'not_staff',
  'a user''s claims with the service role''s name but a subject are judged as that user (not_staff)');
select tests.clear_authentication();

select * from finish();
rollback;
