-- Caps that keep one user or room from slowing everyone: a chat identity shows at most the six badge
-- kinds, a room has at most 1,000 blocked terms and a channel at most 500 emotes. Serves API.md
-- `chat_identities.badges`, `chatroom_blocked_terms` and `emotes` limits.

-- Arrays saved before the cap keep their first six entries.
update public.chat_identities set badges = badges[1:6] where cardinality(badges) > 6;
alter table public.chat_identities add constraint chat_identities_badges_max
  check (cardinality(badges) <= 6);

-- The size is checked before the held badges are (the trigger runs before the table's checks), and
-- the held badges are computed once, not once per element.
create or replace function private.check_chosen_badges()
returns trigger language plpgsql security definer set search_path = '' as $$
declare
  held jsonb;
begin
  if cardinality(new.badges) > 6 then
    raise exception 'a chat identity shows at most 6 badges (broadcaster, moderator, vip, og, subscriber, sub_gifter)'
      using errcode = '23514', constraint = 'chat_identities_badges_max', table = 'chat_identities', schema = 'public';
  end if;
  if new.badges is not null then
    held := jsonb_path_query_array(private.held_chat_badges(new.chatroom_id, new.user_id), '$[*].type');
    if exists (select 1 from unnest(new.badges) b (badge_type) where b.badge_type is null or not held ? b.badge_type) then
      raise exception 'a chat identity can only show badges its user holds'
        using errcode = '23514', constraint = 'chat_identities_badges_held', table = 'chat_identities', schema = 'public';
    end if;
  end if;
  new.updated_at := now();
  return new;
end
$$;

create trigger enforce_blocked_term_limit after insert or update of chatroom_id on public.chatroom_blocked_terms
  for each row execute function private.enforce_row_limit('chatroom_id', '1000', 'chatroom_blocked_terms_max_1000_per_chatroom');
create trigger enforce_emote_limit after insert or update of channel_id on public.emotes
  for each row when (new.channel_id is not null)
  execute function private.enforce_row_limit('channel_id', '500', 'emotes_max_500_per_channel');

comment on column public.chat_identities.badges is
  'The badge types to show, in order (at most 6, only badges the user holds); null shows every badge held.';
