-- The room's staff reply to anyone in it (20261201171804): a user who blocks the owner or a moderator no
-- longer turns their replies into message_invalid / reply_blocked (which also revealed the block). Everyone
-- else is still refused, staff of another room included, and a reply still stays in its room.
begin;
select plan(12);

select tests.create_chat_world('rb') as room \gset
select tests.create_user('rb_troll', now() - interval '1 year');
select tests.add_message(:'room', 'rb_troll', 'you mods are clowns') as troll_msg \gset
select tests.add_message(tests.chatroom_of('rb_stranger'), 'rb_stranger', 'in my own room') as elsewhere \gset
select tests.authenticate_as('rb_troll');
insert into public.user_blocks (blocked_id) select tests.user_id(u) from unnest(array['rb_mod', 'rb_owner', 'rb_vip', 'rb_sub', 'rb_stranger']) u;
select tests.clear_authentication();

-- staff of the room reply past the block ----------------------------------------------------------
select is(tests.send_code('rb_mod', :'room', 'Last warning, keep it civil.', :'troll_msg'), 'ok', 'a moderator the author blocks replies to them');
select is((select reply_to_id from public.messages where content = 'Last warning, keep it civil.'), :'troll_msg'::bigint, 'as a reply');
select is(tests.send_code('rb_owner', :'room', 'Be nice in my chat.', :'troll_msg'), 'ok', 'so does the owner');
select is(tests.send_code('rb_mod', :'room', 'Not a reply.'), 'ok', 'and a moderator''s plain message is unchanged');

-- everyone else is still refused ------------------------------------------------------------------
select is(tests.send_as('rb_sub', :'room', 'clowns yourself', :'troll_msg') - 'message',
  '{"code": "message_invalid", "details": {"reason": "reply_blocked"}, "status": 422}', 'a subscriber the author blocks cannot reply to them');
select is(tests.send_as('rb_vip', :'room', 'come on', :'troll_msg') -> 'details' ->> 'reason', 'reply_blocked', 'nor can a VIP');
select is(tests.send_as('rb_stranger', :'room', 'I moderate elsewhere', :'troll_msg') -> 'details' ->> 'reason', 'reply_blocked',
  'nor the owner of another channel (staff there, not here)');
select is(tests.send_code('rb_og', :'room', 'agreed', :'troll_msg'), 'ok', 'a user the author does not block replies as before');
select is(tests.send_code(null, :'room', 'anon', :'troll_msg'), 'auth_required', 'anon still cannot send');

-- the other reply rule holds for staff ------------------------------------------------------------
select is(tests.send_as('rb_mod', :'room', 'wrong room', :'elsewhere') -> 'details' ->> 'reason', 'reply_not_in_chatroom',
  'a moderator''s reply still stays in its room');
select is(tests.send_as('rb_mod', :'room', E'bad\u0007', :'troll_msg') -> 'details' ->> 'reason', 'control_characters',
  'and its content rules');

-- staff is judged at each send
delete from public.channel_roles where user_id = tests.user_id('rb_mod') and role = 'moderator';
select is(tests.send_as('rb_mod', :'room', 'still a mod?', :'troll_msg') -> 'details' ->> 'reason', 'reply_blocked',
  'once demoted, the former moderator is refused like anyone the author blocks');

select * from finish();
rollback;
