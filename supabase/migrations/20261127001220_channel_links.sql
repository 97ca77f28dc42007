-- Channel links: the owner's social links (known platforms, https only), ordered, at most 10 per
-- channel. Serves API.md `channel_links` (read by anyone; owner insert/update/delete).

create table public.channel_links (
  id uuid primary key default gen_random_uuid(),
  channel_id uuid not null default private.owned_channel_id(auth.uid())
    references public.channels (id) on delete cascade,
  platform text not null constraint channel_links_platform_known
    check (platform in ('x', 'instagram', 'youtube', 'tiktok', 'discord', 'facebook', 'website')),
  url text not null constraint channel_links_url_https
    check (url ~ '^https://[^\s/?#]+\.[^\s/?#]+([/?#][^\s]*)?$' and char_length(url) <= 2048),
  position integer not null default 0 constraint channel_links_position_range check (position between 0 and 999),
  created_at timestamptz not null default now(),
  constraint channel_links_url_unique unique (channel_id, url)
);

-- channel_links_url_unique (channel_id, url) serves the FK, the owner policies and the channel read.

grant select on public.channel_links to anon, authenticated;
grant insert (channel_id, platform, url, position), update (platform, url, position), delete
  on public.channel_links to authenticated;
grant select, insert, update, delete on public.channel_links to service_role;

alter table public.channel_links enable row level security;

create policy "anyone can read channel links" on public.channel_links
  for select to anon, authenticated using (true);
create policy "owners can add links to their channel" on public.channel_links
  for insert to authenticated
  with check (channel_id = (select private.owned_channel_id((select auth.uid()))));
create policy "owners can edit their channel's links" on public.channel_links
  for update to authenticated
  using (channel_id = (select private.owned_channel_id((select auth.uid()))))
  with check (channel_id = (select private.owned_channel_id((select auth.uid()))));
create policy "owners can remove their channel's links" on public.channel_links
  for delete to authenticated
  using (channel_id = (select private.owned_channel_id((select auth.uid()))));

create trigger enforce_link_limit after insert or update of channel_id on public.channel_links
  for each row execute function private.enforce_row_limit('channel_id', '10', 'channel_links_max_10_per_channel');
