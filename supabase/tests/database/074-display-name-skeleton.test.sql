-- A display name may not be another user's username with separators or punctuation added, moved or
-- left out (20261201171008): names are compared by their skeleton, the matching form's letters and
-- digits. Names in other scripts, and one's own username spelled any way, stay allowed.
begin;
select plan(15);

select tests.create_user('dn_mod');
select tests.create_user('dn_troll');
select tests.create_user('dnstreamer');
select tests.create_user('dn_m0d');   -- reads as dn_mod too
select tests.create_user('1987');
select tests.authenticate_as('dn_troll');

select throws_ok(format($$ update public.users set display_name = %L where id = tests.user_id('dn_troll') $$, t), '23514',
  'This display name looks like another user''s username.', 'refused: ' || t)
from unnest(array['dn mod', 'dn_mod.', 'd.n-mod', 'DN MOD!', 'dnmod', 'dn stream er']) t;
select lives_ok($$ update public.users set display_name = 'dn troll!' where id = tests.user_id('dn_troll') $$,
  'one''s own username with spaces and punctuation is fine');
select lives_ok($$ update public.users set display_name = 'dn moderator fan' where id = tests.user_id('dn_troll') $$,
  'a name that only contains another username is fine');
select lives_ok($$ update public.users set display_name = E'\u5c71\u7530' where id = tests.user_id('dn_troll') $$,
  'a name in another script has no skeleton and looks like no username');
select lives_ok($$ update public.users set display_name = '!!!' where id = tests.user_id('dn_troll') $$,
  'nor does one of punctuation only');
select lives_ok($$ update public.users set display_name = E'\u674e 1987' where id = tests.user_id('dn_troll') $$,
  'letters of another script stay in the skeleton: not read as the username 1987');
select tests.authenticate_as('dn_m0d');
select throws_ok($$ update public.users set display_name = 'dn_mod' where id = tests.user_id('dn_m0d') $$, '23514',
  'This display name looks like another user''s username.',
  'a username that reads as another one''s does not let its owner show the other one''s name');
select lives_ok($$ update public.users set display_name = 'DN_M0D' where id = tests.user_id('dn_m0d') $$,
  'its own username in any case is fine');
select tests.clear_authentication();
select is((select display_name from public.users where id = tests.user_id('dn_troll')), E'\u674e 1987', 'the refused names changed nothing');

-- A test database has few users, where a scan is cheaper: the check is that the index serves the lookup.
set local enable_seqscan = off;
select ok(tests.plan_of($$ select 1 from public.users u where private.name_skeleton(u.username::text) = 'dnmod' $$)
  like '%users_username_skeleton_idx%', 'the skeleton lookup is an index lookup, not a scan');
reset enable_seqscan;

select * from finish();
rollback;
