-- Chat demo data (runs after supabase/seed.sql): nova's live chatroom with settings, rules, a blocked
-- term, emotes, chat identities, a timeout and a short conversation; pixelpete's quieter room.
-- Messages are written straight into the table (as the seed runs as postgres), with the sender
-- identity and emotes that send_message would have stored.

-- Global emotes (the service's), and nova's channel emotes ------------------------------------------
insert into public.emotes (channel_id, code, image_url) values
  (null, 'StreamzHype', 'https://cdn.streamz.test/emotes/global/hype.png'),
  (null, 'StreamzLUL', 'https://cdn.streamz.test/emotes/global/lul.png'),
  (null, 'StreamzGG', 'https://cdn.streamz.test/emotes/global/gg.png');

insert into public.emotes (channel_id, code, image_url, subscribers_only)
select c.id, e.code, 'https://cdn.streamz.test/emotes/nova/' || lower(e.code) || '.png', e.subscribers_only
from public.channels c
join (values ('novaWave', false), ('novaHeart', true), ('novaPB', true)) as e (code, subscribers_only) on true
where c.slug = 'nova';

-- Settings: nova's chat is followers-only (10 min) with a 3 s slow mode; pete's is open -------------
update public.chatrooms r set slow_mode_seconds = 3, followers_only_minutes = 10, min_account_age_minutes = 60
from public.channels c where c.id = r.channel_id and c.slug = 'nova';

insert into public.chatroom_rules (chatroom_id, position, body)
select r.id, x.position, x.body
from public.chatrooms r join public.channels c on c.id = r.channel_id
join (values
  ('nova', 0, 'Be kind. No hate, no harassment.'),
  ('nova', 1, 'No spoilers for games that are less than a month old.'),
  ('nova', 2, 'No backseating unless nova asks for help.'),
  ('nova', 3, 'English in chat, please, so the mods can follow.'),
  ('pixelpete', 0, 'Keep it retro and keep it friendly.')
) as x (slug, position, body) on c.slug = x.slug;

insert into public.chatroom_blocked_terms (chatroom_id, term, created_by, expires_at)
select r.id, x.term, 'a1b2c3d4-0003-4000-8000-000000000003', x.expires_at
from public.chatrooms r join public.channels c on c.id = r.channel_id
join (values ('spoil*', null::timestamptz), ('free followers', null), ('*scam', now() + interval '7 days')) as x (term, expires_at) on true
where c.slug = 'nova';

-- Identities: colors and chosen badges -----------------------------------------------------------
insert into public.chat_identities (chatroom_id, user_id, color, badges)
select r.id, x.user_id::uuid, x.color, x.badges
from public.chatrooms r join public.channels c on c.id = r.channel_id
join (values
  ('a1b2c3d4-0001-4000-8000-000000000001', '#9146FF', null::text[]),
  ('a1b2c3d4-0003-4000-8000-000000000003', '#00C853', '{moderator}'),
  ('a1b2c3d4-0002-4000-8000-000000000002', '#FF7F50', null),
  ('a1b2c3d4-0004-4000-8000-000000000004', '#1E90FF', '{subscriber,og}')
) as x (user_id, color, badges) on true
where c.slug = 'nova';

-- ghostwave was timed out for 10 minutes by mods_mia -----------------------------------------------
insert into public.chatroom_bans (chatroom_id, user_id, banned_by, reason, expires_at)
select r.id, 'a1b2c3d4-0007-4000-8000-000000000007', 'a1b2c3d4-0003-4000-8000-000000000003',
  'Spamming links after a warning.', now() + interval '10 minutes'
from public.chatrooms r join public.channels c on c.id = r.channel_id where c.slug = 'nova';

-- A conversation, oldest first, with the identity each sender had (private.chat_identity) -----------
insert into public.messages (chatroom_id, user_id, content, created_at, sender, emotes)
select r.id, x.user_id::uuid, x.content, now() - x.ago,
  private.chat_identity(r.id, x.user_id::uuid),
  coalesce((select jsonb_agg(jsonb_build_object('id', e.id, 'code', e.code, 'image_url', e.image_url,
              'positions', jsonb_build_array(jsonb_build_object('s', strpos(x.content, e.code) - 1,
                                                                'e', strpos(x.content, e.code) + char_length(e.code) - 2))))
            from public.emotes e
            where (e.channel_id is null or e.channel_id = c.id)
              and e.code = any (regexp_split_to_array(x.content, '\s+'))), '[]')
from public.chatrooms r join public.channels c on c.id = r.channel_id
join (values
  ('nova', 'a1b2c3d4-0001-4000-8000-000000000001', 'Welcome back everyone! Going for sub-27 today novaWave', interval '90 minutes'),
  ('nova', 'a1b2c3d4-0004-4000-8000-000000000004', 'LET''S GO novaHeart', interval '89 minutes'),
  ('nova', 'a1b2c3d4-0002-4000-8000-000000000002', 'the 6A skip looked clean last stream', interval '88 minutes'),
  ('nova', 'a1b2c3d4-0005-4000-8000-000000000005', 'first time catching this live, hi chat', interval '80 minutes'),
  ('nova', 'a1b2c3d4-0003-4000-8000-000000000003', 'Reminder: no spoilers for the new DLC please', interval '60 minutes'),
  ('nova', 'a1b2c3d4-0004-4000-8000-000000000004', 'that dash was frame perfect StreamzHype', interval '30 minutes'),
  ('nova', 'a1b2c3d4-0001-4000-8000-000000000001', 'chat, we are 4 seconds ahead of PB pace', interval '5 minutes'),
  ('nova', 'a1b2c3d4-0002-4000-8000-000000000002', 'StreamzGG well played', interval '1 minute'),
  ('pixelpete', 'a1b2c3d4-0001-4000-8000-000000000001', 'gl on the warpless run pete!', interval '25 hours'),
  ('pixelpete', 'a1b2c3d4-0002-4000-8000-000000000002', 'thanks nova! 8-4 here we come', interval '25 hours' - interval '1 minute')
) as x (slug, user_id, content, ago) on c.slug = x.slug
order by x.ago desc;

-- mods_mia deleted a spam message; its content survives only in the moderation log -----------------
insert into public.messages (chatroom_id, user_id, content, created_at, sender)
select r.id, 'a1b2c3d4-0007-4000-8000-000000000007', 'cheap followers at example dot com', now() - interval '12 minutes',
  private.chat_identity(r.id, 'a1b2c3d4-0007-4000-8000-000000000007')
from public.chatrooms r join public.channels c on c.id = r.channel_id where c.slug = 'nova';

select private.log_moderation_action(m.chatroom_id, 'a1b2c3d4-0003-4000-8000-000000000003', m.user_id, 'message.deleted',
  m.id, null, jsonb_build_object('content', m.content))
from public.messages m where m.user_id = 'a1b2c3d4-0007-4000-8000-000000000007' and m.deleted_at is null;

update public.messages m set content = null, emotes = '[]', deleted_at = now() - interval '11 minutes',
  deleted_by = 'a1b2c3d4-0003-4000-8000-000000000003'
where m.user_id = 'a1b2c3d4-0007-4000-8000-000000000007' and m.deleted_at is null;

-- nova pinned her PB-pace message ----------------------------------------------------------------
update public.chatrooms r set pinned_message_id = m.id, pinned_until = null
from public.messages m
where m.chatroom_id = r.id and m.content = 'chat, we are 4 seconds ahead of PB pace';
