-- Bench world: 50 rooms with every chat rule on, 20,000 chatters who satisfy them all (old, verified,
-- following for a day, subscribed), blocked terms and emotes to check. Chatter n has the fixed id
-- 00000000-0000-4000-8000-<n, 12 digits> and chats in room n % 50, so scripts need no lookups.
-- Run by the superuser, but everything is created as postgres (the bench's scripts run as postgres).
set role postgres;
create schema bench;

insert into public.users (id, username, created_at)
select ('00000000-0000-4000-9000-' || lpad(k::text, 12, '0'))::uuid, 'bench_owner_' || k, now() - interval '2 years'
from generate_series(0, 49) k;
create table bench.rooms as
select k, r.id as room_id, r.channel_id
from generate_series(0, 49) k
join public.channels c on c.owner_id = ('00000000-0000-4000-9000-' || lpad(k::text, 12, '0'))::uuid
join public.chatrooms r on r.channel_id = c.id;
alter table bench.rooms add primary key (k);

-- The chatters' rows go in with triggers off (the bench's superuser: session_replication_role), as a
-- bulk import would: the send path reads these tables directly, and firing 20,000 sign-ups' channel
-- provisioning, search indexing and new-follower notifications took minutes. Chatters have no channel.
reset role;
set session_replication_role = replica;
set role postgres;
insert into public.users (id, username, created_at)
select ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'chatter_' || n, now() - interval '1 year'
from generate_series(0, 19999) n;
insert into private.accounts (user_id, email, email_verified_at)
select ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'chatter_' || n || '@bench.test', now() - interval '1 year'
from generate_series(0, 19999) n;
insert into public.follows (user_id, channel_id, created_at)
select ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, r.channel_id, now() - interval '1 day'
from generate_series(0, 19999) n join bench.rooms r on r.k = n % 50;
insert into public.subscriptions (channel_id, user_id, cumulative_months, started_at, current_period_end)
select r.channel_id, ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 1 + n % 24, now() - interval '1 month', now() + interval '30 days'
from generate_series(0, 19999) n join bench.rooms r on r.k = n % 50;
reset role;
set session_replication_role = origin;
-- What the send path reads about each chatter is kept by triggers that were off: build it once.
select private.rebuild_chat_sender_facts();
set role postgres;
insert into public.subscriber_badges (channel_id, months, image_url)
select r.channel_id, m, 'https://cdn.bench.test/badge-' || m || '.png' from bench.rooms r, unnest(array[1, 3, 6, 12]) m;

insert into public.emotes (channel_id, code, image_url)
select null, 'Glob' || e, 'https://cdn.bench.test/glob-' || e || '.png' from unnest(array['A', 'B', 'C', 'D', 'E']) e;
insert into public.emotes (channel_id, code, image_url, subscribers_only)
select r.channel_id, 'room' || e, 'https://cdn.bench.test/room-' || e || '.png', e in ('D', 'E')
from bench.rooms r, unnest(array['A', 'B', 'C', 'D', 'E']) e;
insert into public.chatroom_blocked_terms (chatroom_id, term, created_by)
select r.room_id, t, ('00000000-0000-4000-9000-' || lpad(r.k::text, 12, '0'))::uuid
from bench.rooms r, unnest(array['spoil*', '*scam', 'free followers', 'buy views', 'badword', 'slur1', 'slur2', 'slur3',
  'phish*', 'giveaway link', 'nsfw', 'dox*', 'ddos', 'crypto*', 'onlyfans', 'bit ly', 'discord gg', 'cheap views',
  'follow4follow', 'sub4sub']) t;
update public.chatrooms r set slow_mode_seconds = 3, followers_only_minutes = 10, subscribers_only = true, emotes_only = true,
  min_account_age_minutes = 60, require_verified_email = true
from bench.rooms b where b.room_id = r.id;

-- Sends are spread so that no chatter hits slow mode, duplicates or the rate limit (a refusal would
-- abort the pgbench client): send number s goes to chatter s % 20000 and uses emotes picked by
-- s / 20000, which differs between a chatter's consecutive sends.
create sequence bench.pick;
create function bench.emote_text(round bigint) returns text language sql immutable as $$
  select (array['GlobA', 'GlobB', 'GlobC', 'GlobD', 'GlobE', 'roomA', 'roomB', 'roomC', 'roomD', 'roomE'])[1 + round % 10] || ' ' ||
         (array['roomA', 'GlobB', 'roomC', 'GlobD', 'roomE', 'GlobA', 'roomB', 'GlobC', 'roomD', 'GlobE'])[1 + (round / 10) % 10] || ' ' ||
         (array['GlobE', 'roomD', 'GlobC', 'roomB', 'GlobA', 'roomE', 'GlobD', 'roomC', 'GlobB', 'roomA'])[1 + (round / 100) % 10]
$$;
grant usage on schema bench to authenticated;
grant select on bench.rooms to authenticated;
grant execute on function bench.emote_text(bigint) to authenticated;
analyze;
