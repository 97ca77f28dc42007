-- Subscriber badges: the owner's badge image per subscription length (one per month count).
-- Serves API.md `subscriber_badges` (read by anyone; owner insert/delete).

create table public.subscriber_badges (
  id uuid primary key default gen_random_uuid(),
  channel_id uuid not null default private.owned_channel_id(auth.uid())
    references public.channels (id) on delete cascade,
  months integer not null constraint subscriber_badges_months_positive check (months >= 1),
  image_url text not null constraint subscriber_badges_image_url_https
    check (image_url ~ '^https://[^\s]+$' and char_length(image_url) <= 2048),
  created_at timestamptz not null default now(),
  constraint subscriber_badges_months_unique unique (channel_id, months)
);

-- subscriber_badges_months_unique (channel_id, months) serves the FK, the policies and badge lookup.

grant select on public.subscriber_badges to anon, authenticated;
grant insert (channel_id, months, image_url), delete on public.subscriber_badges to authenticated;
grant select, insert, update, delete on public.subscriber_badges to service_role;

alter table public.subscriber_badges enable row level security;

create policy "anyone can read subscriber badges" on public.subscriber_badges
  for select to anon, authenticated using (true);
create policy "owners can add badges to their channel" on public.subscriber_badges
  for insert to authenticated
  with check (channel_id = (select private.owned_channel_id((select auth.uid()))));
create policy "owners can remove their channel's badges" on public.subscriber_badges
  for delete to authenticated
  using (channel_id = (select private.owned_channel_id((select auth.uid()))));
