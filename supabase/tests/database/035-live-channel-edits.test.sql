-- A live channel's title or category change updates its current livestream and sends
-- livestream.updated; an offline channel's edit, or an edit of another column, touches no stream.
begin;
select plan(6);

select tests.create_user('le_live');
select tests.create_user('le_offline');
insert into public.categories (igdb_id, name, slug) values (950001, 'Edit Game', 'edit-game');
insert into public.livestreams (channel_id, title, started_at)
select c.id, 'Old title', now() - interval '2 hours' from public.channels c where c.slug = 'le_offline';
update public.livestreams set ended_at = now() - interval '1 hour' where channel_id = (select id from public.channels where slug = 'le_offline');
insert into public.livestreams (channel_id, title) select c.id, 'Old title' from public.channels c where c.slug = 'le_live';
create temporary table sent_before as select count(*) as n from realtime.messages where event = 'livestream.updated';

select tests.authenticate_as('le_live');
update public.channels set title = 'New title', category_id = (select id from public.categories where slug = 'edit-game')
where slug = 'le_live';
select tests.clear_authentication();
select is((select title from public.livestreams where channel_id = (select id from public.channels where slug = 'le_live') and ended_at is null),
  'New title', 'a live channel''s new title reaches its current livestream');
select is((select category_id from public.livestreams where channel_id = (select id from public.channels where slug = 'le_live') and ended_at is null),
  (select id from public.categories where slug = 'edit-game'), 'and so does its new category');
select is((select count(*) from realtime.messages where event = 'livestream.updated'
    and topic = (select 'channel:' || id from public.channels where slug = 'le_live')), 1::bigint,
  'one livestream.updated goes to channel:<id>');

select tests.authenticate_as('le_live');
update public.channels set description = 'Only the description' where slug = 'le_live';
select tests.clear_authentication();
select is((select count(*) from realtime.messages where event = 'livestream.updated'
    and topic = (select 'channel:' || id from public.channels where slug = 'le_live')), 1::bigint,
  'editing another column sends no livestream.updated');

select tests.authenticate_as('le_offline');
update public.channels set title = 'Offline rename' where slug = 'le_offline';
select tests.clear_authentication();
select is((select title from public.livestreams where channel_id = (select id from public.channels where slug = 'le_offline')),
  'Old title', 'an offline channel''s rename leaves its past livestreams alone');
select is((select count(*) from realtime.messages where event = 'livestream.updated'
    and topic = (select 'channel:' || id from public.channels where slug = 'le_offline')), 0::bigint,
  'and sends nothing');

select * from finish();
rollback;
