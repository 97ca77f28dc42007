-- Display names refuse zalgo by the rule messages follow (20261201202006, private.is_zalgo):
-- eight nonspacing or enclosing marks of any script in a row, or five of the generic blocks. Names in
-- scripts written with marks stay allowed.
begin;
select plan(10);

select tests.create_user('dz_user');
select tests.authenticate_as('dz_user');

select throws_ok(format($$ update public.users set display_name = %L where id = tests.user_id('dz_user') $$, normalize(t, nfc)), '23514',
  'A display name cannot contain control, invisible or bidirectional characters.', d)
from (values
  (E'z\ua66f\ua670\ua671\ua672\ua674\ua675\ua676\ua677al', 'refused: eight Cyrillic combining marks on a letter'),
  (E'z\U0001d17b\U0001d17c\U0001d17d\U0001d17e\U0001d17f\U0001d180\U0001d181\U0001d182go', 'refused: eight musical-symbol marks'),
  (E'z\u0591\u0592\u0593\u0594\u0595\u0596\u0597\u0598ig', 'refused: eight Hebrew accents'),
  (E'z\u0300\u0301\u0302\u0303\u0304al', 'refused: five generic marks, as before')
) v (t, d);

select lives_ok(format($$ update public.users set display_name = %L where id = tests.user_id('dz_user') $$, normalize(t, nfc)), d)
from (values
  (E'\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd', 'Hebrew with niqqud'),
  (E'\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f', 'Arabic with harakat'),
  (E'Nguy\u1ec5n V\u0103n A', 'Vietnamese'),
  (E'\u0926\u0947\u0935\u0928\u093e\u0917\u0930\u0940', 'Devanagari')
) v (t, d);
select throws_ok($$ update public.users set display_name = E'\u2009\u2009' where id = tests.user_id('dz_user') $$, '23514',
  'A display name needs a visible character.', 'a name of thin spaces only has nothing visible');
select is((select display_name from public.users where id = tests.user_id('dz_user')), E'\u0926\u0947\u0935\u0928\u093e\u0917\u0930\u0940',
  'the last one is stored');

select * from finish();
rollback;
