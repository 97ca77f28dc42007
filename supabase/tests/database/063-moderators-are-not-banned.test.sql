-- A user banned or timed out in a room cannot be made its moderator (20261201135255): they would be
-- staff while refused in chat, and could resolve their own unban request.
begin;
select plan(5);

select tests.create_chat_world('mb') as room \gset
create function pg_temp.grant_mod(username text) returns text language sql as $$
  select tests.api_code('mb_owner', format($q$ select tests.run($r$ insert into public.channel_roles (channel_id, user_id, role)
    select channel_id, %L, 'moderator' from public.chatrooms where id = %L $r$) $q$, tests.user_id(username), current_setting('mb.room')))
$$;
select set_config('mb.room', :'room', true) \g /dev/null

select is(pg_temp.grant_mod('mb_banned'), '23514', 'a banned user cannot be made moderator');
select is(tests.api_code('mb_mod', format($$ select public.ban_user(%L, tests.user_id('mb_stranger'), 'spam', 600) $$, :'room')), 'ok',
  'a moderator times out the stranger');
select is(pg_temp.grant_mod('mb_stranger'), '23514', 'nor a timed-out one');
select is(tests.api_code('mb_mod', format($$ select public.unban_user(%L, tests.user_id('mb_stranger')) $$, :'room')), 'ok', 'once the timeout is lifted');
select is(pg_temp.grant_mod('mb_stranger'), 'ok', 'they can be made moderator');

select * from finish();
rollback;
