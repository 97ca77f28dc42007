-- Search outbox: every change to a searchable document is queued exactly once, in the same
-- transaction (a rolled-back change queues nothing), and no API role can read or drain the queue.
begin;
select plan(36);

delete from private.search_outbox;

create function pg_temp.queued(collection text, document_id uuid)
returns table (op text, version integer) language sql as $$
  select o.op, o.version from private.search_outbox o
  where o.collection = queued.collection and o.document_id = queued.document_id
$$;
create function pg_temp.rows_for(document_id uuid) returns integer language sql as $$
  select count(*)::int from private.search_outbox o where o.document_id = rows_for.document_id
$$;

-- A new user brings a channel: one upsert for it.
select tests.create_user('so_streamer');
select is((select count(*)::int from private.search_outbox o join public.channels c on c.id = o.document_id
           where c.slug = 'so_streamer'), 1, 'a new channel is queued once');
select is((select op from pg_temp.queued('channels', (select id from public.channels where slug = 'so_streamer'))), 'upsert',
  'as an upsert');

-- Several changes before a drain coalesce into the same row; its version counts them.
update public.channels set title = 'first title' where slug = 'so_streamer';
update public.channels set title = 'second title' where slug = 'so_streamer';
select is(pg_temp.rows_for((select id from public.channels where slug = 'so_streamer')), 1,
  'two more changes still leave one row for the document');
select is((select version from pg_temp.queued('channels', (select id from public.channels where slug = 'so_streamer'))), 3,
  'its version counts the three changes');

-- Changes that do not touch the document queue nothing.
delete from private.search_outbox;
update public.channels set description = 'not searchable', updated_at = now() where slug = 'so_streamer';
update public.channels set title = title where slug = 'so_streamer';
select is((select count(*)::int from private.search_outbox), 0, 'a description or no-op update queues nothing');

-- The owner's names are part of the channel document.
update public.users set display_name = 'Outbox Streamer' where username = 'so_streamer';
select is((select count(*)::int from private.search_outbox), 1, 'a display name change queues one change');
select is((select collection || ':' || op from private.search_outbox o
           where o.document_id = (select id from public.channels where slug = 'so_streamer')), 'channels:upsert',
  'for the owner''s channel');
delete from private.search_outbox;
update public.users set bio = 'bios are not searched' where username = 'so_streamer';
select is((select count(*)::int from private.search_outbox), 0, 'a bio change queues nothing');
update public.users set username = 'so_renamed' where username = 'so_streamer';
select is((select count(*)::int from private.search_outbox), 1,
  'a rename (which also moves the channel slug) queues the channel once');

-- Categories, and their name in channel and livestream documents.
insert into public.categories (igdb_id, name, slug) values (980001, 'Outbox Game', 'outbox-game');
select is((select op from pg_temp.queued('categories', (select id from public.categories where slug = 'outbox-game'))), 'upsert',
  'a new category is queued');
update public.channels set category_id = (select id from public.categories where slug = 'outbox-game') where slug = 'so_renamed';
insert into public.livestreams (channel_id, title, category_id)
select id, 'outbox stream', category_id from public.channels where slug = 'so_renamed';
select is((select op from pg_temp.queued('livestreams', (select id from public.livestreams where title = 'outbox stream'))), 'upsert',
  'a new livestream is queued');
delete from private.search_outbox;
update public.categories set name = 'Outbox Game Renamed' where slug = 'outbox-game';
select is((select array_agg(collection order by collection) from private.search_outbox),
  array['categories', 'channels', 'livestreams'],
  'renaming a category queues it and the channel and livestream showing its name, once each');
delete from private.search_outbox;
update public.categories set summary = 'summaries are not searched' where slug = 'outbox-game';
select is((select count(*)::int from private.search_outbox), 0, 'a summary change queues nothing');
update public.categories set deleted_at = now() where slug = 'outbox-game';
select is((select count(*)::int from private.search_outbox), 3, 'removing a category queues it and what shows it');
select is((select count(*)::int from private.search_category_documents
           where id = (select id from public.categories where slug = 'outbox-game')), 0,
  'a removed category has no document (the drain deletes it)');
select is((select document ->> 'category_name' from private.search_channel_documents
           where id = (select id from public.channels where slug = 'so_renamed')), null,
  'channels in a removed category show no category');

