-- Email delivery: private.claim_email_deliveries hands each new notification of a chosen kind once to
-- email-delivery, for users with a verified address and email_enabled on (the default, also when the
-- preferences row is missing); private.unsubscribe_email turns email_enabled off, idempotently. Only
-- the service role may call either.
begin;
select plan(24);

select tests.create_user('em_alice');
select tests.create_user('em_bob');
select tests.create_user('em_carol', null, false);  -- an unverified address
select tests.create_user('em_dave');
delete from public.notification_preferences where user_id = tests.user_id('em_dave');  -- no row: the defaults
update public.users set display_name = 'Alice A' where id = tests.user_id('em_alice');

create temporary table claimed (notification jsonb, email text, channel_slug text, channel_name text) on commit drop;
-- These checks are of the claim with every kind queued for email: a claim reports its kinds, which
-- narrows what is queued next (072), so each one here is followed by a reset.
create function pg_temp.claim(kinds text[] default array['channel_live', 'subscription', 'gift_subscription'],
  batch_size integer default 200, deliver boolean default true, scan_limit integer default 10000) returns setof text language plpgsql as $$
begin
  return query
    with c as (insert into claimed select * from private.claim_email_deliveries(kinds, batch_size, deliver, scan_limit) returning *)
    select c.email from c order by (c.notification->>'id')::bigint;
  update private.email_delivery_settings set kinds = null;
end
$$;
create function pg_temp.notify(username text, kind text default 'channel_live') returns bigint language sql as $$
  insert into public.notifications (user_id, kind, channel_id)
  values (tests.user_id(username), kind, (select id from public.channels where owner_id = tests.user_id('em_alice')))
  returning id
$$;

select private.claim_email_deliveries(array['channel_live'], 1, false, 100000000);
update private.email_delivery_settings set kinds = null;
select is((select count(*)::int from pg_temp.claim()), 0, 'a run with email off leaves nothing queued from before');

select pg_temp.notify('em_bob');
select pg_temp.notify('em_dave');
select is((select array_agg(e) from pg_temp.claim() e), array['em_bob@example.test', 'em_dave@example.test'],
  'a new notification is claimed for its user''s address, email_enabled on by default (with or without a preferences row)');
select is((select row(channel_slug, channel_name, notification->>'kind')::text from claimed where email = 'em_bob@example.test'),
  '(em_alice,"Alice A",channel_live)', 'with the channel''s slug and name (display name, else username)');
select is((select count(*)::int from pg_temp.claim()), 0, 'a claimed notification is never claimed again (at most once)');

select pg_temp.notify('em_carol');
select is((select count(*)::int from pg_temp.claim()), 0, 'an unverified address gets no email');
update private.accounts set email = null where user_id = tests.user_id('em_bob');
select pg_temp.notify('em_bob');
select is((select count(*)::int from pg_temp.claim()), 0, 'nor does a user without an address');
update private.accounts set email = 'em_bob@example.test' where user_id = tests.user_id('em_bob');

update public.notification_preferences set email_enabled = false where user_id = tests.user_id('em_bob');
select pg_temp.notify('em_bob');
select is((select count(*)::int from pg_temp.claim()), 0, 'email_enabled off: no email');
update public.notification_preferences set email_enabled = true where user_id = tests.user_id('em_bob');

select pg_temp.notify('em_bob', 'new_follower');
select pg_temp.notify('em_bob', 'subscription');
select is((select array_agg(e) from pg_temp.claim() e), array['em_bob@example.test'], 'only the kinds asked for are claimed');
select pg_temp.notify('em_bob', 'new_follower');
select is((select array_agg(e) from pg_temp.claim(array['new_follower']) e), array['em_bob@example.test'], 'any kind may be asked for');

select pg_temp.notify('em_bob');
select is((select count(*)::int from pg_temp.claim(deliver => false)), 0, 'with email off the queue is emptied and nothing is returned');
select is((select count(*)::int from pg_temp.claim()), 0, 'and nothing is queued for later');

select pg_temp.notify('em_bob');
select pg_temp.notify('em_dave');
select pg_temp.notify('em_bob');
select is((select count(*)::int from pg_temp.claim(batch_size => 2)), 2, 'a run claims at most batch_size emails');
select is((select count(*)::int from pg_temp.claim(batch_size => 2)), 1, 'the next run resumes at the first one that did not fit');
-- Kinds not asked for are queued (the claim drops them), so they are what a run reads past.
select pg_temp.notify('em_bob', 'new_follower');
select pg_temp.notify('em_bob', 'new_follower');
select pg_temp.notify('em_bob', 'new_follower');
select pg_temp.notify('em_bob');
select is((select count(*)::int from pg_temp.claim(scan_limit => 2)), 0, 'a run reads at most scan_limit notifications');
select is((select count(*)::int from pg_temp.claim(scan_limit => 2)), 1, 'and the next one goes on from there');
select is((select count(*)::int from pg_temp.claim()), 0, 'nothing is left');

select is(tests.try_as('em_bob', $$ select * from private.claim_email_deliveries(array['channel_live']) $$), '42501',
  'a signed-in user cannot claim deliveries');
select is(tests.try_as(null, $$ select * from private.claim_email_deliveries(array['channel_live']) $$), '42501', 'nor can anon');

-- unsubscribing --------------------------------------------------------------------------------------
select is(private.unsubscribe_email(tests.user_id('em_alice')), true, 'unsubscribing a user answers true');
select is((select email_enabled from public.notification_preferences where user_id = tests.user_id('em_alice')), false,
  'and turns email_enabled off');
select is((select row(private.unsubscribe_email(tests.user_id('em_alice')), private.unsubscribe_email(tests.user_id('em_dave')))::text),
  '(t,t)', 'again changes nothing; a user without a preferences row gets one with email off');
select is((select count(*)::int from public.notification_preferences
  where user_id in (tests.user_id('em_alice'), tests.user_id('em_dave')) and not email_enabled and push_enabled and on_followed_live), 2,
  'only email_enabled is off, the other preferences keep their values');
select is(private.unsubscribe_email(gen_random_uuid()), false, 'an unknown user answers false and writes nothing');
select is(tests.try_as('em_bob', format('select private.unsubscribe_email(%L)', tests.user_id('em_alice'))), '42501',
  'a signed-in user cannot call it');

select * from finish();
rollback;
