-- Category follows: a user follows the categories (games) they care about. Serves API.md
-- `category_follows` (insert/delete/read own).

create table public.category_follows (
  user_id uuid not null default auth.uid() references public.users (id) on delete cascade,
  category_id uuid not null references public.categories (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (user_id, category_id)
);

create index category_follows_category_id_idx on public.category_follows (category_id);

grant select, delete on public.category_follows to authenticated;
grant insert (user_id, category_id) on public.category_follows to authenticated;
grant select, insert, update, delete on public.category_follows to service_role;

alter table public.category_follows enable row level security;

create policy "users read their own category follows" on public.category_follows
  for select to authenticated using (user_id = (select auth.uid()));
create policy "users can follow categories for themselves" on public.category_follows
  for insert to authenticated with check (user_id = (select auth.uid()));
create policy "users can unfollow categories" on public.category_follows
  for delete to authenticated using (user_id = (select auth.uid()));
