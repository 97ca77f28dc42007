-- The free text users write outside chat (titles, descriptions, panels, bios, rules, ban reasons,
-- reports, appeals, schedule titles) refuses control characters and bidirectional embedding, override
-- and isolate characters (U+202A-202E, U+2066-2069), as messages and display names already do, and
-- runs of five or more combining marks ("zalgo", private.stacked_marks() below).
-- A title with U+202E showed reversed in the directory and search hits, and one with BEL or ESC
-- reached every client that renders it. Found by probing. Single-line fields refuse every control
-- character and U+2028/2029 (line and paragraph separators); multi-line fields keep tab, line feed,
-- carriage return and those separators. An appeal or a rule that is
-- only spaces is refused too. Refused writes answer 23514 with the constraint `<table>_<column>_characters`.
--
-- Existing text is cleaned first (the characters removed; a rule or an appeal left blank reads
-- "(removed)"): a CHECK is re-tested on every update of a row, so an old bad title would otherwise
-- block the channel going live.

-- Zalgo text: five or more combining marks in a row from the generic blocks such text draws on
-- (U+0300-036F, 0483-0489, 1AB0-1AFF, 1DC0-1DFF, 20D0-20FF, FE20-FE2F), as a regular expression.
-- Languages written with these marks use one to three on a letter (NFC folds most into one
-- character); scripts whose marks have their own blocks (Hebrew, Arabic, Indic, Thai) are not counted.
-- The one definition of the rule: messages and display names test it (20261201124950), and the CHECKs
-- below hold its text as it is now.
create function private.stacked_marks()
returns text language sql immutable parallel safe set search_path = '' as $fn$
  select '[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]{5}'::text
$fn$;

revoke execute on function private.stacked_marks() from public;

do $$
declare
  field record;
  marks constant text := '|' || private.stacked_marks();
  single_line constant text := '[\u0001-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]' || marks;
  multi_line constant text := '[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]' || marks;
  refused text;
begin
  for field in select * from (values
    ('channels', 'title', false, false), ('channels', 'description', true, false),
    ('channel_panels', 'title', false, false), ('channel_panels', 'body', true, false),
    ('users', 'bio', true, false), ('chatroom_rules', 'body', false, true),
    ('chatroom_bans', 'reason', false, false), ('schedule_segments', 'title', false, false),
    ('reports', 'details', true, false), ('reports', 'resolution_note', true, false),
    ('unban_requests', 'text', true, true), ('unban_requests', 'resolution_text', true, false)
  ) v (table_name, column_name, multiline, visible) loop
    refused := case when field.multiline then multi_line else single_line end;
    execute format('update public.%I set %I = %s where %I ~ %L', field.table_name, field.column_name,
      format('regexp_replace(%I, %L, '''', ''g'')', field.column_name, refused),
      field.column_name, refused);
    if field.visible then
      execute format('update public.%I set %I = ''(removed)'' where %I !~ ''[^[:space:]]''', field.table_name, field.column_name, field.column_name);
    end if;
    execute format('alter table public.%I add constraint %I check (%I !~ %L%s)', field.table_name,
      field.table_name || '_' || field.column_name || '_characters', field.column_name, refused,
      case when field.visible then format(' and %I ~ %L', field.column_name, '[^[:space:]]') else '' end);
  end loop;
end
$$;

comment on column public.channels.title is 'Stream title, at most 140 characters (default empty), one line: no control or bidirectional override characters. While live, a change is copied to the current livestream.';
comment on column public.channels.description is 'Channel description, at most 1000 characters (default empty); line breaks and tabs allowed, no other control or bidirectional override characters.';
comment on column public.channel_panels.title is 'Panel title, at most 60 characters (default empty), one line: no control or bidirectional override characters.';
comment on column public.channel_panels.body is 'Panel text, at most 1000 characters (default empty); line breaks and tabs allowed, no other control or bidirectional override characters.';
comment on column public.users.bio is 'Profile text, at most 300 characters; line breaks and tabs allowed, no other control or bidirectional override characters; null = none.';
comment on column public.chatroom_rules.body is 'The rule''s text, 1–500 characters, one line, not only spaces: no control or bidirectional override characters.';
comment on column public.chatroom_bans.reason is 'Why, at most 500 characters, one line: no control or bidirectional override characters; null = none given.';
comment on column public.schedule_segments.title is 'What the stream will be, at most 140 characters, one line: no control or bidirectional override characters.';
comment on column public.reports.details is 'What the reporter adds, 0 to 1,000 characters; line breaks and tabs allowed, no other control or bidirectional override characters.';
comment on column public.reports.resolution_note is 'The resolver''s note (up to 1,000 characters); line breaks and tabs allowed, no other control or bidirectional override characters.';
comment on column public.unban_requests.text is 'The appeal, 1 to 500 characters, not only spaces; line breaks and tabs allowed, no other control or bidirectional override characters.';
comment on column public.unban_requests.resolution_text is 'The staff''s answer, up to 500 characters; line breaks and tabs allowed, no other control or bidirectional override characters.';
