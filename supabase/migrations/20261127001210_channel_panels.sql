-- Channel panels: the owner's "about" blocks under the player, ordered, at most 20 per channel.
-- Serves API.md `channel_panels` (read by anyone; owner insert/update/delete).

create table public.channel_panels (
  id uuid primary key default gen_random_uuid(),
  channel_id uuid not null default private.owned_channel_id(auth.uid())
    references public.channels (id) on delete cascade,
  position integer not null default 0 constraint channel_panels_position_range check (position between 0 and 999),
  title text not null default '' constraint channel_panels_title_length check (char_length(title) <= 60),
  body text not null default '' constraint channel_panels_body_length check (char_length(body) <= 1000),
  image_url text constraint channel_panels_image_url_https
    check (image_url ~ '^https://[^\s]+$' and char_length(image_url) <= 2048),
  link_url text constraint channel_panels_link_url_https
    check (link_url ~ '^https://[^\s]+$' and char_length(link_url) <= 2048),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint channel_panels_not_empty check (title <> '' or body <> '' or image_url is not null)
);

-- The FK, the owner policies and the documented read: .eq('channel_id', id).order('position').
create index channel_panels_channel_id_position_idx on public.channel_panels (channel_id, position, created_at);

grant select on public.channel_panels to anon, authenticated;
grant insert (channel_id, position, title, body, image_url, link_url),
  update (position, title, body, image_url, link_url), delete on public.channel_panels to authenticated;
grant select, insert, update, delete on public.channel_panels to service_role;

alter table public.channel_panels enable row level security;

create policy "anyone can read channel panels" on public.channel_panels
  for select to anon, authenticated using (true);
create policy "owners can add panels to their channel" on public.channel_panels
  for insert to authenticated
  with check (channel_id = (select private.owned_channel_id((select auth.uid()))));
create policy "owners can edit their channel's panels" on public.channel_panels
  for update to authenticated
  using (channel_id = (select private.owned_channel_id((select auth.uid()))))
  with check (channel_id = (select private.owned_channel_id((select auth.uid()))));
create policy "owners can remove their channel's panels" on public.channel_panels
  for delete to authenticated
  using (channel_id = (select private.owned_channel_id((select auth.uid()))));

create trigger enforce_panel_limit after insert or update of channel_id on public.channel_panels
  for each row execute function private.enforce_row_limit('channel_id', '20', 'channel_panels_max_20_per_channel');
create trigger set_updated_at before update on public.channel_panels
  for each row execute function private.set_updated_at();
