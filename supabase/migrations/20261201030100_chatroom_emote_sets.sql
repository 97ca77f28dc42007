-- Each room's usable emotes as one map, built on first use and dropped when an emote changes, so a
-- send looks its tokens up in one row instead of querying public.emotes. Serves API.md `send_message`.

-- code → {id, code, image_url}. `everyone`: the global emotes and the channel's own that are not
-- subscriber-only (the channel's wins over a global one with the same code). `subscribers`: the
-- channel's subscriber-only emotes, used by subscribers and the owner before `everyone`.
create table private.chatroom_emote_sets (
  chatroom_id uuid primary key references public.chatrooms (id) on delete cascade,
  everyone jsonb not null,
  subscribers jsonb not null
);
alter table private.chatroom_emote_sets enable row level security;

-- Builders and droppers share one advisory lock: a set is built (shared) and dropped (exclusive) one
-- after the other, so a set built from emotes a concurrent change is replacing never outlives it.
create function private.emote_sets_lock_key()
returns bigint language sql immutable set search_path = '' as $$
  select hashtextextended('chat:emote_sets', 0)
$$;

create function private.chatroom_emote_set(chatroom_id uuid)
returns private.chatroom_emote_sets language plpgsql volatile security definer set search_path = '' as $$
declare
  result private.chatroom_emote_sets;
begin
  select * into result from private.chatroom_emote_sets s where s.chatroom_id = chatroom_emote_set.chatroom_id;
  if result.chatroom_id is not null then
    return result;
  end if;
  perform pg_advisory_xact_lock_shared(private.emote_sets_lock_key());
  insert into private.chatroom_emote_sets (chatroom_id, everyone, subscribers)
  select r.id,
    coalesce(jsonb_object_agg(e.code, jsonb_build_object('id', e.id, 'code', e.code, 'image_url', e.image_url)
             order by e.channel_id nulls first) filter (where not e.subscribers_only), '{}'),
    coalesce(jsonb_object_agg(e.code, jsonb_build_object('id', e.id, 'code', e.code, 'image_url', e.image_url))
             filter (where e.subscribers_only), '{}')
  from public.chatrooms r
  left join public.emotes e on e.channel_id is null or e.channel_id = r.channel_id
  where r.id = chatroom_emote_set.chatroom_id
  group by r.id
  on conflict on constraint chatroom_emote_sets_pkey do update set
    everyone = excluded.everyone, subscribers = excluded.subscribers
  returning * into result;
  return result;
end
$$;

-- An emote change drops the sets it touches: its channel's room, or every room for a global emote.
create function private.drop_chatroom_emote_sets()
returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform pg_advisory_xact_lock(private.emote_sets_lock_key());
  if exists (select 1 from changed_emotes e where e.channel_id is null) then
    delete from private.chatroom_emote_sets;
  else
    delete from private.chatroom_emote_sets s using public.chatrooms r
    where r.id = s.chatroom_id and r.channel_id in (select e.channel_id from changed_emotes e);
  end if;
  return null;
end
$$;

create trigger drop_chatroom_emote_sets_on_insert after insert on public.emotes
referencing new table as changed_emotes for each statement execute function private.drop_chatroom_emote_sets();
create trigger drop_chatroom_emote_sets_on_delete after delete on public.emotes
referencing old table as changed_emotes for each statement execute function private.drop_chatroom_emote_sets();
-- An update drops the sets of the old and the new rows' channels: one trigger per transition table.
create trigger drop_chatroom_emote_sets_on_update_old after update on public.emotes
referencing old table as changed_emotes for each statement execute function private.drop_chatroom_emote_sets();
create trigger drop_chatroom_emote_sets_on_update_new after update on public.emotes
referencing new table as changed_emotes for each statement execute function private.drop_chatroom_emote_sets();

-- The emotes a message uses, in order of first appearance: [{id, code, image_url, positions: [{s, e}]}]
-- with 0-based inclusive character offsets of whole whitespace-separated tokens; in emotes-only mode
-- every token must be one (staff excepted). Same answer as 20261201000200, from the room's set, in one
-- pass over the tokens.
create or replace function private.chat_message_emotes(room public.chatrooms, sender private.chat_sender, is_staff boolean, body text)
returns jsonb language plpgsql volatile security definer set search_path = '' as $$
declare
  emote_set private.chatroom_emote_sets := private.chatroom_emote_set(room.id);
  may_use_subscriber_emotes boolean := sender.is_owner or sender.subscribed_months is not null;
  must_be_emotes boolean := room.emotes_only and not is_staff;
  words text[];
  token text[];              -- {the whitespace before it, the token}
  starts_at integer := 0;
  emote jsonb;
  found jsonb := '{}';       -- code → the emote with its positions so far
  codes text[] := '{}';      -- in order of first appearance
  code text;
  used jsonb := '[]';
begin
  -- Most messages hold no emote: one lookup of all their words says so.
  if not must_be_emotes then
    words := regexp_split_to_array(body, '\s+');
    if not (emote_set.everyone ?| words or (may_use_subscriber_emotes and emote_set.subscribers ?| words)) then
      return '[]';
    end if;
  end if;
  for token in select regexp_matches(body, '(\s*)(\S+)', 'g') loop
    starts_at := starts_at + char_length(token[1]);
    emote := coalesce(case when may_use_subscriber_emotes then emote_set.subscribers -> token[2] end,
                      emote_set.everyone -> token[2]);
    if emote is null then
      if must_be_emotes then
        perform private.raise_error('chat_emotes_only');
      end if;
    elsif found ? token[2] then
      found := jsonb_insert(found, array[token[2], 'positions', '-1'],
        jsonb_build_object('s', starts_at, 'e', starts_at + char_length(token[2]) - 1), true);
    else
      found := found || jsonb_build_object(token[2], emote || jsonb_build_object('positions',
        jsonb_build_array(jsonb_build_object('s', starts_at, 'e', starts_at + char_length(token[2]) - 1))));
      codes := codes || token[2];
    end if;
    starts_at := starts_at + char_length(token[2]);
  end loop;
  foreach code in array codes loop
    used := used || jsonb_build_array(found -> code);
  end loop;
  return used;
end
$$;

revoke execute on function private.emote_sets_lock_key() from public;
revoke execute on function private.chatroom_emote_set(uuid) from public;
revoke execute on function private.drop_chatroom_emote_sets() from public;
