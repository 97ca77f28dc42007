-- Free text outside chat refuses control and bidirectional override characters (20261201124303):
-- single-line fields refuse every control character, multi-line fields keep tab, line feed and
-- carriage return; a rule or an appeal must hold more than spaces; five combining marks in a row are
-- refused everywhere. Each refusal names its constraint.
begin;
select plan(34);

select tests.create_chat_world('tx') as room \gset
insert into public.channel_panels (channel_id, title) select c.id, 'About' from public.channels c where c.owner_id = tests.user_id('tx_owner');
insert into public.chatroom_rules (chatroom_id, body) values (:'room', 'Be kind');
insert into public.schedule_segments (channel_id, starts_at, ends_at, title)
select c.id, now() + interval '1 day', now() + interval '1 day 2 hours', 'Speedruns' from public.channels c where c.owner_id = tests.user_id('tx_owner');
insert into public.reports (reporter_id, target_user_id, channel_id, reason)
select tests.user_id('tx_og'), tests.user_id('tx_stranger'), r.channel_id, 'spam' from public.chatrooms r where r.id = :'room';
insert into public.unban_requests (chatroom_id, user_id, ban_id, text)
select b.chatroom_id, b.user_id, b.id, 'Sorry' from public.chatroom_bans b where b.chatroom_id = :'room';

-- The constraint an update of one row's column to `value` violates, or 'ok'.
create function pg_temp.refusal(table_name text, column_name text, value text) returns text language plpgsql as $$
declare
  name text;
begin
  execute format('update public.%I set %I = $1 where ctid = (select ctid from public.%I t where %s limit 1)', table_name, column_name, table_name,
    case table_name when 'users' then format('t.id = %L', tests.user_id('tx_owner'))
      when 'channels' then format('t.owner_id = %L', tests.user_id('tx_owner'))
      when 'channel_panels' then format('t.channel_id = (select id from public.channels where owner_id = %L)', tests.user_id('tx_owner'))
      when 'schedule_segments' then format('t.channel_id = (select id from public.channels where owner_id = %L)', tests.user_id('tx_owner'))
      else format('t.chatroom_id = %L', current_setting('tx.room')) end) using value;
  return 'ok';
exception when check_violation then
  get stacked diagnostics name = constraint_name;
  return name;
end
$$;
select set_config('tx.room', :'room', true) \g /dev/null

select is(pg_temp.refusal(t, c, v), t || '_' || c || '_characters', d) from (values
  ('channels', 'title', E'live \u202enow', 'a title refuses a right-to-left override'),
  ('channels', 'title', E'ding\u0007', 'a title refuses BEL'),
  ('channels', 'title', E'two\nlines', 'a title is one line'),
  ('channels', 'description', E'\u001b[31mred', 'a description refuses ESC'),
  ('channels', 'description', E'\u2066isolate', 'a description refuses a bidi isolate'),
  ('channel_panels', 'title', E'a\u0085b', 'a panel title refuses a C1 control'),
  ('channel_panels', 'body', E'x\u202ay', 'a panel body refuses an embedding'),
  ('users', 'bio', E'hi\u0002', 'a bio refuses a control character'),
  ('chatroom_rules', 'body', E'rule\u0008', 'a rule refuses backspace'),
  ('chatroom_rules', 'body', '   ', 'a rule holds more than spaces'),
  ('chatroom_bans', 'reason', E'spam\u202e', 'a ban reason refuses an override'),
  ('schedule_segments', 'title', E'a\tb', 'a schedule title is one line (no tab)'),
  ('reports', 'details', E'x\u007f', 'report details refuse DEL'),
  ('reports', 'resolution_note', E'x\u2069', 'a resolution note refuses a bidi isolate'),
  ('unban_requests', 'text', E' \n ', 'an appeal holds more than spaces and line breaks'),
  ('unban_requests', 'text', E'please\u202d', 'an appeal refuses an override'),
  ('unban_requests', 'resolution_text', E'no\u0001', 'an answer refuses a control character'),
  ('channels', 'title', E'z\u0300\u0301\u0302\u0303\u0304algo', 'a title refuses five combining marks in a row (zalgo)'),
  ('channels', 'title', E'one\u2028two', 'a title refuses a line separator'),
  ('users', 'bio', E'h\u0351\u0307\u0352\u0315\u035f\u0336i', 'a bio refuses them too')
) v (t, c, v, d);

select is(pg_temp.refusal(t, c, v), 'ok', d) from (values
  ('channels', 'title', 'Speedrun العربية עברית 日本語 🎮', 'a title in any script, emoji included'),
  ('channels', 'description', E'line one\r\nline two\tand a tab', 'a description keeps line breaks and tabs'),
  ('channel_panels', 'body', E'rules:\n1. be kind', 'a panel body keeps line breaks'),
  ('users', 'bio', E'hello\nworld', 'a bio keeps line breaks'),
  ('chatroom_rules', 'body', 'No spoilers', 'a plain rule'),
  ('chatroom_bans', 'reason', 'spam links', 'a plain reason'),
  ('schedule_segments', 'title', 'Any% runs', 'a plain schedule title'),
  ('reports', 'details', E'he said:\n"..."', 'report details keep line breaks'),
  ('unban_requests', 'text', E'I am sorry.\nIt will not happen again.', 'an appeal keeps line breaks'),
  ('unban_requests', 'resolution_text', 'Approved', 'a plain answer'),
  ('channels', 'title', 'Tiếng Việt, señor, naïve', 'a title with ordinary accents'),
  ('channels', 'description', E'one\u2028two\u2029three', 'a description keeps line and paragraph separators')
) v (t, c, v, d);

-- Through the API as the owner: the same refusal with its code.
select is(tests.api_code('tx_owner', format($$ select tests.run($r$ update public.channels set title = %L where owner_id = %L $r$) $$,
  E'evil\u202etxt.exe', tests.user_id('tx_owner'))), '23514', 'the owner''s own title update is refused with 23514');
select is(tests.api_code('tx_owner', format($$ select tests.run($r$ update public.channels set title = %L where owner_id = %L $r$) $$,
  'Good title', tests.user_id('tx_owner'))), 'ok', 'and a clean one goes through');

select * from finish();
rollback;