-- Livestreams: viewer counts and the end are changes; a delete is a delete.
delete from private.search_outbox;
update public.livestreams set viewer_count = 42 where title = 'outbox stream';
update public.livestreams set viewer_count = 43 where title = 'outbox stream';
select is((select count(*)::int from private.search_outbox where collection = 'livestreams'), 1,
  'viewer count updates coalesce into one row');
delete from public.livestreams where title = 'outbox stream';
select is((select string_agg(op, ',') from private.search_outbox where collection = 'livestreams'), 'delete',
  'deleting a livestream turns its queued upsert into a delete');

-- Deleting a user deletes the channel document.
delete from private.search_outbox;
delete from public.users where username = 'so_renamed';
select is((select string_agg(collection || ':' || op, ',') from private.search_outbox where collection = 'channels'),
  'channels:delete', 'deleting a user queues the channel''s delete');

-- A rolled-back change queues nothing.
delete from private.search_outbox;
savepoint before_change;
insert into public.categories (igdb_id, name, slug) values (980002, 'Rolled Back', 'rolled-back');
select tests.create_user('so_rolled_back');
rollback to savepoint before_change;
select is((select count(*)::int from private.search_outbox), 0, 'a rolled-back change leaves nothing queued');

-- The drain functions: claim, complete, fail, park.
insert into public.categories (igdb_id, name, slug) values (980003, 'Claim Me', 'claim-me');
select is((select count(*)::int from private.search_outbox_claim(10)), 1, 'a ready row is claimed');
select is((select count(*)::int from private.search_outbox_claim(10)), 0, 'a claimed row is leased: nobody claims it again');
select private.search_outbox_fail(array[(select id from private.search_outbox)], array[1], array['400: bad'], false, 2,
  '0 seconds', '1 hour');
select is((select (attempts, last_error, parked_at is null) from private.search_outbox), (1, '400: bad'::text, true),
  'a refused document counts an attempt and keeps its error');
select is((select count(*)::int from private.search_outbox_claim(10)), 1, 'it is claimed again once due');
select is(private.search_outbox_fail(array[(select id from private.search_outbox)], array[1], array['400: bad'], false, 2,
  '0 seconds', '1 hour'), 1, 'at max_attempts it is parked');
select is((select count(*)::int from private.search_outbox_claim(10)), 0, 'a parked row is not claimed');
update public.categories set name = 'Claim Me Again' where slug = 'claim-me';
select is((select (attempts, parked_at is null) from private.search_outbox), (0, true),
  'a new change un-parks it with fresh attempts');
select private.search_outbox_complete(array(select id from private.search_outbox_claim(10)), array[1]);
select is((select count(*)::int from private.search_outbox), 1, 'a row that changed since its claim is not completed away');
select private.search_outbox_complete(array(select id from private.search_outbox_claim(10)), array[2]);
select is((select count(*)::int from private.search_outbox), 0, 'completing the current version removes the row');

-- A send whose outcome is unknown (an import that timed out: Typesense may still apply it) holds the
-- row leased (20261201150424), whatever version it reaches meanwhile, and counts no attempt.
insert into public.categories (igdb_id, name, slug) values (980004, 'Hold Me', 'hold-me');
select private.search_outbox_hold(array(select id from private.search_outbox_claim(10)), array['timed out'], '1 hour');
select is((select count(*)::int from private.search_outbox_claim(10)), 0, 'a held row is not claimed');
select is((select (attempts, last_error, parked_at is null) from private.search_outbox), (0, 'timed out'::text, true),
  'no attempt is counted, the error is kept, nothing is parked');
update public.categories set name = 'Hold Me Again' where slug = 'hold-me';
select is((select count(*)::int from private.search_outbox_claim(10)), 0,
  'nor once it has changed again: the new version waits for the hold too');
select ok((select locked_until > now() + interval '59 minutes' from private.search_outbox), 'the row stays leased for the hold');
update private.search_outbox set locked_until = now() - interval '1 second';
select is((select version from private.search_outbox_claim(10)), 2, 'after the hold, the current version is claimed');
delete from private.search_outbox;

-- No API role reads or drains the outbox.
select tests.authenticate_as_service_role();
select throws_ok($$ select count(*) from private.search_outbox $$, '42501', null, 'service_role cannot read the outbox');
select tests.authenticate_as_anon();
select throws_ok($$ select * from private.search_outbox_claim(10) $$, '42501', null, 'anon cannot drain the outbox');
select tests.clear_authentication();

select * from finish();
rollback;
